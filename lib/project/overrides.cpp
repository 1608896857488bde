#include "lock2nix/project/overrides.hpp"

#include "lock2nix/hash.hpp"
#include "lock2nix/standards/names.hpp"
#include "project/overrides_embedded.hpp"
#include "project/toml_reader.hpp"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <sstream>

namespace lock2nix {

namespace {

using detail::describe_type;
using detail::position_of;
using detail::TomlReader;

const char* const keys_hint = "see overrides/README.md for the keys and what each takes";

// A nixpkgs attribute path: identifiers joined by dots ("cudaPackages_11_8.cudnn").
bool is_attribute_path(std::string_view s) {
    if (s.empty()) {
        return false;
    }
    std::size_t start = 0;
    while (start <= s.size()) {
        auto dot = s.find('.', start);
        if (dot == std::string_view::npos) {
            dot = s.size();
        }
        const std::string_view part = s.substr(start, dot - start);
        if (part.empty() ||
            !(std::isalpha(static_cast<unsigned char>(part[0])) != 0 || part[0] == '_')) {
            return false;
        }
        for (char c : part) {
            if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_' && c != '-' &&
                c != '\'') {
                return false;
            }
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
                           "unknown override key `" + key + "` for `" + package + "`",
                           "known keys: versions, " + all);
        }
        if (kind->second == "flag") {
            if (!value.is_boolean()) {
                fail(value,
                     "expected true or false for `" + key + "`, found " + describe_type(value));
            }
            e.settings[key] = value.as_boolean()->get();
        } else if (kind->second == "string") {
            if (!value.is_string()) {
                fail(value, "expected a string for `" + key + "`, found " + describe_type(value));
            }
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
                    fail(item, "`" + s + "` is not a nixpkgs attribute path",
                         "write attribute paths such as \"zlib\" or \"cudaPackages.cudnn\"");
                }
                if (names_python_packages(key) && !is_python_name(s)) {
                    fail(item, "`" + s + "` is not a Python package name");
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
                items[std::string(name.str())] = v.as_string()->get();
            }
            e.settings[key] = std::move(items);
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
    };
    return keys;
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
    return b;
}

struct OverrideDatabase::State {
    bool with_defaults = false;
    // Entries parsed from the embedded database, per package, on first lookup.
    mutable std::map<std::string, std::vector<OverrideEntry>, std::less<>> defaults;
    mutable std::mutex mutex;
    std::map<std::string, std::vector<OverrideEntry>, std::less<>> added; // project and user
};

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
        if (i == 0 || std::strcmp(detail::embedded_overrides[i].package,
                                  detail::embedded_overrides[i - 1].package) != 0) {
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
        for (const char* part : {e.package, e.file, e.text}) {
            digest.update(part);
            digest.update(std::string_view("\0", 1));
        }
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
    const std::string key = canonicalize_name(name);
    std::vector<OverrideEntry> out;
    if (state_->with_defaults) {
        std::lock_guard lock(state_->mutex);
        auto it = state_->defaults.find(key);
        if (it == state_->defaults.end()) {
            std::vector<OverrideEntry> parsed;
            const auto* begin = detail::embedded_overrides;
            const auto* end = begin + detail::embedded_override_count;
            const auto* first = std::lower_bound(
                begin, end, key, [](const detail::EmbeddedOverride& e, const std::string& k) {
                    return std::strcmp(e.package, k.c_str()) < 0;
                });
            for (const auto* e = first; e != end && key == e->package; ++e) {
                TomlReader reader(e->file, keys_hint);
                const toml::table root = reader.parse(e->text, "the default override database");
                for (OverrideEntry& entry :
                     read_entries(reader, root, OverrideLayer::defaults, e->first_line - 1)) {
                    parsed.push_back(std::move(entry));
                }
            }
            it = state_->defaults.emplace(key, std::move(parsed)).first;
        }
        out = it->second;
    }
    if (auto it = state_->added.find(key); it != state_->added.end()) {
        out.insert(out.end(), it->second.begin(), it->second.end());
    }
    std::stable_sort(out.begin(), out.end(), [](const OverrideEntry& a, const OverrideEntry& b) {
        return a.layer < b.layer;
    });
    return out;
}

Recipe OverrideDatabase::resolve(std::string_view name, std::string_view version) const {
    Recipe out;
    const auto all = entries(name);
    const auto v = pep440::Version::try_parse(version);
    for (OverrideLayer layer :
         {OverrideLayer::defaults, OverrideLayer::project, OverrideLayer::user}) {
        std::map<std::string, OverrideValue> combined;
        std::map<std::string, const OverrideEntry*> from;
        for (const OverrideEntry& e : all) {
            if (e.layer != layer) {
                continue;
            }
            if (e.versions && !(v && e.versions->contains(*v, true))) {
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
                } else if (auto* table =
                               std::get_if<std::map<std::string, std::string>>(&it->second)) {
                    for (const auto& [k, s] : std::get<std::map<std::string, std::string>>(value)) {
                        (*table)[k] = s;
                    }
                } else if (it->second != value) {
                    throw Error("overrides for `" + e.package + "` " + std::string(version) +
                                    " contradict each other: `" + key + "` is " +
                                    describe(it->second) + " at " + from[key]->where() + " but " +
                                    describe(value) + " at " + e.where(),
                                e.file, e.position,
                                "make the version ranges disjoint, or agree on one value");
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
