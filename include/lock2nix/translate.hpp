#pragma once
// The file-based facade: poetry.lock (+ pyproject.toml) on disk in, Nix text out, through the
// package index and git when asked. What the CLI's default command calls; the steps it runs
// (parse, plan, resolve, render) are public on their own (lock2nix/lock2nix.hpp).

#include "lock2nix/artifacts.hpp"
#include "lock2nix/index.hpp"
#include "lock2nix/overrides.hpp"
#include "lock2nix/pipeline.hpp"
#include "lock2nix/plan.hpp"
#include "lock2nix/project.hpp"
#include "lock2nix/select.hpp"
#include "lock2nix/sources.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lock2nix {

/// What to translate and for which targets.
struct TranslateOptions {
    std::string lock_path = "poetry.lock";
    std::string pyproject_path;       ///< empty: the pyproject.toml beside the lock, if any
    std::vector<std::string> systems; ///< empty: this machine's system
    std::vector<std::string> pythons; ///< empty: default_python(lock)
    std::string glibc, musl, macos;   ///< platform versions ("X.Y"), empty for the defaults
    InstallRequest request;
    ArtifactPolicy policy;
    GitMode git_mode = GitMode::pure;
    std::vector<std::string> override_files; ///< --overrides FILE, in order (layer 3)
    bool default_overrides = true;           ///< use lock2nix's own database (layer 1)
    IndexOptions index;                      ///< network behaviour (offline, cache, timeouts, ...)
    std::string index_url;   ///< PyPI's base URL; empty: $LOCK2NIX_INDEX_URL or pypi.org
    std::string output_path; ///< where the file will live ("" = stdout, cwd)
    std::string command;     ///< the command line, for the file's header
};

/// The override database for a project: lock2nix's defaults (unless turned off), the
/// pyproject's [tool.lock2nix.overrides] (when `pyproject_path` names one), then `files`.
OverrideDatabase load_overrides(bool defaults, const std::string& pyproject_path,
                                const std::vector<std::string>& files);

/// sha256 (hex) of a lock file's bytes, as the emitted header records it.
std::string lock_file_digest(const std::string& lock_path);

/// PyPI's base URL: --index-url, else $LOCK2NIX_INDEX_URL, else pypi.org.
std::string pypi_url(const TranslateOptions& options);

/// The targets `options` asks for (every --system × --python, with the platform versions),
/// defaulting to this machine and default_python(lock).
std::vector<Target> targets_of(const TranslateOptions& options, const Lock& lock);

/// Runs the whole pipeline. Throws Error on any failure; nothing is written anywhere.
Translation translate(const TranslateOptions& options);

/// The plan `options` asks for, with digests completed through the index when the lock lacks
/// them: what `plan`, `explain` and `verify` show is what `translate` renders.
EnvironmentPlan plan_for(Project& project, const TranslateOptions& options,
                         const OverrideDatabase& overrides, IndexClient& client);

} // namespace lock2nix
