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
#include <set>
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

// Reads one entry through the schema: every key's value by its kind, every string by its rule.
// `line_offset` shifts positions back to the file's: the embedded defaults are parsed one package
// at a time.
class EntryReader {
public:
    EntryReader(const TomlReader& reader, const std::string& package, OverrideLayer layer,
                unsigned line_offset)
        : reader_(reader), package_(package), layer_(layer), line_offset_(line_offset) {}

    OverrideEntry read(const toml::table& t) const {
        OverrideEntry e;
        e.package = canonicalize_name(package_);
        e.layer = layer_;
        e.file = reader_.file();
        e.position = shifted(position_of(t));
        for (const auto& [k, value] : t) {
            const OverrideKey* key = find_override_key(k.str());
            if (key == nullptr) {
                unknown_key(k);
            }
            read_key(e, *key, value);
        }
        if (e.dist) {
            for (const OverrideKey& key : override_schema()) {
                if (key.decides_artifact && e.settings.contains(key.name)) {
                    fail(*t.get(key.name),
                         "`" + std::string(key.name) + "` in an entry limited to `dist = \"" +
                             std::string(to_string(*e.dist)) + "\"` for `" + package_ + "`",
                         "it decides which artifact is built: put it in an entry without `dist`");
                }
            }
        }
        return e;
    }

private:
    const TomlReader& reader_;
    const std::string& package_;
    OverrideLayer layer_;
    unsigned line_offset_;

    SourcePosition shifted(SourcePosition pos) const {
        pos.line += line_offset_;
        return pos;
    }

    [[noreturn]] void fail(const toml::node& at, const std::string& msg,
                           const std::string& hint = keys_hint) const {
        reader_.fail_at(shifted(position_of(at)), msg, hint);
    }

    [[noreturn]] void unknown_key(const toml::key& k) const {
        std::vector<std::string_view> names;
        for (const OverrideKey& key : override_schema()) {
            if (key.kind != OverrideKeyKind::versions) {
                names.push_back(key.name);
            }
        }
        std::sort(names.begin(), names.end());
        std::string all = "versions";
        for (std::string_view name : names) {
            all += ", " + std::string(name);
        }
        const auto& begin = k.source().begin;
        reader_.fail_at(SourcePosition{begin.line + line_offset_, begin.column},
                        "unknown override key `" + excerpt(k.str()) + "` for `" +
                            excerpt(package_) + "`",
                        "known keys: " + all);
    }

    std::string string_of(const OverrideKey& key, const toml::node& at,
                          const std::string& where) const {
        if (!at.is_string()) {
            fail(at, "expected a string " + where + ", found " + describe_type(at));
        }
        std::string s = at.as_string()->get();
        check(key, at, s);
        return s;
    }

    const toml::array& array_of(const OverrideKey& key, const toml::node& value,
                                const std::string& items) const {
        const auto* list = value.as_array();
        if (list == nullptr) {
            fail(value, "expected an array of " + items + " for `" + std::string(key.name) +
                            "`, found " + describe_type(value));
        }
        return *list;
    }

    void check(const OverrideKey& key, const toml::node& at, const std::string& s) const {
        switch (key.rule) {
        case OverrideItemRule::any:
            return;
        case OverrideItemRule::attribute_path:
            if (!is_attribute_path(s)) {
                fail(at, "`" + excerpt(s) + "` is not a nixpkgs attribute path",
                     "write attribute paths such as \"zlib\" or \"cudaPackages.cudnn\"");
            }
            return;
        case OverrideItemRule::python_name:
        case OverrideItemRule::canonical_python_name:
            if (!is_python_name(s)) {
                fail(at, "`" + excerpt(s) + "` is not a Python package name");
            }
            return;
        case OverrideItemRule::relative_path:
            if (!is_relative_path(s)) {
                fail(at, "`" + excerpt(s) + "` is not a relative path inside site-packages",
                     "write a path such as \"nvidia/__init__.py\"");
            }
            return;
        case OverrideItemRule::interpolated:
            try {
                (void)split_interpolations(s);
            } catch (const Error& err) {
                fail(at,
                     err.message() + " in `" + std::string(key.name) + "` for `" + package_ + "`",
                     "write @pkgs.<attribute path>@, @python.sitePackages@, "
                     "@python.interpreter@ or @package:<locked package>@");
            }
            return;
        }
    }

