#pragma once
// The emitter: plans for one or more targets turned into one plain Nix file that builds the
// locked environment with nixpkgs' Python builders. Everything is decided here; the file only
// selects the target it is evaluated for and refuses any other.

#include "lock2nix/artifacts.hpp"
#include "lock2nix/git.hpp"
#include "lock2nix/lockfile.hpp"
#include "lock2nix/overrides.hpp"
#include "lock2nix/pyproject.hpp"
#include "lock2nix/select.hpp"
#include "lock2nix/target.hpp"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace lock2nix {

/// How git sources are fetched by the emitted file.
enum class GitMode {
    pure,   ///< fetchgit with a hash lock2nix computed (cloning once, cached)
    impure, ///< builtins.fetchGit { url; rev; } — no hash, needs network at evaluation
};

/// Everything the emitter needs besides the lock and pyproject.
struct EmitOptions {
    std::vector<Target> targets; ///< at least one
    InstallRequest request;      ///< the default environment
    ArtifactPolicy policy;
    GitMode git_mode = GitMode::pure;
    /// Computes fetchgit hashes; defaults to hash_git_source.
    std::function<GitSource(const std::string& url, const std::string& rev,
                            const std::string& subdirectory)>
        git_hasher;
    /// Exact download URLs by file name, from the package index (when known).
    std::map<std::string, std::string> exact_urls;
    /// Asks the index for the exact URLs of these packages' files (called once per target with
    /// the packages it installs); null = predictable URLs only.
    std::function<std::map<std::string, std::string>(const std::vector<std::size_t>&)> locate;
    /// The project directory relative to the emitted file ("." when they sit together).
    std::string project_dir = ".";
    /// The lock's directory on disk, to read the pyprojects of path dependencies.
    std::string lock_dir = ".";
    /// The command line that regenerates the file, for its header.
    std::string command;
    /// The override database (defaults, project, --overrides); null = none.
    const OverrideDatabase* overrides = nullptr;
    /// sha256 of the lock file's bytes, recorded in the header so `lock2nix check --nix` can tell
    /// when the Nix file is stale against the lock.
    std::string lock_digest;
    /// The lock file's name as the user gave it, for messages in the file.
    std::string lock_name = "poetry.lock";
};

/// Emits the Nix file. Throws Error when a package of the default environment has no usable
/// file, a digest is malformed, or a git hash cannot be computed.
std::string emit_nix(const Lock& lock, const Pyproject* pyproject, const EmitOptions& options);

} // namespace lock2nix
