#include "lock2nix/project/overrides.hpp"

#include "lock2nix/hash.hpp"
#include "lock2nix/nix/writer.hpp"
#include "lock2nix/standards/names.hpp"
#include "project/overrides_embedded.hpp"
#include "project/toml_reader.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <span>
#include <sstream>

namespace lock2nix {

namespace {

using detail::describe_type;
using detail::position_of;
using detail::TomlReader;

const char* const keys_hint = "see overrides/README.md for the keys and what each takes";

// A nixpkgs attribute path: Nix identifiers joined by dots ("cudaPackages_12_8.cudnn"). A Nix
// keyword is no identifier: `pkgs.rec` or `a.then` would be emitted as code that does not parse.
bool is_attribute_path(std::string_view s) {
    std::size_t start = 0;
    while (start <= s.size()) {
        auto dot = s.find('.', start);
        if (dot == std::string_view::npos) {
            dot = s.size();
        }
        if (!nix::is_identifier(s.substr(start, dot - start))) {
            return false;
        }
        start = dot + 1;
    }
    return true;
}

bool is_python_name(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
    });
}

// A path relative to some directory that stays inside it: no leading '/', no empty, `.` or `..`
// component, no control characters (they would end a shell word or a Nix line).
bool is_relative_path(std::string_view s) {
    if (s.empty() || s.front() == '/') {
        return false;
    }
    if (std::any_of(s.begin(), s.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
        return false;
    }
    std::size_t start = 0;
    while (start <= s.size()) {
        auto slash = s.find('/', start);
        if (slash == std::string_view::npos) {
            slash = s.size();
        }
        const std::string_view part = s.substr(start, slash - start);
        if (part.empty() || part == "." || part == "..") {
            return false;
        }
        start = slash + 1;
    }
    return true;
}

// Keys whose strings may hold store-path interpolations (`@pkgs.zlib@`): the shell snippets, the
// build environment and the wrapper arguments. Names, paths and flags never do.
bool interpolates(const std::string& key) {
    return key == "post-patch" || key == "post-install" || key == "pre-configure" ||
           key == "pre-build" || key == "post-fixup" || key == "env" || key == "make-wrapper-args";
}

// Which keys name nixpkgs attribute paths, and which Python package names.
bool names_attribute_paths(const std::string& key) {
    return key == "native-build-inputs" || key == "build-inputs" ||
           key == "propagated-build-inputs";
}
bool names_python_packages(const std::string& key) {
    return key == "build-systems" || key == "dependencies" || key == "remove-dependencies";
}

OverrideEntry read_entry(const TomlReader& reader, const std::string& package, const toml::table& t,
                         OverrideLayer layer, unsigned line_offset) {
    OverrideEntry e;
    e.package = canonicalize_name(package);
    e.layer = layer;
    e.file = reader.file();
    e.position = position_of(t);
    e.position.line += line_offset;
    auto fail = [&](const toml::node& at, const std::string& msg,
                    const std::string& hint = keys_hint) {
        SourcePosition pos = position_of(at);
        pos.line += line_offset;
        reader.fail_at(pos, msg, hint);
    };
    // A patch is named relative to the file that declares it and must exist now, so a typo is
    // an error here, with a position, not a build failure later. Returns where it is kept: the
    // defaults' key among the embedded patches, a path relative to the project (pyproject
    // entries, emitted as projectDir + "/…"), or the path to read for --overrides files.
    auto locate_patch = [&](const std::string& rel, const auto& bad) -> std::string {
        if (!is_relative_path(rel)) {
            bad("`" + rel + "` is not a relative path",
                "name the patch relative to the file that declares it, without `..`");
        }
        if (layer == OverrideLayer::defaults) {
            if (detail::embedded_patch(rel) == nullptr) {
                bad("no patch `" + excerpt(rel) + "` in the default database",
                    "put it under overrides/patches/ and rebuild lock2nix");
            }
            return rel;
        }
        const std::filesystem::path base = std::filesystem::path(reader.file()).parent_path() / rel;
        std::error_code ec;
        if (!std::filesystem::is_regular_file(base, ec)) {
            bad("patch `" + excerpt(rel) + "` not found (looked for " + excerpt(base.string()) +
                    ")",
                "name the patch relative to the file that declares it");
        }
        return layer == OverrideLayer::project ? rel : base.string();
    };
    for (const auto& [k, value] : t) {
        const std::string key(k.str());
        if (key == "versions") {
            const std::string text = reader.as_string(value, "`versions`");
            try {
                e.versions = pep440::SpecifierSet::parse(text);
            } catch (const SyntaxError& err) {
                fail(value, "bad version range for `" + package + "`: " + err.message(),
                     "write a PEP 440 specifier set such as \">=1.2,<2\"");
            }
            e.versions_text = text;
            continue;
        }
        if (key == "dist") {
            const std::string text = reader.as_string(value, "`dist`");
            if (text == "wheel") {
                e.dist = Dist::wheel;
            } else if (text == "sdist") {
                e.dist = Dist::sdist;
            } else {
                fail(value, "`dist` is \"" + excerpt(text) + "\" for `" + package + "`",
                     "write \"wheel\" or \"sdist\": the artifact the entry is limited to");
            }
            continue;
        }
        if (key == "why") {
            // Documentation of the entry, not a setting: two entries that apply together may
            // give different reasons without contradicting each other.
            if (!value.is_string()) {
                fail(value, "expected a string for `why`, found " + describe_type(value));
            }
            e.why = value.as_string()->get();
            if (e.why.find_first_not_of(" \t\r\n") == std::string::npos) {
                fail(value, "`why` is empty for `" + package + "`",
                     "say in a sentence why the entry exists");
            }
            continue;
        }
        const auto& known = override_keys();
        auto kind = known.find(key);
        if (kind == known.end()) {
            std::string all;
            for (const auto& [name, _] : known) {
                all += (all.empty() ? "" : ", ") + name;
            }
            const auto& begin = k.source().begin;
            reader.fail_at(SourcePosition{begin.line + line_offset, begin.column},
                           "unknown override key `" + excerpt(key) + "` for `" + excerpt(package) +
                               "`",
                           "known keys: versions, " + all);
        }
        auto check_interpolations = [&](const toml::node& at, const std::string& text) {
            if (!interpolates(key)) {
                return;
            }
            try {
                (void)split_interpolations(text);
            } catch (const Error& err) {
                fail(at, err.message() + " in `" + key + "` for `" + package + "`",
                     "write @pkgs.<attribute path>@, @python.sitePackages@, "
                     "@python.interpreter@ or @package:<locked package>@");
            }
        };
        if (kind->second == "package-paths") {
            const auto* list = value.as_array();
            if (list == nullptr) {
                fail(value, "expected an array of { package, subdir } tables for `" + key +
                                "`, found " + describe_type(value));
            }
            std::vector<PackagePath> items;
            for (const toml::node& item : *list) {
                const auto* ref = item.as_table();
                if (ref == nullptr) {
                    fail(item, "expected a { package, subdir } table in `" + key + "`, found " +
                                   describe_type(item));
                }
                PackagePath path;
                bool has_package = false;
                for (const auto& [field_key, field] : *ref) {
                    const std::string field_name(field_key.str());
                    if (field_name == "package" || field_name == "subdir") {
                        if (!field.is_string()) {
                            fail(field, "expected a string for `" + field_name + "` in `" + key +
                                            "`, found " + describe_type(field));
                        }
                        const std::string s = field.as_string()->get();
                        if (field_name == "package") {
                            if (!is_python_name(s)) {
                                fail(field, "`" + excerpt(s) + "` is not a Python package name");
                            }
                            path.package = canonicalize_name(s);
                            has_package = true;
                        } else {
                            if (!is_relative_path(s)) {
                                fail(field,
                                     "`" + excerpt(s) +
                                         "` is not a relative path inside the package",
                                     "write a directory under its site-packages, such as "
                                     "\"torch/lib\"");
                            }
                            path.subdir = s;
                        }
                    } else if (field_name == "optional") {
                        if (!field.is_boolean()) {
                            fail(field, "expected true or false for `optional` in `" + key +
                                            "`, found " + describe_type(field));
                        }
                        path.optional = field.as_boolean()->get();
                    } else {
                        fail(field, "unknown field `" + field_name + "` in `" + key + "`",
                             "a reference has `package`, `subdir` and optionally `optional`");
                    }
                }
                if (!has_package || path.subdir.empty()) {
                    fail(item, "a reference in `" + key + "` needs `package` and `subdir`",
                         "write { package = \"torch\", subdir = \"torch/lib\" }");
                }
                items.push_back(std::move(path));
            }
            e.settings[key] = std::move(items);
        } else if (kind->second == "flag") {
            if (!value.is_boolean()) {
                fail(value,
                     "expected true or false for `" + key + "`, found " + describe_type(value));
            }
            e.settings[key] = value.as_boolean()->get();
        } else if (kind->second == "string") {
            if (!value.is_string()) {
                fail(value, "expected a string for `" + key + "`, found " + describe_type(value));
            }
            check_interpolations(value, value.as_string()->get());
            e.settings[key] = value.as_string()->get();
        } else if (kind->second == "list") {
            const auto* list = value.as_array();
            if (list == nullptr) {
                fail(value, "expected an array of strings for `" + key + "`, found " +
                                describe_type(value));
            }
            std::vector<std::string> items;
            for (const toml::node& item : *list) {
                if (!item.is_string()) {
                    fail(item, "expected a string in `" + key + "`, found " + describe_type(item));
                }
                const std::string s = item.as_string()->get();
                if (names_attribute_paths(key) && !is_attribute_path(s)) {
                    fail(item, "`" + excerpt(s) + "` is not a nixpkgs attribute path",
                         "write attribute paths such as \"zlib\" or \"cudaPackages.cudnn\"");
                }
                if (names_python_packages(key) && !is_python_name(s)) {
                    fail(item, "`" + excerpt(s) + "` is not a Python package name");
                }
                check_interpolations(item, s);
                if (key == "remove-files" && !is_relative_path(s)) {
                    fail(item, "`" + excerpt(s) + "` is not a relative path inside site-packages",
                         "write a path such as \"nvidia/__init__.py\"");
                }
                if (key == "patches") {
                    items.push_back(
                        locate_patch(s, [&](const std::string& msg, const std::string& hint) {
                            fail(item, msg, hint);
                        }));
                    continue;
                }
                items.push_back(s);
            }
            e.settings[key] = std::move(items);
        } else {
            const auto* table = value.as_table();
            if (table == nullptr) {
                fail(value, "expected a table of strings for `" + key + "`, found " +
                                describe_type(value));
            }
            std::map<std::string, std::string> items;
            for (const auto& [name, v] : *table) {
                if (!v.is_string()) {
                    fail(v, "expected a string for `" + key + "." + std::string(name.str()) + "`");
                }
                check_interpolations(v, v.as_string()->get());
                items[std::string(name.str())] = v.as_string()->get();
            }
            e.settings[key] = std::move(items);
        }
    }
    if (e.dist) {
        // They decide which artifact is built, so they cannot depend on it.
        for (const char* deciding : {"prefer-wheel", "disabled", "remove-dependencies"}) {
            if (e.settings.contains(deciding)) {
                const auto* node = t.get(deciding);
                fail(*node,
                     std::string("`") + deciding + "` in an entry limited to `dist = \"" +
                         std::string(to_string(*e.dist)) + "\"` for `" + package + "`",
                     "it decides which artifact is built: put it in an entry without `dist`");
            }
        }
    }
    return e;
}

// `[[name]]` tables (or one `[name]` table) per package.
std::vector<OverrideEntry> read_entries(const TomlReader& reader, const toml::table& root,
                                        OverrideLayer layer, unsigned line_offset) {
    std::vector<OverrideEntry> out;
    for (const auto& [name, value] : root) {
        const std::string package(name.str());
        if (const auto* t = value.as_table()) {
            out.push_back(read_entry(reader, package, *t, layer, line_offset));
        } else if (const auto* list = value.as_array()) {
            for (const toml::node& item : *list) {
                out.push_back(read_entry(reader, package,
                                         reader.as_table(item, "an override entry"), layer,
                                         line_offset));
            }
        } else {
            reader.fail(value,
                        "expected a table ([[" + package + "]]) of overrides, found " +
                            describe_type(value),
                        keys_hint);
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const OverrideEntry& a, const OverrideEntry& b) {
        return a.position.line < b.position.line;
    });
    return out;
}

std::string describe(const OverrideValue& v) {
    if (const auto* b = std::get_if<bool>(&v)) {
        return *b ? "true" : "false";
    }
    if (const auto* s = std::get_if<std::string>(&v)) {
        return "\"" + *s + "\"";
    }
    return "a list";
}

} // namespace

