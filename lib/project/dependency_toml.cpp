#include "project/dependency_toml.hpp"

#include "lock2nix/standards/names.hpp"

#include <algorithm>

namespace lock2nix::detail {

namespace {

DependencyConstraint read_constraint(const TomlReader& reader, const toml::node& value) {
    DependencyConstraint c;
    c.position = reader.position(value);
    if (const auto* s = value.as_string()) {
        c.version = s->get();
        return c;
    }
    const auto* table = value.as_table();
    if (table == nullptr) {
        reader.fail(
            value,
            "expected a version constraint string or a table for a dependency, "
            "found " +
                describe_type(value),
            "write `name = \"^1.0\"` or `name = { version = \"^1.0\", markers = \"...\" }`");
    }
    c.version = reader.string_or(*table, "version", "");
    c.markers = reader.string_or(*table, "markers", "");
    c.extras = reader.string_list(*table, "extras", /*allow_single=*/true);
    c.optional = reader.boolean(*table, "optional").value_or(false);
    c.allow_prereleases =
        reader.boolean(*table, "allow-prereleases")
            .value_or(reader.boolean(*table, "allows-prereleases").value_or(false));
    c.develop = reader.boolean(*table, "develop");
    ConstraintDetails details;
    details.python = reader.string_or(*table, "python", "");
    details.platform = reader.string_or(*table, "platform", "");
    details.path = reader.string_or(*table, "path", "");
    details.file = reader.string_or(*table, "file", "");
    details.url = reader.string_or(*table, "url", "");
    details.git = reader.string_or(*table, "git", "");
    details.branch = reader.string_or(*table, "branch", "");
    details.tag = reader.string_or(*table, "tag", "");
    details.rev = reader.string_or(*table, "rev", "");
    details.subdirectory = reader.string_or(*table, "subdirectory", "");
    details.source = reader.string_or(*table, "source", "");
    c.set_details(std::move(details));
    return c;
}

} // namespace

Dependency read_dependency(const TomlReader& reader, std::string_view name,
                           const toml::node& value) {
    Dependency dep;
    dep.name = std::string(name);
    dep.canonical_name = canonicalize_name(name);
    dep.position = reader.position(value);
    if (const auto* list = value.as_array()) {
        if (list->empty()) {
            reader.fail(value, "dependency `" + dep.name + "` has an empty list of constraints");
        }
        for (const toml::node& item : *list) {
            dep.constraints.push_back(read_constraint(reader, item));
        }
    } else {
        dep.constraints.push_back(read_constraint(reader, value));
    }
    return dep;
}

std::vector<Dependency> read_dependencies(const TomlReader& reader, const toml::table& table) {
    std::vector<Dependency> out;
    out.reserve(table.size());
    for (const auto& [key, value] : table) {
        out.push_back(read_dependency(reader, key.str(), value));
    }
    // toml++ keeps tables in key order, not file order; sort by position so that messages and
    // outputs follow the file.
    std::stable_sort(out.begin(), out.end(), [](const Dependency& a, const Dependency& b) {
        return a.position.line != b.position.line ? a.position.line < b.position.line
                                                  : a.position.column < b.position.column;
    });
    return out;
}

} // namespace lock2nix::detail
