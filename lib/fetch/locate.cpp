#include "lock2nix/fetch/locate.hpp"

#include "lock2nix/fetch/urls.hpp"
#include "lock2nix/standards/names.hpp"
#include "lock2nix/standards/pep440.hpp"
#include "lock2nix/standards/tags.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <string_view>

namespace lock2nix {

namespace {

constexpr const char* simple_accept = "application/vnd.pypi.simple.v1+json, text/html;q=0.1";

// The source name of a legacy package (its `reference`), for Poetry's credential variables.
std::string source_name(const Package& p, const Pyproject* pp) {
    if (!p.source->reference.empty()) {
        return p.source->reference;
    }
    if (pp != nullptr) {
        for (const IndexSource& s : pp->poetry.sources) {
            if (without_trailing_slash(s.url) == without_trailing_slash(p.source->url)) {
                return s.name;
            }
        }
    }
    return {};
}

} // namespace

namespace {

// The key of a page in IndexPages: what makes two requests the same request.
std::string page_key(const IndexRequest& r) {
    return r.url + "\n" + r.accept + "\n" + r.username;
}

// PyPI's JSON API for a PyPI package; the project's simple page, with the source's
// credentials, for a legacy one.
IndexRequest page_request(const Package& p, const Pyproject* pp, const LocateOptions& options) {
    IndexRequest r;
    if (p.source_kind() == SourceKind::pypi) {
        r.url = without_trailing_slash(options.pypi_url) + "/pypi/" + p.canonical_name + "/" +
                p.version + "/json";
        r.accept = "application/json";
        r.json_body = true;
    } else {
        r.url = without_trailing_slash(p.source->url) + "/" + p.canonical_name + "/";
        r.accept = simple_accept;
        r.json_body = true;
        std::tie(r.username, r.password) = source_credentials(source_name(p, pp));
    }
    return r;
}

// Per package asked: its request. Pages neither known nor already wanted go to the network,
// once each: two versions of a legacy project share its page.
struct PagePlan {
    std::vector<std::size_t> asked;
    std::vector<IndexRequest> requests;
    std::vector<IndexRequest> wanted;
    std::vector<std::size_t> wanted_by; ///< the first package that wanted each (for messages)
};

PagePlan plan_pages(const Lock& lock, const Pyproject* pp, const std::vector<std::size_t>& packages,
                    const LocateOptions& options, const IndexPages& known) {
    PagePlan plan;
    std::set<std::string> wanted_keys;
    for (std::size_t i : packages) {
        const Package& p = lock.packages[i];
        if (!from_index(p)) {
            continue;
        }
        IndexRequest r = page_request(p, pp, options);
        const std::string key = page_key(r);
        if (!known.files.contains(key) && wanted_keys.insert(key).second) {
            plan.wanted.push_back(r);
            plan.wanted_by.push_back(i);
        }
        plan.asked.push_back(i);
        plan.requests.push_back(std::move(r));
    }
    return plan;
}

// Parses each fetched page into `known`, refusing a page the index would not give.
void read_pages(const Lock& lock, const PagePlan& plan, const std::vector<IndexResponse>& responses,
                bool offline, IndexPages& known) {
    for (std::size_t k = 0; k < plan.wanted.size(); ++k) {
        const Package& p = lock.packages[plan.wanted_by[k]];
        const IndexResponse& resp = responses[k];
        if (!resp.ok && offline) {
            continue; // --offline: what the cache lacks falls back to predictable URLs
        }
        if (!resp.ok) {
            throw Error("cannot get the file list of `" + p.name + "` " + p.version +
                            " from the index: " + resp.error,
                        lock.path, p.position,
                        "check the network (or the index URL); offline (" +
                            mention(Setting::offline) +
                            "), lock2nix uses only the cache and predictable URLs",
                        ErrorKind::network);
        }
        // Links are relative to the page that answered, which a redirect may have moved.
        const std::string& answered = resp.url.empty() ? plan.wanted[k].url : resp.url;
        const std::string key = page_key(plan.wanted[k]);
        try {
            if (p.source_kind() == SourceKind::pypi) {
                known.files[key] = parse_json_api(resp.body, answered);
            } else if (resp.content_type.find("json") != std::string::npos) {
                known.files[key] = parse_simple_json(resp.body, answered);
            } else {
                known.files[key] = parse_simple_html(resp.body, answered);
            }
        } catch (const Error& e) {
            throw e.located(lock.path, p.position);
        }
    }
}

// Whether a file on a simple page belongs to the package's release. The name and version are read
// from the file name, so that foo-1.0.1 and foo-1.0rc1 are not taken for foo 1.0, nor
// foo-bar-1.0 for foo; PEP 440 equality makes 1.0 and 1.0.0 one release, as the index does.
bool is_release_file(const std::string& filename, const Package& p) {
    const auto version = pep440::Version::try_parse(p.version);
    auto same = [&](const std::string& name, const pep440::Version& v) {
        return name == p.canonical_name && version && v == *version;
    };
    if (const auto wheel = tags::WheelName::try_parse(filename)) {
        return same(wheel->name, wheel->version);
    }
    if (const auto sdist = tags::SdistName::try_parse(filename)) {
        return same(sdist->name, sdist->version);
    }
    // Eggs and other old formats: the version must stand whole between separators.
    const std::string mark = "-" + p.version;
    for (auto at = filename.find(mark); at != std::string::npos; at = filename.find(mark, at + 1)) {
        const std::size_t end = at + mark.size();
        if (end == filename.size() || filename[end] == '-' ||
            (filename[end] == '.' && end + 1 < filename.size() &&
             std::isdigit(static_cast<unsigned char>(filename[end + 1])) == 0)) {
            return true;
        }
    }
    return false;
}

// Hash completion: take the index's files when the lock has no usable ones.
void complete_files_from_index(Package& p, const std::vector<IndexFile>& files,
                               const std::string& page, std::vector<std::string>& notes) {
    const bool unnamed = std::any_of(p.files.begin(), p.files.end(),
                                     [](const FileEntry& f) { return f.name.empty(); });
    if (!p.files.empty() && !unnamed) {
        return;
    }
    std::set<std::string> bare;
    for (const FileEntry& f : p.files) {
        bare.insert(f.digest);
    }
    std::vector<FileEntry> completed;
    for (const IndexFile& f : files) {
        auto sha = f.hashes.find("sha256");
        if (sha == f.hashes.end()) {
            continue;
        }
        // Bare digests (oldest locks) pin the set: keep the index files they name.
        if (!bare.empty() && !bare.contains(sha->second)) {
            continue;
        }
        if (p.source_kind() == SourceKind::legacy && !is_release_file(f.filename, p)) {
            continue; // a simple page lists every version (and may list other projects' files)
        }
        completed.push_back(FileEntry{f.filename, "sha256", sha->second, p.position});
    }
    if (!completed.empty()) {
        notes.push_back(
            p.name + " " + p.version + ": " + std::to_string(completed.size()) +
            " file digests from the index (" + page + "), " +
            (bare.empty() ? "the lock lists none" : "matched to the lock's bare digests"));
        p.files = std::move(completed);
        p.files_origin = FilesOrigin::index;
    }
}

// The index's URL of each of the package's files, into `urls`; returns the files the page does
// not list. A file whose digest on the index the lock does not list is refused.
std::vector<std::string> index_urls(const Lock& lock, const Package& p,
                                    const std::vector<IndexFile>& files, const std::string& page,
                                    std::map<std::string, std::string>& urls) {
    std::vector<std::string> unlisted;
    for (const FileEntry& f : p.files) {
        auto it = std::find_if(files.begin(), files.end(),
                               [&](const IndexFile& x) { return x.filename == f.name; });
        if (it == files.end()) {
            unlisted.push_back(f.name); // the emitter falls back to the predictable URL
            continue;
        }
        auto digest = it->hashes.find(f.algorithm);
        if (digest == it->hashes.end() && f.algorithm != "sha256") {
            digest = it->hashes.find("sha256");
        }
        if (digest != it->hashes.end() && digest->first == f.algorithm &&
            digest->second != f.digest) {
            // As Poetry: only a file whose digest the lock lists may be used.
            const bool listed =
                std::any_of(p.files.begin(), p.files.end(), [&](const FileEntry& other) {
                    return other.algorithm == digest->first && other.digest == digest->second;
                });
            if (!listed) {
                throw Error("the index's digest of `" + f.name +
                                "` does not match the lock: lock has " + f.hash() + ", " + page +
                                " has " + digest->first + ":" + digest->second,
                            lock.path, f.position,
                            "the file on the index changed or the lock is corrupt; verify the "
                            "index, then regenerate the lock with `poetry lock`");
            }
        }
        urls[f.name] = it->url;
    }
    return unlisted;
}

// The page answered but does not list them: a guessed URL is only right where the index keeps
// files in the usual place, so say so before a build fails to fetch.
void note_unlisted(const Package& p, const std::string& page,
                   const std::vector<std::string>& unlisted, std::vector<std::string>& notes) {
    if (unlisted.empty()) {
        return;
    }
    std::string names;
    for (std::size_t i = 0; i < unlisted.size() && i < 3; ++i) {
        names += (i == 0 ? "`" : ", `") + unlisted[i] + "`";
    }
    if (unlisted.size() > 3) {
        names += " and " + std::to_string(unlisted.size() - 3) + " more";
    }
    notes.push_back(p.name + " " + p.version + ": " + page + " does not list " + names +
                    " of the lock; " + (unlisted.size() == 1 ? "its URL is" : "their URLs are") +
                    " predicted, and a build fails to fetch " +
                    (unlisted.size() == 1 ? "it" : "them") + " if the index keeps files elsewhere");
}

} // namespace

Located locate_files(Lock& lock, const Pyproject* pp, const std::vector<std::size_t>& packages,
                     IndexClient& client, const LocateOptions& options, IndexPages* pages) {
    IndexPages this_call;
    IndexPages& known = pages != nullptr ? *pages : this_call;
    Located out;
    // Packages are asked in batches so that the requests, responses and transfers of a very
    // large lock are never all in memory at once; a real lock fits in one batch, so its pages
    // are fetched with full concurrency and one progress line.
    constexpr std::size_t batch = 1024;
    for (std::size_t from = 0; from < packages.size(); from += batch) {
        const std::vector<std::size_t> some(packages.begin() + static_cast<std::ptrdiff_t>(from),
                                            packages.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                                   packages.size(), from + batch)));
        const PagePlan plan = plan_pages(lock, pp, some, options, known);
        const auto responses = client.fetch_all(plan.wanted);
        read_pages(lock, plan, responses, client.options().offline, known);
        for (std::size_t k = 0; k < plan.asked.size(); ++k) {
            Package& p = lock.packages[plan.asked[k]];
            const auto page_files = known.files.find(page_key(plan.requests[k]));
            if (page_files == known.files.end()) {
                continue; // --offline and not cached
            }
            const std::vector<IndexFile>& files = page_files->second;
            const std::string page = redact_url(plan.requests[k].url);
            complete_files_from_index(p, files, page, out.notes);
            const std::vector<std::string> unlisted = index_urls(lock, p, files, page, out.urls);
            note_unlisted(p, page, unlisted, out.notes);
        }
    }
    out.notes.insert(out.notes.begin(), client.notes().begin(), client.notes().end());
    return out;
}

