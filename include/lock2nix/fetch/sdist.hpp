#pragma once
// What an sdist says about how it builds: the `[build-system]` of the pyproject.toml at the root
// of its archive (or, with only setup.py / setup.cfg, PEP 517's fallback: setuptools). Read from
// the archive with libarchive, without extracting anything; hostile archives (names escaping the
// root, several roots, oversized or non-regular pyproject.toml, not an archive at all) are
// refused with an Error naming the file.
//
// A Rust sdist (cargo_lock.hpp) is read for the Cargo.lock its backend builds with as well, so
// that its crates can be vendored from the lock alone. Which one, kept simple (cargo's own rule
// from the manifest the backend builds, and nixpkgs' `cargoRoot` for where it sits):
//   - maturin: the manifest is `[tool.maturin] manifest-path` (else the top-level Cargo.toml); the
//     lock is the first Cargo.lock in the manifest's directory or above it, up to the top (a
//     workspace keeps its lock at its root, above its members);
//   - setuptools-rust: the manifest is the `path` of the first `[tool.setuptools-rust]`
//     ext-module or bin (default Cargo.toml), with the same rule; a project configured in
//     setup.py declares nothing there, so the Cargo.lock nearest the top is taken (the first by
//     name among the shallowest).

#include "lock2nix/fetch/cargo_lock.hpp"
#include "lock2nix/project/pyproject.hpp"

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace lock2nix {

/// The largest pyproject.toml lock2nix reads from an sdist (real ones are a few KiB).
inline constexpr std::size_t max_sdist_pyproject_size = std::size_t{1024} * 1024;

/// The largest Cargo.lock lock2nix reads from an sdist (a big workspace's is a few hundred KiB).
inline constexpr std::size_t max_sdist_cargo_lock_size = std::size_t{8} * 1024 * 1024;

/// The Cargo.lock a Rust sdist builds with.
struct SdistCargoLock {
    /// Its directory relative to the sdist's source root, "" at the top: nixpkgs' `cargoRoot`,
    /// where cargoSetupHook compares it with the vendored copy.
    std::string directory;
    std::string text; ///< byte for byte: the vendored copy must be identical
};

/// What lock2nix reads from an sdist.
struct SdistFacts {
    BuildSystem build_system;
    RustBackend rust = RustBackend::none; ///< rust_backend(build_system)
    /// For a Rust backend, its Cargo.lock; nullopt when the sdist has none where it was sought.
    std::optional<SdistCargoLock> cargo_lock;
    /// For a Rust backend: where the Cargo.lock was sought ("Cargo.lock", "rust/Cargo.lock or
    /// Cargo.lock"), for the message when there is none.
    std::string cargo_lock_sought;
};

/// Everything lock2nix reads from an sdist: its build system and, for a Rust backend, the
/// Cargo.lock it builds with. Throws Error as read_sdist_build_system does, and for a Cargo.lock
/// that is not a regular file or is larger than max_sdist_cargo_lock_size.
SdistFacts read_sdist(const std::filesystem::path& archive, const std::string& display_name);

/// The same for an archive held in memory.
SdistFacts read_sdist_from_memory(std::string_view bytes, const std::string& display_name);

/// Reads the build system an sdist declares: its root pyproject.toml's `[build-system]`
/// (`present` set), or `present` unset when it has none (no pyproject.toml, or one without that
/// table: setuptools, as pip and pypa/build assume). `display_name` names the file in errors.
/// Understands .tar.gz, .tar.bz2, .tar.xz, .tar and .zip. Throws Error.
BuildSystem read_sdist_build_system(const std::filesystem::path& archive,
                                    const std::string& display_name);

/// The same for an archive held in memory.
BuildSystem read_sdist_build_system_from_memory(std::string_view bytes,
                                                const std::string& display_name);

/// The `[build-system]` table of a pyproject.toml's text (`present` unset without one). `file`
/// names it in errors. Throws Error for bad TOML or wrong types.
BuildSystem parse_build_system(std::string_view pyproject_text, const std::string& file);

} // namespace lock2nix
