#include "lock2nix/project/pyproject.hpp"

#include "lock2nix/standards/names.hpp"
#include "lock2nix/standards/pep508.hpp"
#include "project/code_paths.hpp"
#include "project/content_hash_toml.hpp"
#include "project/dependency_toml.hpp"
#include "project/toml_reader.hpp"

#include <algorithm>

namespace lock2nix {

namespace {

using detail::describe_type;
using detail::position_of;
using detail::TomlReader;

std::map<std::string, std::vector<std::string>>
read_name_lists(const TomlReader& reader, const toml::table& table, std::string_view what) {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& [key, value] : table) {
        const auto* list = value.as_array();
        if (list == nullptr) {
            reader.fail(value, "expected an array of strings for " + std::string(what) + " `" +
                                   std::string(key.str()) + "`, found " + describe_type(value));
        }
        auto& slot = out[canonicalize_name(key.str())];
        for (const toml::node& item : *list) {
            slot.push_back(reader.as_string(item, std::string(what) + " entry"));
        }
    }
    return out;
}

// A path the emitted file writes into code (see code_paths.hpp), refused at its position.
void check_code_path(const TomlReader& reader, const toml::node& at, std::string_view path,
                     const std::string& what, std::string_view example) {
    const std::string problem = detail::code_path_problem(path, detail::PathScope::inside_project);
    if (!problem.empty()) {
        reader.fail(at, what + " \"" + excerpt(path) + "\" " + problem,
                    "name " + std::string(example) + "; the editable install and the scripts " +
                        "lock2nix emits write this path into Python and shell code");
    }
}

// Console scripts ("module:function"); Poetry's `type = "file"` entries go to `files` when given.
std::map<std::string, std::string>
read_scripts(const TomlReader& reader, const toml::table& t,
             std::map<std::string, std::string>* files = nullptr) {
    std::map<std::string, std::string> out;
    for (const auto& [key, value] : t) {
        // A script becomes a file in $out/bin: its name is a file name, nothing more.
        const std::string_view name = key.str();
        if (!detail::is_plain_file_name(name)) {
            reader.fail_at(detail::position_of(value),
                           "the script name \"" + excerpt(name) +
                               "\" is not a file name (it must not be empty, `.` or `..`, nor "
                               "hold `/`, `\\` or control characters)",
                           "name the command as it is typed, such as \"my-tool\"; it becomes "
                           "a file in the package's bin/");
        }
        if (const auto* s = value.as_string()) {
            out[std::string(key.str())] = s->get();
        } else if (const auto* entry = value.as_table()) {
            // Poetry's table form: { callable = "pkg:main" } or { reference = "...", type = ... }
            std::string target = reader.string_or(*entry, "callable", "");
            if (target.empty()) {
                target = reader.string_or(*entry, "reference", "");
            }
            if (files != nullptr && reader.string_or(*entry, "type", "") == "file") {
                check_code_path(
                    reader, entry->get("reference") != nullptr ? *entry->get("reference") : value,
                    target, "the file of script `" + std::string(key.str()) + "`",
                    "a path relative to the project, such as \"bin/tool.sh\"");
                (*files)[std::string(key.str())] = target;
            } else {
                out[std::string(key.str())] = target;
            }
        } else {
            reader.fail(value, "expected a \"module:function\" string for script `" +
                                   std::string(key.str()) + "`, found " + describe_type(value));
        }
    }
    return out;
}

DependencyGroup& group_named(std::vector<DependencyGroup>& groups, const std::string& name) {
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const DependencyGroup& g) { return g.name == name; });
    if (it != groups.end()) {
        return *it;
    }
    groups.push_back(DependencyGroup{name, false, {}, {}, {}});
    return groups.back();
}

void read_main_dependencies(const TomlReader& reader, const toml::table& deps, PoetrySection& out) {
    for (Dependency& dep : detail::read_dependencies(reader, deps)) {
        if (dep.canonical_name == "python") {
            out.python = dep.constraints.front().version;
            out.python_position = dep.constraints.front().position;
            continue;
        }
        out.dependencies.push_back(std::move(dep));
    }
}

