#pragma once
// Private: decoding a dependency value (string, table, or array of them) from TOML.

#include "lock2nix/project/dependency.hpp"
#include "project/toml_reader.hpp"

namespace lock2nix::detail {

/// Decodes `name = <value>` from a dependencies table.
Dependency read_dependency(const TomlReader& reader, std::string_view name,
                           const toml::node& value);

/// Decodes every entry of a dependencies table, in file order.
std::vector<Dependency> read_dependencies(const TomlReader& reader, const toml::table& table);

} // namespace lock2nix::detail
