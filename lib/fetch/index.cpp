#include "lock2nix/fetch/index.hpp"

#include "fetch/curl_api.hpp"
#include "lock2nix/fetch/git.hpp"
#include "lock2nix/fetch/urls.hpp"
#include "lock2nix/files.hpp"
#include "lock2nix/hash.hpp"
#include "lock2nix/standards/names.hpp"
#include "lock2nix/version.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string_view>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>

namespace lock2nix {

// --- URLs --------------------------------------------------------------------------------

namespace {

struct CurlUrl {
    CURLU* h = detail::curl().url();
    ~CurlUrl() { detail::curl().url_cleanup(h); }
    CurlUrl() = default;
    CurlUrl(const CurlUrl&) = delete;
    CurlUrl& operator=(const CurlUrl&) = delete;
    std::string get() const {
        char* out = nullptr;
        if (detail::curl().url_get(h, CURLUPART_URL, &out, 0) != CURLUE_OK) {
            return {};
        }
        std::string s(out);
        detail::curl().free(out);
        return s;
    }
};

// HTML character references in attribute values and text (&gt; &amp; &#62; &#x3e; ...).
std::string html_unescape(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '&') {
            out += s[i];
            continue;
        }
        const auto semi = s.find(';', i);
        if (semi == std::string_view::npos || semi - i > 10) {
            out += s[i];
            continue;
        }
        const std::string_view ent = s.substr(i + 1, semi - i - 1);
        std::string rep;
        if (ent == "lt") {
            rep = "<";
        } else if (ent == "gt") {
            rep = ">";
        } else if (ent == "amp") {
            rep = "&";
        } else if (ent == "quot") {
            rep = "\"";
        } else if (ent == "apos") {
            rep = "'";
        } else if (!ent.empty() && ent[0] == '#') {
            try {
                const bool hex = ent.size() > 1 && (ent[1] == 'x' || ent[1] == 'X');
                const unsigned long cp =
                    std::stoul(std::string(ent.substr(hex ? 2 : 1)), nullptr, hex ? 16 : 10);
                if (cp < 0x80) {
                    rep = std::string(1, static_cast<char>(cp));
                }
            } catch (const std::exception&) {
            }
        }
        if (rep.empty()) {
            out += s[i];
            continue;
        }
        out += rep;
        i = semi;
    }
    return out;
}

std::string basename_of_url(const std::string& url) {
    std::string path = url.substr(0, url.find_first_of("#?"));
    const auto slash = path.rfind('/');
    return percent_decoded(slash == std::string::npos ? path : path.substr(slash + 1));
}

// "sha256=abc" fragments.
void read_fragment(IndexFile& f) {
    const auto hash = f.url.find('#');
    if (hash == std::string::npos) {
        return;
    }
    const std::string fragment = f.url.substr(hash + 1);
    f.url.resize(hash);
    const auto eq = fragment.find('=');
    if (eq != std::string::npos) {
        f.hashes[ascii_lower(fragment.substr(0, eq))] = ascii_lower(fragment.substr(eq + 1));
    }
}

// A JSON object of algorithm → hex digest.
void read_hashes(const nlohmann::json& object, IndexFile& f) {
    if (!object.is_object()) {
        return;
    }
    for (const auto& [algo, hex] : object.items()) {
        if (hex.is_string()) {
            f.hashes[ascii_lower(algo)] = ascii_lower(hex.get<std::string>());
        }
    }
}

} // namespace

std::string resolve_url(const std::string& base, const std::string& reference) {
    CurlUrl u;
    if (detail::curl().url_set(u.h, CURLUPART_URL, base.c_str(), 0) != CURLUE_OK) {
        return reference;
    }
    if (detail::curl().url_set(u.h, CURLUPART_URL, reference.c_str(), 0) != CURLUE_OK) {
        return reference;
    }
    return u.get();
}

// --- Parsers -------------------------------------------------------------------------------

