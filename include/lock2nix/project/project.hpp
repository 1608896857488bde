#pragma once
// A project's inputs: its lock and, when there is one, its pyproject — from text (no file system)
// or from files.

#include "lock2nix/project/lockfile.hpp"
#include "lock2nix/project/pylock.hpp"
#include "lock2nix/project/pyproject.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace lock2nix {

/// A project's lock and pyproject.
struct Project {
    std::string lock_text; ///< the lock as read (its digest goes into the Nix header)
    /// A poetry.lock's model; for a pylock, its entries as the planner reads them once the
    /// targets are known (pylock_as_lock), until then only its Python range.
    Lock lock;
    /// The PEP 751 lock, when the lock file is one. Its pyproject is not read as the root project
    /// (the pylock lists the project itself when it installs it); `pyproject_path` still names it
    /// for its [tool.lock2nix] table.
    std::optional<Pylock> pylock;
    std::optional<Pyproject> pyproject;
    std::string pyproject_path;     ///< the pyproject read; empty when there is none
    std::filesystem::path lock_dir; ///< absolute; empty for a project made from text
    /// The `.python-version` beside the pyproject (or the lock), as read; the Python it names is
    /// the default target when the lock allows it.
    std::optional<std::string> python_version_file;

    const Pyproject* pyproject_or_null() const { return pyproject ? &*pyproject : nullptr; }
};

/// A Lock with no package that carries a pylock's identity and its requires-python as the
/// lock's Python range: what the steps before selection need (which interpreters a file may be
/// for). pylock_as_lock (resolve/) makes the Lock with the entries.
Lock pylock_metadata_as_lock(const Pylock& pylock);

/// A project from text. `lock_name` and `pyproject_name` are used in messages only (and
/// `lock_name` with the text to tell a pylock from a poetry.lock). Throws Error with positions for
/// anything malformed.
Project parse_project(std::string lock_text, const std::optional<std::string>& pyproject_text,
                      const std::string& lock_name = "poetry.lock",
                      const std::string& pyproject_name = "pyproject.toml");

/// Reads `lock_path` (a poetry.lock or a pylock, told apart by detect_lock_format) and
/// `pyproject_path`, or, when that is empty, the pyproject.toml beside the lock if there is one;
/// and a `.python-version` beside the pyproject. Throws Error.
Project load_project(const std::string& lock_path, const std::string& pyproject_path = {});

} // namespace lock2nix