    void read_key(OverrideEntry& e, const OverrideKey& key, const toml::node& value) const {
        const std::string name(key.name);
        switch (key.kind) {
        case OverrideKeyKind::versions:
            e.versions_text = string_of(key, value, "for `versions`");
            try {
                e.versions = pep440::SpecifierSet::parse(e.versions_text);
            } catch (const SyntaxError& err) {
                fail(value, "bad version range for `" + package_ + "`: " + err.message(),
                     "write a PEP 440 specifier set such as \">=1.2,<2\"");
            }
            return;
        case OverrideKeyKind::dist: {
            const std::string text = string_of(key, value, "for `dist`");
            if (text != "wheel" && text != "sdist") {
                fail(value, "`dist` is \"" + excerpt(text) + "\" for `" + package_ + "`",
                     "write \"wheel\" or \"sdist\": the artifact the entry is limited to");
            }
            e.dist = text == "wheel" ? Dist::wheel : Dist::sdist;
            return;
        }
        case OverrideKeyKind::why:
            // Two entries that apply together may give different reasons without contradicting.
            e.why = string_of(key, value, "for `why`");
            if (e.why.find_first_not_of(" \t\r\n") == std::string::npos) {
                fail(value, "`why` is empty for `" + package_ + "`",
                     "say in a sentence why the entry exists");
            }
            return;
        case OverrideKeyKind::flag:
            if (!value.is_boolean()) {
                fail(value,
                     "expected true or false for `" + name + "`, found " + describe_type(value));
            }
            e.settings[name] = value.as_boolean()->get();
            return;
        case OverrideKeyKind::string:
            e.settings[name] = string_of(key, value, "for `" + name + "`");
            return;
        case OverrideKeyKind::list: {
            std::vector<std::string> items;
            for (const toml::node& item : array_of(key, value, "strings")) {
                std::string s = string_of(key, item, "in `" + name + "`");
                items.push_back(key.rule == OverrideItemRule::canonical_python_name
                                    ? canonicalize_name(s)
                                    : std::move(s));
            }
            e.settings[name] = std::move(items);
            return;
        }
        case OverrideKeyKind::table: {
            const auto* table = value.as_table();
            if (table == nullptr) {
                fail(value, "expected a table of strings for `" + name + "`, found " +
                                describe_type(value));
            }
            std::map<std::string, std::string> items;
            for (const auto& [k, v] : *table) {
                items[std::string(k.str())] =
                    string_of(key, v, "for `" + name + "." + std::string(k.str()) + "`");
            }
            e.settings[name] = std::move(items);
            return;
        }
        case OverrideKeyKind::package_paths: {
            std::vector<PackagePath> items;
            for (const toml::node& item : array_of(key, value, "{ package, subdir } tables")) {
                items.push_back(package_path(key, item));
            }
            e.settings[name] = std::move(items);
            return;
        }
        case OverrideKeyKind::patches: {
            std::vector<PatchFile> items;
            for (const toml::node& item : array_of(key, value, "strings")) {
                items.push_back(patch(item, string_of(key, item, "in `" + name + "`")));
            }
            e.settings[name] = std::move(items);
            return;
        }
        }
    }

    PackagePath package_path(const OverrideKey& key, const toml::node& item) const {
        const std::string name(key.name);
        const auto* ref = item.as_table();
        if (ref == nullptr) {
            fail(item, "expected a { package, subdir } table in `" + name + "`, found " +
                           describe_type(item));
        }
        PackagePath path;
        bool has_package = false;
        for (const auto& [field_key, field] : *ref) {
            const std::string field_name(field_key.str());
            const std::string where = "for `" + field_name + "` in `" + name + "`";
            if (field_name == "package") {
                const std::string s = string_of(key, field, where);
                if (!is_python_name(s)) {
                    fail(field, "`" + excerpt(s) + "` is not a Python package name");
                }
                path.package = canonicalize_name(s);
                has_package = true;
            } else if (field_name == "subdir") {
                path.subdir = string_of(key, field, where);
                if (!is_relative_path(path.subdir)) {
                    fail(field,
                         "`" + excerpt(path.subdir) + "` is not a relative path inside the package",
                         "write a directory under its site-packages, such as \"torch/lib\"");
                }
            } else if (field_name == "optional") {
                if (!field.is_boolean()) {
                    fail(field,
                         "expected true or false " + where + ", found " + describe_type(field));
                }
                path.optional = field.as_boolean()->get();
            } else {
                fail(field, "unknown field `" + field_name + "` in `" + name + "`",
                     "a reference has `package`, `subdir` and optionally `optional`");
            }
        }
        if (!has_package || path.subdir.empty()) {
            fail(item, "a reference in `" + name + "` needs `package` and `subdir`",
                 "write { package = \"torch\", subdir = \"torch/lib\" }");
        }
        return path;
    }