namespace {

// The JSON API and PEP 691 list the same facts about a file under different names.
struct JsonFormat {
    const char* list;            ///< "urls" / "files"
    const char* hashes;          ///< "digests" / "hashes"
    const char* requires_python; ///< "requires_python" / "requires-python"
    const char* what;            ///< for the error message
};

std::vector<IndexFile> parse_json_files(std::string_view body, const std::string& page_url,
                                        const JsonFormat& format) {
    const auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains(format.list) ||
        !j[format.list].is_array()) {
        throw Error("the index answered " + redact_url(page_url) + " with something that is not " +
                    format.what + " (no `" + format.list + "` array)");
    }
    std::vector<IndexFile> out;
    // nlohmann's value() throws a type_error on a wrong type, which surfaced as "internal error":
    // every field is checked here and a wrong one named with its place in the answer.
    const auto text = [&](const nlohmann::json& u, std::size_t at, const char* key) {
        if (!u.contains(key) || u[key].is_null()) {
            return std::string();
        }
        if (!u[key].is_string()) {
            throw Error("the index answered " + redact_url(page_url) + " with " + format.what +
                            " whose `" + format.list + "[" + std::to_string(at) + "]." + key +
                            "` is " + std::string(u[key].type_name()) + ", not a string",
                        {}, {}, "the index is broken or is not a Python package index");
        }
        return u[key].get<std::string>();
    };
    std::size_t at = 0;
    for (const auto& u : j[format.list]) {
        if (!u.is_object()) {
            throw Error("the index answered " + redact_url(page_url) + " with " + format.what +
                            " whose `" + format.list + "[" + std::to_string(at) + "]` is " +
                            std::string(u.type_name()) + ", not an object",
                        {}, {}, "the index is broken or is not a Python package index");
        }
        IndexFile f;
        f.filename = text(u, at, "filename");
        f.url = resolve_url(page_url, text(u, at, "url"));
        ++at;
        if (u.contains(format.hashes)) {
            read_hashes(u[format.hashes], f);
        }
        if (u.contains(format.requires_python) && u[format.requires_python].is_string()) {
            f.requires_python = u[format.requires_python].get<std::string>();
        }
        // PEP 691 allows a reason string where the JSON API has a flag.
        if (u.contains("yanked")) {
            f.yanked =
                u["yanked"].is_string() || (u["yanked"].is_boolean() && u["yanked"].get<bool>());
        }
        f.python_version = u.contains("python_version") && u["python_version"].is_string()
                               ? u["python_version"].get<std::string>()
                               : std::string();
        read_fragment(f);
        if (!f.filename.empty()) {
            out.push_back(std::move(f));
        }
    }
    return out;
}

} // namespace

std::vector<IndexFile> parse_json_api(std::string_view body, const std::string& page_url) {
    return parse_json_files(body, page_url,
                            {"urls", "digests", "requires_python", "a PyPI JSON API release"});
}

std::vector<IndexFile> parse_simple_json(std::string_view body, const std::string& page_url) {
    return parse_json_files(body, page_url,
                            {"files", "hashes", "requires-python", "a PEP 691 project page"});
}

namespace {

// One start tag of an HTML page: its lower-cased name and attributes (first one wins, as in
// HTML), values unescaped; an attribute without a value maps to "".
struct HtmlTag {
    std::string name;
    std::vector<std::pair<std::string, std::string>> attributes;

    std::optional<std::string> attribute(std::string_view wanted) const {
        for (const auto& [name_, value] : attributes) {
            if (name_ == wanted) {
                return value;
            }
        }
        return std::nullopt;
    }
};

// The start tags of `html`, in order, read the way a browser tokenizes them: a '>' inside a
// quoted value does not end the tag, comments are skipped whole. A tag, comment or quote the
// page ends inside of ends the reading there: every index is checked against the end, so no
// page can make the reader look past it.
std::vector<HtmlTag> start_tags(std::string_view html) {
    auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    std::vector<HtmlTag> tags;
    const std::size_t n = html.size();
    std::size_t i = 0;
    while ((i = html.find('<', i)) != std::string_view::npos) {
        if (html.substr(i, 4) == "<!--") {
            // "<!-->" and "<!--->" are whole (empty) comments too.
            const auto close = html.find("-->", i + 2);
            if (close == std::string_view::npos) {
                break;
            }
            i = close + 3;
            continue;
        }
        std::size_t j = i + 1;
        if (j >= n || std::isalpha(static_cast<unsigned char>(html[j])) == 0) {
            // An end tag, a declaration (<!DOCTYPE>) or a stray '<': nothing to read in it.
            i = j;
            continue;
        }
        HtmlTag tag;
        while (j < n && !space(html[j]) && html[j] != '>' && html[j] != '/') {
            tag.name += static_cast<char>(std::tolower(static_cast<unsigned char>(html[j])));
            ++j;
        }
        bool closed = false;
        while (j < n) {
            while (j < n && (space(html[j]) || html[j] == '/')) {
                ++j;
            }
            if (j >= n) {
                break;
            }
            if (html[j] == '>') {
                closed = true;
                ++j;
                break;
            }
            std::string name;
            while (j < n && !space(html[j]) && html[j] != '>' && html[j] != '/' &&
                   (html[j] != '=' || name.empty())) {
                name += static_cast<char>(std::tolower(static_cast<unsigned char>(html[j])));
                ++j;
            }
            std::size_t k = j;
            while (k < n && space(html[k])) {
                ++k;
            }
            std::string value;
            if (k < n && html[k] == '=') {
                j = k + 1;
                while (j < n && space(html[j])) {
                    ++j;
                }
                if (j < n && (html[j] == '"' || html[j] == '\'')) {
                    const auto close = html.find(html[j], j + 1);
                    if (close == std::string_view::npos) {
                        j = n; // the page ends inside the quotes
                        break;
                    }
                    value = html_unescape(html.substr(j + 1, close - j - 1));
                    j = close + 1;
                } else {
                    const std::size_t start = j;
                    while (j < n && !space(html[j]) && html[j] != '>') {
                        ++j;
                    }
                    value = html_unescape(html.substr(start, j - start));
                }
            }
            if (!tag.attribute(name)) {
                tag.attributes.emplace_back(std::move(name), std::move(value));
            }
        }
        if (!closed) {
            break; // the page ends inside this tag: it is not a whole tag
        }
        tags.push_back(std::move(tag));
        i = j;
    }
    return tags;
}

} // namespace

