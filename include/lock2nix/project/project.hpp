#pragma once
// A project's inputs: its lock and, when there is one, its pyproject — from text (no file system)
// or from files.

#include "lock2nix/project/lockfile.hpp"
#include "lock2nix/project/pyproject.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace lock2nix {

/// A project's lock and pyproject.
struct Project {
    std::string lock_text; ///< the lock as read (its digest goes into the Nix header)
    Lock lock;
    std::optional<Pyproject> pyproject;
    std::string pyproject_path;     ///< the pyproject read; empty when there is none
    std::filesystem::path lock_dir; ///< absolute; empty for a project made from text
    /// The `.python-version` beside the pyproject (or the lock), as read; the Python it names is
    /// the default target when the lock allows it.
    std::optional<std::string> python_version_file;

    const Pyproject* pyproject_or_null() const { return pyproject ? &*pyproject : nullptr; }
};

/// A project from text. `lock_name` and `pyproject_name` are used in messages only. Throws Error
/// with positions for anything malformed.
Project parse_project(std::string lock_text, const std::optional<std::string>& pyproject_text,
                      const std::string& lock_name = "poetry.lock",
                      const std::string& pyproject_name = "pyproject.toml");

/// Reads `lock_path` and `pyproject_path`, or, when that is empty, the pyproject.toml beside the
/// lock if there is one; and a `.python-version` beside the pyproject. Throws Error.
Project load_project(const std::string& lock_path, const std::string& pyproject_path = {});

} // namespace lock2nix
