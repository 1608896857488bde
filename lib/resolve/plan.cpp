#include "lock2nix/resolve/plan.hpp"

#include "lock2nix/standards/pep440.hpp"
#include "lock2nix/standards/tags.hpp"

#include <algorithm>
#include <concepts>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>
#include <sys/utsname.h>
#include <unordered_set>

namespace lock2nix {

const PlannedPackage* TargetPlan::find(std::size_t package) const {
    auto it = positions.find(package);
    return it == positions.end() ? nullptr : &packages[it->second];
}

std::string target_key(const Target& t) {
    return t.system + " python" + t.python_version();
}

namespace {

constexpr std::size_t npos = static_cast<std::size_t>(-1);

// One copy of each distinct recipe among the last few seen: most packages have none, and the
// others mostly a build system in common.
class RecipeSharing {
public:
    std::shared_ptr<const BuildRecipe> share(BuildRecipe recipe) {
        for (const auto& known : known_) {
            if (*known == recipe) {
                return known;
            }
        }
        auto made = std::make_shared<const BuildRecipe>(std::move(recipe));
        if (known_.size() == max_known) {
            known_.erase(known_.begin());
        }
        known_.push_back(made);
        return made;
    }

private:
    static constexpr std::size_t max_known = 16;
    std::vector<std::shared_ptr<const BuildRecipe>> known_;
};

// Which artifact kind a recipe's `dist` filter sees: a wheel, or a build from source (sdists,
// but also git, path and URL sources that are not wheels).
Dist dist_of(const Artifact& a) {
    if (a.kind == ArtifactKind::wheel) {
        return Dist::wheel;
    }
    if ((a.kind == ArtifactKind::file || a.kind == ArtifactKind::url) && a.file &&
        tags::classify(a.file->name) == tags::FileKind::wheel) {
        return Dist::wheel;
    }
    return Dist::sdist;
}

// Which packages any group or extra can select on the target, with the groups (and group+extra
// pairs) that select each (mkEnv can ask for any of them), and every edge among them.
// Per-package members are vectors indexed by package: trees keyed by index cost a cache miss per
// level once the lock outgrew the caches.
struct Reach {
    explicit Reach(std::size_t packages)
        : all(packages, false), groups(packages), extra_groups(packages) {}
    std::vector<bool> all; ///< selectable by some group or extra
    // Every walk's edges, appended; sorted and made unique once (plan_target). A std::set would
    // pay a tree insertion per edge per walk, with cache misses growing with the lock.
    std::vector<std::pair<std::size_t, std::size_t>> edges;
    std::vector<std::set<std::string>> groups;
    std::vector<std::map<std::string, std::set<std::string>>> extra_groups;
};

Reach reach(const Lock& lock, const Pyproject* pp, const Target& target, const Selection& defaults,
            SelectionCache& cache) {
    Reach r(lock.packages.size());
    // The selection that made `defaults` has parsed every root marker already.
    auto root_marker_mentions_extra = [&](const RootRequirement& q) {
        return !q.markers.empty() &&
               mentions_extra(cached_marker(cache, q.markers, pp != nullptr ? pp->path : "", {}));
    };
    for (std::size_t i : defaults.packages) {
        r.all[i] = true;
    }
    for (const Edge& e : defaults.edges) {
        r.edges.emplace_back(e.from, e.to);
    }
    std::vector<std::string> extras{""};
    extras.insert(extras.end(), defaults.all_extras.begin(), defaults.all_extras.end());
    cache.sets_only = true;
    auto add_edges = [&](const InstallRequest& req) {
        try {
            for (const Edge& edge : select_packages(lock, pp, target, req, &cache).edges) {
                r.edges.emplace_back(edge.from, edge.to);
            }
        } catch (const Error& e) {
            // a combination the lock cannot serve; the default request already succeeded
            rethrow_unless_unsatisfiable(e);
        }
    };
    if (lock.has_locked_groups()) {
        // 2.1 locks say per package which groups and markers select it: read that directly,
        // then walk once per extra (and once without) over every group for the edges.
        std::vector<Membership> membership =
            locked_membership(lock, target, defaults.all_extras, &cache);
        for (std::size_t i = 0; i < membership.size(); ++i) {
            Membership& m = membership[i];
            if (m.empty()) {
                continue;
            }
            r.all[i] = true;
            r.groups[i] = std::move(m.groups);
            for (auto& [e, gs] : m.extra_groups) {
                r.extra_groups[i][e] = std::move(gs);
            }
        }
        // The extras that select or deselect any package: a marker that names `extra` and
        // evaluates otherwise with e than without (either way: `extra != "x"` deselects).
        std::set<std::string> changes_membership;
        pep508::Environment env = target.marker_environment();
        for (const Package& p : lock.packages) {
            for (const auto& g : p.groups) {
                const std::string& text = p.marker_for_group(g);
                if (text.empty()) {
                    continue;
                }
                const pep508::Marker& m = cached_marker(cache, text, lock.path, p.position);
                if (!mentions_extra(m)) {
                    continue;
                }
                env.extras.clear();
                const bool without = m.evaluate(env, pep508::Mode::poetry);
                for (const auto& e : defaults.all_extras) {
                    env.extras = {e};
                    if (!changes_membership.contains(e) &&
                        m.evaluate(env, pep508::Mode::poetry) != without) {
                        changes_membership.insert(e);
                    }
                }
            }
        }
        // A walk with root extra e differs from the walk without only through the packages e
        // selects (membership above) and the root requirements that depend on extras; edge
        // markers see the package's own extras, never the root's. An extra with neither gives
        // the same edges as the walk without extras, so it is not walked again (else a lock
        // with many extras pays one whole selection per extra).
        if (!cache.roots && pp != nullptr) {
            cache.roots = root_requirements(*pp);
        }
        const bool roots_use_extras =
            cache.roots &&
            std::any_of(cache.roots->begin(), cache.roots->end(), [&](const RootRequirement& q) {
                return !q.root_extras.empty() || q.optional || root_marker_mentions_extra(q);
            });
        for (const auto& e : extras) {
            if (!e.empty() && !roots_use_extras && !changes_membership.contains(e)) {
                continue;
            }
            InstallRequest req;
            req.only = defaults.all_groups;
            if (!e.empty()) {
                req.extras = {e};
            }
            add_edges(req);
        }
        return r;
    }
    // Older locks: membership is whatever the walk reaches, one group and extra at a time. Root
    // extras only act through root requirements that name them: a group without such
    // requirements gives the same walk for every extra, so it is walked once.
    auto extras_matter = [&](const std::string& g) {
        if (!cache.roots) {
            return true;
        }
        return std::any_of(cache.roots->begin(), cache.roots->end(), [&](const RootRequirement& q) {
            return q.group == g && (!q.root_extras.empty() || root_marker_mentions_extra(q));
        });
    };
    for (const auto& g : defaults.all_groups) {
        const bool per_extra = extras_matter(g);
        for (const auto& e : extras) {
            if (!e.empty() && !per_extra) {
                break;
            }
            InstallRequest req;
            req.only = {g};
            if (!e.empty()) {
                req.extras = {e};
            }
            Selection s;
            try {
                s = select_packages(lock, pp, target, req, &cache);
            } catch (const Error& refused) {
                rethrow_unless_unsatisfiable(refused);
                continue;
            }
            for (std::size_t i : s.packages) {
                r.all[i] = true;
                if (e.empty()) {
                    r.groups[i].insert(g);
                } else if (!r.groups[i].contains(g)) {
                    r.extra_groups[i][e].insert(g);
                }
            }
            for (const Edge& edge : s.edges) {
                r.edges.emplace_back(edge.from, edge.to);
            }
        }
    }
    return r;
}

TargetPlan plan_target(const Lock& lock, const Pyproject* pp, const Target& target,
                       const PlanOptions& options) {
    check_target_python(lock, pp, target,
                        options.release != nullptr ? *options.release : default_nixpkgs_release());
    TargetPlan plan;
    plan.target = target;
    SelectionCache cache;
    plan.selection = select_packages(lock, pp, target, options.request, &cache);
    Reach r = reach(lock, pp, target, plan.selection, cache);
    // Where the emitted env's sum of groups and extras is not Poetry's selection, the selections
    // checked instead join the package set (one may select a package no single group or extra
    // does) with their edges.
    plan.coverage = check_selections(lock, pp, target, plan.selection,
                                     SelectionSum{r.groups, r.extra_groups}, cache);
    for (const auto& [key, selected] : plan.coverage.corrections) {
        for (std::size_t i : selected) {
            r.all[i] = true;
        }
    }
    r.edges.insert(r.edges.end(), plan.coverage.edges.begin(), plan.coverage.edges.end());
    plan.coverage.edges.clear();
    std::sort(r.edges.begin(), r.edges.end());
    r.edges.erase(std::unique(r.edges.begin(), r.edges.end()), r.edges.end());

    // The override database speaks first: disabled packages leave the set (and every edge to
    // them); per-package choices on the command line beat the database, which beats the global
    // --prefer-sdists.
    ArtifactPolicy policy = options.policy;
    // The package set in index order, with each member's recipe at the same position.
    RecipeSharing recipes_shared;
    std::vector<std::size_t> members;
    std::vector<std::shared_ptr<const BuildRecipe>> recipes;
    std::vector<std::size_t> member_of(lock.packages.size(), npos);
    for (std::size_t i = 0; i < lock.packages.size(); ++i) {
        if (!r.all[i]) {
            continue;
        }
        const Package& p = lock.packages[i];
        BuildRecipe recipe =
            options.overrides != nullptr
                ? BuildRecipe::from(options.overrides->resolve(p.canonical_name, p.version))
                : BuildRecipe{};
        if (recipe.disabled) {
            r.all[i] = false;
            continue;
        }
        if (recipe.prefer_wheel) {
            if (*recipe.prefer_wheel && !options.policy.sdist_packages.contains(p.canonical_name)) {
                policy.wheel_packages.insert(p.canonical_name);
            } else if (!*recipe.prefer_wheel &&
                       !options.policy.wheel_packages.contains(p.canonical_name)) {
                policy.sdist_packages.insert(p.canonical_name);
            }
        }
        member_of[i] = members.size();
        members.push_back(i);
        recipes.push_back(recipes_shared.share(std::move(recipe)));
    }

    // Attribute names: the canonical name; a second locked version of the same name (selected
    // only by another group or extra) gets "name@version". The default environment claims first.
    std::vector<bool> defaults(lock.packages.size(), false);
    for (std::size_t i : plan.selection.packages) {
        if (r.all[i]) {
            defaults[i] = true;
        }
    }
    std::unordered_set<std::string> taken;
    std::vector<std::pair<std::string, std::size_t>> keyed; // sorted by key below
    keyed.reserve(members.size());
    std::vector<bool> claimed(lock.packages.size(), false);
    auto claim = [&](std::size_t i) {
        const Package& p = lock.packages[i];
        std::string key = p.canonical_name;
        if (taken.contains(key)) {
            key = p.canonical_name + "@" + p.version;
        }
        // The same version locked again (from another source, under other markers) gets a
        // number: every entry keeps its own attribute, in the plan and in the file alike.
        for (int n = 2; taken.contains(key); ++n) {
            key = p.canonical_name + "@" + p.version + "#" + std::to_string(n);
        }
        taken.insert(key);
        keyed.emplace_back(std::move(key), i);
        claimed[i] = true;
    };
    for (std::size_t i : plan.selection.packages) {
        if (r.all[i]) {
            claim(i);
        }
    }
    for (std::size_t i : members) {
        if (!claimed[i]) {
            claim(i);
        }
    }
    std::sort(keyed.begin(), keyed.end());

    Selection everything;
    everything.target = target;
    for (const auto& [key, i] : keyed) {
        everything.packages.push_back(i);
    }
    for (const auto& [from, to] : r.edges) {
        if (r.all[from] && r.all[to]) {
            everything.edges.push_back(Edge{from, to, {}});
        }
    }
    plan.graph = build_graph(lock, everything);

    const tags::TagRanking ranking(target);
    plan.packages.reserve(keyed.size());
    for (auto& [key, i] : keyed) {
        PlannedPackage pkg;
        pkg.package = i;
        pkg.key = std::move(key);
        pkg.in_default = defaults[i];
        pkg.groups = std::move(r.groups[i]);
        pkg.extra_groups = std::move(r.extra_groups[i]);
        pkg.recipe = std::move(recipes[member_of[i]]);
        pkg.in_cycle = plan.graph.in_cycle.contains(i);
        for (std::size_t dep : plan.graph.dependencies.at(i)) {
            const auto& removed = pkg.recipe->remove_dependencies;
            if (std::find(removed.begin(), removed.end(), lock.packages[dep].canonical_name) ==
                removed.end()) {
                pkg.dependencies.push_back(dep);
            }
        }
        std::optional<Artifact> alternative;
        try {
            auto choice = choose_artifact_and_alternative(lock, i, target, ranking, policy);
            pkg.artifact = std::move(choice.chosen);
            alternative = std::move(choice.alternative);
        } catch (const Error& e) {
            if (pkg.in_default) {
                throw;
            }
            rethrow_unless_unsatisfiable(e);
            pkg.unavailable = e.message();
        }
        const Package& p = lock.packages[i];
        if (pkg.artifact && options.overrides != nullptr) {
            // The `dist` filter: entries limited to the wheel or to the sdist apply now that the
            // artifact is known (the recipe above, which chose it, had only the others).
            pkg.recipe = recipes_shared.share(BuildRecipe::from(
                options.overrides->resolve(p.canonical_name, p.version, dist_of(*pkg.artifact))));
        }
        if (alternative) {
            BuildRecipe other_recipe =
                options.overrides != nullptr
                    ? BuildRecipe::from(options.overrides->resolve(p.canonical_name, p.version,
                                                                   dist_of(*alternative)))
                    : BuildRecipe{};
            pkg.alternative = AlternativeBuild{std::move(*alternative),
                                               recipes_shared.share(std::move(other_recipe))};
        }
        plan.positions.emplace(i, plan.packages.size());
        plan.packages.push_back(std::move(pkg));
    }
    // Cross-package references (auto-patchelf-search-paths, @package:…@) must name a package of
    // this target's plan: the emitted `final.<key>` would otherwise fail at evaluation, far from
    // the entry. Optional references to absent packages are dropped.
    auto check_references = [&](const PlannedPackage& pkg,
                                std::shared_ptr<const BuildRecipe>& shared) {
        // Recipes are shared: one that loses a reference becomes its own copy.
        auto dropped = [&](const PackagePath& ref) {
            return ref.optional && !taken.contains(ref.package);
        };
        const auto& paths = shared->auto_patchelf_search_paths;
        if (std::any_of(paths.begin(), paths.end(), dropped)) {
            BuildRecipe own = *shared;
            std::erase_if(own.auto_patchelf_search_paths, dropped);
            shared = recipes_shared.share(std::move(own));
        }
        for (const PackagePath& ref : shared->references()) {
            if (!taken.contains(ref.package)) {
                throw Error("the overrides of `" + lock.packages[pkg.package].name +
                                "` refer to `" + ref.package + "`, which is not in the plan for " +
                                target.describe(),
                            {}, {},
                            "lock it with the package, or mark the reference `optional = true` "
                            "(auto-patchelf-search-paths)");
            }
        }
    };
    for (PlannedPackage& pkg : plan.packages) {
        check_references(pkg, pkg.recipe);
        if (pkg.alternative) {
            check_references(pkg, pkg.alternative->recipe);
        }
    }
    // A package that needs an unavailable one is unavailable too (build order: needs first).
    for (std::size_t i : plan.graph.order) {
        PlannedPackage& pkg = plan.packages[plan.positions.at(i)];
        if (!pkg.unavailable.empty()) {
            continue;
        }
        for (std::size_t dep : pkg.dependencies) {
            const PlannedPackage& needed = plan.packages[plan.positions.at(dep)];
            if (needed.unavailable.empty()) {
                continue;
            }
            const std::string why = lock.packages[i].name + " needs " + lock.packages[dep].name +
                                    ": " + needed.unavailable;
            if (pkg.in_default) {
                throw Error(why);
            }
            pkg.unavailable = why;
            pkg.artifact.reset();
            break;
        }
    }
    return plan;
}

} // namespace

EnvironmentPlan plan_environment(const Lock& lock, const Pyproject* pyproject,
                                 const PlanOptions& options) {
    if (options.targets.empty()) {
        throw Error("no target to plan for", {}, {}, "name a system and a Python version");
    }
    std::vector<Target> targets = options.targets;
    std::sort(targets.begin(), targets.end(),
              [](const Target& a, const Target& b) { return target_key(a) < target_key(b); });
    targets.erase(std::unique(targets.begin(), targets.end(),
                              [](const Target& a, const Target& b) {
                                  return target_key(a) == target_key(b);
                              }),
                  targets.end());
    EnvironmentPlan plan;
    for (const Target& t : targets) {
        plan.targets.push_back(plan_target(lock, pyproject, t, options));
    }
    return plan;
}
std::string host_system() {
    utsname u{};
    if (uname(&u) != 0) {
        return "x86_64-linux";
    }
    const std::string machine = u.machine;
    const std::string cpu = machine == "arm64" ? "aarch64" : machine;
    const std::string sys = std::string(u.sysname) == "Darwin" ? "darwin" : "linux";
    return cpu + "-" + sys;
}

namespace {

// `plan --json` written directly in nlohmann's dump(2) layout, one value at a time: building
// the document as nlohmann values first holds every string twice, and at 80,000 packages spent
// a quarter of the command in allocations. The tests parse the text back and compare it with
// nlohmann's own layout of the same document.
class JsonWriter {
public:
    explicit JsonWriter(std::ostream& out) : out_(out) {}