std::vector<IndexFile> parse_simple_html(std::string_view body, const std::string& page_url) {
    const std::vector<HtmlTag> tags = start_tags(body);
    // The first <base href> sets the base of the whole page, links before it included.
    std::string base = page_url;
    for (const HtmlTag& tag : tags) {
        if (tag.name == "base") {
            if (auto href = tag.attribute("href"); href && !href->empty()) {
                base = resolve_url(page_url, *href);
                break;
            }
        }
    }
    std::vector<IndexFile> out;
    for (const HtmlTag& tag : tags) {
        if (tag.name != "a") {
            continue;
        }
        auto href = tag.attribute("href");
        if (!href || href->empty()) {
            continue;
        }
        IndexFile f;
        f.url = resolve_url(base, *href);
        read_fragment(f);
        f.filename = basename_of_url(f.url);
        if (auto rp = tag.attribute("data-requires-python")) {
            f.requires_python = *rp;
        }
        f.yanked = tag.attribute("data-yanked").has_value();
        if (!f.filename.empty()) {
            out.push_back(std::move(f));
        }
    }
    return out;
}

std::pair<std::string, std::string> source_credentials(const std::string& source_name) {
    std::string key;
    for (char c : source_name) {
        key += std::isalnum(static_cast<unsigned char>(c)) != 0
                   ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                   : '_';
    }
    const char* user = std::getenv(("POETRY_HTTP_BASIC_" + key + "_USERNAME").c_str());
    const char* pass = std::getenv(("POETRY_HTTP_BASIC_" + key + "_PASSWORD").c_str());
    return {user != nullptr ? user : "", pass != nullptr ? pass : ""};
}

// --- The client ------------------------------------------------------------------------------

namespace {

// The cache: one body and one metadata file per (redacted URL, Accept), written atomically.
struct Cache {
    std::filesystem::path dir;

    std::filesystem::path key(const IndexRequest& r) const {
        return dir / sha256_hex(redact_url(r.url) + "\n" + r.accept);
    }
    struct Entry {
        std::string body, etag, last_modified, content_type;
        std::string url; ///< the URL that answered, after redirects (redacted)
    };
    std::optional<Entry> read(const IndexRequest& r) const {
        const auto base = key(r);
        std::ifstream meta(base.string() + ".json");
        if (!meta) {
            return std::nullopt;
        }
        try {
            const auto m = nlohmann::json::parse(meta);
            if (m.value("url", "") != redact_url(r.url)) {
                return std::nullopt;
            }
            // An unreadable body is a miss (Error is caught below): the cache is an optimisation.
            Entry e{read_file(base.string() + ".body"), m.value("etag", ""),
                    m.value("last_modified", ""), m.value("content_type", ""),
                    m.value("final_url", "")};
            if (sha256_hex(e.body) != m.value("sha256", "")) {
                return std::nullopt; // torn or damaged: refetch
            }
            return e;
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }
    /// Empty, or why the answer could not be cached (the run goes on: the cache is an
    /// optimisation, but a silent failure, e.g. out of descriptors, hid a cache that never fills).
    std::string write(const IndexRequest& r, const Entry& e) const {
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        const auto base = key(r);
        std::string failed;
        auto put = [&](const std::string& path, const std::string& data) {
            try {
                // fetch_all swept the directory once; a sweep per entry read the whole cache
                // directory for every answer (quadratic, and on the transfer loop's thread).
                write_file_atomically(path, data, /*durable=*/false, {}, /*sweep=*/false);
            } catch (const Error& err) {
                if (failed.empty()) {
                    failed = "cannot cache " + redact_url(r.url) + ": " + err.message();
                }
            }
        };
        // Body first, metadata (with the body's digest) last: a reader never pairs a new body
        // with old metadata without noticing.
        put(base.string() + ".body", e.body);
        put(base.string() + ".json", nlohmann::json{{"url", redact_url(r.url)},
                                                    {"etag", e.etag},
                                                    {"last_modified", e.last_modified},
                                                    {"content_type", e.content_type},
                                                    {"final_url", redact_url(e.url)},
                                                    {"sha256", sha256_hex(e.body)}}
                                         .dump());
        return failed;
    }
};

// Writes cache entries on a thread of its own while the transfers go on. Creating a file costs
// 0.3-0.4 ms on an overlay file system (two per answer): on the transfer loop's thread that
// delayed every answer queued behind it, a third of a 200-page run at 16 at a time.
class CacheWriter {
public:
    explicit CacheWriter(const Cache& cache) : cache_(cache), thread_([this] { run(); }) {}
    ~CacheWriter() { (void)finish(); }
    CacheWriter(const CacheWriter&) = delete;
    CacheWriter& operator=(const CacheWriter&) = delete;

    /// Queues an entry; `request` must outlive the writer.
    void put(const IndexRequest& request, Cache::Entry entry) {
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            queue_.emplace_back(&request, std::move(entry));
        }
        wake_.notify_one();
    }

