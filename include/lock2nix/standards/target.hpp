#pragma once
// What lock2nix translates for: a Nix system and a Python version, with the libc or macOS
// version that decide which wheels run there, and the PEP 508 environment that follows.

#include "lock2nix/standards/nixpkgs.hpp"
#include "lock2nix/standards/pep508.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace lock2nix {

/// A translation target.
struct Target {
    // Capitalised: `linux` is a predefined macro in GNU C++ mode (-std=gnu++20, the default).
    enum class Os { Linux, Darwin };
    enum class Libc { glibc, musl, none };

    std::string system =
        "x86_64-linux"; ///< Nix system: x86_64-linux, aarch64-linux, x86_64-darwin, aarch64-darwin
    std::string cpu = "x86_64"; ///< Nix CPU name: x86_64, aarch64
    Os os = Os::Linux;
    Libc libc = Libc::glibc;
    int libc_major = 2;
    int libc_minor = 40;
    int macos_major = 14;
    int macos_minor = 0;
    std::string implementation = "cp"; ///< Python implementation tag: "cp" (CPython)
    int python_major = 3;
    int python_minor = 11;
    int python_micro = 0; ///< patch level for python_full_version

    /// Builds a target from a Nix system ("aarch64-darwin") and a Python version ("3.12" or
    /// "3.12.4") as `release` has them: its patch level for "3.X", its glibc and macOS versions.
    /// Throws Error for systems and versions lock2nix does not know.
    static Target make(std::string_view system, std::string_view python,
                       const NixpkgsRelease& release = default_nixpkgs_release());

    /// Sets the platform version from "X.Y": glibc on Linux (or musl with `musl`), macOS on
    /// Darwin. Throws Error on a malformed version or a libc on the wrong OS.
    void set_platform_version(std::string_view kind, std::string_view version);

    /// "3.11"
    std::string python_version() const;
    /// "3.11.13"
    std::string python_full_version() const;
    /// The nixpkgs attribute of the interpreter: "python311".
    std::string nix_python_attribute() const;
    /// The machine name Python reports: "x86_64", "aarch64" on Linux, "arm64" on macOS.
    std::string platform_machine() const;
    /// "x86_64-linux/cpython3.11" — for messages and file headers.
    std::string describe() const;

    /// The PEP 508 marker environment of this target. platform_release and platform_version
    /// are left out: they describe the build machine's kernel, which Nix does not fix.
    pep508::Environment marker_environment() const;

    friend bool operator==(const Target&, const Target&) = default;
};

/// The Nix systems lock2nix knows.
const std::vector<std::string>& known_systems();

} // namespace lock2nix
