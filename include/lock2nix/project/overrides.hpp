#pragma once
// The declarative override database: facts a lock does not carry (build backends, native
// libraries, wheels that need patching), kept as TOML data, matched by package name and PEP 440
// version range, in three layers (lock2nix's defaults, the project's pyproject, --overrides files).
// The keys are documented in overrides/README.md.

#include "lock2nix/error.hpp"
#include "lock2nix/standards/pep440.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace lock2nix {

/// Where an entry comes from; later layers win.
enum class OverrideLayer { defaults, project, user };

std::string_view to_string(OverrideLayer layer);

/// Which built artifact an entry is limited to (`dist`): facts of an sdist build (its native
/// libraries) do not belong to the wheel of the same version, and the reverse.
enum class Dist { wheel, sdist };

std::string_view to_string(Dist dist);

/// A directory inside another locked package's output (`{ package, subdir }`), resolved at
/// translation to `${final.<key>}/${python.sitePackages}/<subdir>`. `optional`: the reference is
/// dropped when the package is not in the target's plan, instead of being an error.
struct PackagePath {
    std::string package; ///< canonical name
    std::string subdir;  ///< relative to the package's site-packages, no `..`
    bool optional = false;

    auto operator<=>(const PackagePath&) const = default;
};

/// A setting's value: a flag, a string (shell snippet), a list of names, a table of strings, or
/// a list of references to other packages' directories.
using OverrideValue = std::variant<bool, std::string, std::vector<std::string>,
                                   std::map<std::string, std::string>, std::vector<PackagePath>>;

/// A piece of a string value: literal text, or one of the store-path interpolations
/// `@pkgs.<attribute path>@`, `@python.<sitePackages|interpreter>@`, `@package:<name>@`.
struct StringPart {
    enum class Kind { text, pkgs, python, package };
    Kind kind = Kind::text;
    std::string value; ///< the text, the attribute path, or the canonical package name
};

/// Splits a string value at its interpolations. Throws Error (no position; the caller adds it)
/// for an `@pkgs.`, `@python.` or `@package:` that is not closed or names nothing valid. Any
/// other `@` is text.
std::vector<StringPart> split_interpolations(std::string_view text);

/// One entry as written: a package, an optional version range, and settings.
struct OverrideEntry {
    std::string package; ///< canonical name
    std::optional<pep440::SpecifierSet> versions;
    std::string versions_text;
    /// `dist`: the entry applies only when that artifact is built; absent = both.
    std::optional<Dist> dist;
    /// The reason the entry exists (`why`): documentation, never part of a Recipe.
    std::string why;
    std::map<std::string, OverrideValue> settings;
    OverrideLayer layer = OverrideLayer::defaults;
    std::string file;
    SourcePosition position;

    /// "overrides/seed.toml:12:1"
    std::string where() const;
};

/// The effective settings for one package version, with the origin of each key.
struct Recipe {
    std::map<std::string, OverrideValue> settings;
    std::map<std::string, std::string> origins; ///< key → "defaults overrides/seed.toml:3:1"

    bool empty() const { return settings.empty(); }
    bool flag(const std::string& key) const;
    std::optional<bool> maybe_flag(const std::string& key) const;
    std::vector<std::string> list(const std::string& key) const;
    std::string text(const std::string& key) const;
    std::map<std::string, std::string> table(const std::string& key) const;
    std::vector<PackagePath> package_paths(const std::string& key) const;
};

/// A patch file of an entry, located when the entry was read (and checked to exist).
struct PatchFile {
    std::string name;         ///< file name, for the store path's name
    std::string project_path; ///< relative to the project directory (pyproject entries), else ""
    std::string content;      ///< the text, for patches embedded in the emitted file
};

/// A resolved Recipe as the planner and the renderer use it: one field per key of
/// overrides/README.md, so no consumer looks settings up by string.
struct BuildRecipe {
    bool disabled = false;
    std::optional<bool> prefer_wheel;
    bool dont_strip = false;
    std::vector<std::string> build_systems;           ///< nixpkgs Python attribute names
    std::vector<std::string> dependencies;            ///< Python package names
    std::vector<std::string> remove_dependencies;     ///< canonical names
    std::vector<std::string> native_build_inputs;     ///< nixpkgs attribute paths
    std::vector<std::string> build_inputs;            ///< nixpkgs attribute paths
    std::vector<std::string> propagated_build_inputs; ///< nixpkgs attribute paths
    std::vector<std::string> auto_patchelf_ignore_missing;
    std::map<std::string, std::string> env;
    std::string post_patch;
    std::string post_install;
    std::string pre_configure;
    std::string pre_build;
    std::string post_fixup;
    std::vector<PatchFile> patches;
    std::vector<std::string> make_wrapper_args;
    std::vector<std::string> remove_files; ///< relative to site-packages
    std::vector<PackagePath> auto_patchelf_search_paths;
    bool dont_use_cmake_configure = false;
    bool dont_use_meson_configure = false;
    std::vector<std::string> pypa_build_flags;

    /// Every locked package the recipe refers to (search paths and `@package:…@`), with whether
    /// the reference may be dropped when the package is absent.
    std::vector<PackagePath> references() const;

    /// The typed view of `recipe`. Reads the patch files it names (embedded for the defaults).
    static BuildRecipe from(const Recipe& recipe);
};

/// The database: entries of every layer, looked up by canonical name.
class OverrideDatabase {
public:
    OverrideDatabase();
    ~OverrideDatabase();
    OverrideDatabase(OverrideDatabase&&) noexcept;
    OverrideDatabase& operator=(OverrideDatabase&&) noexcept;

    /// lock2nix's own database, compiled into the binary (entries parsed on first use).
    static OverrideDatabase with_defaults();

    /// Adds the entries of an override file (`[[name]]` tables). Throws Error with file:line:column
    /// for unknown keys, wrong types, bad version ranges or bad attribute paths.
    void add_file(std::string_view text, const std::string& path, OverrideLayer layer);
    /// Reads and adds a file.
    void add_path(const std::string& path, OverrideLayer layer);
    /// Adds a pyproject's [tool.lock2nix.overrides] table, if it has one.
    void add_pyproject(const std::string& path);

    /// The combined settings for `name` at `version`. Entries of one layer combine in file order
    /// (lists append; a flag or string set to two different values is an error naming both);
    /// a key set in a later layer replaces the earlier layers' value.
    /// `dist`: which artifact is built; entries limited to the other one are skipped, and with
    /// no dist only entries without `dist` apply (what decides the artifact cannot depend on it).
    Recipe resolve(std::string_view name, std::string_view version,
                   std::optional<Dist> dist = std::nullopt) const;

    /// Every entry for `name`, all layers, in order (for `overrides show`).
    std::vector<OverrideEntry> entries(std::string_view name) const;

    /// Number of packages with a default entry (embedded index).
    std::size_t default_package_count() const;

    /// sha256 (hex) of the compiled-in default database: what a generated file depends on.
    static std::string defaults_digest();
    /// sha256 (hex) of a pyproject's [tool.lock2nix] table as TOML (formatting and comments do
    /// not count), or "none" when it has none. Throws Error for a pyproject that is not TOML.
    static std::string project_table_digest(const std::string& pyproject_path);

private:
    struct State;
    std::unique_ptr<State> state_;
};

/// The known keys and what each takes ("flag", "string", "list", "table", "package-paths").
const std::map<std::string, std::string>& override_keys();

} // namespace lock2nix
