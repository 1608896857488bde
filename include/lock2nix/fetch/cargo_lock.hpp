#pragma once
// Rust sdists (maturin, setuptools-rust) and the Cargo.lock they build with, as nixpkgs'
// rustPlatform.importCargoLock (pkgs/build-support/rust/import-cargo-lock.nix) reads it: crates.io
// crates are fetched by the checksum the lock records, git crates by a fetchgit hash given in
// `outputHashes`, the workspace's own crates (no `source`) are not fetched. lock2nix reads the
// lock at translation and refuses here, naming the crate, what importCargoLock could not fetch,
// so that the emitted call evaluates and builds with no hash for the user to compute.

#include "lock2nix/error.hpp"
#include "lock2nix/project/pyproject.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace lock2nix {

/// The one registry importCargoLock knows without `extraRegistries`: crates.io, which Cargo.lock
/// names this way whatever protocol cargo used to reach it.
inline constexpr std::string_view crates_io_source =
    "registry+https://github.com/rust-lang/crates.io-index";

/// The Rust build backend of a Python source, from its [build-system].
enum class RustBackend {
    none,
    maturin,         ///< nixpkgs builds it with rustPlatform.maturinBuildHook
    setuptools_rust, ///< pypaBuildHook runs setuptools, which runs cargo
};

/// maturin when the backend is `maturin` or a requirement names it, else setuptools-rust when a
/// requirement names it, else none.
RustBackend rust_backend(const BuildSystem& build_system);

/// "maturin" / "setuptools-rust".
std::string_view rust_backend_name(RustBackend backend);

enum class CrateOrigin {
    workspace, ///< no `source`: built from the sdist itself
    crates_io, ///< fetched from crates.io by its checksum
    git,       ///< fetched with fetchgit at `git_rev`
};

/// One `[[package]]` of a Cargo.lock.
struct CargoCrate {
    std::string name;
    std::string version;
    std::string source; ///< as written; empty for the workspace's crates
    CrateOrigin origin = CrateOrigin::workspace;
    std::string checksum; ///< crates.io: the sha256 (hex) the crate is fetched by
    std::string git_url;  ///< git: the repository, as importCargoLock hands it to fetchgit
    std::string git_rev;  ///< git: the full commit
    SourcePosition position;
};

struct CargoLock {
    std::vector<CargoCrate> crates;
};

/// Reads Cargo.lock text (every lock version: `checksum` per package, or the `[metadata]`
/// checksums of version 1). `file` names it in errors. Throws Error, at the crate's position and
/// naming it, for what importCargoLock cannot vendor: a crate from another registry, a crates.io
/// crate without a checksum, a git source it cannot parse, one `name-version` at two commits; and
/// for bad TOML or a `[[package]]` without `name` and `version`.
CargoLock parse_cargo_lock(std::string_view text, const std::string& file);

} // namespace lock2nix
