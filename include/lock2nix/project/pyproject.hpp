#pragma once
// The typed model of a Poetry project's pyproject.toml: [tool.poetry], PEP 621 [project],
// PEP 735 [dependency-groups] and [build-system], plus Poetry's content-hash of it.

#include "lock2nix/error.hpp"
#include "lock2nix/project/content_hash.hpp"
#include "lock2nix/project/dependency.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lock2nix {

/// A dependency group: [tool.poetry.group.<name>] (or the old dev-dependencies, as "dev").
struct DependencyGroup {
    std::string name; ///< canonical
    bool optional = false;
    std::vector<Dependency> dependencies;
    std::vector<std::string> include_groups; ///< canonical names
    SourcePosition position;
};

/// A package index of [[tool.poetry.source]].
struct IndexSource {
    std::string name;
    std::string url; ///< empty for the implicit PyPI entry (`name = "PyPI"`)
    /// "primary", "supplemental", "explicit", or the older "default" and "secondary".
    std::string priority;
    SourcePosition position;
};

/// An entry of [tool.poetry] `packages`.
struct PackageInclude {
    std::string include;
    std::string from;
    std::vector<std::string> formats;
};

/// One PEP 735 [dependency-groups] entry: a requirement string or an include of another group.
struct DependencyGroupItem {
    std::string requirement;   ///< PEP 508 string, or empty
    std::string include_group; ///< canonical group name, or empty
};

/// [tool.poetry].
struct PoetrySection {
    bool present = false;
    std::string name;
    std::string version;
    std::string description;
    std::string python;                   ///< the `python` entry of dependencies
    SourcePosition python_position;       ///< where that entry is
    std::vector<Dependency> dependencies; ///< main group, without `python`
    std::vector<DependencyGroup> groups;  ///< dev-dependencies first as "dev", then groups
    std::map<std::string, std::vector<std::string>> extras; ///< canonical extra → names
    std::vector<IndexSource> sources;
    std::map<std::string, std::string> scripts; ///< name → "module:function"
    /// Scripts of `type = "file"`: name → the file's path in the project, installed as is.
    std::map<std::string, std::string> file_scripts;
    std::vector<PackageInclude> packages;
    std::map<std::string, std::map<std::string, std::string>> plugins;
    bool package_mode = true;
    /// What the build packages besides `packages`: readme files, `include` entries (paths or
    /// globs) and the build script, as written.
    std::vector<std::string> readme;
    std::vector<std::string> include;
    std::string build_script;
};

/// PEP 621 [project].
struct ProjectSection {
    bool present = false;
    std::string name;
    std::string version;
    std::string description;
    std::string requires_python;
    SourcePosition requires_python_position;
    std::vector<std::string> dependencies;                                 ///< PEP 508 strings
    std::map<std::string, std::vector<std::string>> optional_dependencies; ///< canonical extra
    std::map<std::string, std::string> scripts;
    std::map<std::string, std::string> gui_scripts;
    std::vector<std::string> dynamic;
    SourcePosition dependencies_position;
    std::string readme; ///< `readme` (a path, or a table's `file`)
};

/// [build-system].
struct BuildSystem {
    bool present = false;
    std::vector<std::string> requirements; ///< `requires`
    std::string build_backend;
    std::vector<std::string> backend_path;

    /// The requirements that ask for particular versions or a URL (and those that do not parse):
    /// what a build with nixpkgs' own versions does not honour.
    std::vector<std::string> pinned_requirements() const;
};

/// A whole pyproject.toml.
struct Pyproject {
    std::string path;
    PoetrySection poetry;
    ProjectSection project;
    std::map<std::string, std::vector<DependencyGroupItem>> dependency_groups; ///< canonical
    BuildSystem build_system;
    /// The exact JSON text Poetry hashes, per algorithm (see content_hash.hpp).
    ContentHashInputs content_hash_inputs;

    /// Project name from [project] or [tool.poetry]; empty when neither gives one.
    std::string project_name() const;
    std::string project_version() const;
    /// The project's Python constraint: [tool.poetry.dependencies].python, else
    /// [project].requires-python, else "*" (the order Poetry uses for metadata.python-versions).
    std::string python_constraint() const;
    /// Canonical names of every group (main first, then in file order).
    std::vector<std::string> group_names() const;
    /// True when the pyproject describes an installable package (not `package-mode = false`).
    bool describes_package() const;
};

/// The files a project's build backend packages, relative to its folder: the emitted file builds
/// the project from these alone, so an edit elsewhere (a README the metadata does not name, tests,
/// CI files) changes no derivation.
struct PackagedFiles {
    /// The backend is not one lock2nix reads (only poetry-core's rules are known): everything but
    /// version control, caches, virtual environments, build outputs and `result` links.
    bool everything = false;
    std::vector<std::string> paths; ///< files and folders, each taken whole
    /// Globs (`*`, `?`, `[...]`, `**` across folders) over paths relative to the project.
    std::vector<std::string> globs;
};

/// What poetry-core packages for `pyproject` (pyproject.toml, readme, `packages` or the module
/// named after the project, `include`, the build script, license files); `everything` for any
/// other backend.
PackagedFiles packaged_files(const Pyproject& pyproject);

/// Parses pyproject.toml text; `path` is used in messages.
Pyproject parse_pyproject(std::string_view text, std::string path);

/// Reads and parses a pyproject.toml file.
Pyproject read_pyproject(const std::string& path);

/// Only what Poetry's content-hash covers, for a freshness check: the file is parsed as TOML
/// (errors at their position) but not modelled. A lock whose hash matches was written by Poetry
/// from exactly this content, and Poetry refuses to lock what it cannot read, so modelling could
/// only add errors a matching lock rules out, and it took a third of `check`'s time.
ContentHashInputs read_content_hash_inputs(const std::string& path);

} // namespace lock2nix
