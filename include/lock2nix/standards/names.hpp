#pragma once
// Python project names: PEP 503 normalisation and PEP 508 validity.

#include <string>
#include <string_view>

namespace lock2nix {

/// PEP 503 normal form: runs of '-', '_' and '.' become one '-', letters lower-case.
/// Every lookup by package, extra or group name goes through this.
std::string canonicalize_name(std::string_view name);

/// The project name a requirement string starts with, as written ("CacheControl" in
/// "CacheControl[filecache] (>=0.12)", "poetry-core" in "poetry-core>=1.0").
std::string_view leading_project_name(std::string_view requirement);

/// The canonical form of that name: "cachecontrol" for "CacheControl[filecache] (>=0.12)".
std::string requirement_name(std::string_view requirement);

/// ASCII lower case (names, hash algorithms, tags and headers are ASCII by specification).
std::string ascii_lower(std::string_view text);

/// True when `name` is a valid PEP 508 distribution name (letters, digits, and '-', '_', '.'
/// between them, starting and ending with a letter or digit).
bool is_valid_project_name(std::string_view name);

} // namespace lock2nix
