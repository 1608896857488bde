#include "lock2nix/resolve/select.hpp"

#include "join.hpp"
#include "lock2nix/standards/names.hpp"
#include "lock2nix/standards/pep440.hpp"

#include <algorithm>
#include <deque>
#include <set>
#include <sstream>

namespace lock2nix {

using detail::join;

namespace {

// Parses a marker that came from a file, placing syntax errors at the string's position.
pep508::Marker parse_marker(const std::string& text, const std::string& file, SourcePosition pos) {
    try {
        return pep508::Marker::parse(text);
    } catch (const SyntaxError& e) {
        throw Error(e.message(), file, pos, "the marker is not valid PEP 508");
    }
}

pep440::Constraint parse_constraint(const std::string& text, const std::string& file,
                                    SourcePosition pos) {
    try {
        return pep440::Constraint::parse(text);
    } catch (const SyntaxError& e) {
        throw Error(e.message(), file, pos, "expected a Poetry or PEP 440 version constraint");
    }
}

} // namespace

namespace {

// Package indices as one flag per locked package. As red-black tree searches, the walk's
// membership tests missed the caches more as the lock grew, and raised the per-package cost at
// 100k packages. items() lists them in ascending index order, whatever the order of insertion.
class IndexSet {
public:
    bool contains(std::size_t i) const { return i < flags_.size() && flags_[i]; }
    void insert(std::size_t i) {
        if (i >= flags_.size()) {
            flags_.resize(i + 1, false);
        }
        size_ += flags_[i] ? 0 : 1;
        flags_[i] = true;
    }
    bool empty() const { return size_ == 0; }
    std::vector<std::size_t> items() const {
        std::vector<std::size_t> out;
        out.reserve(size_);
        for (std::size_t i = 0; i < flags_.size(); ++i) {
            if (flags_[i]) {
                out.push_back(i);
            }
        }
        return out;
    }

private:
    std::vector<bool> flags_;
    std::size_t size_ = 0;
};

class Selector {
public:
    Selector(const Lock& lock, const Pyproject* pp, const Target& target, const InstallRequest& req,
             SelectionCache* cache)
        : lock_(lock), pp_(pp), target_(target), request_(req), env_(target.marker_environment()),
          cache_(cache != nullptr ? cache : &own_cache_), explain_(!cache_->sets_only),
          reasons_(explain_ ? lock.packages.size() : 0), exclusions_(lock.packages.size()),
          via_(explain_ ? lock.packages.size() : 0), extras_seen_(lock.packages.size()) {
        sel_.target = target;
    }

    Selection run() {
        decide_groups();
        decide_extras();
        env_.extras = {sel_.extras.begin(), sel_.extras.end()};
        if (lock_.has_locked_groups()) {
            select_by_locked_groups();
        } else if (pp_ == nullptr) {
            throw Error(
                "lock-version " +
                    (lock_.lock_version.empty() ? std::string("(none)") : lock_.lock_version) +
                    " has no per-package groups: lock2nix needs the pyproject.toml to "
                    "know what the project requires",
                lock_.path, {},
                "put pyproject.toml next to poetry.lock or name it (" +
                    mention(Setting::pyproject) + ")");
        }
        walk();
        finish();
        return std::move(sel_);
    }

private:
    // --- groups and extras ---------------------------------------------------------------