    /// Waits until every queued entry is written; returns why some could not be (at most 20).
    std::vector<std::string> finish() {
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            done_ = true;
        }
        wake_.notify_one();
        if (thread_.joinable()) {
            thread_.join();
        }
        return std::move(failures_);
    }

private:
    void run() {
        std::unique_lock<std::mutex> lock(mutex_);
        for (;;) {
            wake_.wait(lock, [this] { return done_ || !queue_.empty(); });
            if (queue_.empty()) {
                return; // done, and nothing left
            }
            auto [request, entry] = std::move(queue_.front());
            queue_.pop_front();
            lock.unlock();
            std::string failed;
            try {
                failed = cache_.write(*request, entry);
            } catch (const std::exception& e) {
                // The cache is an optimisation: a failure is told, never fatal.
                failed = "cannot cache " + redact_url(request->url) + ": " + e.what();
            }
            lock.lock();
            if (!failed.empty() && failures_.size() < 20) {
                failures_.push_back(std::move(failed));
            }
        }
    }

    const Cache& cache_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::pair<const IndexRequest*, Cache::Entry>> queue_;
    std::vector<std::string> failures_;
    bool done_ = false;
    std::thread thread_; ///< last: it starts once the members it uses exist
};

struct Transfer {
    std::size_t index = 0;
    CURL* easy = nullptr;
    curl_slist* headers = nullptr;
    std::string body;
    std::string etag, last_modified, content_type, retry_after;
    int attempts = 0;
    bool too_large = false; ///< the body passed IndexOptions::max_body and was cut off
    std::size_t max_body = 0;
    /// libcurl's own words on a failure: curl_easy_strerror names only the kind ("Unsupported
    /// protocol" for a reply that was not HTTP at all), this says what it saw.
    std::array<char, CURL_ERROR_SIZE> error{};
    std::optional<Cache::Entry> cached;
    std::function<void(std::string_view)> sink;

    // Freed however the transfer ends, exceptions included (a throw must not leak the handles).
    Transfer() = default;
    ~Transfer() {
        if (easy != nullptr) {
            detail::curl().easy_cleanup(easy);
        }
        if (headers != nullptr) {
            detail::curl().slist_free_all(headers);
        }
    }
    Transfer(const Transfer&) = delete;
    Transfer& operator=(const Transfer&) = delete;
};

// The multi handle of fetch_all. Declared after the transfers, so it goes first: their easy
// handles leave it before they are cleaned up.
struct Multi {
    CURLM* handle = detail::curl().multi_init();
    std::vector<Transfer>& transfers;
    explicit Multi(std::vector<Transfer>& t) : transfers(t) {}
    ~Multi() {
        for (Transfer& t : transfers) {
            if (t.easy != nullptr) {
                detail::curl().multi_remove_handle(handle, t.easy);
            }
        }
        detail::curl().multi_cleanup(handle);
    }
    Multi(const Multi&) = delete;
    Multi& operator=(const Multi&) = delete;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    if (t->sink) {
        t->sink(std::string_view(data, size * n));
    } else {
        // The size after decompression: a 1 MB gzip bomb once grew into a 1 GB body.
        if (t->body.size() + size * n > t->max_body) {
            t->too_large = true;
            return 0; // libcurl stops the transfer with CURLE_WRITE_ERROR
        }
        t->body.append(data, size * n);
    }
    return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    std::string line(data, size * n);
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
        const std::string name = ascii_lower(line.substr(0, colon));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front())) != 0) {
            value.erase(value.begin());
        }
        while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back())) != 0) {
            value.pop_back();
        }
        if (name == "etag") {
            t->etag = value;
        } else if (name == "last-modified") {
            t->last_modified = value;
        } else if (name == "content-type") {
            t->content_type = value;
        } else if (name == "retry-after") {
            t->retry_after = value;
        }
    } else if (line.starts_with("HTTP/")) {
        // A new response (after a redirect): forget the previous one's headers and body.
        t->etag.clear();
        t->last_modified.clear();
        t->content_type.clear();
        t->retry_after.clear();
        t->body.clear();
    }
    return size * n;
}

