#pragma once
// Which Python a lock is translated for. The lock and the project bound the range (Poetry refuses
// an interpreter outside it); within the interpreters a nixpkgs release offers, the default is the
// one that installs every selected package and builds the fewest compiled packages from their
// sdists, newest on a tie. Judging a candidate needs its selection (markers name the Python) and
// one look at each selected package's files; no plan, no file read.

#include "lock2nix/project/lockfile.hpp"
#include "lock2nix/project/pyproject.hpp"
#include "lock2nix/resolve/select.hpp"
#include "lock2nix/standards/nixpkgs.hpp"
#include "lock2nix/standards/target.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lock2nix {

/// How one interpreter serves a lock on the target systems.
struct PythonAssessment {
    NixpkgsPython python;
    /// Packages of the default environment with no file usable there ("torch 2.2.1+cpu on
    /// x86_64-linux"), each once.
    std::vector<std::string> unavailable;
    std::optional<std::size_t> first_unavailable; ///< lock index of the first of them
    /// Compiled packages (they publish binary wheels) that no wheel serves, so their sdists are
    /// built: canonical names, each once, sorted.
    std::vector<std::string> source_builds;

    bool installs_everything() const { return unavailable.empty(); }
};

/// The question: the lock's targets without their Python.
struct PythonQuestion {
    std::vector<std::string> systems;        ///< Nix systems, at least one
    const NixpkgsRelease* release = nullptr; ///< null: the default release
    InstallRequest request;                  ///< the default environment
    /// The target for a system and a Python of the release (platform versions applied).
    std::function<Target(const std::string& system, const NixpkgsPython& python)> make_target;
    /// Python "X.Y" → why the lock refuses it on some system (a pylock whose selection fails
    /// there): such an interpreter installs nothing.
    std::map<std::string, std::string> refused;
    /// The text of a `.python-version` beside the project, when there is one.
    std::optional<std::string> python_version_file;
};

/// The answer.
struct PythonChoice {
    NixpkgsPython python;
    /// One line, for the file's header, `plan` and the note on stderr, e.g. "3.11: 3.13 would
    /// build 14 compiled packages from source (numpy, pandas, …)".
    std::string reason;
    /// Said once on stderr: a `.python-version` that could not be honoured, or a choice that
    /// builds compiled packages from source.
    std::vector<std::string> warnings;
};

/// The interpreters of `release` that the lock's `[metadata] python-versions` and the project's
/// range allow, newest first (judged at the patch level the release ships).
std::vector<NixpkgsPython> allowed_pythons(const Lock& lock, const Pyproject* pyproject,
                                           const NixpkgsRelease& release);

/// How `python` serves the lock on every system of `question`.
PythonAssessment assess_python(const Lock& lock, const Pyproject* pyproject,
                               const PythonQuestion& question, const NixpkgsPython& python);

/// The default Python (see the top of this header); a `.python-version` naming an allowed
/// interpreter that installs everything wins. Throws Error naming the ranges when the release
/// offers no interpreter they allow.
PythonChoice choose_python(const Lock& lock, const Pyproject* pyproject,
                           const PythonQuestion& question);

/// For a Python the user named: warnings when it builds compiled packages from source (naming
/// them, and the interpreter that would not), and an Error, before any plan, when it leaves a
/// package without a usable file while another interpreter installs everything (its hint names
/// that one). A Python outside the release is judged only for the packages (nothing to compare).
std::vector<std::string> check_python(const Lock& lock, const Pyproject* pyproject,
                                      const PythonQuestion& question, const Target& target);

/// Refuses a target whose Python the lock's `[metadata] python-versions` or the project's range
/// (`tool.poetry.dependencies.python`, `project.requires-python`) excludes, as Poetry does ("the
/// currently activated Python version … is not supported by the project"): the lock was solved
/// for that range only. plan_environment calls it for every target.
void check_target_python(const Lock& lock, const Pyproject* pyproject, const Target& target,
                         const NixpkgsRelease& release = default_nixpkgs_release());

} // namespace lock2nix