const detail::EmbeddedPatch* detail::embedded_patch(std::string_view name) {
    for (std::size_t i = 0; i < embedded_patch_count; ++i) {
        if (name == embedded_patches[i].name) {
            return &embedded_patches[i];
        }
    }
    return nullptr;
}

std::string_view to_string(OverrideLayer layer) {
    switch (layer) {
    case OverrideLayer::defaults:
        return "defaults";
    case OverrideLayer::project:
        return "project";
    case OverrideLayer::user:
        return "--overrides";
    }
    return "";
}

const std::map<std::string, std::string>& override_keys() {
    static const std::map<std::string, std::string> keys = {
        {"build-systems", "list"},
        {"dependencies", "list"},
        {"native-build-inputs", "list"},
        {"build-inputs", "list"},
        {"propagated-build-inputs", "list"},
        {"prefer-wheel", "flag"},
        {"remove-dependencies", "list"},
        {"env", "table"},
        {"post-patch", "string"},
        {"post-install", "string"},
        {"auto-patchelf-ignore-missing", "list"},
        {"dont-strip", "flag"},
        {"disabled", "flag"},
        {"why", "string"},
        {"pre-configure", "string"},
        {"pre-build", "string"},
        {"post-fixup", "string"},
        {"patches", "list"},
        {"make-wrapper-args", "list"},
        {"remove-files", "list"},
        {"auto-patchelf-search-paths", "package-paths"},
        {"dont-use-cmake-configure", "flag"},
        {"dont-use-meson-configure", "flag"},
        {"pypa-build-flags", "list"},
        {"dist", "selector"},
    };
    return keys;
}