void configure(Transfer& t, const IndexRequest& r, const IndexOptions& o) {
    if (t.easy == nullptr) {
        t.easy = detail::curl().easy_init();
    } else {
        detail::curl().easy_reset(t.easy);
    }
    detail::curl().slist_free_all(t.headers);
    t.headers = nullptr;
    t.body.clear();
    t.too_large = false;
    t.max_body = o.max_body;
    t.error[0] = '\0';
    CURL* e = t.easy;
    detail::curl().easy_setopt(e, CURLOPT_URL, r.url.c_str());
    detail::curl().easy_setopt(e, CURLOPT_ERRORBUFFER, t.error.data());
    if (t.attempts > 0) {
        // A retry starts on a new connection: the one that gave a bad answer may still hold the
        // rest of it (a Content-Length shorter than the body), which a reused connection would
        // read as the next reply.
        detail::curl().easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
    }
    detail::curl().easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    detail::curl().easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
    detail::curl().easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                               static_cast<long>(o.connect_timeout.count()));
    detail::curl().easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(o.total_timeout.count()));
    // A server trickling bytes is given up on long before the total timeout.
    detail::curl().easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, o.low_speed_limit);
    detail::curl().easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
                               static_cast<long>(o.low_speed_time.count()));
    detail::curl().easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
    detail::curl().easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    detail::curl().easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    detail::curl().easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    detail::curl().easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    detail::curl().easy_setopt(e, CURLOPT_USERAGENT, "lock2nix/" LOCK2NIX_VERSION);
    detail::curl().easy_setopt(e, CURLOPT_NETRC, static_cast<long>(CURL_NETRC_OPTIONAL));
    if (!o.cacert.empty()) {
        detail::curl().easy_setopt(e, CURLOPT_CAINFO, o.cacert.c_str());
    }
    if (!r.username.empty()) {
        detail::curl().easy_setopt(e, CURLOPT_USERNAME, r.username.c_str());
        detail::curl().easy_setopt(e, CURLOPT_PASSWORD, r.password.c_str());
        detail::curl().easy_setopt(e, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
        // Credentials go to the index host only, never along a redirect to another one.
        detail::curl().easy_setopt(e, CURLOPT_UNRESTRICTED_AUTH, 0L);
    }
    if (!r.accept.empty()) {
        t.headers = detail::curl().slist_append(t.headers, ("Accept: " + r.accept).c_str());
    }
    if (t.cached) {
        if (!t.cached->etag.empty()) {
            t.headers = detail::curl().slist_append(t.headers,
                                                    ("If-None-Match: " + t.cached->etag).c_str());
        }
        if (!t.cached->last_modified.empty()) {
            t.headers = detail::curl().slist_append(
                t.headers, ("If-Modified-Since: " + t.cached->last_modified).c_str());
        }
    }
    detail::curl().easy_setopt(e, CURLOPT_HTTPHEADER, t.headers);
    detail::curl().easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    detail::curl().easy_setopt(e, CURLOPT_WRITEDATA, &t);
    detail::curl().easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    detail::curl().easy_setopt(e, CURLOPT_HEADERDATA, &t);
    detail::curl().easy_setopt(e, CURLOPT_PRIVATE, &t);
}

bool transient(CURLcode c) {
    switch (c) {
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_BAD_CONTENT_ENCODING:
        return true;
    default:
        return false;
    }
}

std::string tls_hint(CURLcode c) {
    return c == CURLE_PEER_FAILED_VERIFICATION || c == CURLE_SSL_CACERT_BADFILE ||
                   c == CURLE_SSL_CONNECT_ERROR
               ? " (TLS verification is always on; for a private CA name its certificates (" +
                     mention(Setting::ca_certificates) + "))"
               : "";
}

// How long to wait before attempt `attempt` (1-based retry): Retry-After when the server says,
// else backoff·2^(attempt-1) with ±50% jitter.
std::chrono::milliseconds retry_delay(const IndexOptions& o, int attempt,
                                      const std::string& retry_after) {
    if (auto asked =
            parse_retry_after(retry_after, std::chrono::system_clock::now(), o.max_retry_after)) {
        return *asked;
    }
    static thread_local std::mt19937 rng(std::random_device{}());
    const double base = static_cast<double>(o.backoff.count()) *
                        static_cast<double>(1 << std::min(attempt - 1, 10));
    std::uniform_real_distribution<double> jitter(0.5, 1.5);
    return std::chrono::milliseconds(static_cast<long>(base * jitter(rng)));
}

} // namespace

