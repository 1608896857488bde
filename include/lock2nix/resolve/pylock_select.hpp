#pragma once
// Which entries of a pylock.toml install for a target, by the specification's installation
// steps: the lock's requires-python and environments must admit the target, each entry whose
// marker holds (with `extras` and `dependency_groups` bound to the selection) is installed, its
// own requires-python must hold, and at most one entry per name may remain. There is no graph:
// the specification forbids installing by `dependencies`.

#include "lock2nix/project/pylock.hpp"
#include "lock2nix/resolve/select.hpp"
#include "lock2nix/standards/target.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace lock2nix {

/// The extras and dependency groups a request selects in a pylock, canonical and sorted.
struct PylockGroups {
    std::vector<std::string> extras;
    std::vector<std::string> groups;
};

/// Maps a request as `poetry install` takes it onto the lock's names: no option gives the lock's
/// `default-groups` and no extras (the specification's defaults); `only` replaces the default
/// groups, `with` adds to them, `without` takes away; `extras` (or `all_extras`) names extras.
/// Throws Error, at the lock, for a group or extra the lock does not list (a single-use lock lists
/// none: it serves the one selection it was written for).
PylockGroups pylock_groups(const Pylock& lock, const InstallRequest& request);

/// An entry that does not install, and why.
struct PylockSkip {
    std::size_t index;  ///< into Pylock::packages
    std::string reason; ///< "marker is false: sys_platform == \"win32\""
};

/// What installs for a target.
struct PylockSelection {
    PylockGroups selected;
    std::vector<std::size_t> chosen; ///< indices into Pylock::packages, in the lock's order
    std::vector<PylockSkip> skipped; ///< every other entry, in the lock's order
};

/// Runs the specification's selection for `target` and `groups`. Throws Error at the position in
/// the lock of the first thing the specification makes an installer refuse: the lock's
/// requires-python or environments excluding the target, an installed entry's requires-python
/// excluding it, two installed entries of one name (ambiguity), an installed entry's source
/// problem, or a marker that cannot be evaluated for a Nix build (platform_release and
/// platform_version describe the build machine's kernel, which Nix does not fix).
PylockSelection select_pylock(const Pylock& lock, const Target& target, const PylockGroups& groups);

/// The marker environment select_pylock evaluates entries in: the target's, with the lock
/// variables `extras` and `dependency_groups` bound to `groups`.
pep508::Environment pylock_environment(const Target& target, const PylockGroups& groups);

} // namespace lock2nix
