#pragma once
// The nixpkgs releases lock2nix targets, read from nixpkgs/releases.toml (compiled in): which
// CPython interpreters each offers and at which patch level, its glibc, and the macOS version its
// darwin builds assume. Each fact in that file names the nixpkgs file and commit it comes from.

#include <string>
#include <string_view>
#include <vector>

namespace lock2nix {

/// One CPython interpreter of a release.
struct NixpkgsPython {
    std::string version;   ///< "3.12"
    std::string full;      ///< "3.12.11": python_full_version in markers
    std::string attribute; ///< "python312"
    int minor = 0;         ///< 12
    int patch = 0;         ///< 11
};

/// A nixpkgs release as the emitted file relies on it.
struct NixpkgsRelease {
    std::string name;                   ///< "25.11", "unstable"
    std::string description;            ///< one line: its branch and how current the facts are
    std::vector<NixpkgsPython> pythons; ///< newest first
    int glibc_major = 2;
    int glibc_minor = 40;
    int macos_major = 14; ///< the macOS version wheels are matched against on darwin
    int macos_minor = 0;

    /// The interpreter "3.X" (patch level ignored), or null when the release has none.
    const NixpkgsPython* python(std::string_view version) const;
    /// "3.10, 3.11, 3.12, 3.13" (oldest first), for messages.
    std::string python_list() const;
};

/// "3.10, 3.11, 3.12" for interpreters listed newest first, for messages.
std::string python_versions_text(const std::vector<NixpkgsPython>& pythons);

/// Every release lock2nix knows, oldest first.
const std::vector<NixpkgsRelease>& nixpkgs_releases();

/// The release targeted when none is named: the current stable release.
const NixpkgsRelease& default_nixpkgs_release();

/// The release called `name` ("25.11", "unstable"); "" gives the default. Throws Error naming
/// the known releases for any other.
const NixpkgsRelease& nixpkgs_release(std::string_view name);

} // namespace lock2nix
