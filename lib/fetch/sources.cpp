#include "lock2nix/fetch/sources.hpp"

#include "lock2nix/fetch/urls.hpp"
#include "lock2nix/files.hpp"
#include "lock2nix/hash.hpp"
#include "lock2nix/standards/names.hpp"
#include "lock2nix/standards/pep508.hpp"
#include "lock2nix/standards/tags.hpp"
#include "project/toml_reader.hpp"

#include <set>
#include <tuple>

namespace lock2nix {

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
                !planned.recipe->build_systems.empty()) {
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
    std::vector<std::size_t> to_locate;
    for (const TargetPlan& t : plan.targets) {
        for (const PlannedPackage& planned : t.packages) {
            if (!planned.artifact || !seen.insert(planned.package).second) {
                continue;
            }
            const Package& p = lock.packages[planned.package];
            switch (planned.artifact->kind) {
            case ArtifactKind::wheel:
            case ArtifactKind::sdist:
                to_locate.push_back(planned.package);
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
    if (!to_locate.empty()) {
        Located located = fetcher.locate(lock, pyproject, to_locate);
        out.urls = std::move(located.urls);
        out.notes = std::move(located.notes);
    }
    if (read_sdists) {
        resolve_sdist_build_systems(lock, plan, fetcher, out);
    }
    return out;
}

} // namespace lock2nix