std::optional<std::chrono::milliseconds>
parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now,
                  std::chrono::milliseconds cap) {
    using std::chrono::milliseconds;
    using std::chrono::seconds;
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front())) != 0) {
        value.remove_prefix(1);
    }
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back())) != 0) {
        value.remove_suffix(1);
    }
    if (value.empty()) {
        return std::nullopt;
    }
    if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        // Compared with the cap digit by digit, before any multiplication: a server's number of
        // seconds can be any length, and `seconds * 1000` overflowed into a sleep without end.
        const auto cap_seconds = std::chrono::ceil<seconds>(cap).count();
        std::int64_t n = 0;
        for (char c : value) {
            n = n * 10 + (c - '0');
            if (n >= cap_seconds) {
                return cap;
            }
        }
        return std::min<milliseconds>(seconds(n), cap);
    }
    // IMF-fixdate, the only HTTP-date form servers may send (RFC 9110 §5.6.7):
    // "Sun, 06 Nov 1994 08:49:37 GMT". Parsed by hand: strptime's %a and %b follow the locale.
    static constexpr std::string_view days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr std::string_view months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (value.size() != 29 || value.substr(3, 2) != ", " || value[7] != ' ' || value[11] != ' ' ||
        value[16] != ' ' || value[19] != ':' || value[22] != ':' || value.substr(25) != " GMT" ||
        std::find(std::begin(days), std::end(days), value.substr(0, 3)) == std::end(days)) {
        return std::nullopt;
    }
    const auto month = std::find(std::begin(months), std::end(months), value.substr(8, 3));
    auto number = [&](std::size_t at, std::size_t width) -> int {
        int n = 0;
        for (std::size_t i = at; i < at + width; ++i) {
            if (value[i] < '0' || value[i] > '9') {
                return -1;
            }
            n = n * 10 + (value[i] - '0');
        }
        return n;
    };
    const int day = number(5, 2), year = number(12, 4), hour = number(17, 2),
              minute = number(20, 2), second = number(23, 2);
    if (month == std::end(months) || day < 1 || year < 0 || hour < 0 || hour > 23 || minute < 0 ||
        minute > 59 || second < 0 || second > 60) {
        return std::nullopt;
    }
    const std::chrono::year_month_day date{
        std::chrono::year(year),
        std::chrono::month(static_cast<unsigned>(month - std::begin(months) + 1)),
        std::chrono::day(static_cast<unsigned>(day))};
    if (!date.ok()) {
        return std::nullopt;
    }
    // In seconds since the epoch, which holds year 9999 without overflow.
    const auto at = std::chrono::sys_days(date).time_since_epoch() + std::chrono::hours(hour) +
                    std::chrono::minutes(minute) + seconds(second);
    const auto wait = at - std::chrono::duration_cast<seconds>(now.time_since_epoch());
    if (wait <= seconds(0)) {
        return milliseconds(0);
    }
    return wait >= cap ? cap : std::chrono::duration_cast<milliseconds>(wait);
}

IndexClient::IndexClient(IndexOptions options) : options_(std::move(options)) {
    if (options_.cache_dir.empty()) {
        options_.cache_dir = (cache_directory() / "http").string();
    }
    options_.concurrency = std::max(1, options_.concurrency);
    // Each transfer holds a socket and, when it ends, two cache files: more at once than the
    // open-file limit allows made cache writes fail. Keep room for the process's own files.
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY) {
        const auto room = files.rlim_cur > 64 ? (files.rlim_cur - 32) / 3 : 1;
        if (static_cast<rlim_t>(options_.concurrency) > room) {
            notes_.push_back(mention(Setting::concurrency) + " " +
                             std::to_string(options_.concurrency) + " lowered to " +
                             std::to_string(room) +
                             " to stay within the open-file limit (ulimit -n " +
                             std::to_string(files.rlim_cur) + ")");
            options_.concurrency = static_cast<int>(room);
        }
    }
}

IndexClient::~IndexClient() = default;

namespace {

using Clock = std::chrono::steady_clock;

// Requests due to start: (ready-at, request), in arrival order; retries wait here until their delay
// has passed.
using Waiting = std::deque<std::pair<Clock::time_point, std::size_t>>;

// The words for an attempt that ended without an HTTP answer to judge: its body was cut off, or
// libcurl failed it.
std::string failed_attempt_error(const IndexOptions& options, const IndexRequest& request,
                                 const Transfer& t, CURLcode code) {
    if (t.too_large) {
        return redact_url(request.url) + ": the answer is larger than " +
               std::to_string(options.max_body >> 20) +
               " MiB (after decompression); lock2nix stopped reading it";
    }
    const std::string kind = detail::curl().easy_strerror(code);
    const std::string said = redact_urls_in(t.error.data());
    return redact_url(request.url) + ": " + kind +
           (said.empty() || said == kind ? std::string() : " (" + said + ")") + tls_hint(code) +
           (code == CURLE_OPERATION_TIMEDOUT
                ? " (at most " + std::to_string(options.total_timeout.count() / 1000) +
                      " s per answer, and never slower than " +
                      std::to_string(options.low_speed_limit) + " bytes/s for " +
                      std::to_string(options.low_speed_time.count()) + " s)"
                : std::string());
}

// Fills `r` from one finished attempt (a good answer also goes to the cache) and says whether
// its failure is worth another attempt.
bool judge_attempt(const IndexOptions& options, const IndexRequest& request, Transfer& t,
                   CURLcode code, long status, IndexResponse& r, CacheWriter* writer) {
    // Relative links resolve against the URL that answered, after redirects.
    char* effective = nullptr;
    detail::curl().easy_getinfo(t.easy, CURLINFO_EFFECTIVE_URL, &effective);
    const bool success = status >= 200 && status < 300;
    // A JSON-only request (the JSON API) answered with anything but JSON, e.g. an HTML
    // error page with status 200, is an error, and is not cached to poison --offline.
    const bool wants_json_only =
        request.json_body && request.accept.find("html") == std::string::npos;
    if (t.too_large || code != CURLE_OK) {
        r.error = failed_attempt_error(options, request, t, code);
        return !t.too_large && transient(code);
    }
    if (status == 304 && t.cached) {
        r = IndexResponse{true, 200,  t.cached->body, t.cached->content_type,
                          {},   true, t.attempts,     t.cached->url};
        return false;
    }
    if (success && request.json_body && t.content_type.find("json") != std::string::npos &&
        !nlohmann::json::accept(t.body)) {
        r.error = redact_url(request.url) + ": the answer is not valid JSON";
        return true;
    }
    if (success && wants_json_only && !nlohmann::json::accept(t.body)) {
        r.error = redact_url(request.url) + ": the answer is not JSON (Content-Type: " +
                  (t.content_type.empty() ? std::string("none") : t.content_type) + ")";
        return true;
    }
    if (success) {
        r = IndexResponse{
            true, status, std::move(t.body), t.content_type,
            {},   false,  t.attempts,        effective != nullptr ? effective : request.url};
        if (writer != nullptr) {
            writer->put(request,
                        Cache::Entry{r.body, t.etag, t.last_modified, r.content_type, r.url});
        }
        return false;
    }
    r.error = redact_url(request.url) + ": HTTP " + std::to_string(status);
    return status >= 500 || status == 429;
}

// Progress on stderr, one line rewritten in place, when asked for and stderr is a terminal.
class ProgressLine {
public:
    ProgressLine(bool asked, const char* label, std::size_t total)
        : show_(asked && isatty(STDERR_FILENO) != 0), label_(label), total_(total) {}

