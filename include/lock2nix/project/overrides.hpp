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
#include <span>
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

/// A patch file of an entry, located and read when the entry was read: planning reads no file.
struct PatchFile {
    std::string name;         ///< file name, for the store path's name
    std::string project_path; ///< relative to the project directory (pyproject entries), else ""
    std::string content;      ///< the text, for patches embedded in the emitted file

    bool operator==(const PatchFile&) const = default;
};

/// A setting's value: a flag, a string (shell snippet), a list of names, a table of strings, a
/// list of references to other packages' directories, or patch files.
using OverrideValue =
    std::variant<bool, std::string, std::vector<std::string>, std::map<std::string, std::string>,
                 std::vector<PackagePath>, std::vector<PatchFile>>;

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
    std::map<std::string, OverrideValue, std::less<>> settings; ///< keyed by the schema's names
    OverrideLayer layer = OverrideLayer::defaults;
    std::string file;
    SourcePosition position;

    /// "overrides/seed.toml:12:1"
    std::string where() const;
};

/// Where an effective setting comes from.
struct SettingOrigin {
    OverrideLayer layer = OverrideLayer::defaults;
    std::string where; ///< the entry's "file:line:column"

    /// "defaults overrides/seed.toml:3:1"
    std::string describe() const;
};

/// The effective settings for one package version, keyed by the schema's key names, with the
/// origin of each key. BuildRecipe::from gives the typed view.
struct Recipe {
    std::map<std::string, OverrideValue, std::less<>> settings;
    std::map<std::string, SettingOrigin, std::less<>> origins;

    bool empty() const { return settings.empty(); }
};

/// A resolved Recipe as the planner and the renderer use it: one field per setting of the schema
/// (override_schema()), so no consumer looks settings up by string.
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
    bool rust = false; ///< the sdist builds Rust: read it even when not chosen (cargo_lock.hpp)

    /// Every locked package the recipe refers to (search paths and `@package:…@`), with whether
    /// the reference may be dropped when the package is absent.
    std::vector<PackagePath> references() const;

    /// The typed view of `recipe`, filled through the schema. Reads no file.
    static BuildRecipe from(const Recipe& recipe);

    bool operator==(const BuildRecipe&) const = default;
};

/// How a key of an entry is read and combined.
enum class OverrideKeyKind {
    versions,      ///< a PEP 440 specifier set: which versions the entry applies to
    dist,          ///< "wheel" or "sdist": which artifact the entry is limited to
    why,           ///< the reason for the entry: documentation, never a setting
    flag,          ///< true or false
    string,        ///< one string
    list,          ///< an array of strings; entries of one layer append
    table,         ///< a table of strings; entries of one layer merge
    package_paths, ///< an array of { package, subdir, optional } tables
    patches,       ///< an array of patch file names, located and read when the entry is read
};

/// What every string of a key (the string, each item, each table value) must be.
enum class OverrideItemRule {
    any,
    attribute_path,        ///< a nixpkgs attribute path: Nix identifiers joined by dots
    python_name,           ///< a Python package name, kept as written
    canonical_python_name, ///< a Python package name, kept in its canonical form
    relative_path,         ///< a relative path without `..`
    interpolated,          ///< text that may hold @pkgs.…@, @python.…@, @package:…@
};

/// The BuildRecipe member a setting fills (monostate for versions, dist and why).
using RecipeField =
    std::variant<std::monostate, bool BuildRecipe::*, std::optional<bool> BuildRecipe::*,
                 std::string BuildRecipe::*, std::vector<std::string> BuildRecipe::*,
                 std::map<std::string, std::string> BuildRecipe::*,
                 std::vector<PackagePath> BuildRecipe::*, std::vector<PatchFile> BuildRecipe::*>;

/// One key of the override schema: the single declaration the reader, the recipe, references,
/// `overrides show` and the documented key table are driven by.
struct OverrideKey {
    std::string_view name;
    OverrideKeyKind kind;
    OverrideItemRule rule = OverrideItemRule::any;
    /// It decides the artifact or the graph before either is known, so an entry limited by
    /// `dist` cannot set it.
    bool decides_artifact = false;
    RecipeField field;
    std::string_view type_doc;   ///< the value's type, for the key table
    std::string_view effect_doc; ///< what it does to the derivation, for the key table
};

/// Every key an entry may hold, in the documented order.
std::span<const OverrideKey> override_schema();

/// The key called `name`, or nullptr.
const OverrideKey* find_override_key(std::string_view name);

/// The documented key table (Markdown), generated from the schema; overrides/README.md and
/// docs/overrides.md carry it between `<!-- override-keys:begin -->` and `-end -->` lines.
std::string override_keys_markdown();

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

    /// Every canonical name with an entry in any layer, sorted.
    std::vector<std::string> package_names() const;

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

} // namespace lock2nix
