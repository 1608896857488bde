#include "lock2nix/fetch/git.hpp"

#include "fetch/process.hpp"
#include "lock2nix/error.hpp"
#include "lock2nix/fetch/index.hpp"
#include "lock2nix/files.hpp"
#include "lock2nix/hash.hpp"
#include "lock2nix/project/pyproject.hpp"

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>

namespace lock2nix {

std::filesystem::path cache_directory() {
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
        return std::filesystem::path(xdg) / "lock2nix";
    }
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
        return std::filesystem::path(home) / ".cache" / "lock2nix";
    }
    return std::filesystem::temp_directory_path() / "lock2nix-cache";
}

namespace {

std::filesystem::path cache_file(const std::string& url, const std::string& rev) {
    return cache_directory() / "git" / (sha256_hex(url + "\n" + rev) + ".json");
}

std::optional<GitSource> from_cache(const std::string& url, const std::string& rev) {
    std::ifstream in(cache_file(url, rev));
    if (!in) {
        return std::nullopt;
    }
    try {
        const auto j = nlohmann::json::parse(in);
        GitSource s;
        s.url = j.at("url").get<std::string>();
        s.rev = j.at("rev").get<std::string>();
        s.hash = j.at("hash").get<std::string>();
        s.submodules = j.value("submodules", false);
        s.build_requires = j.value("build_requires", std::vector<std::string>{});
        if (s.url != url || s.rev != rev || !s.hash.starts_with("sha256-")) {
            return std::nullopt;
        }
        return s;
    } catch (const std::exception&) {
        return std::nullopt; // a damaged entry is recomputed
    }
}

void to_cache(const GitSource& s) {
    const auto file = cache_file(s.url, s.rev);
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    try {
        write_file_atomically(file.string(),
                              nlohmann::json{{"url", s.url},
                                             {"rev", s.rev},
                                             {"hash", s.hash},
                                             {"submodules", s.submodules},
                                             {"build_requires", s.build_requires}}
                                  .dump(),
                              /*durable=*/false);
    } catch (const Error&) {
        // the cache is an optimisation
    }
}

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string templ =
            (std::filesystem::temp_directory_path() / "lock2nix-git-XXXXXX").string();
        if (mkdtemp(templ.data()) == nullptr) {
            throw Error("cannot create a temporary directory for a git checkout");
        }
        path = templ;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

void git(const std::vector<std::string>& args, const std::filesystem::path& dir,
         const std::string& url, const std::string& what) {
    std::vector<std::string> argv{"git", "-c", "advice.detachedHead=false"};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto r = detail::run_process(argv, dir);
    if (r.exit_code != 0) {
        std::string detail = r.output;
        if (detail.size() > 400) {
            detail = detail.substr(0, 400) + "…";
        }
        // git may repeat the URL (with its credentials) in what it prints.
        throw Error(
            "cannot " + what + " of git repository " + redact_url(url) +
                (r.exit_code == 127 ? ": git is not installed" : ": " + redact_urls_in(detail)),
            {}, {},
            "lock2nix clones git dependencies once to compute their Nix hash (then caches "
            "it); make the repository reachable, or leave it to Nix (" +
                mention(Setting::impure_git) + ") to fetch at evaluation time without a hash");
    }
}

} // namespace

std::optional<GitSource> cached_git_source(const std::string& url, const std::string& rev) {
    return from_cache(url, rev);
}

std::filesystem::path git_cache_file(const std::string& url, const std::string& rev) {
    return cache_file(url, rev);
}

GitSource hash_git_source(const std::string& url, const std::string& rev,
                          const std::string& subdirectory) {
    if (auto cached = from_cache(url, rev)) {
        return *cached;
    }
    TempDir tmp;
    git({"init", "-q"}, tmp.path, url, "initialise a checkout");
    // A shallow fetch of the exact commit works on every common host; fall back to a full fetch
    // for servers that refuse unadvertised commits.
    const auto first =
        detail::run_process({"git", "fetch", "-q", "--depth", "1", "--", url, rev}, tmp.path);
    if (first.exit_code == 0) {
        git({"checkout", "-q", "FETCH_HEAD"}, tmp.path, url, "check out " + rev);
    } else {
        git({"fetch", "-q", "--", url, "+refs/heads/*:refs/remotes/origin/*",
             "+refs/tags/*:refs/tags/*"},
            tmp.path, url, "fetch the history");
        git({"checkout", "-q", rev}, tmp.path, url, "check out commit " + rev);
    }
    GitSource s{url, rev, {}, false, {}};
    if (std::filesystem::exists(tmp.path / ".gitmodules")) {
        git({"submodule", "update", "-q", "--init", "--recursive"}, tmp.path, url,
            "fetch the submodules");
        s.submodules = true;
    }
    const auto pyproject = tmp.path / subdirectory / "pyproject.toml";
    if (std::filesystem::exists(pyproject)) {
        try {
            const Pyproject pp = read_pyproject(pyproject.string());
            s.build_requires = pp.build_system.requirements;
        } catch (const Error&) {
            // An unreadable pyproject in a dependency only costs the build-system guess.
        }
    }
    s.hash = to_sri("sha256", nar_sha256(tmp.path, /*skip_git=*/true));
    to_cache(s);
    return s;
}

} // namespace lock2nix
