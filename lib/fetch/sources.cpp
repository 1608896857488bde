#include "lock2nix/fetch/sources.hpp"

#include "lock2nix/fetch/sdist.hpp"
#include "lock2nix/files.hpp"
#include "lock2nix/hash.hpp"
#include "lock2nix/standards/names.hpp"
#include "lock2nix/standards/pep508.hpp"
#include "lock2nix/standards/tags.hpp"
#include "project/toml_reader.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>
#include <unistd.h>

namespace lock2nix {

namespace {

// The build-system cache: one JSON file per sdist, named by its sha256, holding what the sdist
// declares (never the sdist itself: that is all a translation needs from it).
nlohmann::json build_system_json(const std::string& file, const BuildSystem& b) {
    return {{"file", file},
            {"present", b.present},
            {"requires", b.requirements},
            {"build-backend", b.build_backend},
            {"backend-path", b.backend_path}};
}

std::optional<BuildSystem> read_cached_build_system(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) {
        return std::nullopt;
    }
    try {
        const auto j = nlohmann::json::parse(in);
        BuildSystem b;
        b.present = j.at("present").get<bool>();
        b.requirements = j.at("requires").get<std::vector<std::string>>();
        b.build_backend = j.at("build-backend").get<std::string>();
        b.backend_path = j.at("backend-path").get<std::vector<std::string>>();
        return b;
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

Located OfflineFetcher::locate(Lock&, const Pyproject*, const std::vector<std::size_t>&) {
    return {};
}

GitSource OfflineFetcher::git(const std::string& url, const std::string&, const std::string&) {
    throw Error("the git source " + url +
                    " needs a fetchgit hash, and this translation may not "
                    "clone it",
                {}, {},
                "translate with a fetcher that can reach the repository, or emit "
                "builtins.fetchGit (impure git mode)");
}

std::optional<std::string> OfflineFetcher::project_file(const std::string& relative_path) {
    auto it = project_files.find(relative_path);
    if (it == project_files.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::optional<BuildSystem> OfflineFetcher::sdist_build_system(const FileEntry& file,
                                                              const std::vector<std::string>&) {
    auto it = sdist_build_systems.find(file.name);
    if (it == sdist_build_systems.end()) {
        return std::nullopt;
    }
    return it->second;
}

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
    return detail::read_file(path.string());
}

std::optional<BuildSystem> IndexFetcher::sdist_build_system(const FileEntry& file,
                                                            const std::vector<std::string>& urls) {
    // Only a sha256 lets lock2nix check that it reads the file the lock pins.
    if (file.algorithm != "sha256" || !file.has_valid_digest() || urls.empty()) {
        return std::nullopt;
    }
    const IndexOptions& options = client_.options();
    const auto cached = build_cache_ / (file.digest + ".json");
    if (options.use_cache && !options.refresh) {
        if (auto b = read_cached_build_system(cached)) {
            return b;
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
            throw Error("sdist `" + file.name + "` downloaded from " + redact_url(url) +
                            " has sha256:" + actual + ", but the lock pins sha256:" + file.digest,
                        {}, {},
                        "the index serves another file than the one locked: check the index, "
                        "then run `poetry lock` again");
        }
        BuildSystem b = read_sdist_build_system(scratch.path, file.name);
        if (options.use_cache) {
            try {
                write_file_atomically(cached.string(), build_system_json(file.name, b).dump(2),
                                      /*durable=*/false);
            } catch (const Error&) {
                // the cache is an optimisation
            }
        }
        return b;
    }
    throw Error("cannot download sdist `" + file.name +
                    "` to read its build backend: " + last_error,
                {}, {},
                "check the network and the index; offline (" + mention(Setting::offline) +
                    "), lock2nix keeps its guess of the backend instead");
}

std::vector<std::string> complete_digests(Lock& lock, const Pyproject* pyproject,
                                          SourceFetcher& fetcher) {
    const auto incomplete = packages_needing_digests(lock);
    if (incomplete.empty()) {
        return {};
    }
    return fetcher.locate(lock, pyproject, incomplete).notes;
}

namespace {

std::string join(const std::vector<std::string>& items, const std::string& separator = ", ") {
    std::string out;
    for (const auto& s : items) {
        out += (out.empty() ? "" : separator) + s;
    }
    return out;
}

// What the sdists built here declare, for those the override database says nothing about: the
// sdist itself is the authority on its backend; the database only corrects it.
void resolve_sdist_build_systems(const Lock& lock, const EnvironmentPlan& plan,
                                 SourceFetcher& fetcher, ResolvedSources& out) {
    std::set<std::string> asked;
    std::vector<std::string> guessed;
    std::vector<std::string> relaxed;
    for (const TargetPlan& t : plan.targets) {
        for (const PlannedPackage& planned : t.packages) {
            if (!planned.artifact || !planned.artifact->file ||
                !planned.recipe.build_systems.empty()) {
                continue;
            }
            const Artifact& a = *planned.artifact;
            const FileEntry& f = *a.file;
            const Package& p = lock.packages[planned.package];
            std::vector<std::string> urls;
            if (a.kind == ArtifactKind::sdist) {
                if (auto it = out.urls.find(f.name); it != out.urls.end()) {
                    urls.push_back(it->second);
                } else {
                    urls = predicted_urls(p, f);
                }
            } else if (a.kind == ArtifactKind::url &&
                       tags::classify(f.name) != tags::FileKind::wheel) {
                urls.push_back(p.source->url);
            } else {
                continue;
            }
            if (!asked.insert(f.name).second) {
                continue;
            }
            const std::string who = p.name + " " + p.version;
            std::optional<BuildSystem> declared;
            try {
                declared = fetcher.sdist_build_system(f, urls);
            } catch (const Error& e) {
                throw e.file().empty() ? e.located(lock.path, f.position) : e;
            }
            if (!declared) {
                guessed.push_back(who);
                continue;
            }
            if (const auto pins = declared->pinned_requirements(); !pins.empty()) {
                relaxed.push_back(who + " (" + join(pins) + ")");
            }
            out.sdist_build_systems.emplace(f.name, std::move(*declared));
        }
    }
    if (!guessed.empty()) {
        out.notes.push_back(
            "the build backend of " + std::to_string(guessed.size()) +
            " sdist(s) is a guess (setuptools): lock2nix could not read them without the "
            "network and has no earlier answer cached: " +
            join(guessed) + ". Translate once online (without " + mention(Setting::offline) +
            "), or give them `build-systems` overrides");
    }
    if (!relaxed.empty()) {
        out.notes.push_back(
            "sdists whose [build-system] asks for versions are built with the versions nixpkgs "
            "has (pypa/build's requirement check is skipped; see the comment on each package): " +
            join(relaxed));
    }
}

} // namespace

ResolvedSources resolve_sources(Lock& lock, const Pyproject* pyproject, const EnvironmentPlan& plan,
                                SourceFetcher& fetcher, GitMode git_mode, bool read_sdists) {
    ResolvedSources out;
    std::set<std::size_t> seen;
    std::vector<std::size_t> from_index;
    for (const TargetPlan& t : plan.targets) {
        for (const PlannedPackage& planned : t.packages) {
            if (!planned.artifact || !seen.insert(planned.package).second) {
                continue;
            }
            const Package& p = lock.packages[planned.package];
            switch (planned.artifact->kind) {
            case ArtifactKind::wheel:
            case ArtifactKind::sdist:
                from_index.push_back(planned.package);
                break;
            case ArtifactKind::git:
                if (git_mode == GitMode::pure) {
                    const std::string& rev = p.source->resolved_reference.empty()
                                                 ? p.source->reference
                                                 : p.source->resolved_reference;
                    try {
                        out.git.emplace(planned.package,
                                        fetcher.git(p.source->url, rev, p.source->subdirectory));
                    } catch (const Error& e) {
                        // Name the package and its place in the lock: the fetcher knows only
                        // the repository.
                        throw e.located(lock.path, p.source->position,
                                        "package `" + p.name + "` " + p.version + ": ");
                    }
                }
                break;
            case ArtifactKind::directory: {
                std::string rel = p.source->url;
                if (!p.source->subdirectory.empty()) {
                    rel += "/" + p.source->subdirectory;
                }
                // A path dependency's own pyproject says how it builds; a folder that is not
                // there (a lock read away from its project) leaves lock2nix's default.
                const std::string path = rel + "/pyproject.toml";
                if (auto text = fetcher.project_file(path)) {
                    const auto dir = std::filesystem::path(lock.path).parent_path();
                    out.local_pyprojects.emplace(planned.package,
                                                 parse_pyproject(*text, (dir / path).string()));
                }
                break;
            }
            case ArtifactKind::file:
            case ArtifactKind::url:
                break;
            }
        }
    }
    if (!from_index.empty()) {
        Located located = fetcher.locate(lock, pyproject, from_index);
        out.urls = std::move(located.urls);
        out.notes = std::move(located.notes);
    }
    if (read_sdists) {
        resolve_sdist_build_systems(lock, plan, fetcher, out);
    }
    return out;
}

} // namespace lock2nix
