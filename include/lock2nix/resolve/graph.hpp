#pragma once
// The dependency graph of the selected packages: strongly connected components, the rule that
// breaks every cycle, and a deterministic build order.
//
// Cycle rule. Python tolerates import cycles; Nix derivations cannot depend on each other in a
// circle. lock2nix finds the strongly connected components (Boost.Graph) and, for every
// component with more than one member (or a member with an edge to itself, which the selection
// never makes: a package meets its own requirement, as `pkg[extra]` requiring `pkg` does):
//   1. edges between members of the same component are dropped from their build inputs, and
//      those members skip nixpkgs' runtime-dependency check (their siblings are not in their
//      closure at build time);
//   2. whoever depends on any member of a cyclic component depends on every member, so the
//      component is always propagated as a whole: each member is importable wherever one is;
//   3. the environment contains every selected package, so every member is importable there.
// No package names are special-cased: the rule follows from the graph alone.

#include "lock2nix/project/lockfile.hpp"
#include "lock2nix/resolve/select.hpp"

#include <cstddef>
#include <map>
#include <set>
#include <vector>

namespace lock2nix {

/// The build graph of a selection. Package numbers are indices into Lock::packages.
struct BuildGraph {
    /// Selected packages in build order: every package after its build dependencies; ties broken
    /// by canonical name, so the order is the same for the same input.
    std::vector<std::size_t> order;
    /// Build/runtime dependencies per package after cycle breaking (sorted by canonical name).
    std::map<std::size_t, std::vector<std::size_t>> dependencies;
    /// Components that form cycles, each sorted by canonical name.
    std::vector<std::vector<std::size_t>> cycles;
    /// Packages that belong to a cycle (they skip the runtime-dependency check).
    std::set<std::size_t> in_cycle;
};

/// Builds the graph of `selection`'s packages and edges.
BuildGraph build_graph(const Lock& lock, const Selection& selection);

/// The most dependency edges the rule "whoever depends on a member of a cycle depends on all of
/// it" may produce: each is a line of the emitted file, and a cycle of K members with K dependants
/// makes K² of them (docs/limits.md). Real locks stay far below it.
inline constexpr std::size_t max_expanded_edges = 1000000;

} // namespace lock2nix