std::string_view to_string(Dist dist) {
    return dist == Dist::wheel ? "wheel" : "sdist";
}

std::vector<StringPart> split_interpolations(std::string_view text) {
    std::vector<StringPart> out;
    std::string literal;
    std::size_t i = 0;
    while (i < text.size()) {
        const std::string_view rest = text.substr(i);
        const bool opens =
            text[i] == '@' && (rest.starts_with("@pkgs.") || rest.starts_with("@python.") ||
                               rest.starts_with("@package:"));
        if (!opens) {
            literal += text[i++];
            continue;
        }
        const auto close = text.find('@', i + 1);
        const std::string_view inner =
            close == std::string_view::npos ? rest.substr(1) : text.substr(i + 1, close - i - 1);
        if (close == std::string_view::npos) {
            throw Error("unclosed interpolation `@" + excerpt(inner) + "`");
        }
        StringPart part;
        if (inner.starts_with("pkgs.")) {
            part.kind = StringPart::Kind::pkgs;
            part.value = std::string(inner.substr(5));
            if (!is_attribute_path(part.value)) {
                throw Error("`@" + excerpt(inner) + "@` does not name a nixpkgs attribute path");
            }
        } else if (inner.starts_with("python.")) {
            part.kind = StringPart::Kind::python;
            part.value = std::string(inner.substr(7));
            if (part.value != "sitePackages" && part.value != "interpreter") {
                throw Error("`@" + excerpt(inner) +
                            "@` is not @python.sitePackages@ or "
                            "@python.interpreter@");
            }
        } else {
            part.kind = StringPart::Kind::package;
            part.value = std::string(inner.substr(8));
            if (!is_python_name(part.value)) {
                throw Error("`@" + excerpt(inner) + "@` does not name a Python package");
            }
            part.value = canonicalize_name(part.value);
        }
        if (!literal.empty()) {
            out.push_back(StringPart{StringPart::Kind::text, std::move(literal)});
            literal.clear();
        }
        out.push_back(std::move(part));
        i = close + 1;
    }
    if (!literal.empty()) {
        out.push_back(StringPart{StringPart::Kind::text, std::move(literal)});
    }
    return out;
}