    void count_done() {
        ++done_;
        if (!show_) {
            return;
        }
        const double secs = std::chrono::duration<double>(Clock::now() - started_).count();
        std::fprintf(stderr, "\r%s: %zu/%zu (%.1f/s)", label_, done_, total_,
                     secs > 0 ? static_cast<double>(done_) / secs : 0.0);
        std::fflush(stderr);
    }
    void end() const {
        if (show_) {
            std::fprintf(stderr, "\n");
        }
    }

private:
    bool show_;
    const char* label_;
    std::size_t total_;
    std::size_t done_ = 0;
    Clock::time_point started_ = Clock::now();
};

// One run of the transfer loop that index pages and downloads share: libcurl's multi interface
// on the calling thread, at most `concurrency` transfers at once, each retried by the same
// policy. One thread driving non-blocking transfers, rather than a pool of threads each blocking
// in easy_perform: the connections (and TLS sessions) stay in one pool that every transfer
// reuses, the open-file bound that `concurrency` was clamped to holds exactly, and sinks and the
// cache are called from one thread, so neither needs a lock.
class TransferLoop {
public:
    TransferLoop(const IndexOptions& options, const std::vector<IndexRequest>& requests,
                 std::vector<Transfer>& transfers, Waiting waiting, std::vector<IndexResponse>& out,
                 CacheWriter* writer, CURLM* multi, const char* label)
        : options_(options), requests_(requests), transfers_(transfers),
          waiting_(std::move(waiting)), out_(out), writer_(writer), multi_(multi),
          progress_(options.progress, label, waiting_.size()) {}

    void run() {
        while (!waiting_.empty() || active_ > 0) {
            start_due();
            int running = 0;
            detail::curl().multi_perform(multi_, &running);
            if (settle_finished()) {
                // Slots were freed: fill them now. Waiting in poll first would leave them idle
                // until some other transfer stirred, up to 50 ms per round of answers (most of
                // the distance to the concurrency bound).
                continue;
            }
            wait();
        }
        progress_.end();
    }

private:
    // Starts whatever is due, up to the concurrency limit.
    void start_due() {
        const auto now = Clock::now();
        for (auto it = waiting_.begin(); it != waiting_.end() && active_ < options_.concurrency;) {
            if (it->first > now) {
                ++it;
                continue;
            }
            Transfer& t = transfers_[it->second];
            configure(t, requests_[it->second], options_);
            ++t.attempts;
            detail::curl().multi_add_handle(multi_, t.easy);
            ++active_;
            it = waiting_.erase(it);
        }
    }

    // Whether any transfer ended, each then retried or done.
    bool settle_finished() {
        int left = 0;
        bool finished = false;
        while (CURLMsg* msg = detail::curl().multi_info_read(multi_, &left)) {
            if (msg->msg != CURLMSG_DONE) {
                continue;
            }
            finished = true;
            settle(msg->easy_handle, msg->data.result);
        }
        return finished;
    }