// --- Credentials for downloads -----------------------------------------------------------------

namespace {

// The parts of a URL that credentials are matched on. Read by hand (no libcurl): the authority
// of an absolute URL is all that matters, and a run that downloads nothing need not load libcurl.
struct UrlParts {
    std::string origin; ///< scheme://host:port, lower-cased, the port explicit
    std::string path;   ///< without query, fragment and trailing slashes
    std::string username, password;
};

std::optional<UrlParts> url_parts(std::string_view url) {
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos || scheme_end == 0) {
        return std::nullopt;
    }
    const std::string scheme = ascii_lower(std::string(url.substr(0, scheme_end)));
    std::string_view rest = url.substr(scheme_end + 3);
    const auto authority_end = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, authority_end);
    std::string_view path =
        authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
    path = path.substr(0, path.find_first_of("?#"));
    UrlParts out;
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
        const std::string_view userinfo = authority.substr(0, at);
        const auto colon = userinfo.find(':');
        out.username = percent_decoded(userinfo.substr(0, colon));
        if (colon != std::string_view::npos) {
            out.password = percent_decoded(userinfo.substr(colon + 1));
        }
        authority = authority.substr(at + 1);
    }
    // The port follows the last ':' after an IPv6 literal's ']'.
    std::string_view host = authority;
    std::string port;
    const auto bracket = authority.rfind(']');
    const auto colon = authority.rfind(':');
    if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
        host = authority.substr(0, colon);
        port = std::string(authority.substr(colon + 1));
    }
    if (port.empty()) {
        port = scheme == "https" ? "443" : scheme == "http" ? "80" : "";
    }
    if (host.empty()) {
        return std::nullopt;
    }
    out.origin = scheme + "://" + ascii_lower(std::string(host)) + ":" + port;
    out.path = without_trailing_slash(std::string(path));
    return out;
}

} // namespace