std::string OverrideEntry::where() const {
    return describe_position(file, position);
}

bool Recipe::flag(const std::string& key) const {
    return maybe_flag(key).value_or(false);
}

std::optional<bool> Recipe::maybe_flag(const std::string& key) const {
    auto it = settings.find(key);
    if (it == settings.end()) {
        return std::nullopt;
    }
    return std::get<bool>(it->second);
}

std::vector<std::string> Recipe::list(const std::string& key) const {
    auto it = settings.find(key);
    return it == settings.end() ? std::vector<std::string>{}
                                : std::get<std::vector<std::string>>(it->second);
}

std::string Recipe::text(const std::string& key) const {
    auto it = settings.find(key);
    return it == settings.end() ? std::string() : std::get<std::string>(it->second);
}

std::map<std::string, std::string> Recipe::table(const std::string& key) const {
    auto it = settings.find(key);
    return it == settings.end() ? std::map<std::string, std::string>{}
                                : std::get<std::map<std::string, std::string>>(it->second);
}

std::vector<PackagePath> Recipe::package_paths(const std::string& key) const {
    auto it = settings.find(key);
    return it == settings.end() ? std::vector<PackagePath>{}
                                : std::get<std::vector<PackagePath>>(it->second);
}

std::vector<PackagePath> BuildRecipe::references() const {
    std::vector<PackagePath> out = auto_patchelf_search_paths;
    auto scan = [&](const std::string& text) {
        for (const StringPart& part : split_interpolations(text)) {
            if (part.kind == StringPart::Kind::package) {
                out.push_back(PackagePath{part.value, "", false});
            }
        }
    };
    for (const std::string* text :
         {&post_patch, &post_install, &pre_configure, &pre_build, &post_fixup}) {
        scan(*text);
    }
    for (const auto& [name, value] : env) {
        scan(value);
    }
    for (const auto& arg : make_wrapper_args) {
        scan(arg);
    }
    return out;
}