    // A string as nlohmann prints it (ensure_ascii off). Text that is plain printable ASCII is
    // written here; anything else goes through nlohmann, which escapes control characters the
    // same way and rejects invalid UTF-8 as before.
    void string(std::string_view s) {
        const bool plain = std::all_of(s.begin(), s.end(), [](char c) {
            const auto u = static_cast<unsigned char>(c);
            return u >= 0x20 && u < 0x80;
        });
        if (!plain) {
            out_ << nlohmann::ordered_json(s).dump();
            return;
        }
        out_ << '"';
        std::size_t start = 0;
        for (std::size_t k = 0; k < s.size(); ++k) {
            if (s[k] == '"' || s[k] == '\\') {
                out_.write(s.data() + start, static_cast<std::streamsize>(k - start));
                out_ << '\\' << s[k];
                start = k + 1;
            }
        }
        out_.write(s.data() + start, static_cast<std::streamsize>(s.size() - start));
        out_ << '"';
    }
    void boolean(bool b) { out_ << (b ? "true" : "false"); }
    void null() { out_ << "null"; }

    // Containers: open, then key()/item() before each member, then close. Empty ones print
    // as {} and [].
    void open_object() { open('{'); }
    void close_object() { close('}'); }
    void open_array() { open('['); }
    void close_array() { close(']'); }
    void key(std::string_view k) {
        item();
        string(k);
        out_ << ": ";
    }
    void item() {
        out_ << (counts_.back() == 0 ? "\n" : ",\n");
        ++counts_.back();
        indent(counts_.size());
    }