// `dev-dependencies` (Poetry 1.0's dev group) and `[tool.poetry.group.<name>]`, ordered by where
// each group is declared.
void read_groups(const TomlReader& reader, const toml::table& t, PoetrySection& p) {
    if (const toml::table* dev = reader.table(t, "dev-dependencies")) {
        DependencyGroup& g = group_named(p.groups, "dev");
        g.position = position_of(*dev);
        auto deps = detail::read_dependencies(reader, *dev);
        g.dependencies.insert(g.dependencies.end(), deps.begin(), deps.end());
    }
    const toml::table* groups = reader.table(t, "group");
    if (groups == nullptr) {
        return;
    }
    for (const auto& [key, value] : *groups) {
        const toml::table& gt = reader.as_table(value, "group `" + std::string(key.str()) + "`");
        DependencyGroup& g = group_named(p.groups, canonicalize_name(key.str()));
        g.position = position_of(gt);
        g.optional = reader.boolean(gt, "optional").value_or(false);
        for (std::string& inc : reader.string_list(gt, "include-groups")) {
            g.include_groups.push_back(canonicalize_name(inc));
        }
        if (const toml::table* deps = reader.table(gt, "dependencies")) {
            auto list = detail::read_dependencies(reader, *deps);
            g.dependencies.insert(g.dependencies.end(), list.begin(), list.end());
        }
    }
    std::stable_sort(p.groups.begin(), p.groups.end(), [](const auto& a, const auto& b) {
        return a.position.line < b.position.line;
    });
}

