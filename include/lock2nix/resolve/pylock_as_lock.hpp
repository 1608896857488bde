#pragma once
// A pylock.toml turned into the planner's input. The specification decides what installs
// (select_pylock, per target); the planner, the fetchers, the override database and the Nix
// writer then treat the chosen entries as they treat a poetry.lock's packages. The Lock made here
// has one entry per pylock entry, at the same index, in a single group "main" whose marker holds
// exactly on the targets where the specification installs the entry: the pylock's own markers
// (with `extras` and `dependency_groups`) are never handed to Poetry's rules.

#include "lock2nix/project/lockfile.hpp"
#include "lock2nix/project/pylock.hpp"
#include "lock2nix/resolve/plan.hpp"
#include "lock2nix/resolve/pylock_select.hpp"
#include "lock2nix/standards/target.hpp"

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace lock2nix {

/// A pylock's entries as a Lock, for a set of targets.
struct PylockAsLock {
    /// Package i is entry i of the pylock. Entries installed on no target belong to no group.
    Lock lock;
    /// File name → the URL the pylock gives for it, for the files of installed entries: the
    /// emitted file fetches from there (no index is asked).
    std::map<std::string, std::string> urls;
    /// What installs on each target, in the order of the targets given.
    std::vector<PylockSelection> selections;
};

/// The Lock for `targets` (at least one). Throws Error, at the pylock's position, when the
/// specification makes an installer refuse the lock for one of them (select_pylock), and when an
/// installed entry has a source lock2nix cannot build: a vcs other than git, a git repository
/// named by a local path, local files among several files of one entry, or two files of one name
/// with different URLs.
PylockAsLock pylock_as_lock(const Pylock& pylock, const std::vector<Target>& targets,
                            const PylockGroups& groups);

/// Puts the specification's reasons into a plan made from pylock_as_lock: why each installed
/// entry is in (its marker holds, or it has none) and why each other entry is out, instead of the
/// per-target markers the Lock carries.
void explain_with_pylock(TargetPlan& plan, const Pylock& pylock, const PylockSelection& selection);

} // namespace lock2nix
