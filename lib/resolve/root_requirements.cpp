// The root requirements of a project: every dependency table of its pyproject (Poetry's own, PEP
// 621 `[project]` with its optional dependencies, PEP 735 `[dependency-groups]`), in one form.

#include "lock2nix/error.hpp"
#include "lock2nix/resolve/select.hpp"
#include "lock2nix/standards/names.hpp"

#include <map>
#include <set>

namespace lock2nix {

namespace {

RootRequirement from_constraint(const Dependency& dep, const DependencyConstraint& c,
                                const std::string& group, const std::string& file,
                                const std::string& table) {
    RootRequirement r;
    r.name = dep.canonical_name;
    r.group = group;
    r.constraint = c.version;
    r.markers = c.markers;
    if (!c.platform().empty()) {
        const std::string platform = "sys_platform == \"" + c.platform() + "\"";
        r.markers = r.markers.empty() ? platform : "(" + r.markers + ") and " + platform;
    }
    r.python = c.python();
    r.extras = c.extras;
    r.optional = c.optional;
    r.direct = c.is_direct_reference();
    r.origin = describe_position(file, c.position) + " " + table + " " + dep.name;
    return r;
}

void add_pep508(std::vector<RootRequirement>& out, const std::string& text,
                const std::string& group, const std::vector<std::string>& root_extras,
                const std::string& origin) {
    pep508::Requirement req;
    try {
        req = pep508::Requirement::parse(text);
    } catch (const SyntaxError& e) {
        throw Error(e.message(), origin, {},
                    "expected a PEP 508 requirement such as \"requests>=2\"");
    }
    RootRequirement r;
    r.name = req.canonical_name;
    r.group = group;
    r.constraint = req.specifier.str();
    r.markers = req.marker ? req.marker->str() : std::string();
    r.extras = req.extras;
    r.root_extras = root_extras;
    r.optional = !root_extras.empty();
    r.direct = !req.url.empty();
    r.origin = origin + " \"" + text + "\"";
    out.push_back(std::move(r));
}

void add_dependency_group(const Pyproject& pp, const std::string& group, const std::string& name,
                          std::set<std::string>& visiting, std::vector<RootRequirement>& out) {
    auto it = pp.dependency_groups.find(name);
    if (it == pp.dependency_groups.end() || !visiting.insert(name).second) {
        return;
    }
    for (const DependencyGroupItem& item : it->second) {
        if (!item.include_group.empty()) {
            add_dependency_group(pp, group, item.include_group, visiting, out);
        } else {
            add_pep508(out, item.requirement, group, {}, pp.path + " [dependency-groups] " + name);
        }
    }
}

} // namespace

std::vector<RootRequirement> root_requirements(const Pyproject& pp) {
    std::vector<RootRequirement> out;
    // [tool.poetry.extras] names the optional dependencies each root extra turns on.
    std::map<std::string, std::vector<std::string>> extras_of;
    for (const auto& [extra, names] : pp.poetry.extras) {
        for (const auto& n : names) {
            extras_of[requirement_name(n)].push_back(extra);
        }
    }
    for (const Dependency& dep : pp.poetry.dependencies) {
        for (const DependencyConstraint& c : dep.constraints) {
            RootRequirement r =
                from_constraint(dep, c, "main", pp.path, "[tool.poetry.dependencies]");
            if (r.optional) {
                r.root_extras = extras_of[r.name];
            }
            out.push_back(std::move(r));
        }
    }
    for (const DependencyGroup& g : pp.poetry.groups) {
        for (const Dependency& dep : g.dependencies) {
            for (const DependencyConstraint& c : dep.constraints) {
                out.push_back(
                    from_constraint(dep, c, g.name, pp.path, "[tool.poetry.group." + g.name + "]"));
            }
        }
    }
    for (const std::string& text : pp.project.dependencies) {
        add_pep508(out, text, "main", {},
                   describe_position(pp.path, pp.project.dependencies_position) +
                       " [project] dependencies");
    }
    for (const auto& [extra, texts] : pp.project.optional_dependencies) {
        for (const std::string& text : texts) {
            add_pep508(out, text, "main", {extra},
                       pp.path + " [project.optional-dependencies] " + extra);
        }
    }
    for (const auto& [name, items] : pp.dependency_groups) {
        std::set<std::string> visiting;
        add_dependency_group(pp, name, name, visiting, out);
    }
    // Poetry groups may include other groups: their requirements count for the includer too.
    for (const DependencyGroup& g : pp.poetry.groups) {
        for (const std::string& inc : g.include_groups) {
            for (std::size_t i = 0, n = out.size(); i < n; ++i) {
                if (out[i].group == inc) {
                    RootRequirement copy = out[i];
                    copy.group = g.name;
                    out.push_back(std::move(copy));
                }
            }
        }
    }
    return out;
}

} // namespace lock2nix