    void strings(const auto& list) {
        open_array();
        for (const auto& s : list) {
            item();
            string(s);
        }
        close_array();
    }

    void member(std::string_view k, std::string_view value) {
        key(k);
        string(value);
    }
    // Constrained: a string literal converts to bool more readily than to string_view.
    void member(std::string_view k, std::same_as<bool> auto value) {
        key(k);
        boolean(value);
    }
    void strings(std::string_view k, const auto& list) {
        key(k);
        strings(list);
    }
    // Optional members (a tag, a marker, a reason) are absent, not "", when there is none.
    void member_unless_empty(std::string_view k, std::string_view value) {
        if (!value.empty()) {
            member(k, value);
        }
    }

private:
    void open(char c) {
        out_ << c;
        counts_.push_back(0);
    }
    void close(char c) {
        const bool empty = counts_.back() == 0;
        counts_.pop_back();
        if (!empty) {
            out_ << '\n';
            indent(counts_.size());
        }
        out_ << c;
    }
    void indent(std::size_t depth) {
        for (std::size_t k = 0; k < depth; ++k) {
            out_ << "  ";
        }
    }

    std::ostream& out_;
    std::vector<std::size_t> counts_; ///< members written so far, per open container
};

void write_artifact(JsonWriter& w, const Artifact& a) {
    w.open_object();
    w.member("kind", to_string(a.kind));
    if (a.file) {
        w.member("file", a.file->name);
        w.member("hash", a.file->hash());
    }
    w.member_unless_empty("tag", a.best_tag);
    w.member("reason", a.reason);
    w.close_object();
}

void write_package(JsonWriter& w, const Lock& lock, const TargetPlan& plan,
                   const PlannedPackage& planned) {
    const Selection& sel = plan.selection;
    const std::size_t i = planned.package;
    const Package& p = lock.packages[i];
    w.open_object();
    w.member("name", p.canonical_name);
    w.member("version", p.version);
    w.member("attribute", planned.key);
    w.member("default", planned.in_default);
    w.member("source", to_string(p.source_kind()));
    if (planned.artifact) {
        w.key("artifact");
        write_artifact(w, *planned.artifact);
        // The file can build the other one too, chosen in Nix (`lock2nix.build`).
        if (planned.alternative) {
            w.key("alternative");
            write_artifact(w, planned.alternative->artifact);
        }
    } else {
        w.member("unavailable", planned.unavailable);
    }
    w.strings("groups", planned.groups);
    if (!planned.extra_groups.empty()) {
        w.key("extras");
        w.open_object();
        for (const auto& [extra, groups] : planned.extra_groups) {
            w.strings(extra, groups);
        }
        w.close_object();
    }
    w.member_unless_empty("reason", sel.reason(i));
    if (sel.hop_to(i) != nullptr) {
        // The hops nearest the package: every package's whole path would make the JSON
        // quadratic in a long chain (`explain` prints one package's path in full).
        auto hops = sel.path(i);
        constexpr std::size_t max_hops = 32;
        if (hops.size() > max_hops) {
            hops.erase(hops.begin(), hops.end() - max_hops);
            w.member("path_truncated", true);
        }
        w.key("path");
        w.open_array();
        for (const Hop& h : hops) {
            w.item();
            w.open_object();
            w.key("from");
            if (h.from) {
                w.string(lock.packages[*h.from].canonical_name);
            } else {
                w.null();
            }
            w.member("requirement", h.requirement);
            w.member_unless_empty("marker", h.marker);
            w.close_object();
        }
        w.close_array();
    }
    w.key("dependencies");
    w.open_array();
    for (std::size_t d : planned.dependencies) {
        w.item();
        w.string(plan.packages[plan.positions.at(d)].key);
    }
    w.close_array();
    if (planned.in_cycle) {
        w.member("in_cycle", true);
    }
    w.close_object();
}

} // namespace

void write_json(std::ostream& out, const Lock& lock, const TargetPlan& plan) {
    const Selection& sel = plan.selection;
    auto name_of = [&lock](std::size_t i) -> const std::string& {
        return lock.packages[i].canonical_name;
    };
    JsonWriter w(out);
    w.open_object();
    w.key("target");
    w.open_object();
    w.member("system", sel.target.system);
    w.member("python", sel.target.python_full_version());
    w.member("interpreter", sel.target.nix_python_attribute());
    w.close_object();
    w.strings("groups", sel.groups);
    w.strings("extras", sel.extras);
    w.strings("available_groups", sel.all_groups);
    w.strings("available_extras", sel.all_extras);
    w.key("packages");
    w.open_array();
    for (const PlannedPackage& planned : plan.packages) {
        w.item();
        write_package(w, lock, plan, planned);
    }
    w.close_array();
    w.key("edges");
    w.open_array();
    for (const Edge& e : sel.edges) {
        w.item();
        w.open_object();
        w.member("from", name_of(e.from));
        w.member("to", name_of(e.to));
        w.member_unless_empty("marker", e.marker);
        w.close_object();
    }
    w.close_array();
    w.key("cycles");
    w.open_array();
    for (const auto& c : plan.graph.cycles) {
        w.item();
        w.open_array();
        for (std::size_t i : c) {
            w.item();
            w.string(name_of(i));
        }
        w.close_array();
    }
    w.close_array();
    w.key("build_order");
    w.open_array();
    for (std::size_t i : plan.graph.order) {
        w.item();
        w.string(plan.packages[plan.positions.at(i)].key);
    }
    w.close_array();
    w.key("unavailable");
    w.open_array();
    for (const PlannedPackage& planned : plan.packages) {
        if (planned.artifact) {
            continue;
        }
        w.item();
        w.open_object();
        w.member("name", name_of(planned.package));
        w.member("reason", planned.unavailable);
        w.close_object();
    }
    w.close_array();
    w.key("excluded");
    w.open_array();
    for (const Exclusion& e : sel.excluded) {
        w.item();
        w.open_object();
        w.member("name", name_of(e.package));
        w.member("version", lock.packages[e.package].version);
        w.member("reason", e.reason);
        w.close_object();
    }
    w.close_array();
    w.strings("warnings", sel.warnings);
    w.close_object();
}

} // namespace lock2nix
