#pragma once
// Hashes of git sources, computed the way nixpkgs' fetchgit stores them: the checkout at the
// locked commit, without `.git`, serialised as a NAR and hashed with SHA-256. Results are cached
// per repository and commit, so each is computed once.

#include "lock2nix/fetch/fetched.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lock2nix {

/// Computes (or takes from the cache) the fetchgit hash of `url` at `rev`. Throws Error naming the
/// repository when git is missing, the network is unreachable or the commit does not exist.
/// `subdirectory` is only used to find the package's pyproject.toml.
GitSource hash_git_source(const std::string& url, const std::string& rev,
                          const std::string& subdirectory = {});

/// The cached fetchgit facts of `url` at `rev`, without touching the network (for --offline);
/// nullopt when that commit was never hashed here.
std::optional<GitSource> cached_git_source(const std::string& url, const std::string& rev);

/// The file that caches `url` at `rev` (whether or not it exists), for messages.
std::filesystem::path git_cache_file(const std::string& url, const std::string& rev);

/// Where the cache lives: $XDG_CACHE_HOME/lock2nix (else ~/.cache/lock2nix).
std::filesystem::path cache_directory();

} // namespace lock2nix
