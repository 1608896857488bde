#pragma once
// The plan for one target: what installs (selection), in which order and with which edges
// (graph), and from which files (artifacts). This is what the emitter turns into Nix.

#include "lock2nix/artifacts.hpp"
#include "lock2nix/graph.hpp"
#include "lock2nix/lockfile.hpp"
#include "lock2nix/pyproject.hpp"
#include "lock2nix/select.hpp"

#include <nlohmann/json.hpp>

namespace lock2nix {

/// Everything decided for one target.
struct Plan {
    Selection selection;
    BuildGraph graph;
    std::vector<Artifact> artifacts; ///< one per selected package, in selection order

    const Artifact& artifact_of(std::size_t package) const;
};

/// Runs selection, graph and artifact choice.
Plan make_plan(const Lock& lock, const Pyproject* pyproject, const Target& target,
               const InstallRequest& request, const ArtifactPolicy& policy);

/// The default Python for a lock: nixpkgs' default interpreter (3.12) when the lock's
/// python-versions allows it, else the newest of 3.9–3.13 it allows.
std::string default_python(const Lock& lock);

/// The Nix system of the machine lock2nix runs on.
std::string host_system();

/// `lock2nix plan --json`: target, groups, extras, packages (version, file, reason, path),
/// edges, cycles, build order, exclusions and warnings.
nlohmann::ordered_json to_json(const Lock& lock, const Plan& plan);

} // namespace lock2nix