SourceCredentials::SourceCredentials(const Lock& lock, const Pyproject* pyproject) {
    auto add = [&](const std::string& name, const std::string& url) {
        auto parts = url_parts(url);
        if (!parts) {
            return;
        }
        // Poetry's variables for the source's name first, then what its URL carries.
        auto [user, password] = source_credentials(name);
        if (user.empty()) {
            user = parts->username;
            password = parts->password;
        }
        if (user.empty()) {
            return; // netrc, which libcurl reads per host, may still have some
        }
        sources_.push_back(Source{parts->origin, parts->path, user, password});
    };
    if (pyproject != nullptr) {
        for (const IndexSource& s : pyproject->poetry.sources) {
            add(s.name, s.url);
        }
    }
    for (const Package& p : lock.packages) {
        if (p.source_kind() == SourceKind::legacy) {
            add(source_name(p, pyproject), p.source->url);
        }
    }
}

std::pair<std::string, std::string> SourceCredentials::for_url(const std::string& url) const {
    const auto parts = url_parts(url);
    if (!parts) {
        return {};
    }
    // Among the sources on the URL's origin, the one whose path holds the URL's (the longest),
    // else the first: an index's files often live beside its pages on the same host (`/simple`
    // and `/packages`), as Poetry's authenticator assumes too.
    const Source* best = nullptr;
    std::size_t best_length = 0;
    for (const Source& s : sources_) {
        if (s.origin != parts->origin) {
            continue;
        }
        const bool under =
            parts->path.starts_with(s.path) &&
            (parts->path.size() == s.path.size() || parts->path[s.path.size()] == '/');
        if (best == nullptr || (under && s.path.size() + 1 > best_length)) {
            best = &s;
            best_length = under ? s.path.size() + 1 : 0;
        }
    }
    if (best == nullptr) {
        return {};
    }
    return {best->username, best->password};
}

} // namespace lock2nix
