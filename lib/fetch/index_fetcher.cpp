#include "lock2nix/fetch/index_fetcher.hpp"

#include "lock2nix/fetch/git.hpp"
#include "lock2nix/fetch/sdist.hpp"
#include "lock2nix/files.hpp"
#include "lock2nix/hash.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace lock2nix {

namespace {

// The sdist cache: one JSON file per sdist, named by its sha256, holding what the sdist declares
// (never the sdist itself: that is all a translation needs from it), the Cargo.lock of a Rust one
// included.
nlohmann::json facts_json(const std::string& file, const SdistFacts& f) {
    nlohmann::json j = {{"file", file},
                        {"present", f.build_system.present},
                        {"requires", f.build_system.requirements},
                        {"build-backend", f.build_system.build_backend},
                        {"backend-path", f.build_system.backend_path},
                        {"rust", std::string(rust_backend_name(f.rust))},
                        {"cargo-lock-sought", f.cargo_lock_sought},
                        {"cargo-lock", nullptr}};
    if (f.cargo_lock) {
        j["cargo-lock"] = {{"directory", f.cargo_lock->directory}, {"text", f.cargo_lock->text}};
    }
    return j;
}

// nullopt for a missing or damaged entry, and for one written before Cargo.lock files were read
// whose sdist builds Rust: the sdist is read again.
std::optional<SdistFacts> read_cached_facts(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) {
        return std::nullopt;
    }
    try {
        const auto j = nlohmann::json::parse(in);
        SdistFacts f;
        f.build_system.present = j.at("present").get<bool>();
        f.build_system.requirements = j.at("requires").get<std::vector<std::string>>();
        f.build_system.build_backend = j.at("build-backend").get<std::string>();
        f.build_system.backend_path = j.at("backend-path").get<std::vector<std::string>>();
        f.rust = rust_backend(f.build_system);
        if (!j.contains("rust")) {
            return f.rust == RustBackend::none ? std::optional<SdistFacts>(f) : std::nullopt;
        }
        if (j.at("rust").get<std::string>() != rust_backend_name(f.rust)) {
            return std::nullopt;
        }
        f.cargo_lock_sought = j.at("cargo-lock-sought").get<std::string>();
        if (const auto& lock = j.at("cargo-lock"); !lock.is_null()) {
            f.cargo_lock = SdistCargoLock{lock.at("directory").get<std::string>(),
                                          lock.at("text").get<std::string>()};
        }
        return f;
    } catch (const std::exception&) {
        return std::nullopt; // damaged: read the sdist again
    }
}

// A scratch file that is removed when it goes out of scope.
struct ScratchFile {
    std::string path;
    std::FILE* file = nullptr;

    explicit ScratchFile(const std::filesystem::path& dir) {
        // Those a killed run left behind go first.
        remove_stale_temporaries(dir.string(), ".sdist-");
        path = (dir / ".sdist-XXXXXX").string();
        const int fd = mkstemp(path.data());
        if (fd < 0 || (file = fdopen(fd, "w+b")) == nullptr) {
            if (fd >= 0) {
                close(fd);
            }
            throw Error("cannot create a scratch file in " + dir.string(), {}, {},
                        "check that the cache directory is writable (or set XDG_CACHE_HOME)");
        }
    }
    ~ScratchFile() {
        if (file != nullptr) {
            std::fclose(file);
        }
        std::remove(path.c_str());
    }
    ScratchFile(const ScratchFile&) = delete;
    ScratchFile& operator=(const ScratchFile&) = delete;
};

} // namespace

IndexFetcher::IndexFetcher(IndexClient& client, LocateOptions where, std::filesystem::path lock_dir,
                           std::filesystem::path build_cache)
    : client_(client), where_(std::move(where)), lock_dir_(std::move(lock_dir)),
      build_cache_(build_cache.empty() ? cache_directory() / "build-systems"
                                       : std::move(build_cache)) {}

Located IndexFetcher::locate(Lock& lock, const Pyproject* pyproject,
                             const std::vector<std::size_t>& packages) {
    credentials_ = SourceCredentials(lock, pyproject);
    return locate_files(lock, pyproject, packages, client_, where_, &pages_);
}

