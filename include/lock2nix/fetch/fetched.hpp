#pragma once
// What a SourceFetcher brings back from outside the lock: exact download URLs asked of the
// package index, and the fetchgit facts of git checkouts. Plain values, so the core (which
// renders them) does not depend on how they were fetched (fetch/locate.hpp, fetch/git.hpp).

#include <map>
#include <string>
#include <vector>

namespace lock2nix {

/// What fetchgit needs besides url and rev.
struct GitSource {
    std::string url;
    std::string rev;
    std::string hash;        ///< SRI, e.g. "sha256-..."
    bool submodules = false; ///< the checkout has submodules (fetched and hashed with them)
    std::vector<std::string> build_requires; ///< [build-system].requires of the checkout
};

/// What the index said.
struct Located {
    std::map<std::string, std::string> urls; ///< file name → exact URL
    std::vector<std::string> notes;          ///< e.g. which digests came from the index
};

} // namespace lock2nix
