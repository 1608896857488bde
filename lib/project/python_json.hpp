#pragma once
// Private: TOML values serialised exactly as Python's json.dumps(value, sort_keys=True) prints
// them after tomllib parsed them, which is what Poetry's content-hash feeds to SHA-256.

#include "project/toml_reader.hpp"

#include <string>
#include <utility>
#include <vector>

namespace lock2nix::detail {

/// json.dumps of a string: ASCII only, \uXXXX (lower-case hex, surrogate pairs) for the rest.
void append_python_json_string(std::string& out, std::string_view text);

/// json.dumps of a float: Python's repr (shortest round trip, exponent form outside 1e-4..1e16).
void append_python_json_float(std::string& out, double value);

/// json.dumps(node, sort_keys=True). Dates and times are rejected as Poetry's hashing would.
void append_python_json(std::string& out, const toml::node& node, const TomlReader& reader);

/// An object from already-serialised members; sorts the keys as Python does.
std::string python_json_object(std::vector<std::pair<std::string, std::string>> members);

} // namespace lock2nix::detail
