#pragma once
// Which locked packages install for a target, following Poetry's own rules
// (reference: poetry-lock-format.md §10), with a reason for every package in and out, and the
// dependency edges between the selected packages after markers and extras are applied.

#include "lock2nix/project/lockfile.hpp"
#include "lock2nix/project/pyproject.hpp"
#include "lock2nix/standards/pep440.hpp"
#include "lock2nix/standards/pep508.hpp"
#include "lock2nix/standards/target.hpp"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace lock2nix {

/// The most dependency groups, and the most root extras, a project may have: the package set of
/// every group and extra is worked out apart, so their cost grows with the lock's size times their
/// number (docs/limits.md). Real projects have a few dozen at most.
inline constexpr std::size_t max_groups = 1000;
inline constexpr std::size_t max_root_extras = 1000;

/// Which dependency groups and extras to install, as `poetry install` takes them.
struct InstallRequest {
    std::vector<std::string> with;    ///< add these (optional) groups
    std::vector<std::string> without; ///< drop these groups
    std::vector<std::string> only;    ///< exactly these groups (overrides the default set)
    std::vector<std::string> extras;  ///< root extras by name
    bool all_extras = false;
};

/// A requirement of the root project, from any of the pyproject's dependency tables.
struct RootRequirement {
    std::string name;       ///< canonical
    std::string group;      ///< canonical group ("main" for project dependencies)
    std::string constraint; ///< Poetry or PEP 440 version constraint; empty = any
    std::string markers;    ///< PEP 508 marker; empty = always
    std::string python;     ///< `python` restriction of a tool.poetry dependency
    std::vector<std::string> extras;
    std::vector<std::string> root_extras; ///< when set, only these root extras enable it
    bool optional = false;                ///< tool.poetry `optional = true`
    bool direct = false;                  ///< path, git, url or file dependency
    std::string origin; ///< "pyproject.toml:12:1 [tool.poetry.dependencies] requests"
};

/// One hop on the way to a package: `from` (a package index, or nullopt for the root project)
/// requires the package under `marker` (empty = always).
struct Hop {
    std::optional<std::size_t> from;
    std::string requirement; ///< "requests (>=2.31)" as declared
    std::string marker;
};

/// A dependency edge between two selected packages.
struct Edge {
    std::size_t from = 0; ///< index into Lock::packages
    std::size_t to = 0;
    std::string marker; ///< the marker that let it through (empty = always)
};

/// Why a package was left out.
struct Exclusion {
    std::size_t package = 0;
    std::string reason;
};

/// The outcome of selection for one target and request.
struct Selection {
    Target target;
    std::vector<std::string> groups; ///< activated groups, canonical, sorted (main first)
    std::vector<std::string> extras; ///< requested root extras, canonical, sorted
    std::vector<std::string> all_groups;
    std::vector<std::string> all_extras;
    std::vector<std::size_t> packages; ///< selected, by canonical name then version
    /// By package index: why it is in (empty for packages not selected). Vectors by index, not
    /// maps: tree lookups missed the caches once the lock outgrew them.
    std::vector<std::string> reasons;
    /// By package index: the hop that first reached it; the whole path is built on demand by
    /// path() (a copy per package was quadratic: 1.4 GB for a 4,000-package chain).
    std::vector<std::optional<Hop>> via;
    std::vector<Edge> edges;            ///< sorted by (from, to)
    std::vector<Exclusion> excluded;    ///< every locked package that is not selected
    std::vector<RootRequirement> roots; ///< the root requirements that were active
    std::vector<std::string> warnings;

    bool contains(std::size_t package) const;
    /// Why `package` is in; empty when it is not selected.
    std::string_view reason(std::size_t package) const;
    /// The hop that first reached `package`, or null when no requirement reached it.
    const Hop* hop_to(std::size_t package) const;
    /// The path from a root requirement to `package` (empty when it was not reached that way).
    std::vector<Hop> path(std::size_t package) const;
};

struct SelectionCache;

namespace detail {
/// The selector's flattened table of the locked entries each package's dependencies name.
struct DependencyTable;
/// The entries (Lock::find) of package `i`'s dependencies, in order, from the table `cache` keeps
/// for `lock`, built on first use.
const std::vector<std::size_t>* const* dependency_entries(SelectionCache& cache, const Lock& lock,
                                                          std::size_t i);
} // namespace detail

/// Parsed strings and root requirements that several selections over the same lock and
/// pyproject share (the emitter selects once per group and extra). Optional; not thread-safe.
struct SelectionCache {
    SelectionCache();
    ~SelectionCache();
    SelectionCache(SelectionCache&&) noexcept;
    SelectionCache& operator=(SelectionCache&&) noexcept;

    std::optional<std::vector<RootRequirement>> roots;
    std::unordered_map<std::string, pep508::Marker> markers;
    std::unordered_map<std::string, pep440::Constraint> constraints;
    /// Leave out the per-package explanations (reasons, exclusions) when only the set matters.
    bool sets_only = false;

private:
    // Filled by the first selection, so that later walks index an array instead of hashing names
    // per edge; it points into the lock, so only the selector reads it.
    std::unique_ptr<detail::DependencyTable> dependencies_;
    friend const std::vector<std::size_t>* const*
    detail::dependency_entries(SelectionCache&, const Lock&, std::size_t);
};

/// The parsed marker for `text`, from the cache or parsed into it; a syntax error is an Error
/// placed at `pos` of `file`.
const pep508::Marker& cached_marker(SelectionCache& cache, const std::string& text,
                                    const std::string& file, SourcePosition pos);

/// Whether a marker compares the `extra` variable anywhere.
bool mentions_extra(const pep508::Marker& marker);

/// The root requirements a pyproject declares, in every group.
std::vector<RootRequirement> root_requirements(const Pyproject& pyproject);

/// Selects the packages to install. `pyproject` may be null for 2.1 locks (groups and markers
/// are in the lock); older locks need it to know the root requirements. Throws Error for unknown
/// groups or extras (listing the valid ones) and for requirements the lock cannot satisfy.
Selection select_packages(const Lock& lock, const Pyproject* pyproject, const Target& target,
                          const InstallRequest& request, SelectionCache* cache = nullptr);

/// Which groups select a package on a target: with no extras, and with one root extra each.
struct Membership {
    std::set<std::string> groups;
    std::map<std::string, std::set<std::string>> extra_groups; ///< extra → groups it adds
    /// Nothing selects the package.
    bool empty() const { return groups.empty() && extra_groups.empty(); }
};

/// For 2.1 locks, membership read straight from each package's groups and markers (the rule
/// select_packages applies), for every group and every extra alone, indexed by package; packages
/// nothing selects have an empty membership. Markers that do not mention `extra` are evaluated
/// once.
std::vector<Membership> locked_membership(const Lock& lock, const Target& target,
                                          const std::vector<std::string>& extras,
                                          SelectionCache* cache = nullptr);

/// A one-paragraph explanation of why `name` is in or out of `selection`.
std::string explain(const Lock& lock, const Selection& selection, std::string_view name);

} // namespace lock2nix
