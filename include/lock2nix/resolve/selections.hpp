#pragma once
// Which group and extra selections the emitted environment serves exactly. The emitted file
// records, per package, the groups that select it and, per root extra, the groups that extra
// adds; mkEnv adds these up over the groups and extras it is asked for. Poetry's selection is not
// always such a sum: `extra == "a" and extra == "b"` needs both extras, `extra != "a"` takes a
// package away when a is asked for, and an older lock's walk can reach a package differently
// when two groups ask for it. This module proves when the sum is exact for every selection and
// otherwise checks a family of selections against select_packages, so the emitted file can
// correct or refuse the rest instead of differing from `plan`.

#include "lock2nix/project/lockfile.hpp"
#include "lock2nix/project/pyproject.hpp"
#include "lock2nix/resolve/select.hpp"
#include "lock2nix/standards/target.hpp"

#include <compare>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace lock2nix {

/// A selection as mkEnv takes it: groups and root extras, canonical, sorted, distinct.
struct SelectionKey {
    std::vector<std::string> groups;
    std::vector<std::string> extras;

    auto operator<=>(const SelectionKey&) const = default;

    /// "main,dev;a,b": how the emitted file names the selection (groups and extras are canonical
    /// names, which hold neither `,` nor `;`).
    std::string text() const;
};

/// What the emitted file sums, by lock index: the groups that select each package without
/// extras, and per extra the groups that extra adds (empty for packages nothing selects).
struct SelectionSum {
    const std::vector<std::set<std::string>>& groups;
    const std::vector<std::map<std::string, std::set<std::string>>>& extra_groups;
};

/// What the sum over the members gives, against what selection gives.
struct SelectionCoverage {
    /// The sum equals the selection for every choice of groups and extras.
    bool sum_exact = false;
    /// Otherwise the selections compared with select_packages (any other is refused).
    std::vector<SelectionKey> checked;
    /// The checked selections whose package set differs from the sum: the lock indices they
    /// select, in increasing order (some may be in no other selection: the package set must
    /// hold them).
    std::map<SelectionKey, std::vector<std::size_t>> corrections;
    /// The dependency edges of the selections checked beside `defaults`.
    std::vector<std::pair<std::size_t, std::size_t>> edges;
};

/// Checks `sum` against select_packages. `defaults` is the selection the file is generated for:
/// it is always among the checked ones.
SelectionCoverage check_selections(const Lock& lock, const Pyproject* pyproject,
                                   const Target& target, const Selection& defaults,
                                   const SelectionSum& sum, SelectionCache& cache);

} // namespace lock2nix