// `[[tool.poetry.source]]`; the priority of older Poetry comes from `default` and `secondary`.
std::vector<IndexSource> read_sources(const TomlReader& reader, const toml::array& sources) {
    std::vector<IndexSource> out;
    for (const toml::node& item : sources) {
        const toml::table& st = reader.as_table(item, "[[tool.poetry.source]]");
        IndexSource s;
        s.position = position_of(item);
        s.name = reader.required_string(st, "name", "[[tool.poetry.source]]");
        s.url = reader.string_or(st, "url", "");
        s.priority = reader.string_or(st, "priority", "");
        if (s.priority.empty()) {
            if (reader.boolean(st, "default").value_or(false)) {
                s.priority = "default";
            } else if (reader.boolean(st, "secondary").value_or(false)) {
                s.priority = "secondary";
            } else {
                s.priority = "primary";
            }
        }
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<PackageInclude> read_package_includes(const TomlReader& reader,
                                                  const toml::array& packages) {
    std::vector<PackageInclude> out;
    for (const toml::node& item : packages) {
        const toml::table& pt = reader.as_table(item, "an entry of `packages`");
        PackageInclude inc;
        inc.include = reader.required_string(pt, "include", "an entry of `packages`");
        inc.from = reader.string_or(pt, "from", "");
        if (!inc.from.empty()) {
            check_code_path(reader, *pt.get("from"), inc.from,
                            "the folder `from` of an entry of `packages`",
                            "a folder inside the project, such as \"src\"");
        }
        inc.formats = reader.string_list(pt, "format", /*allow_single=*/true);
        out.push_back(std::move(inc));
    }
    return out;
}

// The paths of `readme` or `include`: a string, a `{ path = ... }` table, or a list of either.
// Read leniently: these only narrow the files the emitted file copies, and poetry-core itself
// reports a malformed entry when it builds.
void add_paths_leniently(const toml::node* node, std::vector<std::string>& out) {
    if (node == nullptr) {
        return;
    }
    auto add = [&](const toml::node& item) {
        if (const auto* s = item.as_string()) {
            out.push_back(s->get());
        } else if (const auto* entry = item.as_table()) {
            if (const auto* path = entry->get_as<std::string>("path")) {
                out.push_back(path->get());
            }
        }
    };
    if (const auto* list = node->as_array()) {
        for (const toml::node& item : *list) {
            add(item);
        }
    } else {
        add(*node);
    }
}

// `build = "build.py"` or `build = { script = "build.py" }`; empty when neither.
std::string read_build_script(const toml::table& t) {
    if (const auto* build = t.get("build")) {
        if (const auto* s = build->as_string()) {
            return s->get();
        }
        if (const auto* bt = build->as_table()) {
            if (const auto* script = bt->get_as<std::string>("script")) {
                return script->get();
            }
        }
    }
    return {};
}

void read_plugins(const TomlReader& reader, const toml::table& plugins, PoetrySection& p) {
    for (const auto& [group, entries] : plugins) {
        const toml::table& et = reader.as_table(entries, "plugin group");
        auto& slot = p.plugins[std::string(group.str())];
        for (const auto& [name, target] : et) {
            slot[std::string(name.str())] = reader.as_string(target, "a plugin entry point");
        }
    }
}

PoetrySection read_poetry(const TomlReader& reader, const toml::table& t) {
    PoetrySection p;
    p.present = true;
    p.name = reader.string_or(t, "name", "");
    p.version = reader.string_or(t, "version", "");
    p.description = reader.string_or(t, "description", "");
    p.package_mode = reader.boolean(t, "package-mode").value_or(true);
    if (const toml::table* deps = reader.table(t, "dependencies")) {
        read_main_dependencies(reader, *deps, p);
    }
    read_groups(reader, t, p);
    if (const toml::table* extras = reader.table(t, "extras")) {
        p.extras = read_name_lists(reader, *extras, "extra");
    }
    if (const toml::array* sources = reader.array(t, "source")) {
        p.sources = read_sources(reader, *sources);
    }
    if (const toml::table* scripts = reader.table(t, "scripts")) {
        p.scripts = read_scripts(reader, *scripts, &p.file_scripts);
    }
    if (const toml::array* packages = reader.array(t, "packages")) {
        p.packages = read_package_includes(reader, *packages);
    }
    add_paths_leniently(t.get("readme"), p.readme);
    add_paths_leniently(t.get("include"), p.include);
    p.build_script = read_build_script(t);
    if (const toml::table* plugins = reader.table(t, "plugins")) {
        read_plugins(reader, *plugins, p);
    }
    return p;
}

ProjectSection read_project(const TomlReader& reader, const toml::table& t) {
    ProjectSection p;
    p.present = true;
    p.name = reader.string_or(t, "name", "");
    p.version = reader.string_or(t, "version", "");
    p.description = reader.string_or(t, "description", "");
    p.requires_python = reader.string_or(t, "requires-python", "");
    if (const toml::node* rp = t.get("requires-python")) {
        p.requires_python_position = detail::position_of(*rp);
    }
    p.dependencies = reader.string_list(t, "dependencies");
    if (const toml::node* deps = t.get("dependencies")) {
        p.dependencies_position = position_of(*deps);
    }
    if (const toml::table* optional = reader.table(t, "optional-dependencies")) {
        p.optional_dependencies = read_name_lists(reader, *optional, "optional dependency group");
    }
    if (const toml::table* scripts = reader.table(t, "scripts")) {
        p.scripts = read_scripts(reader, *scripts);
    }
    if (const toml::table* scripts = reader.table(t, "gui-scripts")) {
        p.gui_scripts = read_scripts(reader, *scripts);
    }
    p.dynamic = reader.string_list(t, "dynamic");
    if (const toml::node* readme = t.get("readme")) {
        if (const auto* s = readme->as_string()) {
            p.readme = s->get();
        } else if (const auto* rt = readme->as_table()) {
            if (const auto* file = rt->get_as<std::string>("file")) {
                p.readme = file->get();
            }
        }
    }
    return p;
}

std::map<std::string, std::vector<DependencyGroupItem>>
read_dependency_groups(const TomlReader& reader, const toml::table& t) {
    std::map<std::string, std::vector<DependencyGroupItem>> out;
    for (const auto& [key, value] : t) {
        const auto* list = value.as_array();
        if (list == nullptr) {
            reader.fail(value, "expected an array for dependency group `" + std::string(key.str()) +
                                   "`, found " + describe_type(value));
        }
        auto& items = out[canonicalize_name(key.str())];
        for (const toml::node& item : *list) {
            if (const auto* s = item.as_string()) {
                items.push_back({s->get(), {}});
            } else if (const auto* inc = item.as_table()) {
                items.push_back({{},
                                 canonicalize_name(reader.required_string(
                                     *inc, "include-group", "a [dependency-groups] table"))});
            } else {
                reader.fail(item, "expected a requirement string or {include-group = ...} in "
                                  "dependency group `" +
                                      std::string(key.str()) + "`, found " + describe_type(item));
            }
        }
    }
    return out;
}

} // namespace

std::string Pyproject::project_name() const {
    return project.present && !project.name.empty() ? project.name : poetry.name;
}

std::string Pyproject::project_version() const {
    return project.present && !project.version.empty() ? project.version : poetry.version;
}

std::string Pyproject::python_constraint() const {
    if (!poetry.python.empty()) {
        return poetry.python;
    }
    if (!project.requires_python.empty()) {
        return project.requires_python;
    }
    return "*";
}

std::vector<std::string> Pyproject::group_names() const {
    std::vector<std::string> out{"main"};
    for (const DependencyGroup& g : poetry.groups) {
        if (g.name != "main") {
            out.push_back(g.name);
        }
    }
    for (const auto& [name, items] : dependency_groups) {
        if (std::find(out.begin(), out.end(), name) == out.end()) {
            out.push_back(name);
        }
    }
    return out;
}

bool Pyproject::describes_package() const {
    return poetry.package_mode && !project_name().empty();
}

namespace {

constexpr const char* layout_hint =
    "see https://python-poetry.org/docs/pyproject/ for the expected layout";
constexpr const char* syntax_hint = "pyproject.toml must be valid TOML (see https://toml.io)";

} // namespace

Pyproject parse_pyproject(std::string_view text, std::string path) {
    TomlReader reader(path, layout_hint);
    const toml::table root = reader.parse(text, syntax_hint);
    Pyproject out;
    out.path = std::move(path);
    if (const toml::table* tool = reader.table(root, "tool")) {
        if (const toml::table* poetry = reader.table(*tool, "poetry")) {
            out.poetry = read_poetry(reader, *poetry);
        }
    }
    if (const toml::table* project = reader.table(root, "project")) {
        out.project = read_project(reader, *project);
    }
    if (const toml::table* groups = reader.table(root, "dependency-groups")) {
        out.dependency_groups = read_dependency_groups(reader, *groups);
    }
    if (const toml::table* build = reader.table(root, "build-system")) {
        out.build_system.present = true;
        out.build_system.requirements = reader.string_list(*build, "requires");
        out.build_system.build_backend = reader.string_or(*build, "build-backend", "");
        out.build_system.backend_path = reader.string_list(*build, "backend-path");
    }
    out.content_hash_inputs = detail::content_hash_inputs(root, reader);
    return out;
}

Pyproject read_pyproject(const std::string& path) {
    return parse_pyproject(detail::read_file(path), path);
}

ContentHashInputs read_content_hash_inputs(const std::string& path) {
    TomlReader reader(path, layout_hint);
    const toml::table root = reader.parse(detail::read_file(path), syntax_hint);
    return detail::content_hash_inputs(root, reader);
}

std::vector<std::string> BuildSystem::pinned_requirements() const {
    std::vector<std::string> out;
    for (const auto& r : requirements) {
        const auto req = pep508::Requirement::try_parse(r);
        if (!req || !req->specifier.empty() || !req->url.empty()) {
            out.push_back(r);
        }
    }
    return out;
}

PackagedFiles packaged_files(const Pyproject& pp) {
    PackagedFiles out;
    const std::string& backend = pp.build_system.build_backend;
    const bool poetry_core = backend.starts_with("poetry.core.masonry") ||
                             backend.starts_with("poetry.masonry") ||
                             (backend.empty() && pp.poetry.present);
    if (!poetry_core || !pp.poetry.present) {
        out.everything = true;
        return out;
    }
    const auto add = [&](const std::string& path) {
        if (path.empty() || path.starts_with("/")) {
            return;
        }
        if (path.find_first_of("*?[") != std::string::npos) {
            out.globs.push_back(path);
        } else {
            out.paths.push_back(path.ends_with("/") ? path.substr(0, path.size() - 1) : path);
        }
    };
    add("pyproject.toml");
    for (const auto& r : pp.poetry.readme) {
        add(r);
    }
    add(pp.project.readme);
    if (pp.poetry.packages.empty()) {
        // poetry-core's default: the module named after the project, beside the pyproject or
        // under src/.
        std::string module = canonicalize_name(pp.project_name());
        std::replace(module.begin(), module.end(), '-', '_');
        for (const std::string& where : {std::string(), std::string("src/")}) {
            add(where + module);
            add(where + module + ".py");
        }
    }
    for (const PackageInclude& inc : pp.poetry.packages) {
        add(inc.from.empty() ? inc.include : inc.from + "/" + inc.include);
    }
    for (const auto& inc : pp.poetry.include) {
        add(inc);
    }
    add(pp.poetry.build_script);
    // poetry-core adds these to every distribution it builds.
    for (const char* license : {"LICENSE*", "LICENCE*", "COPYING*", "AUTHORS*", "NOTICE*"}) {
        add(license);
    }
    return out;
}

} // namespace lock2nix