GitSource IndexFetcher::git(const std::string& url, const std::string& rev,
                            const std::string& subdirectory) {
    // Offline means no network at all: a commit hashed by an earlier run is all there is.
    if (client_.options().offline) {
        if (auto cached = cached_git_source(url, rev)) {
            return *cached;
        }
        throw Error(
            mention(Setting::offline) + ": the git source " + url + " at " + rev +
                " is not in lock2nix's cache (" + git_cache_file(url, rev).string() +
                "), and its fetchgit hash needs a clone",
            {}, {},
            "run lock2nix once online to clone it and cache the hash, or leave it to Nix (" +
                mention(Setting::impure_git) + ": builtins.fetchGit, fetched at evaluation)");
    }
    return hash_git_source(url, rev, subdirectory);
}

std::optional<std::string> IndexFetcher::project_file(const std::string& relative_path) {
    const auto path = lock_dir_ / relative_path;
    if (!std::filesystem::is_regular_file(path)) {
        return std::nullopt;
    }
    return read_file(path.string());
}

std::optional<SdistFacts> IndexFetcher::sdist_facts(const FileEntry& file,
                                                    const std::vector<std::string>& urls) {
    // Only a sha256 lets lock2nix check that it reads the file the lock pins.
    if (file.algorithm != "sha256" || !file.has_valid_digest() || urls.empty()) {
        return std::nullopt;
    }
    const IndexOptions& options = client_.options();
    const auto cached = build_cache_ / (file.digest + ".json");
    if (options.use_cache && !options.refresh) {
        if (auto f = read_cached_facts(cached)) {
            return f;
        }
    }
    if (options.offline) {
        return std::nullopt;
    }
    std::error_code ec;
    std::filesystem::create_directories(build_cache_, ec);
    ScratchFile scratch(ec ? std::filesystem::temp_directory_path() : build_cache_);
    std::string last_error;
    for (const std::string& url : urls) {
        std::rewind(scratch.file);
        if (ftruncate(fileno(scratch.file), 0) != 0) {
            throw Error("cannot write the scratch file " + scratch.path);
        }
        std::optional<Sha256> digest;
        digest.emplace();
        bool write_failed = false;
        IndexRequest request{url, {}, {}, {}, false};
        std::tie(request.username, request.password) = credentials_.for_url(url);
        const IndexResponse r = client_.download(request, [&](std::string_view chunk) {
            if (chunk.empty()) { // a retry starts over
                digest.emplace();
                std::rewind(scratch.file);
                write_failed |= ftruncate(fileno(scratch.file), 0) != 0;
                return;
            }
            digest->update(chunk);
            write_failed |=
                std::fwrite(chunk.data(), 1, chunk.size(), scratch.file) != chunk.size();
        });
        if (!r.ok) {
            last_error = r.error;
            continue;
        }
        if (write_failed || std::fflush(scratch.file) != 0) {
            throw Error("cannot write the scratch file " + scratch.path + " for `" + file.name +
                            "`",
                        {}, {}, "check the free space of the cache directory");
        }
        const std::string actual = to_hex(digest->finish());
        if (actual != file.digest) {
            throw DigestMismatch("sdist `" + file.name + "` downloaded from " + redact_url(url) +
                                     " has sha256:" + actual +
                                     ", but the lock pins sha256:" + file.digest,
                                 {}, {},
                                 "the URL serves another file than the one locked: check the "
                                 "index, then lock again");
        }
        SdistFacts f = read_sdist(scratch.path, file.name);
        if (options.use_cache) {
            try {
                write_file_atomically(cached.string(), facts_json(file.name, f).dump(2),
                                      /*durable=*/false);
            } catch (const Error&) {
                // the cache is an optimisation
            }
        }
        return f;
    }
    throw Error("cannot download sdist `" + file.name +
                    "` to read its build backend: " + last_error,
                {}, {},
                "check the network and the index; offline (" + mention(Setting::offline) +
                    "), lock2nix keeps its guess of the backend instead",
                ErrorKind::network);
}

} // namespace lock2nix