BuildRecipe BuildRecipe::from(const Recipe& r) {
    BuildRecipe b;
    b.disabled = r.flag("disabled");
    b.prefer_wheel = r.maybe_flag("prefer-wheel");
    b.dont_strip = r.flag("dont-strip");
    b.build_systems = r.list("build-systems");
    b.dependencies = r.list("dependencies");
    for (const auto& name : r.list("remove-dependencies")) {
        b.remove_dependencies.push_back(canonicalize_name(name));
    }
    b.native_build_inputs = r.list("native-build-inputs");
    b.build_inputs = r.list("build-inputs");
    b.propagated_build_inputs = r.list("propagated-build-inputs");
    b.auto_patchelf_ignore_missing = r.list("auto-patchelf-ignore-missing");
    b.env = r.table("env");
    b.post_patch = r.text("post-patch");
    b.post_install = r.text("post-install");
    b.pre_configure = r.text("pre-configure");
    b.pre_build = r.text("pre-build");
    b.post_fixup = r.text("post-fixup");
    b.make_wrapper_args = r.list("make-wrapper-args");
    b.remove_files = r.list("remove-files");
    b.auto_patchelf_search_paths = r.package_paths("auto-patchelf-search-paths");
    b.dont_use_cmake_configure = r.flag("dont-use-cmake-configure");
    b.dont_use_meson_configure = r.flag("dont-use-meson-configure");
    b.pypa_build_flags = r.list("pypa-build-flags");
    // Lists combine only inside one layer, so every patch comes from the layer the origin names:
    // the defaults' are embedded, a project's stay files of the project, --overrides files' are
    // read now and carried in the emitted file.
    const auto origin = r.origins.find("patches");
    for (const auto& where : r.list("patches")) {
        PatchFile patch;
        patch.name = std::filesystem::path(where).filename().string();
        const std::string layer = origin == r.origins.end() ? "" : origin->second;
        if (layer.starts_with(to_string(OverrideLayer::defaults))) {
            const auto* embedded = detail::embedded_patch(where);
            if (embedded == nullptr) {
                throw Error("no patch `" + where + "` in the default database");
            }
            patch.content.assign(embedded->text, embedded->size);
        } else if (layer.starts_with(to_string(OverrideLayer::project))) {
            patch.project_path = where;
        } else {
            patch.content = detail::read_file(where);
        }
        b.patches.push_back(std::move(patch));
    }
    return b;
}

