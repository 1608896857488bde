#include "lock2nix/resolve/selections.hpp"

#include <algorithm>
#include <unordered_set>

namespace lock2nix {

namespace {

// A marker naming this many extras or more is not proven additive by trying every subset.
constexpr std::size_t max_marker_extras = 10;
// Groups plus extras up to this many: every selection is checked, not a family.
constexpr std::size_t exhaustive_names = 4;

std::vector<std::string> sorted_union(std::vector<std::string> a,
                                      const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    std::sort(a.begin(), a.end());
    a.erase(std::unique(a.begin(), a.end()), a.end());
    return a;
}

bool sum_selects(const SelectionSum& sum, std::size_t i, const SelectionKey& key) {
    for (const std::string& g : key.groups) {
        if (sum.groups[i].contains(g)) {
            return true;
        }
    }
    for (const std::string& e : key.extras) {
        const auto it = sum.extra_groups[i].find(e);
        if (it == sum.extra_groups[i].end()) {
            continue;
        }
        for (const std::string& g : key.groups) {
            if (it->second.contains(g)) {
                return true;
            }
        }
    }
    return false;
}

std::vector<std::size_t> sum_of(const SelectionSum& sum, const SelectionKey& key) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < sum.groups.size(); ++i) {
        if (sum_selects(sum, i, key)) {
            out.push_back(i);
        }
    }
    return out;
}

std::vector<std::size_t> sorted_packages(const Selection& s) {
    std::vector<std::size_t> out = s.packages;
    std::sort(out.begin(), out.end());
    return out;
}

// Whether a 2.1 lock's marker, as a function of the requested extras, is the OR of its values
// for no extra and for each extra alone: then a group's members under any extras are the sum of
// its members under each. Every subset of the extras it names is tried, with one extra it does
// not name standing for all the others.
bool marker_is_additive(const pep508::Marker& marker, const std::vector<std::string>& all_extras,
                        pep508::Environment env) {
    std::vector<std::string> named;
    for (const pep508::Comparison* c : marker.comparisons()) {
        if (c->variable == pep508::Variable::extra &&
            std::find(named.begin(), named.end(), c->value) == named.end()) {
            named.push_back(c->value);
        }
    }
    if (named.empty()) {
        return true;
    }
    for (const std::string& e : all_extras) {
        if (std::find(named.begin(), named.end(), e) == named.end()) {
            named.push_back(e);
            break;
        }
    }
    if (named.size() > max_marker_extras) {
        return false;
    }
    auto value = [&](std::set<std::string> extras) {
        env.extras = std::move(extras);
        return marker.evaluate(env, pep508::Mode::poetry);
    };
    const bool none = value({});
    std::vector<bool> alone;
    for (const std::string& e : named) {
        alone.push_back(value({e}));
    }
    for (std::size_t subset = 1; subset < (std::size_t{1} << named.size()); ++subset) {
        std::set<std::string> extras;
        bool sum = none;
        for (std::size_t k = 0; k < named.size(); ++k) {
            if ((subset >> k & 1U) != 0) {
                extras.insert(named[k]);
                sum = sum || alone[k];
            }
        }
        if (value(std::move(extras)) != sum) {
            return false;
        }
    }
    return true;
}

// For a 2.1 lock: every group marker of every package additive in the extras. Groups add up by
// the rule itself (a package is in when any selected group's marker holds).
bool locked_markers_additive(const Lock& lock, const Target& target,
                             const std::vector<std::string>& all_extras, SelectionCache& cache) {
    const pep508::Environment env = target.marker_environment();
    std::unordered_set<std::string> proven;
    for (const Package& p : lock.packages) {
        for (const auto& g : p.groups) {
            const std::string& text = p.marker_for_group(g);
            if (text.empty() || proven.contains(text)) {
                continue;
            }
            if (!marker_is_additive(cached_marker(cache, text, lock.path, p.position), all_extras,
                                    env)) {
                return false;
            }
            proven.insert(text);
        }
    }
    return true;
}