    // A patch is named relative to the file that declares it and read now, so a typo is an
    // error with a position and planning reads no file. The defaults' are embedded in the
    // binary; a pyproject's stay files of the project (emitted as projectDir + "/…"); an
    // --overrides file's text is carried in the emitted file.
    PatchFile patch(const toml::node& at, const std::string& rel) const {
        if (!is_relative_path(rel)) {
            fail(at, "`" + excerpt(rel) + "` is not a relative path",
                 "name the patch relative to the file that declares it, without `..`");
        }
        PatchFile out;
        out.name = std::filesystem::path(rel).filename().string();
        if (layer_ == OverrideLayer::defaults) {
            const auto* embedded = detail::embedded_patch(rel);
            if (embedded == nullptr) {
                fail(at, "no patch `" + excerpt(rel) + "` in the default database",
                     "put it under overrides/patches/ and rebuild lock2nix");
            }
            out.content.assign(embedded->text, embedded->size);
            return out;
        }
        const std::filesystem::path file =
            std::filesystem::path(reader_.file()).parent_path() / rel;
        std::error_code ec;
        if (!std::filesystem::is_regular_file(file, ec)) {
            fail(at,
                 "patch `" + excerpt(rel) + "` not found (looked for " + excerpt(file.string()) +
                     ")",
                 "name the patch relative to the file that declares it");
        }
        if (layer_ == OverrideLayer::project) {
            out.project_path = rel;
        } else {
            out.content = detail::read_file(file.string());
        }
        return out;
    }
};

