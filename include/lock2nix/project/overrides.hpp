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

/// A setting's value: a flag, a string (shell snippet), a list of names, or a table of strings.
using OverrideValue =
    std::variant<bool, std::string, std::vector<std::string>, std::map<std::string, std::string>>;

/// One entry as written: a package, an optional version range, and settings.
struct OverrideEntry {
    std::string package; ///< canonical name
    std::optional<pep440::SpecifierSet> versions;
    std::string versions_text;
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

    /// The typed view of `recipe`.
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
    Recipe resolve(std::string_view name, std::string_view version) const;

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

/// The known keys and what each takes ("flag", "string", "list", "table").
const std::map<std::string, std::string>& override_keys();

} // namespace lock2nix
