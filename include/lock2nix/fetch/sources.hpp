#pragma once
// Resolving sources: the facts the Nix file needs that the lock does not hold and that must be
// fetched or read — exact download URLs from the package index, digests the lock lacks, fetchgit
// hashes of git checkouts, the build backends path dependencies and sdists declare. All of it goes
// through a SourceFetcher, so the renderer stays a pure function and tests can fake the outside
// world.

#include "lock2nix/fetch/cargo_lock.hpp"
#include "lock2nix/fetch/fetched.hpp"
#include "lock2nix/fetch/sdist.hpp"
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
    /// What the sdist `file` declares (sdist.hpp: its build system and, for a Rust backend, its
    /// Cargo.lock), read from the very file the lock pins: downloaded from the first of `urls`
    /// that answers and checked against the lock's digest before it is opened. nullopt when it
    /// cannot be known here (no network and no earlier answer): the caller guesses and says so.
    /// Throws DigestMismatch when the download is not the file the lock pins, and Error on a
    /// failed download or an archive that cannot be read, naming the file.
    virtual std::optional<SdistFacts> sdist_facts(const FileEntry& file,
                                                  const std::vector<std::string>& urls) = 0;
};

/// What sdist_facts throws when a download is not the file the lock pins. A fetcher does not know
/// which format the lock is, so its hint says only to lock again; the translation, which does,
/// names the way to (`poetry lock`, or the tool that wrote a pylock.toml).
class DigestMismatch : public Error {
public:
    using Error::Error;
};

/// A fetcher that never leaves the process: no index (predictable URLs), project files from
/// `project_files` (path relative to the lock → text), sdists from `sdists` (file name → what it
/// holds) or, for their build system alone, `sdist_build_systems` (others unknown), git sources
/// from `git_sources` ("url rev" → fetchgit facts; others refused with a hint).
class OfflineFetcher : public SourceFetcher {
public:
    std::map<std::string, std::string> project_files;
    std::map<std::string, BuildSystem> sdist_build_systems;
    std::map<std::string, SdistFacts> sdists;
    std::map<std::string, GitSource> git_sources;

    Located locate(Lock& lock, const Pyproject* pyproject,
                   const std::vector<std::size_t>& packages) override;
    GitSource git(const std::string& url, const std::string& rev,
                  const std::string& subdirectory) override;
    std::optional<std::string> project_file(const std::string& relative_path) override;
    std::optional<SdistFacts> sdist_facts(const FileEntry& file,
                                          const std::vector<std::string>& urls) override;
};

/// A fetcher that knows the files' URLs beforehand (a pylock gives each file's): `locate`
/// answers from them without asking an index; every other question goes to `inner`.
class KnownUrlsFetcher : public SourceFetcher {
public:
    KnownUrlsFetcher(SourceFetcher& inner, std::map<std::string, std::string> urls)
        : inner_(inner), urls_(std::move(urls)) {}

    Located locate(Lock& lock, const Pyproject* pyproject,
                   const std::vector<std::size_t>& packages) override;
    GitSource git(const std::string& url, const std::string& rev,
                  const std::string& subdirectory) override {
        return inner_.git(url, rev, subdirectory);
    }
    std::optional<std::string> project_file(const std::string& relative_path) override {
        return inner_.project_file(relative_path);
    }
    std::optional<SdistFacts> sdist_facts(const FileEntry& file,
                                          const std::vector<std::string>& urls) override {
        return inner_.sdist_facts(file, urls);
    }

private:
    SourceFetcher& inner_;
    std::map<std::string, std::string> urls_; ///< file name → URL
};

/// How a Rust sdist's crates are vendored in its source build: nixpkgs'
/// `rustPlatform.importCargoLock` over its Cargo.lock, with the fetchgit hashes of its git crates.
struct CargoVendoring {
    RustBackend backend = RustBackend::none; ///< none when the sdist could not be read
    std::string directory;                   ///< the Cargo.lock's (cargoRoot), "" at the top
    std::string lock_text;                   ///< the Cargo.lock, byte for byte
    std::map<std::string, std::string> output_hashes; ///< git crate "name-version" → SRI hash
    /// Non-empty: the crates cannot be vendored from the lock, and why (the source build's
    /// `cargoDeps` throws it, and a note says it).
    std::string problem;
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
    /// Sdist file name → how its crates are vendored: the Rust sdists read (a maturin or
    /// setuptools-rust backend), and those the override database marks `rust` that could not be
    /// read. Also the sdists not chosen, for `lock2nix.build "sdist"`.
    std::map<std::string, CargoVendoring> cargo;
    std::vector<std::string>
        notes; ///< remarks for the user (may mention settings: render_settings)
};

/// Gives digests to the packages whose lock entry has none (asking `fetcher`), before planning:
/// the choice of file depends on them. Returns the notes that say which.
std::vector<std::string> complete_digests(Lock& lock, const Pyproject* pyproject,
                                          SourceFetcher& fetcher);

/// Resolves what every planned package of every target needs, asking `fetcher` once per package
/// (once per file for sdists). `read_sdists`: ask what the sdists built from source declare (the
/// renderer needs it; `verify`, which downloads every file anyway, does not): the chosen sdists
/// the override database gives no `build-systems`, and every sdist (chosen or not) of a package
/// it marks `rust`; a Rust sdist's git crates are hashed through `fetcher.git`. Notes say which
/// sdists' backends are guesses, which declared versions nixpkgs is not asked to meet, and which
/// Rust sdists cannot have their crates vendored.
ResolvedSources resolve_sources(Lock& lock, const Pyproject* pyproject, const EnvironmentPlan& plan,
                                SourceFetcher& fetcher, GitMode git_mode, bool read_sdists = true);

} // namespace lock2nix
