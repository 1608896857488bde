#pragma once
// The one planner: everything that decides what an emitted file contains, for each target, worked
// out once and used by every command (`plan`, `explain`, `verify` and the renderer), so what they
// say and what the file does never disagree. It reads no file and asks no network.

#include "lock2nix/project/lockfile.hpp"
#include "lock2nix/project/overrides.hpp"
#include "lock2nix/project/pyproject.hpp"
#include "lock2nix/resolve/artifacts.hpp"
#include "lock2nix/resolve/graph.hpp"
#include "lock2nix/resolve/python_choice.hpp"
#include "lock2nix/resolve/select.hpp"
#include "lock2nix/resolve/selections.hpp"

#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace lock2nix {

/// The other artifact of a package that has both a fitting wheel and an sdist, with the recipe
/// for it: the emitted file carries both, so `overrides` can switch without regenerating.
struct AlternativeBuild {
    Artifact artifact;
    /// The override database's settings for that artifact (`dist`); never null.
    std::shared_ptr<const BuildRecipe> recipe;
};

/// One package of a target's package set: every locked package that some group or extra can
/// select on the target and that the override database does not disable.
struct PlannedPackage {
    std::size_t package = 0;      ///< index into Lock::packages
    std::string key;              ///< attribute name: the canonical name, or "name@version" for a
                                  ///< second locked version selected only by other groups or extras
                                  ///< ("name@version#2", #3… for the same version locked again)
    bool in_default = false;      ///< part of the default environment
    std::set<std::string> groups; ///< groups that select it without any extra
    std::map<std::string, std::set<std::string>> extra_groups; ///< extra → groups selecting it
    std::optional<Artifact> artifact; ///< what it is built from; empty when unavailable
    std::string unavailable;          ///< why it cannot be installed on this target
    /// The override database's settings for it; never null. Packages with the same settings
    /// share one (most have none): a recipe is several hundred bytes, per package and target.
    std::shared_ptr<const BuildRecipe> recipe;
    std::optional<AlternativeBuild> alternative; ///< the other of wheel and sdist, if both fit
    std::vector<std::size_t> dependencies; ///< runtime edges (lock indices), after the recipe's
                                           ///< removals, in build order
    bool in_cycle = false;
};

/// Everything decided for one target.
struct TargetPlan {
    Target target;
    Selection selection; ///< the default environment: reasons, paths from the root, exclusions
    std::vector<PlannedPackage> packages; ///< sorted by key
    BuildGraph graph;                     ///< over every planned package
    /// Which selections the sum of the packages' groups and extra_groups serves exactly.
    SelectionCoverage coverage;

    /// The planned package for a lock index, or null when it is not in the package set.
    const PlannedPackage* find(std::size_t package) const;

    std::unordered_map<std::size_t, std::size_t> positions; ///< lock index → packages index
};

/// The plan for every target a file serves.
struct EnvironmentPlan {
    std::vector<TargetPlan> targets; ///< sorted by key ("<system> python<X.Y>"), distinct
};

/// What to plan.
struct PlanOptions {
    std::vector<Target> targets; ///< at least one
    InstallRequest request;      ///< the default environment
    ArtifactPolicy policy; ///< the command line's wheel/sdist choices (they beat the database)
    const OverrideDatabase* overrides = nullptr; ///< null: no overrides
    const NixpkgsRelease* release = nullptr;     ///< null: the default release
};

/// "x86_64-linux python3.11": how the emitted file names a target.
std::string target_key(const Target& target);

/// Plans every target. Throws Error when a package of the default environment has no usable
/// file (naming the package, the target and the files there are) or needs one that has none.
EnvironmentPlan plan_environment(const Lock& lock, const Pyproject* pyproject,
                                 const PlanOptions& options);

/// The Nix system of the machine lock2nix runs on.
std::string host_system();

/// `lock2nix plan --json` for one target: target, groups, extras, every planned package (version,
/// file, whether it is in the default environment, groups and extras that select it, reason and
/// path from the root for the default ones, dependencies), cycles, build order, the packages that
/// are unavailable, exclusions and warnings, as text laid out as nlohmann's dump(2), written to
/// `out` as it is produced (no document is held). Linear in the size of the plan.
void write_json(std::ostream& out, const Lock& lock, const TargetPlan& plan);

} // namespace lock2nix