    void decide_groups() {
        std::vector<std::string> all{"main"};
        std::set<std::string> optional;
        auto add = [&](const std::string& g) {
            if (std::find(all.begin(), all.end(), g) == all.end()) {
                all.push_back(g);
            }
        };
        if (pp_ != nullptr) {
            for (const auto& g : pp_->group_names()) {
                add(g);
            }
            for (const DependencyGroup& g : pp_->poetry.groups) {
                if (g.optional) {
                    optional.insert(g.name);
                }
            }
        }
        for (const Package& p : lock_.packages) {
            for (const auto& g : p.groups) {
                add(g);
            }
            if (p.category == "dev") {
                add("dev");
            }
        }
        if (all.size() > max_groups) {
            const auto& groups =
                pp_ != nullptr ? pp_->poetry.groups : std::vector<DependencyGroup>{};
            const SourcePosition at =
                groups.size() > max_groups ? groups[max_groups].position : SourcePosition{};
            throw Error("this project has " + std::to_string(all.size()) +
                            " dependency groups, more than lock2nix's limit of " +
                            std::to_string(max_groups),
                        groups.size() > max_groups ? pp_->path : lock_.path, at,
                        "each group's package set is worked out apart, so the cost grows with "
                        "the lock times the groups; merge groups (docs/limits.md)");
        }
        sel_.all_groups = all;
        auto check = [&](const std::vector<std::string>& names, Setting option) {
            std::vector<std::string> out;
            for (const auto& n : names) {
                const std::string c = canonicalize_name(n);
                if (std::find(all.begin(), all.end(), c) == all.end()) {
                    throw Error(mention(option) + ": unknown dependency group `" + n + "`",
                                pp_ != nullptr ? pp_->path : lock_.path, {},
                                "groups in this project: " + join(all), ErrorKind::unknown_name);
                }
                out.push_back(c);
            }
            return out;
        };
        const auto only = check(request_.only, Setting::only_groups);
        const auto with = check(request_.with, Setting::with_groups);
        const auto without = check(request_.without, Setting::without_groups);
        std::set<std::string> active;
        if (!only.empty()) {
            active.insert(only.begin(), only.end());
        } else {
            for (const auto& g : all) {
                if (!optional.contains(g)) {
                    active.insert(g);
                }
            }
            active.insert(with.begin(), with.end());
            for (const auto& g : without) {
                active.erase(g);
            }
        }
        for (const auto& g : all) {
            if (active.contains(g)) {
                sel_.groups.push_back(g);
            }
        }
    }

    void decide_extras() {
        std::set<std::string> all;
        for (const auto& [e, names] : lock_.extras) {
            all.insert(e);
        }
        if (pp_ != nullptr) {
            for (const auto& [e, names] : pp_->poetry.extras) {
                all.insert(e);
            }
            for (const auto& [e, reqs] : pp_->project.optional_dependencies) {
                all.insert(e);
            }
        }
        if (all.size() > max_root_extras) {
            throw Error("this project has " + std::to_string(all.size()) +
                            " extras, more than lock2nix's limit of " +
                            std::to_string(max_root_extras),
                        pp_ != nullptr ? pp_->path : lock_.path, {},
                        "each extra's package set is worked out apart, so the cost grows with the "
                        "lock times the extras; merge extras (docs/limits.md)");
        }
        sel_.all_extras = {all.begin(), all.end()};
        if (request_.all_extras) {
            sel_.extras = sel_.all_extras;
            return;
        }
        std::set<std::string> chosen;
        for (const auto& e : request_.extras) {
            const std::string c = canonicalize_name(e);
            if (!all.contains(c)) {
                throw Error("unknown extra `" + e + "`", pp_ != nullptr ? pp_->path : lock_.path,
                            {},
                            all.empty() ? std::string("this project defines no extras")
                                        : "extras of this project: " + join(sel_.all_extras),
                            ErrorKind::unknown_name);
            }
            chosen.insert(c);
        }
        sel_.extras = {chosen.begin(), chosen.end()};
    }

    bool group_active(const std::string& g) const {
        return std::find(sel_.groups.begin(), sel_.groups.end(), g) != sel_.groups.end();
    }

    // --- lock 2.1: groups and markers decide -----------------------------------------------