    // A failure worth retrying, with attempts left, waits out its delay in the queue; anything
    // else is final.
    void settle(CURL* easy, CURLcode code) {
        Transfer* t = nullptr;
        detail::curl().easy_getinfo(easy, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
        detail::curl().multi_remove_handle(multi_, easy);
        --active_;
        long status = 0;
        detail::curl().easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
        IndexResponse& r = out_[t->index];
        r.attempts = t->attempts;
        r.status = status;
        const bool retry =
            judge_attempt(options_, requests_[t->index], *t, code, status, r, writer_);
        if (retry && t->attempts <= options_.retries) {
            waiting_.emplace_back(Clock::now() + retry_delay(options_, t->attempts, t->retry_after),
                                  t->index);
            r.error.clear();
            if (t->sink) {
                t->sink({}); // what this attempt streamed is void: the next starts over
            }
            return;
        }
        if (!r.ok && retry) {
            r.error += " (gave up after " + std::to_string(t->attempts) + " attempts)";
        }
        // Finished: its handle goes now, not at the end of the run (the connection stays in the
        // multi handle's pool), so thousands of requests do not hold thousands of handles and
        // their buffers.
        detail::curl().easy_cleanup(t->easy);
        t->easy = nullptr;
        t->body = std::string();
        progress_.count_done();
    }

    // Until a transfer stirs or the next retry is due, at most 50 ms.
    void wait() const {
        if (active_ > 0) {
            detail::curl().multi_poll(multi_, nullptr, 0, 50, nullptr);
        } else if (!waiting_.empty()) {
            const auto next = std::min_element(waiting_.begin(), waiting_.end())->first;
            std::this_thread::sleep_until(
                std::min(next, Clock::now() + std::chrono::milliseconds(50)));
        }
    }

    const IndexOptions& options_;
    const std::vector<IndexRequest>& requests_;
    std::vector<Transfer>& transfers_;
    Waiting waiting_;
    std::vector<IndexResponse>& out_;
    CacheWriter* writer_;
    CURLM* multi_;
    ProgressLine progress_;
    int active_ = 0;
};

// `cache` null: downloads, whose bodies go to the transfers' sinks and are never cached.
void run_transfers(const IndexOptions& options, std::vector<std::string>& notes,
                   const std::vector<IndexRequest>& requests, std::vector<Transfer>& transfers,
                   Waiting waiting, std::vector<IndexResponse>& out, const Cache* cache,
                   const char* label) {
    std::optional<CacheWriter> writer;
    if (cache != nullptr && options.use_cache) {
        writer.emplace(*cache);
    }
    const Multi guard(transfers);
    detail::curl().multi_setopt(guard.handle, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                                static_cast<long>(options.concurrency));
    detail::curl().multi_setopt(guard.handle, CURLMOPT_PIPELINING,
                                static_cast<long>(CURLPIPE_MULTIPLEX));
    TransferLoop(options, requests, transfers, std::move(waiting), out, writer ? &*writer : nullptr,
                 guard.handle, label)
        .run();
    if (writer) {
        for (std::string& failed : writer->finish()) {
            if (notes.size() < 20) {
                notes.push_back(std::move(failed));
            }
        }
    }
}

} // namespace

std::vector<IndexResponse> IndexClient::fetch_all(const std::vector<IndexRequest>& requests) {
    const Cache cache{options_.cache_dir};
    std::vector<IndexResponse> out(requests.size());
    std::vector<Transfer> transfers(requests.size());
    Waiting waiting;
    // No cache directory yet: nothing to look up (saves a failed open per request).
    std::error_code ec;
    const bool cache_exists = std::filesystem::is_directory(cache.dir, ec);
    if (cache_exists && options_.use_cache && !options_.offline) {
        // Temporaries of cache entries whose writer was killed (`.<key>.body.XXXXXX`,
        // `.<key>.json.XXXXXX`).
        remove_stale_temporaries(cache.dir.string(), ".", /*any_stem=*/true);
    }
    for (std::size_t i = 0; i < requests.size(); ++i) {
        transfers[i].index = i;
        if (options_.use_cache && !options_.refresh && cache_exists) {
            transfers[i].cached = cache.read(requests[i]);
        }
        if (options_.offline) {
            if (transfers[i].cached) {
                out[i] = IndexResponse{
                    true, 200, transfers[i].cached->body, transfers[i].cached->content_type, {},
                    true, 0,   transfers[i].cached->url};
            } else {
                out[i].error = redact_url(requests[i].url) + " is not in the cache, and " +
                               mention(Setting::offline) + " forbids the network";
            }
            continue;
        }
        waiting.emplace_back(Clock::now(), i);
    }
    if (waiting.empty()) {
        return out; // all answered from the cache (or --offline): libcurl is never loaded
    }
    run_transfers(options_, notes_, requests, transfers, std::move(waiting), out, &cache, "index");
    return out;
}

std::vector<IndexResponse>
IndexClient::download_all(const std::vector<IndexRequest>& requests,
                          const std::function<void(std::size_t, std::string_view)>& sink) {
    std::vector<IndexResponse> out(requests.size());
    if (options_.offline) {
        for (std::size_t i = 0; i < requests.size(); ++i) {
            out[i].error = redact_url(requests[i].url) + ": " + mention(Setting::offline) +
                           " forbids downloads";
        }
        return out;
    }
    std::vector<Transfer> transfers(requests.size());
    Waiting waiting;
    for (std::size_t i = 0; i < requests.size(); ++i) {
        transfers[i].index = i;
        transfers[i].sink = [&sink, i](std::string_view chunk) { sink(i, chunk); };
        waiting.emplace_back(Clock::now(), i);
    }
    if (!waiting.empty()) {
        run_transfers(options_, notes_, requests, transfers, std::move(waiting), out, nullptr,
                      "download");
    }
    return out;
}

IndexResponse IndexClient::download(const IndexRequest& request,
                                    const std::function<void(std::string_view)>& sink) {
    return download_all({request}, [&sink](std::size_t, std::string_view chunk) { sink(chunk); })
        .front();
}

} // namespace lock2nix
