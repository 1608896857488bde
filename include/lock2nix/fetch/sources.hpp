#pragma once
// Resolving sources: the facts the Nix file needs that the lock does not hold and that must be
// fetched or read — exact download URLs from the package index, digests the lock lacks, fetchgit
// hashes of git checkouts, the build backends path dependencies and sdists declare. All of it goes
// through a SourceFetcher, so the renderer stays a pure function and tests can fake the outside
// world.

#include "lock2nix/fetch/fetched.hpp"
#include "lock2nix/project/lockfile.hpp"
#include "lock2nix/project/pyproject.hpp"
#include "lock2nix/resolve/plan.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lock2nix {

/// How git sources are fetched by the emitted file.
enum class GitMode {
    pure,   ///< fetchgit with a hash lock2nix computed (cloning once, cached)
    impure, ///< builtins.fetchGit { url; rev; } — no hash, needs network at evaluation
};

/// What the outside world answers. Each call may fail with Error.
class SourceFetcher {
public:
    virtual ~SourceFetcher() = default;
    /// Exact URLs of the packages' files; packages without usable digests get the index's
    /// (written into `lock`, with a note). Empty: the predictable URLs will be used.
    virtual Located locate(Lock& lock, const Pyproject* pyproject,
                           const std::vector<std::size_t>& packages) = 0;
    /// The fetchgit facts of a commit.
    virtual GitSource git(const std::string& url, const std::string& rev,
                          const std::string& subdirectory) = 0;
    /// The text of a file of the project (relative to the lock's directory), or nullopt when
    /// there is no such file.
    virtual std::optional<std::string> project_file(const std::string& relative_path) = 0;
    /// The build system the sdist `file` declares (sdist.hpp), read from the very file the lock
    /// pins: downloaded from the first of `urls` that answers and checked against the lock's
    /// digest before it is opened. nullopt when it cannot be known here (no network and no
    /// earlier answer): the caller guesses and says so. Throws Error on a digest mismatch, a
    /// failed download or an archive that cannot be read, naming the file.
    virtual std::optional<BuildSystem> sdist_build_system(const FileEntry& file,
                                                          const std::vector<std::string>& urls) = 0;
};

/// A fetcher that never leaves the process: no index (predictable URLs), project files from
/// `project_files` (path relative to the lock → text), sdists' build systems from
/// `sdist_build_systems` (file name → declared; others unknown), and git sources refused with a
/// hint.
class OfflineFetcher : public SourceFetcher {
public:
    std::map<std::string, std::string> project_files;
    std::map<std::string, BuildSystem> sdist_build_systems;

    Located locate(Lock& lock, const Pyproject* pyproject,
                   const std::vector<std::size_t>& packages) override;
    GitSource git(const std::string& url, const std::string& rev,
                  const std::string& subdirectory) override;
    std::optional<std::string> project_file(const std::string& relative_path) override;
    std::optional<BuildSystem> sdist_build_system(const FileEntry& file,
                                                  const std::vector<std::string>& urls) override;
};

/// The fetched facts the renderer needs.
struct ResolvedSources {
    std::map<std::string, std::string> urls; ///< file name → exact URL (else the predicted ones)
    std::map<std::size_t, GitSource> git;    ///< git package → fetchgit facts (pure mode)
    /// Path dependency → its own pyproject.toml (build backend, package layout, scripts).
    std::map<std::size_t, Pyproject> local_pyprojects;
    /// Sdist (or sdist url) file name → the build system it declares, for the sdists the override
    /// database has no `build-systems` for. A file missing here (offline, nothing cached) gets
    /// lock2nix's guess, and a note says so.
    std::map<std::string, BuildSystem> sdist_build_systems;
    std::vector<std::string>
        notes; ///< remarks for the user (may mention settings: render_settings)
};

/// Gives digests to the packages whose lock entry has none (asking `fetcher`), before planning:
/// the choice of file depends on them. Returns the notes that say which.
std::vector<std::string> complete_digests(Lock& lock, const Pyproject* pyproject,
                                          SourceFetcher& fetcher);

/// Resolves what every planned package of every target needs, asking `fetcher` once per package
/// (once per file for sdists). `read_sdists`: ask what the sdists built from source declare (the
/// renderer needs it; `verify`, which downloads every file anyway, does not). Notes say which
/// sdists' backends are guesses and which declared versions nixpkgs is not asked to meet.
ResolvedSources resolve_sources(Lock& lock, const Pyproject* pyproject, const EnvironmentPlan& plan,
                                SourceFetcher& fetcher, GitMode git_mode, bool read_sdists = true);

} // namespace lock2nix
