#pragma once
// The package-index client: PyPI's JSON API and the simple API (PEP 691 JSON, PEP 503 HTML) over
// libcurl's multi interface, with retries, a revalidating on-disk cache, credentials that never
// leave memory, and the parsers for the three response formats.

#include "lock2nix/error.hpp"
#include "lock2nix/fetch/urls.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lock2nix {

/// One distribution file an index lists.
struct IndexFile {
    std::string filename;
    std::string url;                           ///< absolute
    std::map<std::string, std::string> hashes; ///< algorithm → lower-case hex
    std::string requires_python;
    bool yanked = false;
    std::string python_version; ///< JSON API only ("source", "py3", "3.6", ...)
};

/// Files of the JSON API's `/pypi/<name>/<version>/json` (`urls[]`, sdists and wheels).
std::vector<IndexFile> parse_json_api(std::string_view body, const std::string& page_url);
/// Files of a PEP 691 project page (`application/vnd.pypi.simple.v1+json`).
std::vector<IndexFile> parse_simple_json(std::string_view body, const std::string& page_url);
/// Files of a PEP 503 HTML project page: relative hrefs and <base> resolved, `#sha256=`
/// fragments read, `data-requires-python` unescaped, `data-yanked` noted.
std::vector<IndexFile> parse_simple_html(std::string_view body, const std::string& page_url);

/// How long a `Retry-After` header value asks to wait, at most `cap`: delay-seconds or an
/// HTTP-date (RFC 9110 §10.2.3; a date in the past is 0). nullopt when it is neither.
std::optional<std::chrono::milliseconds>
parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now,
                  std::chrono::milliseconds cap);

/// `base` with `reference` resolved against it (RFC 3986, through libcurl's URL API).
std::string resolve_url(const std::string& base, const std::string& reference);

/// How the client behaves.
struct IndexOptions {
    int concurrency = 8;
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds total_timeout{60'000};
    int retries = 4;                        ///< further attempts after the first
    std::chrono::milliseconds backoff{250}; ///< first wait; doubles, with jitter
    /// The longest a server's Retry-After may make a retry wait; longer asks are cut to this.
    std::chrono::milliseconds max_retry_after{60'000};
    std::string cacert;   ///< extra CA bundle for private indexes
    bool offline = false; ///< cache only; no network
    bool refresh = false; ///< ignore the cache (and refill it)
    bool use_cache = true;
    std::string cache_dir; ///< empty: cache_directory()/http
    bool progress = false; ///< a progress line on stderr
    /// The largest answer kept, after decompression (docs/limits.md); larger ones are errors.
    std::size_t max_body = std::size_t{64} << 20;
    /// A transfer slower than this many bytes per second for low_speed_time is a timeout.
    long low_speed_limit = 64;
    std::chrono::seconds low_speed_time{20};
};

/// One GET to perform.
struct IndexRequest {
    std::string url;
    std::string accept;   ///< Accept header, empty for none
    std::string username; ///< HTTP basic credentials (never cached or printed)
    std::string password;
    /// The body must be JSON whenever the server labels it so: a broken one is retried like a
    /// truncated transfer, then reported, and never cached.
    bool json_body = false;
};

/// What came back.
struct IndexResponse {
    bool ok = false;
    long status = 0;
    std::string body;
    std::string content_type;
    std::string
        error; ///< why it failed, when !ok (URL redacted; may mention settings: render_settings)
    bool from_cache = false;
    int attempts = 0;
    /// The URL that answered, after redirects: relative links resolve against it. Empty when
    /// unknown (then the requested URL).
    std::string url;
};

/// An HTTP client for index pages (and file downloads for `verify`).
class IndexClient {
public:
    explicit IndexClient(IndexOptions options = {});
    ~IndexClient();
    IndexClient(const IndexClient&) = delete;
    IndexClient& operator=(const IndexClient&) = delete;

    /// Fetches every request concurrently (bounded by `concurrency`), retrying timeouts, resets,
    /// truncated bodies, 5xx and 429 (honouring Retry-After) with exponential backoff and jitter.
    /// Successful 200 responses are cached and revalidated with ETag / Last-Modified.
    std::vector<IndexResponse> fetch_all(const std::vector<IndexRequest>& requests);

    /// Streams a file through `sink` (no cache); same retry policy. Before a retry `sink` is
    /// called with an empty chunk, meaning "start over". Returns the response with an empty body.
    IndexResponse download(const IndexRequest& request,
                           const std::function<void(std::string_view)>& sink);

    /// Streams every request's file through `sink(i, chunk)` (i: its place in `requests`),
    /// `concurrency` at a time, with the retry policy of fetch_all and no cache. Before request
    /// i is retried, `sink(i, {})` means "start over". Chunks arrive on the calling thread, one
    /// at a time, so the sink needs no lock. Responses are in request order, bodies empty.
    std::vector<IndexResponse>
    download_all(const std::vector<IndexRequest>& requests,
                 const std::function<void(std::size_t, std::string_view)>& sink);

    const IndexOptions& options() const { return options_; }
    /// What the user should know but that did not stop the run: a lowered --concurrency, answers
    /// that could not be cached.
    const std::vector<std::string>& notes() const { return notes_; }

private:
    IndexOptions options_;
    std::vector<std::string> notes_;
};

/// Poetry's credentials for a named source: POETRY_HTTP_BASIC_<NAME>_USERNAME / _PASSWORD
/// (the name upper-cased, anything not a letter or digit as `_`). Empty when unset; netrc is
/// consulted by libcurl for the rest.
std::pair<std::string, std::string> source_credentials(const std::string& source_name);

} // namespace lock2nix