// Every selection when there are few names; otherwise the ones the emitted file itself makes
// (its default, mkApp's main and check groups) and the ones a user most likely asks for: one
// group or extra more than the default, all groups, all extras.
std::vector<SelectionKey> family(const Selection& defaults) {
    const std::vector<std::string>& groups = defaults.all_groups;
    const std::vector<std::string>& extras = defaults.all_extras;
    std::set<SelectionKey> keys;
    const SelectionKey d{defaults.groups, defaults.extras};
    keys.insert(d);
    if (groups.size() + extras.size() <= exhaustive_names) {
        const std::size_t n = groups.size() + extras.size();
        for (std::size_t subset = 0; subset < (std::size_t{1} << n); ++subset) {
            SelectionKey k;
            for (std::size_t i = 0; i < n; ++i) {
                if ((subset >> i & 1U) != 0) {
                    (i < groups.size() ? k.groups : k.extras)
                        .push_back(i < groups.size() ? groups[i] : extras[i - groups.size()]);
                }
            }
            if (!k.groups.empty()) {
                std::sort(k.groups.begin(), k.groups.end());
                std::sort(k.extras.begin(), k.extras.end());
                keys.insert(std::move(k));
            }
        }
        return {keys.begin(), keys.end()};
    }
    for (const std::string& g : groups) {
        keys.insert(SelectionKey{sorted_union(d.groups, {g}), d.extras});
        keys.insert(SelectionKey{{g}, d.extras});
    }
    for (const std::string& e : extras) {
        keys.insert(SelectionKey{d.groups, sorted_union(d.extras, {e})});
    }
    keys.insert(SelectionKey{sorted_union({}, groups), d.extras});
    keys.insert(SelectionKey{sorted_union({}, groups), sorted_union({}, extras)});
    keys.insert(SelectionKey{d.groups, sorted_union({}, extras)});
    return {keys.begin(), keys.end()};
}

} // namespace

std::string SelectionKey::text() const {
    std::string out;
    for (std::size_t i = 0; i < groups.size(); ++i) {
        out += (i > 0 ? "," : "") + groups[i];
    }
    out += ';';
    for (std::size_t i = 0; i < extras.size(); ++i) {
        out += (i > 0 ? "," : "") + extras[i];
    }
    return out;
}

SelectionCoverage check_selections(const Lock& lock, const Pyproject* pyproject,
                                   const Target& target, const Selection& defaults,
                                   const SelectionSum& sum, SelectionCache& cache) {
    SelectionCoverage out;
    const SelectionKey default_key{defaults.groups, defaults.extras};
    const bool default_sums = sorted_packages(defaults) == sum_of(sum, default_key);
    if (default_sums && lock.has_locked_groups() &&
        locked_markers_additive(lock, target, defaults.all_extras, cache)) {
        out.sum_exact = true;
        return out;
    }
    const bool was_sets_only = cache.sets_only;
    cache.sets_only = true;
    for (SelectionKey& key : family(defaults)) {
        std::vector<std::size_t> in;
        if (key == default_key) {
            in = sorted_packages(defaults);
        } else {
            InstallRequest request;
            request.only = key.groups;
            request.extras = key.extras;
            try {
                const Selection s = select_packages(lock, pyproject, target, request, &cache);
                in = sorted_packages(s);
                for (const Edge& e : s.edges) {
                    out.edges.emplace_back(e.from, e.to);
                }
            } catch (const Error& e) {
                rethrow_unless_unsatisfiable(e);
                continue; // a selection the lock cannot serve stays unchecked, so it is refused
            }
        }
        if (in != sum_of(sum, key)) {
            out.corrections.emplace(key, std::move(in));
        }
        out.checked.push_back(std::move(key));
    }
    cache.sets_only = was_sets_only;
    out.sum_exact = out.corrections.empty() &&
                    defaults.all_groups.size() + defaults.all_extras.size() <= exhaustive_names;
    return out;
}

} // namespace lock2nix