    void select_by_locked_groups() {
        for (std::size_t i = 0; i < lock_.packages.size(); ++i) {
            const Package& p = lock_.packages[i];
            std::vector<std::string> active;
            for (const auto& g : p.groups) {
                if (group_active(g)) {
                    active.push_back(g);
                }
            }
            if (active.empty()) {
                if (!explain_) {
                    continue;
                }
                exclusions_[i] =
                    p.groups.empty()
                        ? "it belongs to no dependency group"
                        : "it belongs to group" + std::string(p.groups.size() > 1 ? "s " : " ") +
                              join(p.groups) + ", which " + (p.groups.size() > 1 ? "are" : "is") +
                              " not selected (selected: " + join(sel_.groups) + ")";
                continue;
            }
            std::string failing;
            bool in = false;
            for (const auto& g : active) {
                const std::string& marker = p.marker_for_group(g);
                if (marker.empty()) {
                    in = true;
                    if (explain_) {
                        reasons_[i] = "group " + g;
                    }
                    break;
                }
                const auto& m = this->marker(marker, lock_.path, p.position);
                if (m.evaluate(env_, pep508::Mode::poetry)) {
                    in = true;
                    if (explain_) {
                        reasons_[i] = "group " + g + ", marker `" + marker + "` holds";
                    }
                    break;
                }
                if (failing.empty() && explain_) {
                    failing = "its marker for group " + g + ", `" + marker + "`, is false for " +
                              target_.describe() + describe_failure(m, env_);
                }
            }
            if (in) {
                locked_.insert(i);
            } else if (explain_) {
                exclusions_[i] = std::move(failing);
            }
        }
    }

    std::string describe_failure(const pep508::Marker& m, const pep508::Environment& env) const {
        const auto failing = m.failing_comparisons(env, pep508::Mode::poetry);
        std::string out;
        for (const auto& f : failing) {
            if (f.find("extra") != std::string::npos) {
                out += "; extra not requested: " + f;
            } else {
                out += "; fails: " + f;
            }
        }
        return out;
    }

    // --- the walk: root requirements through [package.dependencies] -------------------------

    // The entry's own python-versions holds for the target's exact Python (what Poetry's solver
    // checks); a range that does not parse is Poetry's problem at lock time, not a filter here.
    bool package_python_ok(std::size_t i) {
        const std::string& text = lock_.packages[i].python_versions;
        if (text.empty() || text == "*") {
            return true;
        }
        auto it = cache_->constraints.find(text);
        if (it == cache_->constraints.end()) {
            const auto parsed = pep440::Constraint::try_parse(text);
            if (!parsed) {
                return true;
            }
            it = cache_->constraints.emplace(text, *parsed).first;
        }
        return it->second.contains(python_full_version_, false);
    }

    bool package_marker_ok(std::size_t i) {
        const Package& p = lock_.packages[i];
        if (!p.legacy_marker.empty() &&
            !marker(p.legacy_marker, lock_.path, p.position).evaluate(env_, pep508::Mode::poetry)) {
            return false;
        }
        return true;
    }

    // The locked entry a requirement means: right name, version inside the constraint, the
    // same kind of source for direct references, and (2.1) selected for this target.
    std::optional<std::size_t> resolve(const std::vector<std::size_t>& entries,
                                       const std::string& constraint,
                                       const DependencyConstraint* direct, const std::string& file,
                                       SourcePosition pos) {
        if (entries.empty()) {
            return std::nullopt;
        }
        if (entries.size() == 1) {
            // One entry (nearly every name): the filters below could only keep it or, for 2.1,
            // find it unselected; this skips their copies of the candidate list.
            const std::size_t only = entries.front();
            if (lock_.has_locked_groups()) {
                return locked_.contains(only) ? std::optional<std::size_t>(only) : std::nullopt;
            }
            if (!package_python_ok(only)) {
                fail_python(only, file, pos);
            }
            package_marker_ok(only); // a marker that does not parse fails here, as below
            return only;
        }
        std::vector<std::size_t> candidates = entries;
        auto keep = [&](auto pred) {
            std::vector<std::size_t> kept;
            std::copy_if(candidates.begin(), candidates.end(), std::back_inserter(kept), pred);
            const bool any = !kept.empty();
            if (any) {
                candidates = std::move(kept);
            }
            return any;
        };
        if (direct != nullptr && direct->is_direct_reference()) {
            keep([&](std::size_t i) {
                const SourceKind k = lock_.packages[i].source_kind();
                if (!direct->git().empty()) {
                    return k == SourceKind::git;
                }
                if (!direct->url().empty()) {
                    return k == SourceKind::url;
                }
                return k == SourceKind::directory || k == SourceKind::file;
            });
        } else if (!constraint.empty() && candidates.size() > 1) {
            const auto& c = this->constraint(constraint, file, pos);
            keep([&](std::size_t i) {
                const auto v = pep440::Version::try_parse(lock_.packages[i].version);
                return v && c.contains(*v);
            });
        }
        if (lock_.has_locked_groups()) {
            if (!keep([&](std::size_t i) { return locked_.contains(i); })) {
                return std::nullopt; // every entry of this name is out for this target
            }
        } else {
            // Poetry re-solves older locks against the locked packages with the target's exact
            // Python (provider.py use_environment); an entry whose python-versions excludes it
            // gets an incompatibility (incompatibilities_for) and the solver takes the next one.
            if (!keep([&](std::size_t i) { return package_python_ok(i); })) {
                fail_python(candidates.front(), file, pos);
            }
            keep([&](std::size_t i) { return package_marker_ok(i); });
        }
        // Still ambiguous: the highest version, deterministically.
        return *std::max_element(
            candidates.begin(), candidates.end(), [&](std::size_t a, std::size_t b) {
                const auto va = pep440::Version::try_parse(lock_.packages[a].version);
                const auto vb = pep440::Version::try_parse(lock_.packages[b].version);
                if (va && vb && *va != *vb) {
                    return *va < *vb;
                }
                return a < b;
            });
    }

