#pragma once
// The facade: poetry.lock (+ pyproject.toml) in, Nix text out. What the CLI's default command and
// library users call.

#include "lock2nix/artifacts.hpp"
#include "lock2nix/emit.hpp"
#include "lock2nix/index.hpp"
#include "lock2nix/lockfile.hpp"
#include "lock2nix/pyproject.hpp"
#include "lock2nix/select.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lock2nix {

/// A project's inputs: its lock and, when there is one, its pyproject.
struct Project {
    std::string lock_text; ///< the lock as read (its digest goes into the Nix header)
    Lock lock;
    std::optional<Pyproject> pyproject;
    std::string pyproject_path;     ///< the pyproject read; empty when there is none
    std::filesystem::path lock_dir; ///< absolute

    const Pyproject* pyproject_or_null() const { return pyproject ? &*pyproject : nullptr; }
};

/// Reads `lock_path` and `pyproject_path`, or, when that is empty, the pyproject.toml beside the
/// lock if there is one. Throws Error.
Project load_project(const std::string& lock_path, const std::string& pyproject_path = {});

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
    std::string index_url; ///< PyPI's base URL; empty: $LOCK2NIX_INDEX_URL or pypi.org
    std::vector<std::string>* notes = nullptr; ///< receives remarks (e.g. digests from the index)
    std::string output_path;                   ///< where the file will live ("" = stdout, cwd)
    std::string command;                       ///< the command line, for the file's header
};

/// The override database for a project: lock2nix's defaults (unless turned off), the
/// pyproject's [tool.lock2nix.overrides] (when `pyproject_path` names one), then `files`.
OverrideDatabase load_overrides(bool defaults, const std::string& pyproject_path,
                                const std::vector<std::string>& files);

/// sha256 (hex) of a lock file's bytes, as the emitted header records it.
std::string lock_file_digest(const std::string& lock_path);

/// The targets `options` asks for (every --system × --python, with the platform versions),
/// defaulting to this machine and default_python(lock).
std::vector<Target> targets_of(const TranslateOptions& options, const Lock& lock);

/// Runs the whole pipeline and returns the Nix file's text. Throws Error on any failure; nothing
/// is written anywhere by this function.
std::string translate(const TranslateOptions& options);

} // namespace lock2nix
