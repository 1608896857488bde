#pragma once
// Private: the content-hash inputs of a parsed pyproject.toml.

#include "lock2nix/project/content_hash.hpp"
#include "project/toml_reader.hpp"

namespace lock2nix::detail {

/// The JSON text each algorithm A–E hashes for this pyproject document.
ContentHashInputs content_hash_inputs(const toml::table& pyproject, const TomlReader& reader);

} // namespace lock2nix::detail