    [[noreturn]] void fail_python(std::size_t i, const std::string& file, SourcePosition pos) {
        const Package& p = lock_.packages[i];
        throw Error("`" + p.name + "` is required here (" + describe_position(file, pos) +
                        "), but every locked entry of it excludes Python " +
                        target_.python_full_version() + ": " + p.name + " " + p.version +
                        " has python-versions `" + p.python_versions + "`",
                    lock_.path, p.position,
                    "Poetry's installer refuses this lock on " + target_.describe() +
                        " too; pick another target Python (" + mention(Setting::pythons) +
                        "), or run `poetry lock` again",
                    ErrorKind::unsatisfiable);
    }

    // `make_hop` runs only for the first hop to a package: most edges reach a package that is
    // already reached, and building their text was a string allocation per edge.
    template <class MakeHop>
    void reach(std::size_t target, const std::vector<std::string>& extras, MakeHop make_hop) {
        // Only the last hop is stored; its `from` leads back to the root (Selection::path).
        if (explain_ && !via_[target]) {
            via_[target].emplace(make_hop());
        }
        queue_.emplace_back(target, std::set<std::string>(extras.begin(), extras.end()));
    }

    void walk() {
        if (pp_ != nullptr) {
            if (!cache_->roots) {
                cache_->roots = root_requirements(*pp_);
            }
            for (const RootRequirement& r : *cache_->roots) {
                consider_root(r);
            }
        }
        drain();
        // 2.1: selected packages that no root requirement reached still have dependencies.
        if (lock_.has_locked_groups()) {
            for (std::size_t i : locked_.items()) {
                if (!visited_.contains(i)) {
                    queue_.emplace_back(i, std::set<std::string>{});
                }
            }
            drain();
        }
    }

