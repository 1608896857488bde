#!/usr/bin/env python3
"""A package index on 127.0.0.1 for lock2nix's tests: serves Poetry's PyPI fixtures under PyPI's
routes, and injects faults on request.

Routes (FIXTURES = <shared>/fixtures/pypi/python-poetry+poetry/tests/repositories/fixtures):
  /pypi/<name>/<version>/json   FIXTURES/pypi.org/json/<name>/<version>.json
  /simple/<name>/               PEP 691 JSON (FIXTURES/pypi.org/json/<name>.json) when the Accept
                                header asks for it, else PEP 503 HTML (FIXTURES/legacy/<name>.html)
  /legacy/<name>/               PEP 503 HTML only
  /private/...                  as above, but only with HTTP basic user "alice", password "s3cret"
  /files/<name>                 bytes of <name> from --files DIR
Fault prefixes, in front of any route: /fault/<kind>/<n>/<route>; the first <n> requests of that
exact path get the fault, later ones the real answer (n = 0: always):
  delay (answer after 300 ms), status500, status429 (Retry-After: 1), reset (close without an
  answer), truncate (half the body, Content-Length of the whole), badjson (200 with a broken
  body), stall (no answer for 30 s), and 429s with odd Retry-After values: retryhuge
  (9999999999999999 seconds), retry20digits (20 nines), retryfuture (an HTTP-date in 9999),
  retrypast (an HTTP-date in 1970), retrygarbage ("soon"), retrynegative ("-5"); redirect (302
  to /moved/<route>, which answers as <route>: relative links then point under /moved/), gzipbomb
  (200, Content-Encoding: gzip, 128 KB that inflate to 128 MiB), htmljson (200, an HTML page labelled
  text/html whatever was asked), wrongtype (200, JSON API whose first filename is the number 5),
  trickle (the answer one byte per second), crosshost (302 to the same route on the server given
  by --redirect-to, another host), redirectloop (302 to the very path asked for, forever),
  overlength (the whole body, but a Content-Length of half of it)
--files DIR also serves /simple/<name>/ pages made from DIR for projects the fixtures lack.
--latency S adds S seconds to every answer (for the concurrency benchmark).
--host ADDR listens on ADDR (default 127.0.0.1; any 127.x.y.z is loopback on Linux).
--log FILE appends one JSON line per request: the path, the Host and Authorization headers.
/__stats returns the number of requests per path as JSON, /__auth the number of those that carried
an Authorization header, /__inflight the most requests it was answering at once, of any kind and of
/files/ alone ({"max": n, "files": m}; /__ routes are not counted). ETag / If-None-Match are honoured. Pages made from --files under
/private/ link to /private/files/, so the files need the credentials too.
Prints "PORT <n>" once listening. --tls CERT KEY serves HTTPS instead.
"""
import argparse
import base64
import hashlib
import json
import os
import socket
import ssl
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

counts = {}
authorized = {}  # path -> requests that carried an Authorization header
in_flight = {"now": 0, "max": 0, "files now": 0, "files": 0}  # answers under way, and the most
_bomb = []
_digests = {}  # (path, size, mtime) -> sha256: pages made from --files hash each file once
_listings = {}  # (directory, mtime) -> listing(directory)


def gzip_bomb():
    """128 MiB of spaces, gzip-compressed (about 128 KB), made once: far past any body limit
    a test sets, and cheap to make at each server start."""
    if not _bomb:
        import zlib
        c = zlib.compressobj(9, zlib.DEFLATED, 31)
        chunk = b" " * (1 << 20)
        parts = [c.compress(chunk) for _ in range(128)]
        parts.append(c.flush())
        _bomb.append(b"".join(parts))
    return _bomb[0]

