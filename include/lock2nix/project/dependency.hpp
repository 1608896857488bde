#pragma once
// A dependency as Poetry writes it, in a lock's [package.dependencies] or a pyproject's
// [tool.poetry.dependencies]: a name and one or more constraints (several when the
// requirement differs by environment).

#include "lock2nix/error.hpp"

#include <optional>
#include <string>
#include <vector>

namespace lock2nix {

/// One constraint for a dependency. Strings are kept as written (Poetry or PEP 440 constraint
/// syntax, PEP 508 markers) and parsed by the modules that decide with them.
struct DependencyConstraint {
    std::string version;  ///< version constraint; empty for path/url/git dependencies
    std::string python;   ///< `python` key (older locks, pyprojects): a python_version range
    std::string platform; ///< `platform` key (pyprojects): a sys_platform value
    std::string markers;  ///< PEP 508 marker; empty means "always"
    std::vector<std::string> extras;
    bool optional = false;
    bool allow_prereleases = false;
    std::optional<bool> develop;
    std::string path; ///< directory or file, relative to the declaring file's directory
    std::string file;
    std::string url;
    std::string git;
    std::string branch;
    std::string tag;
    std::string rev;
    std::string subdirectory;
    std::string source; ///< name of a [[tool.poetry.source]] to take it from
    SourcePosition position;

    /// True for path, file, url and git dependencies.
    bool is_direct_reference() const {
        return !path.empty() || !file.empty() || !url.empty() || !git.empty();
    }
};

/// A named dependency with its constraints in the order they were written.
struct Dependency {
    std::string name;           ///< as written (PyYAML, typing_extensions, ...)
    std::string canonical_name; ///< PEP 503 normal form, used for every lookup
    std::vector<DependencyConstraint> constraints;
    SourcePosition position;
};

} // namespace lock2nix