    void consider_root(const RootRequirement& r) {
        if (!group_active(r.group)) {
            return;
        }
        if (!r.root_extras.empty() || r.optional) {
            const bool enabled =
                std::any_of(r.root_extras.begin(), r.root_extras.end(), [&](const auto& e) {
                    return std::find(sel_.extras.begin(), sel_.extras.end(), e) !=
                           sel_.extras.end();
                });
            if (!enabled) {
                reject(r.name, [&] {
                    return "the project requires it only with extra " +
                           (r.root_extras.empty() ? std::string("(none declared)")
                                                  : join(r.root_extras, " or ")) +
                           ", not requested (" + r.origin + ")";
                });
                return;
            }
        }
        if (!r.markers.empty()) {
            const auto& m = marker(r.markers, pp_->path, {});
            if (!m.evaluate(env_, pep508::Mode::poetry)) {
                reject(r.name, [&] {
                    return "the project requires it only when `" + r.markers + "`" +
                           describe_failure(m, env_) + " (" + r.origin + ")";
                });
                return;
            }
        }
        if (!python_ok(r.python, pp_->path, {})) {
            reject(r.name, [&] {
                return "the project requires it only for Python " + r.python + " (" + r.origin +
                       ")";
            });
            return;
        }
        sel_.roots.push_back(r);
        const auto t = resolve(lock_.find(r.name), r.constraint, nullptr, pp_->path, {});
        if (!t) {
            if (lock_.find(r.name).empty()) {
                const std::string msg = "pyproject.toml requires `" + r.name +
                                        "`, which poetry.lock does not contain (" + r.origin + ")";
                if (!lock_.has_locked_groups()) {
                    throw Error(msg, lock_.path, {}, "the lock is stale: run `poetry lock`",
                                ErrorKind::unsatisfiable);
                }
                sel_.warnings.push_back(msg);
            }
            return;
        }
        reach(*t, r.extras, [&] {
            return Hop{std::nullopt,
                       r.name + (r.constraint.empty() ? "" : " (" + r.constraint + ")"), r.markers};
        });
    }

    // Records why a requirement of `name` was dropped; the text is only built when the
    // selection explains itself (the planner's extra walks only need the sets).
    template <class Why>
    void reject(const std::string& name, Why why) {
        if (explain_) {
            rejections_[name].push_back(why());
        }
    }

    // `env` is the selector's environment with the package's extras (edge markers see the
    // package's own extras, never the root's).
    bool edge_enabled(const Package& p, const Dependency& d, const DependencyConstraint& c,
                      const pep508::Environment& env) {
        const std::set<std::string>& extras = env.extras;
        if (!c.markers.empty()) {
            const auto& m = marker(c.markers, lock_.path, c.position);
            if (!m.evaluate(env, pep508::Mode::poetry)) {
                reject(d.canonical_name, [&] {
                    return p.name + " " + p.version + " requires it only when `" + c.markers + "`" +
                           describe_failure(m, env);
                });
                return false;
            }
        }
        if (!python_ok(c.python(), lock_.path, c.position)) {
            reject(d.canonical_name, [&] {
                return p.name + " " + p.version + " requires it only for Python " + c.python();
            });
            return false;
        }
        if (c.optional) {
            const bool via_extra =
                std::any_of(extras.begin(), extras.end(), [&](const std::string& e) {
                    auto it = p.extras.find(e);
                    return it != p.extras.end() &&
                           std::any_of(it->second.begin(), it->second.end(),
                                       [&](const std::string& req) {
                                           return requirement_name(req) == d.canonical_name;
                                       });
                });
            // A marker that held with the package's extras but would not without them proves
            // an enabled extra (`extra == "x"`); one that holds either way (`extra != "x"`)
            // proves nothing.
            bool marker_needs_extra = false;
            if (!c.markers.empty() && !extras.empty()) {
                const auto& m = marker(c.markers, lock_.path, c.position);
                if (mentions_extra(m)) {
                    pep508::Environment without = env;
                    without.extras.clear();
                    marker_needs_extra = !m.evaluate(without, pep508::Mode::poetry);
                }
            }
            if (!via_extra && !marker_needs_extra) {
                reject(d.canonical_name, [&] {
                    std::vector<std::string> offering;
                    for (const auto& [e, reqs] : p.extras) {
                        for (const auto& req : reqs) {
                            if (requirement_name(req) == d.canonical_name) {
                                offering.push_back(e);
                            }
                        }
                    }
                    return p.name + " " + p.version + " requires it only with its extra " +
                           (offering.empty() ? std::string("(none)") : join(offering, " or ")) +
                           ", which nothing requests";
                });
                return false;
            }
        }
        return true;
    }