struct OverrideDatabase::State {
    bool with_defaults = false;
    // Entries parsed from the embedded database, per package, on first lookup.
    mutable std::map<std::string, std::vector<OverrideEntry>, std::less<>> defaults;
    mutable std::mutex mutex;
    std::map<std::string, std::vector<OverrideEntry>, std::less<>> added; // project and user

    // The entries of a canonical name: the defaults' (parsed on first use) and the added ones,
    // by reference. A planned package is resolved up to three times (its recipe, then the
    // chosen and the other artifact); copying its entries each time was most of the cost.
    // The defaults' spans stay valid (map nodes never move, and a package's parsed vector is
    // not changed once stored; the mutex guards that map only); the added ones until the next
    // add_*, so neither outlives one resolve or entries call.
    std::pair<std::span<const OverrideEntry>, std::span<const OverrideEntry>>
    find(const std::string& key) const;
};

std::pair<std::span<const OverrideEntry>, std::span<const OverrideEntry>>
OverrideDatabase::State::find(const std::string& key) const {
    std::span<const OverrideEntry> builtin;
    if (with_defaults) {
        std::lock_guard lock(mutex);
        auto it = defaults.find(key);
        if (it == defaults.end()) {
            std::vector<OverrideEntry> parsed;
            const auto* begin = detail::embedded_overrides;
            const auto* end = begin + detail::embedded_override_count;
            const auto* first = std::lower_bound(
                begin, end, key, [](const detail::EmbeddedOverride& e, const std::string& k) {
                    return std::strcmp(e.package(), k.c_str()) < 0;
                });
            for (const auto* e = first; e != end && key == e->package(); ++e) {
                TomlReader reader(e->file(), keys_hint);
                const toml::table root = reader.parse(e->text(), "the default override database");
                for (OverrideEntry& entry :
                     read_entries(reader, root, OverrideLayer::defaults, e->first_line - 1)) {
                    parsed.push_back(std::move(entry));
                }
            }
            it = defaults.emplace(key, std::move(parsed)).first;
        }
        builtin = it->second;
    }
    std::span<const OverrideEntry> own;
    if (auto it = added.find(key); it != added.end()) {
        own = it->second;
    }
    return {builtin, own};
}

OverrideDatabase::OverrideDatabase() : state_(std::make_unique<State>()) {}
OverrideDatabase::~OverrideDatabase() = default;
OverrideDatabase::OverrideDatabase(OverrideDatabase&&) noexcept = default;
OverrideDatabase& OverrideDatabase::operator=(OverrideDatabase&&) noexcept = default;

OverrideDatabase OverrideDatabase::with_defaults() {
    OverrideDatabase db;
    db.state_->with_defaults = true;
    return db;
}

std::size_t OverrideDatabase::default_package_count() const {
    std::size_t n = 0;
    for (std::size_t i = 0; i < detail::embedded_override_count; ++i) {
        if (i == 0 || std::strcmp(detail::embedded_overrides[i].package(),
                                  detail::embedded_overrides[i - 1].package()) != 0) {
            ++n;
        }
    }
    return n;
}

void OverrideDatabase::add_file(std::string_view text, const std::string& path,
                                OverrideLayer layer) {
    TomlReader reader(path, keys_hint);
    const toml::table root = reader.parse(text, "override files are TOML");
    for (OverrideEntry& e : read_entries(reader, root, layer, 0)) {
        state_->added[e.package].push_back(std::move(e));
    }
}

void OverrideDatabase::add_path(const std::string& path, OverrideLayer layer) {
    add_file(detail::read_file(path), path, layer);
}

void OverrideDatabase::add_pyproject(const std::string& path) {
    TomlReader reader(path, keys_hint);
    const toml::table root =
        reader.parse(detail::read_file(path), "pyproject.toml must be valid TOML");
    const toml::table* tool = reader.table(root, "tool");
    const toml::table* ours = tool != nullptr ? reader.table(*tool, "lock2nix") : nullptr;
    const toml::table* overrides = ours != nullptr ? reader.table(*ours, "overrides") : nullptr;
    if (overrides == nullptr) {
        return;
    }
    for (OverrideEntry& e : read_entries(reader, *overrides, OverrideLayer::project, 0)) {
        state_->added[e.package].push_back(std::move(e));
    }
}