# Retry-After values a server may send with a 429, by fault kind.
RETRY_AFTER = {
    "retryhuge": "9999999999999999",
    "retry20digits": "99999999999999999999",
    "retryfuture": "Fri, 31 Dec 9999 23:59:59 GMT",
    "retrypast": "Thu, 01 Jan 1970 00:00:00 GMT",
    "retrygarbage": "soon",
    "retrynegative": "-5",
}
lock = threading.Lock()


def listing(directory):
    """The files of `directory`, sorted, each with its name lower-cased and '-' as '_': read once
    per change of the directory, not per request (the network benchmark serves hundreds of files,
    and a listing per page was most of the server's time)."""
    key = (directory, os.stat(directory).st_mtime_ns)
    with lock:
        if key not in _listings:
            _listings.clear()
            _listings[key] = [(f, f.lower().replace("-", "_")) for f in sorted(os.listdir(directory))]
        return _listings[key]


def file_digest(path):
    st = os.stat(path)
    key = (path, st.st_size, st.st_mtime_ns)
    with lock:
        if key in _digests:
            return _digests[key]
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    with lock:
        _digests[key] = digest
    return digest


def make_handler(fixtures, files, latency=0.0, file_hashes=True, log=None, redirect_to=None):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out at once, no 40 ms ACK stalls

        def log_message(self, *args):
            pass

        def send_body(self, status, body, content_type, extra=None):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def route(self, path):
            """(status, body, content type) for a path without fault prefix."""
            accept = self.headers.get("Accept", "")
            private = ""
            if path.startswith("/private/"):
                expected = "Basic " + base64.b64encode(b"alice:s3cret").decode()
                if self.headers.get("Authorization") != expected:
                    return 401, b"who are you?", "text/plain"
                path = path[len("/private"):]
                private = "/private"
            parts = [p for p in path.split("/") if p]
            if len(parts) == 4 and parts[0] == "pypi" and parts[3] == "json":
                f = os.path.join(fixtures, "pypi.org", "json", parts[1], parts[2] + ".json")
                if os.path.exists(f):
                    return 200, open(f, "rb").read(), "application/json"
            if len(parts) == 2 and parts[0] in ("simple", "legacy"):
                name = parts[1]
                jf = os.path.join(fixtures, "pypi.org", "json", name + ".json")
                hf = os.path.join(fixtures, "legacy", name + ".html")
                if parts[0] == "simple" and "vnd.pypi.simple.v1+json" in accept and os.path.exists(jf):
                    return 200, open(jf, "rb").read(), "application/vnd.pypi.simple.v1+json"
                if os.path.exists(hf):
                    return 200, open(hf, "rb").read(), "text/html"
                if files:
                    # A project page made from --files: every file whose name starts with the
                    # project's name, linked under /files/ with its sha256.
                    prefix = name.replace("-", "_").lower()
                    links = []
                    for f, normal in listing(files):
                        if normal.startswith(prefix + "_"):
                            digest = file_digest(os.path.join(files, f))
                            fragment = f"#sha256={digest}" if file_hashes else ""
                            links.append(f'<a href="{private}/files/{f}{fragment}">{f}</a><br/>')
                    if links:
                        return 200, ("<html><body>" + "".join(links) + "</body></html>").encode(), "text/html"
            if len(parts) == 2 and parts[0] == "files" and files:
                f = os.path.join(files, parts[1])
                if os.path.exists(f):
                    return 200, open(f, "rb").read(), "application/octet-stream"
            return 404, b"not found", "text/plain"

        def do_GET(self):
            path = self.path.split("?")[0]
            report = {"/__stats": lambda: counts, "/__auth": lambda: authorized,
                      "/__inflight": lambda: {"max": in_flight["max"], "files": in_flight["files"]}}.get(path)
            if report:
                with lock:
                    body = json.dumps(report()).encode()
                return self.send_body(200, body, "application/json")
            counters = ("now", "files now") if "/files/" in path else ("now",)
            with lock:
                for c in counters:
                    in_flight[c] += 1
                in_flight["max"] = max(in_flight["max"], in_flight["now"])
                in_flight["files"] = max(in_flight["files"], in_flight["files now"])
            try:
                self.answer(path)
            finally:
                with lock:
                    for c in counters:
                        in_flight[c] -= 1

        def answer(self, path):
            if latency:
                time.sleep(latency)
            with lock:
                counts[path] = counts.get(path, 0) + 1
                seen = counts[path]
                if self.headers.get("Authorization"):
                    authorized[path] = authorized.get(path, 0) + 1
                if log:
                    with open(log, "a") as f:
                        f.write(json.dumps({"path": self.path, "host": self.headers.get("Host"),
                                            "authorization": self.headers.get("Authorization")}) + "\n")
            fault = None
            if path.startswith("/fault/"):
                _, _, kind, n, rest = path.split("/", 4)
                if int(n) == 0 or seen <= int(n):
                    fault = kind
                path = "/" + rest
            if path.startswith("/moved/"):
                path = path[len("/moved"):]
            status, body, ctype = self.route(path)
            if fault == "crosshost":
                self.send_response(302)
                self.send_header("Location", redirect_to + path)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            elif fault == "redirectloop":
                self.send_response(302)
                self.send_header("Location", self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            elif fault == "overlength":
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body) // 2))
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True
                return
            elif fault == "redirect":
                self.send_response(302)
                self.send_header("Location", "/moved" + path)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            elif fault == "gzipbomb":
                bomb = gzip_bomb()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(bomb)))
                self.end_headers()
                try:
                    self.wfile.write(bomb)
                except OSError:
                    pass  # the client stopped reading: what it should do
                return
            elif fault == "htmljson":
                return self.send_body(200, b"<html><body>Please log in</body></html>", "text/html")
            elif fault == "wrongtype":
                return self.send_body(200, b'{"urls": [{"filename": 5, "url": "x"}]}', "application/json")
            elif fault == "trickle":
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    for b in body:
                        self.wfile.write(bytes([b]))
                        self.wfile.flush()
                        time.sleep(1)
                except OSError:
                    pass
                self.close_connection = True
                return
            if fault == "delay":
                time.sleep(0.3)
            elif fault == "status500":
                return self.send_body(500, b"internal error", "text/plain")
            elif fault == "status429":
                return self.send_body(429, b"slow down", "text/plain", {"Retry-After": "1"})
            elif fault in RETRY_AFTER:
                return self.send_body(429, b"slow down", "text/plain", {"Retry-After": RETRY_AFTER[fault]})
            elif fault == "reset":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                return
            elif fault == "truncate":
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            elif fault == "badjson":
                return self.send_body(200, b'{"urls": [ {"filename": ', "application/json")
            elif fault == "stall":
                time.sleep(30)
                return
            etag = '"' + hashlib.sha1(body).hexdigest() + '"'
            if status == 200 and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            extra = {"ETag": etag} if status == 200 else {}
            if status == 401:
                extra["WWW-Authenticate"] = 'Basic realm="private"'
            self.send_body(status, body, ctype, extra)

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--files")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--no-file-hashes", action="store_true",
                    help="pages made from --files carry no #sha256 fragments")
    ap.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    ap.add_argument("--host", default="127.0.0.1", help="address to listen on")
    ap.add_argument("--log", help="append a JSON line per request (path, Host, Authorization)")
    ap.add_argument("--redirect-to", help="base URL the crosshost fault redirects to")
    args = ap.parse_args()
    # The listen backlog is 5 by default: 16 clients connecting at once overflowed it, and the
    # dropped SYNs were retried after a second, which the concurrency benchmark measured as time.
    ThreadingHTTPServer.request_queue_size = 128
    server = ThreadingHTTPServer((args.host, 0), make_handler(args.fixtures, args.files, args.latency,
                                                              not args.no_file_hashes, args.log,
                                                              args.redirect_to))
    server.daemon_threads = True
    if args.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls[0], args.tls[1])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    print("PORT", server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