    void drain() {
        while (!queue_.empty()) {
            // Not a structured binding: lambdas below capture `i`, which clang 14 refuses for one.
            auto item = std::move(queue_.front());
            queue_.pop_front();
            const std::size_t i = item.first;
            auto& extras = item.second;
            auto& seen = extras_seen_[i];
            const bool first = !visited_.contains(i);
            const std::size_t before = seen.size();
            seen.insert(extras.begin(), extras.end());
            if (!first && seen.size() == before) {
                continue;
            }
            visited_.insert(i);
            if (!lock_.has_locked_groups() && first && !package_marker_ok(i)) {
                const Package& p = lock_.packages[i];
                exclusions_[i] = explain_ ? "its package marker `" + p.legacy_marker +
                                                "` is false for " + target_.describe()
                                          : std::string();
                continue;
            }
            // The package's extras stand in the edge environment while its edges are judged
            // (swapped, not copied: a copy of the environment per edge was a cost per edge).
            edge_env_.extras.swap(seen);
            const Package& p = lock_.packages[i];
            const auto* const* entries = detail::dependency_entries(*cache_, lock_, i);
            for (const Dependency& d : p.dependencies) {
                const std::vector<std::size_t>& named = **entries++;
                for (const DependencyConstraint& c : d.constraints) {
                    if (!edge_enabled(p, d, c, edge_env_)) {
                        continue;
                    }
                    const auto t = resolve(named, c.version, &c, lock_.path, c.position);
                    if (!t) {
                        if (named.empty()) {
                            sel_.warnings.push_back(p.name + " " + p.version + " requires `" +
                                                    d.name +
                                                    "`, which poetry.lock does not contain");
                        }
                        continue;
                    }
                    edges_.push_back(PendingEdge{i, *t, &c.markers});
                    reach(*t, c.extras, [&] {
                        return Hop{i,
                                   d.name + (c.version.empty() || c.version == "*"
                                                 ? ""
                                                 : " (" + c.version + ")"),
                                   c.markers};
                    });
                }
            }
            edge_env_.extras.swap(seen);
        }
    }

    void finish() {
        sel_.packages = chosen_packages();
        IndexSet in;
        for (std::size_t i : sel_.packages) {
            in.insert(i);
        }
        if (explain_) { // the planner's extra walks read the sets and edges only
            write_reasons(in);
        }
        write_edges(in);
        for (std::size_t i = 0; i < lock_.packages.size() && !cache_->sets_only; ++i) {
            if (!in.contains(i)) {
                sel_.excluded.push_back(Exclusion{i, exclusion_reason(i, in)});
            }
        }
    }

    // The packages in, by canonical name.
    std::vector<std::size_t> chosen_packages() const {
        std::vector<std::size_t> chosen;
        if (lock_.has_locked_groups()) {
            chosen = locked_.items();
        } else {
            for (std::size_t i : visited_.items()) {
                if (!exclusions_[i]) {
                    chosen.push_back(i);
                }
            }
        }
        std::sort(chosen.begin(), chosen.end(), [&](std::size_t a, std::size_t b) {
            const auto& pa = lock_.packages[a];
            const auto& pb = lock_.packages[b];
            return pa.canonical_name != pb.canonical_name ? pa.canonical_name < pb.canonical_name
                                                          : a < b;
        });
        return chosen;
    }

    // Why each package is in, and its path from the root.
    void write_reasons(const IndexSet& in) {
        for (std::size_t i = 0; i < lock_.packages.size(); ++i) {
            if (!in.contains(i)) {
                reasons_[i].clear();
                via_[i].reset();
                continue;
            }
            std::string& reason = reasons_[i];
            if (const auto& last = via_[i]) {
                reason += (reason.empty() ? "" : "; ") +
                          (last->from ? "required by " + lock_.packages[*last->from].name
                                      : std::string("required by the project"));
            }
            if (reason.empty()) {
                reason = "selected";
            }
        }
        sel_.reasons = std::move(reasons_);
        sel_.via = std::move(via_);
    }

