#pragma once
// JSON views of the lock and pyproject models: what `lock2nix inspect --json` prints.

#include "lock2nix/project/lockfile.hpp"
#include "lock2nix/project/pylock.hpp"
#include "lock2nix/project/pyproject.hpp"

#include <string>

namespace lock2nix {

/// The whole lock model as JSON text (two-space indented): generation, metadata, root extras and
/// every package with its files, source, dependencies (all constraints) and extras. Empty fields
/// are left out.
std::string model_json(const Lock& lock);

/// The pylock model: top-level keys and every entry with its source, files, digests and the
/// source problems an installer would refuse it for, as JSON text. Empty fields are left out.
std::string model_json(const Pylock& lock);

/// The pyproject model, with the content-hash of every algorithm, as JSON text.
std::string model_json(const Pyproject& pyproject);

} // namespace lock2nix