std::string OverrideDatabase::defaults_digest() {
    Sha256 digest;
    for (std::size_t i = 0; i < detail::embedded_override_count; ++i) {
        const auto& e = detail::embedded_overrides[i];
        for (const char* part : {e.package(), e.file(), e.text()}) {
            digest.update(part);
            digest.update(std::string_view("\0", 1));
        }
    }
    for (std::size_t i = 0; i < detail::embedded_patch_count; ++i) {
        const auto& p = detail::embedded_patches[i];
        digest.update(p.name);
        digest.update(std::string_view("\0", 1));
        digest.update(std::string_view(p.text, p.size));
    }
    return to_hex(digest.finish());
}

std::string OverrideDatabase::project_table_digest(const std::string& pyproject_path) {
    TomlReader reader(pyproject_path, keys_hint);
    const toml::table root =
        reader.parse(detail::read_file(pyproject_path), "pyproject.toml must be valid TOML");
    const toml::table* tool = reader.table(root, "tool");
    const toml::table* ours = tool != nullptr ? reader.table(*tool, "lock2nix") : nullptr;
    if (ours == nullptr) {
        return "none";
    }
    std::ostringstream text;
    text << toml::toml_formatter(*ours);
    return sha256_hex(text.str());
}

std::vector<OverrideEntry> OverrideDatabase::entries(std::string_view name) const {
    const auto [builtin, own] = state_->find(canonicalize_name(name));
    std::vector<OverrideEntry> out(builtin.begin(), builtin.end());
    out.insert(out.end(), own.begin(), own.end());
    std::stable_sort(out.begin(), out.end(), [](const OverrideEntry& a, const OverrideEntry& b) {
        return a.layer < b.layer;
    });
    return out;
}

Recipe OverrideDatabase::resolve(std::string_view name, std::string_view version,
                                 std::optional<Dist> dist) const {
    Recipe out;
    const auto [builtin, own] = state_->find(canonicalize_name(name));
    if (builtin.empty() && own.empty()) {
        return out;
    }
    const auto v = pep440::Version::try_parse(version);
    for (OverrideLayer layer :
         {OverrideLayer::defaults, OverrideLayer::project, OverrideLayer::user}) {
        std::map<std::string, OverrideValue> combined;
        std::map<std::string, const OverrideEntry*> from;
        // The layer's entries in entries()'s order: the built-in part holds only the defaults
        // layer and the added part only the others.
        for (const auto& part : {builtin, own}) {
            for (const OverrideEntry& e : part) {
                if (e.layer != layer) {
                    continue;
                }
                if (e.versions && !(v && e.versions->contains(*v, true))) {
                    continue;
                }
                if (e.dist && e.dist != dist) {
                    continue;
                }
                for (const auto& [key, value] : e.settings) {
                    auto it = combined.find(key);
                    if (it == combined.end()) {
                        combined[key] = value;
                        from[key] = &e;
                    } else if (auto* list = std::get_if<std::vector<std::string>>(&it->second)) {
                        for (const auto& item : std::get<std::vector<std::string>>(value)) {
                            if (std::find(list->begin(), list->end(), item) == list->end()) {
                                list->push_back(item);
                            }
                        }
                    } else if (auto* paths = std::get_if<std::vector<PackagePath>>(&it->second)) {
                        for (const auto& item : std::get<std::vector<PackagePath>>(value)) {
                            if (std::find(paths->begin(), paths->end(), item) == paths->end()) {
                                paths->push_back(item);
                            }
                        }
                    } else if (auto* table =
                                   std::get_if<std::map<std::string, std::string>>(&it->second)) {
                        for (const auto& [k, s] :
                             std::get<std::map<std::string, std::string>>(value)) {
                            (*table)[k] = s;
                        }
                    } else if (it->second != value) {
                        throw Error("overrides for `" + e.package + "` " + std::string(version) +
                                        " contradict each other: `" + key + "` is " +
                                        describe(it->second) + " at " + from[key]->where() +
                                        " but " + describe(value) + " at " + e.where(),
                                    e.file, e.position,
                                    "make the version ranges disjoint, or agree on one value");
                    }
                }
            }
        }
        for (auto& [key, value] : combined) {
            out.settings[key] = std::move(value);
            out.origins[key] = std::string(to_string(layer)) + " " + from[key]->where();
        }
    }
    return out;
}

} // namespace lock2nix