    // The edges between packages that are in, each pair once.
    void write_edges(const IndexSet& in) {
        // Ordered by (from, to, marker text): per (from, to), the edge with the smallest marker
        // text speaks for the pair.
        std::sort(edges_.begin(), edges_.end(), [](const PendingEdge& a, const PendingEdge& b) {
            if (a.from != b.from || a.to != b.to) {
                return a.from != b.from ? a.from < b.from : a.to < b.to;
            }
            return *a.marker < *b.marker;
        });
        for (const PendingEdge& e : edges_) {
            if (in.contains(e.from) && in.contains(e.to) && e.from != e.to) {
                if (sel_.edges.empty() || sel_.edges.back().from != e.from ||
                    sel_.edges.back().to != e.to) {
                    sel_.edges.push_back(Edge{e.from, e.to, *e.marker});
                }
            }
        }
    }

    // Why a package that is not in was left out.
    std::string exclusion_reason(std::size_t i, const IndexSet& in) {
        const Package& pkg = lock_.packages[i];
        std::optional<std::size_t> sibling;
        for (std::size_t other : lock_.find(pkg.canonical_name)) {
            if (in.contains(other)) {
                sibling = other;
            }
        }
        if (exclusions_[i]) {
            return *exclusions_[i];
        }
        if (sibling && !lock_.has_locked_groups()) {
            // Another entry of the name is the one this target installs: say what ruled this
            // one out, not why some requirement of the name was dropped.
            const Package& needed = lock_.packages[*sibling];
            std::string reason = "another locked entry of the same name, " + needed.name + " " +
                                 needed.version + ", is the one this target needs";
            if (!package_python_ok(i)) {
                reason = "its python-versions `" + pkg.python_versions + "` excludes Python " +
                         target_.python_full_version() + "; " + reason;
            }
            return reason;
        }
        if (auto it = rejections_.find(pkg.canonical_name); it != rejections_.end()) {
            std::vector<std::string> unique;
            for (const auto& r : it->second) {
                if (std::find(unique.begin(), unique.end(), r) == unique.end()) {
                    unique.push_back(r);
                }
            }
            return join(unique, "; ");
        }
        if (visited_.empty() && sel_.roots.empty()) {
            return "the selected groups require nothing";
        }
        std::string reason =
            "nothing in the selected groups (" + join(sel_.groups) + ") requires it";
        for (std::size_t other : lock_.find(pkg.canonical_name)) {
            if (in.contains(other)) {
                reason = "another locked entry of the same name, " + lock_.packages[other].name +
                         " " + lock_.packages[other].version + ", is the one this target needs";
            }
        }
        return reason;
    }

    // Markers and constraints are parsed once per text (errors still point at their first use).
    const pep508::Marker& marker(const std::string& text, const std::string& file,
                                 SourcePosition pos) {
        auto it = cache_->markers.find(text);
        if (it == cache_->markers.end()) {
            it = cache_->markers.emplace(text, parse_marker(text, file, pos)).first;
        }
        return it->second;
    }

    const pep440::Constraint& constraint(const std::string& text, const std::string& file,
                                         SourcePosition pos) {
        auto it = cache_->constraints.find(text);
        if (it == cache_->constraints.end()) {
            it = cache_->constraints.emplace(text, parse_constraint(text, file, pos)).first;
        }
        return it->second;
    }

    bool python_ok(const std::string& text, const std::string& file, SourcePosition pos) {
        if (text.empty()) {
            return true;
        }
        const auto& c = constraint(text, file, pos);
        // Poetry turns `python = "..."` into a python_version marker, or python_full_version
        // when the constraint names a patch level; accepting either covers both spellings.
        return c.contains(python_version_, false) || c.contains(python_full_version_, false);
    }

    const Lock& lock_;
    const Pyproject* pp_;
    const Target& target_;
    const InstallRequest& request_;
    pep508::Environment env_;
    SelectionCache own_cache_;
    SelectionCache* cache_;
    pep440::Version python_version_ = pep440::Version::parse(target_.python_version());
    pep440::Version python_full_version_ = pep440::Version::parse(target_.python_full_version());
    // An edge the walk let through; the marker is the dependency's own text in the lock.
    struct PendingEdge {
        std::size_t from;
        std::size_t to;
        const std::string* marker;
    };