// `[[name]]` tables (or one `[name]` table) per package.
std::vector<OverrideEntry> read_entries(const TomlReader& reader, const toml::table& root,
                                        OverrideLayer layer, unsigned line_offset) {
    std::vector<OverrideEntry> out;
    for (const auto& [name, value] : root) {
        const std::string package(name.str());
        if (const auto* t = value.as_table()) {
            out.push_back(EntryReader(reader, package, layer, line_offset).read(*t));
        } else if (const auto* list = value.as_array()) {
            for (const toml::node& item : *list) {
                out.push_back(EntryReader(reader, package, layer, line_offset)
                                  .read(reader.as_table(item, "an override entry")));
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

// Combines two entries' values of a list or table key inside one layer: lists append what they
// lack, tables merge. False for flags and strings, which must agree instead.
bool append(OverrideValue& into, const OverrideValue& more) {
    return std::visit(
        [&](auto& have) {
            using T = std::remove_cvref_t<decltype(have)>;
            if constexpr (std::is_same_v<T, std::map<std::string, std::string>>) {
                for (const auto& [k, s] : std::get<T>(more)) {
                    have[k] = s;
                }
                return true;
            } else if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, std::string>) {
                return false;
            } else {
                for (const auto& item : std::get<T>(more)) {
                    if (std::find(have.begin(), have.end(), item) == have.end()) {
                        have.push_back(item);
                    }
                }
                return true;
            }
        },
        into);
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

namespace {

using Kind = OverrideKeyKind;
using Rule = OverrideItemRule;
using B = BuildRecipe;

// The one declaration of the override schema, in the documented order.
const OverrideKey schema[] = {
    {"versions",
     Kind::versions,
     Rule::any,
     false,
     {},
     "string",
     "which versions the entry applies to (PEP 440 specifier set)"},
    {"dist",
     Kind::dist,
     Rule::any,
     false,
     {},
     "`\"wheel\"` or `\"sdist\"`",
     "which artifact the entry applies to: only when the wheel is installed, or only when the "
     "package is built from source (sdists, and git, path and URL sources that are not wheels); "
     "absent = both. An entry with `dist` cannot set `prefer-wheel`, `disabled` or "
     "`remove-dependencies`, which decide the artifact or the graph before it is known"},
    {"why",
     Kind::why,
     Rule::any,
     false,
     {},
     "string",
     "none: documents the entry (printed by `overrides show`). Two entries that apply together "
     "may give different reasons; it is no setting and never contradicts"},
    {"build-systems", Kind::list, Rule::python_name, false, &B::build_systems,
     "list of nixpkgs Python attribute names",
     "`build-system = [ python.pkgs.<name> … ]` for packages built from source; replaces what "
     "the source declares (lock2nix then does not download an sdist to read it); `poetry` means "
     "`poetry-core`"},
    {"dependencies", Kind::list, Rule::python_name, false, &B::dependencies,
     "list of Python package names",
     "extra runtime `dependencies`: the locked package when the lock has it, else "
     "`python.pkgs.<name>`"},
    {"native-build-inputs", Kind::list, Rule::attribute_path, false, &B::native_build_inputs,
     "list of nixpkgs attribute paths",
     "appended to `nativeBuildInputs` (`pkgs.<path>`, e.g. `cmake`, `autoPatchelfHook`)"},
    {"build-inputs", Kind::list, Rule::attribute_path, false, &B::build_inputs,
     "list of nixpkgs attribute paths",
     "appended to `buildInputs` (e.g. `zlib`, `cudaPackages.cudnn`)"},
    {"propagated-build-inputs", Kind::list, Rule::attribute_path, false,
     &B::propagated_build_inputs, "list of nixpkgs attribute paths", "`propagatedBuildInputs`"},
    {"prefer-wheel", Kind::flag, Rule::any, true, &B::prefer_wheel, "true/false",
     "`false`: build from the sdist even when a wheel fits; `true`: take a fitting wheel even "
     "under `--prefer-sdists`. `--sdist PKG` / `--wheel PKG` on the command line win over it"},
    {"remove-dependencies", Kind::list, Rule::canonical_python_name, true, &B::remove_dependencies,
     "list of Python package names", "drop these dependency edges"},
    {"env", Kind::table, Rule::interpolated, false, &B::env, "table of strings",
     "`env = { NAME = \"value\"; }` for the build"},
    {"post-patch", Kind::string, Rule::interpolated, false, &B::post_patch, "string (shell)",
     "`postPatch`"},
    {"post-install", Kind::string, Rule::interpolated, false, &B::post_install, "string (shell)",
     "`postInstall`"},
    {"auto-patchelf-ignore-missing", Kind::list, Rule::any, false, &B::auto_patchelf_ignore_missing,
     "list of sonames",
     "`autoPatchelfIgnoreMissingDeps` (libraries found at run time, e.g. `libcuda.so.1`)"},
    {"dont-strip", Kind::flag, Rule::any, false, &B::dont_strip, "true/false",
     "`dontStrip = true`"},
    {"disabled", Kind::flag, Rule::any, true, &B::disabled, "true/false",
     "the package is left out entirely, with every edge to it (as poetry2nix's `typing = null`)"},
    {"pre-configure", Kind::string, Rule::interpolated, false, &B::pre_configure, "string (shell)",
     "`preConfigure`"},
    {"pre-build", Kind::string, Rule::interpolated, false, &B::pre_build, "string (shell)",
     "`preBuild`"},
    {"post-fixup", Kind::string, Rule::interpolated, false, &B::post_fixup, "string (shell)",
     "`postFixup`"},
    {"patches", Kind::patches, Rule::any, false, &B::patches, "list of paths",
     "`patches` (applied with `patch -p1` before `postPatch`). Relative to the file that "
     "declares them, without `..`, and read when the file is read. From a pyproject: "
     "`projectDir + \"/<path>\"` (the pyproject's folder is the project's); from `--overrides` "
     "files and the defaults: the text is carried in the emitted file as "
     "`pkgs.writeText \"<name>\" \"…\"`"},
    {"make-wrapper-args", Kind::list, Rule::interpolated, false, &B::make_wrapper_args,
     "list of strings",
     "`makeWrapperArgs`: arguments for the wrappers of installed programs (`--set NAME value`, "
     "`--prefix PATH : @pkgs.ffmpeg@/bin`)"},
    {"remove-files", Kind::list, Rule::relative_path, false, &B::remove_files,
     "list of paths relative to site-packages",
     "removed after install: `rm -rf -- \"$out/${python.sitePackages}\"/'<path>'` appended "
     "before `post-install` (each path quoted for the shell; no `..`, no leading `/`)"},
    {"auto-patchelf-search-paths", Kind::package_paths, Rule::any, false,
     &B::auto_patchelf_search_paths, "list of `{ package, subdir, optional? }`",
     "`preFixup = \"addAutoPatchelfSearchPath \\\"${final.<package>}/${python.sitePackages}\\\"/"
     "'<subdir>'\"`: autoPatchelf looks for libraries in another locked package's directory "
     "(torch's `torch/lib`, `nvidia/cublas/lib`). The package must be in the target's plan, else "
     "translation fails naming both packages; with `optional = true` the reference is dropped "
     "instead"},
    {"dont-use-cmake-configure", Kind::flag, Rule::any, false, &B::dont_use_cmake_configure,
     "true/false", "`dontUseCmakeConfigure = true` (the build backend runs CMake itself)"},
    {"dont-use-meson-configure", Kind::flag, Rule::any, false, &B::dont_use_meson_configure,
     "true/false", "`dontUseMesonConfigure = true` (the build backend runs Meson itself)"},
    {"pypa-build-flags", Kind::list, Rule::any, false, &B::pypa_build_flags, "list of strings",
     "appended to `pypaBuildFlags` of source builds (after `--skip-dependency-check`), e.g. "
     "`-Csetup-args=-Dblas=openblas`"},
    {"rust", Kind::flag, Rule::any, false, &B::rust, "true/false",
     "the sdist builds a Rust extension (maturin or setuptools-rust): lock2nix reads it at "
     "translation also when the wheel is chosen or `build-systems` is given, and its source "
     "build vendors the crates its Cargo.lock pins (`cargoDeps = "
     "pkgs.rustPlatform.importCargoLock { … }`, `cargoSetupHook`, and `maturinBuildHook` or "
     "`cargo` and `rustc`), as `docs/wheels-and-sdists.md` describes"},
};

} // namespace

std::span<const OverrideKey> override_schema() {
    return schema;
}

const OverrideKey* find_override_key(std::string_view name) {
    for (const OverrideKey& key : schema) {
        if (key.name == name) {
            return &key;
        }
    }
    return nullptr;
}

std::string override_keys_markdown() {
    std::string out = "| key | type | effect on the derivation |\n|---|---|---|\n";
    for (const OverrideKey& key : schema) {
        out += "| `" + std::string(key.name) + "` | " + std::string(key.type_doc) + " | " +
               std::string(key.effect_doc) + " |\n";
    }
    return out;
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

std::string SettingOrigin::describe() const {
    return std::string(to_string(layer)) + " " + where;
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
    for (const OverrideKey& key : schema) {
        if (key.rule != OverrideItemRule::interpolated) {
            continue;
        }
        std::visit(
            [&](auto member) {
                using Member = decltype(member);
                if constexpr (std::is_same_v<Member, std::string B::*>) {
                    scan(this->*member);
                } else if constexpr (std::is_same_v<Member, std::vector<std::string> B::*>) {
                    for (const auto& item : this->*member) {
                        scan(item);
                    }
                } else if constexpr (std::is_same_v<Member,
                                                    std::map<std::string, std::string> B::*>) {
                    for (const auto& [name, value] : this->*member) {
                        scan(value);
                    }
                }
            },
            key.field);
    }
    return out;
}

BuildRecipe BuildRecipe::from(const Recipe& r) {
    BuildRecipe b;
    for (const OverrideKey& key : schema) {
        const auto it = r.settings.find(key.name);
        if (it == r.settings.end()) {
            continue;
        }
        std::visit(
            [&](auto member) {
                using Member = decltype(member);
                if constexpr (std::is_same_v<Member, std::optional<bool> B::*>) {
                    b.*member = std::get<bool>(it->second);
                } else if constexpr (!std::is_same_v<Member, std::monostate>) {
                    using Value = std::remove_cvref_t<decltype(b.*member)>;
                    b.*member = std::get<Value>(it->second);
                }
            },
            key.field);
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

std::vector<std::string> OverrideDatabase::package_names() const {
    std::set<std::string> names;
    if (state_->with_defaults) {
        for (std::size_t i = 0; i < detail::embedded_override_count; ++i) {
            names.insert(detail::embedded_overrides[i].package());
        }
    }
    for (const auto& [name, entries] : state_->added) {
        names.insert(name);
    }
    return {names.begin(), names.end()};
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
                    } else if (!append(it->second, value) && it->second != value) {
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
            out.origins[key] = SettingOrigin{layer, from[key]->where()};
        }
    }
    return out;
}

} // namespace lock2nix
