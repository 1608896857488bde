#include "lock2nix/sources.hpp"

#include "toml_reader.hpp"

#include <set>

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

IndexFetcher::IndexFetcher(IndexClient& client, LocateOptions where, std::filesystem::path lock_dir)
    : client_(client), where_(std::move(where)), lock_dir_(std::move(lock_dir)) {}

Located IndexFetcher::locate(Lock& lock, const Pyproject* pyproject,
                             const std::vector<std::size_t>& packages) {
    return locate_files(lock, pyproject, packages, client_, where_);
}

GitSource IndexFetcher::git(const std::string& url, const std::string& rev,
                            const std::string& subdirectory) {
    return hash_git_source(url, rev, subdirectory);
}

std::optional<std::string> IndexFetcher::project_file(const std::string& relative_path) {
    const auto path = lock_dir_ / relative_path;
    if (!std::filesystem::is_regular_file(path)) {
        return std::nullopt;
    }
    return detail::read_file(path.string());
}

std::vector<std::string> complete_digests(Lock& lock, const Pyproject* pyproject,
                                          SourceFetcher& fetcher) {
    const auto incomplete = packages_needing_digests(lock);
    if (incomplete.empty()) {
        return {};
    }
    return fetcher.locate(lock, pyproject, incomplete).notes;
}

ResolvedSources resolve_sources(Lock& lock, const Pyproject* pyproject, const EnvironmentPlan& plan,
                                SourceFetcher& fetcher, GitMode git_mode) {
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
                    out.git.emplace(planned.package,
                                    fetcher.git(p.source->url, rev, p.source->subdirectory));
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
    return out;
}

} // namespace lock2nix