    // Per-package state is indexed by package: red-black trees keyed by index cost a cache miss
    // per level once the lock outgrew the caches.
    bool explain_; ///< build the reasons and exclusions (not for the planner's extra walks)
    Selection sel_;
    IndexSet locked_;
    std::vector<std::string> reasons_; ///< empty = no reason recorded
    std::vector<std::optional<std::string>> exclusions_;
    std::map<std::string, std::vector<std::string>> rejections_;
    std::vector<std::optional<Hop>> via_;
    std::vector<std::set<std::string>> extras_seen_;
    IndexSet visited_;
    std::vector<PendingEdge> edges_;
    std::deque<std::pair<std::size_t, std::set<std::string>>> queue_;
    pep508::Environment edge_env_ = env_; ///< env_ with the extras of the package being drained
};

} // namespace

Selection select_packages(const Lock& lock, const Pyproject* pyproject, const Target& target,
                          const InstallRequest& request, SelectionCache* cache) {
    return Selector(lock, pyproject, target, request, cache).run();
}

bool mentions_extra(const pep508::Marker& marker) {
    const auto comparisons = marker.comparisons();
    return std::any_of(comparisons.begin(), comparisons.end(), [](const pep508::Comparison* c) {
        return c->variable == pep508::Variable::extra;
    });
}

namespace detail {

struct DependencyTable {
    // Package i's k-th dependency at entries[offsets[i] + k].
    std::vector<std::size_t> offsets;
    std::vector<const std::vector<std::size_t>*> entries;
};

const std::vector<std::size_t>* const* dependency_entries(SelectionCache& cache, const Lock& lock,
                                                          std::size_t i) {
    if (!cache.dependencies_) {
        auto table = std::make_unique<DependencyTable>();
        table->offsets.reserve(lock.packages.size() + 1);
        for (const Package& p : lock.packages) {
            table->offsets.push_back(table->entries.size());
            for (const Dependency& d : p.dependencies) {
                table->entries.push_back(&lock.find(d.canonical_name));
            }
        }
        table->offsets.push_back(table->entries.size());
        cache.dependencies_ = std::move(table);
    }
    return cache.dependencies_->entries.data() + cache.dependencies_->offsets[i];
}

} // namespace detail

SelectionCache::SelectionCache() = default;
SelectionCache::~SelectionCache() = default;
SelectionCache::SelectionCache(SelectionCache&&) noexcept = default;
SelectionCache& SelectionCache::operator=(SelectionCache&&) noexcept = default;

const pep508::Marker& cached_marker(SelectionCache& cache, const std::string& text,
                                    const std::string& file, SourcePosition pos) {
    auto it = cache.markers.find(text);
    if (it == cache.markers.end()) {
        it = cache.markers.emplace(text, parse_marker(text, file, pos)).first;
    }
    return it->second;
}

std::vector<Membership> locked_membership(const Lock& lock, const Target& target,
                                          const std::vector<std::string>& extras,
                                          SelectionCache* cache) {
    SelectionCache own;
    SelectionCache& c = cache != nullptr ? *cache : own;
    pep508::Environment env = target.marker_environment();
    std::vector<Membership> out(lock.packages.size());
    for (std::size_t i = 0; i < lock.packages.size(); ++i) {
        const Package& p = lock.packages[i];
        for (const auto& g : p.groups) {
            const std::string& text = p.marker_for_group(g);
            if (text.empty()) {
                out[i].groups.insert(g);
                continue;
            }
            const pep508::Marker& m = cached_marker(c, text, lock.path, p.position);
            env.extras.clear();
            if (m.evaluate(env, pep508::Mode::poetry)) {
                out[i].groups.insert(g);
                continue;
            }
            if (!mentions_extra(m)) {
                continue;
            }
            for (const auto& e : extras) {
                env.extras = {e};
                if (m.evaluate(env, pep508::Mode::poetry)) {
                    out[i].extra_groups[e].insert(g);
                }
            }
        }
    }
    return out;
}

} // namespace lock2nix
