#!/usr/bin/python3
"""Serves DIR (the static PEP 503 index world.py wrote) on 127.0.0.1 at a free port; prints
"PORT <n>" once listening."""
import functools
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=sys.argv[1]))
print("PORT", server.server_address[1], flush=True)
server.serve_forever()
