#include "lock2nix/resolve/pylock_select.hpp"

#include "lock2nix/standards/names.hpp"
#include "lock2nix/standards/pep440.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace lock2nix {

namespace {

std::vector<std::string> sorted_unique(std::vector<std::string> names) {
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

std::string listing(const std::vector<std::string>& names) {
    if (names.empty()) {
        return "none";
    }
    std::string out;
    for (const auto& n : names) {
        out += (out.empty() ? "" : ", ") + n;
    }
    return out;
}

void require_listed(const Pylock& lock, const std::string& name, const std::set<std::string>& known,
                    std::string_view kind, Setting setting) {
    if (known.contains(name)) {
        return;
    }
    std::vector<std::string> names(known.begin(), known.end());
    throw Error("the lock has no " + std::string(kind) + " \"" + printable(name) + "\" (it lists " +
                    listing(names) + ")",
                lock.path, {},
                lock.multi_use ? "pick one the lock lists with " + mention(setting)
                               : "this lock is single-use: it serves the one selection it was "
                                 "written for; regenerate it with the " +
                                     std::string(kind) + " included",
                ErrorKind::unknown_name);
}

std::string line_of(SourcePosition at) {
    return at.known() ? "line " + std::to_string(at.line) : "an unknown line";
}

} // namespace

PylockGroups pylock_groups(const Pylock& lock, const InstallRequest& request) {
    std::set<std::string> known_groups(lock.dependency_groups.begin(),
                                       lock.dependency_groups.end());
    known_groups.insert(lock.default_groups.begin(), lock.default_groups.end());
    const std::set<std::string> known_extras(lock.extras.begin(), lock.extras.end());

    std::set<std::string> groups;
    if (!request.only.empty()) {
        for (const auto& g : request.only) {
            const std::string name = canonicalize_name(g);
            require_listed(lock, name, known_groups, "dependency group", Setting::only_groups);
            groups.insert(name);
        }
    } else {
        groups.insert(lock.default_groups.begin(), lock.default_groups.end());
        for (const auto& g : request.with) {
            const std::string name = canonicalize_name(g);
            require_listed(lock, name, known_groups, "dependency group", Setting::with_groups);
            groups.insert(name);
        }
    }
    for (const auto& g : request.without) {
        const std::string name = canonicalize_name(g);
        require_listed(lock, name, known_groups, "dependency group", Setting::without_groups);
        groups.erase(name);
    }
    PylockGroups out;
    out.groups.assign(groups.begin(), groups.end());
    if (request.all_extras) {
        out.extras = lock.extras;
    }
    for (const auto& e : request.extras) {
        const std::string name = canonicalize_name(e);
        // No setting names extras among the library's; the hint names the lock's own list.
        require_listed(lock, name, known_extras, "extra", Setting::with_groups);
        out.extras.push_back(name);
    }
    out.extras = sorted_unique(std::move(out.extras));
    return out;
}

pep508::Environment pylock_environment(const Target& target, const PylockGroups& groups) {
    pep508::Environment env = target.marker_environment();
    env.lock_extras.emplace(groups.extras.begin(), groups.extras.end());
    env.lock_dependency_groups.emplace(groups.groups.begin(), groups.groups.end());
    env.extra_defined = false;
    return env;
}

namespace {

// A marker the reader has parsed once already; evaluation errors (a variable Nix does not fix, an
// undefined comparison) become errors at the marker's place in the lock.
bool holds(const Pylock& lock, const std::string& text, SourcePosition at,
           const pep508::Environment& env, const Target& target, std::string* failing) {
    const pep508::Marker marker = pep508::Marker::parse(text);
    try {
        const bool value = marker.evaluate(env, pep508::Mode::strict);
        if (!value && failing != nullptr) {
            std::string out;
            for (const auto& c : marker.failing_comparisons(env, pep508::Mode::strict)) {
                out += (out.empty() ? "" : ", ") + c;
            }
            *failing = out;
        }
        return value;
    } catch (const SyntaxError&) {
        throw;
    } catch (const Error& e) {
        throw Error("cannot evaluate the marker \"" + excerpt(text) + "\" for " +
                        target.describe() + ": " + e.message(),
                    lock.path, at,
                    e.hint().empty() ? "platform_release and platform_version depend on the build "
                                       "machine's kernel, which a Nix build does not fix"
                                     : e.hint(),
                    ErrorKind::unsatisfiable);
    }
}

bool python_admits(const std::string& specifiers, const Target& target) {
    return pep440::SpecifierSet::parse(specifiers)
        .contains(std::string_view(target.python_full_version()), true);
}

} // namespace

PylockSelection select_pylock(const Pylock& lock, const Target& target,
                              const PylockGroups& groups) {
    PylockSelection out;
    out.selected = groups;
    const pep508::Environment env = pylock_environment(target, groups);

    if (!lock.requires_python.empty() && !python_admits(lock.requires_python, target)) {
        throw Error("the lock requires Python " + lock.requires_python + "; the target " +
                        target.describe() + " has Python " + target.python_full_version(),
                    lock.path, lock.requires_python_position,
                    "pick a Python the lock allows with " + mention(Setting::pythons),
                    ErrorKind::unsatisfiable);
    }
    if (!lock.environments.empty()) {
        // One environment that holds is enough, wherever it is listed: one that cannot be
        // evaluated for this target refuses the lock only when no other holds.
        bool any = false;
        std::optional<Error> unevaluable;
        for (std::size_t i = 0; i < lock.environments.size() && !any; ++i) {
            try {
                any = holds(lock, lock.environments[i], lock.environment_positions[i], env, target,
                            nullptr);
            } catch (const SyntaxError&) {
                throw;
            } catch (const Error& e) {
                if (!unevaluable) {
                    unevaluable = e;
                }
            }
        }
        if (!any && unevaluable) {
            throw *unevaluable;
        }
        if (!any) {
            throw Error("the lock was written for other environments: none of its `environments` "
                        "holds for " +
                            target.describe(),
                        lock.path, lock.environment_positions.front(),
                        "pick a target the lock serves with " + mention(Setting::systems) +
                            " and " + mention(Setting::pythons) +
                            ", or regenerate the lock for this one",
                        ErrorKind::unsatisfiable);
        }
    }

    std::map<std::string, std::size_t, std::less<>> chosen_by_name;
    for (std::size_t i = 0; i < lock.packages.size(); ++i) {
        const PylockPackage& p = lock.packages[i];
        std::string failing;
        if (!p.marker.empty() && !holds(lock, p.marker, p.marker_position, env, target, &failing)) {
            out.skipped.push_back({i, "marker is false: " + failing});
            continue;
        }
        // An entry's requires-python is a requirement, not a selector: the specification makes
        // an installer fail rather than skip.
        if (!p.requires_python.empty() && !python_admits(p.requires_python, target)) {
            throw Error(p.name + " " + p.version + " requires Python " + p.requires_python +
                            "; the target " + target.describe() + " has Python " +
                            target.python_full_version(),
                        lock.path, p.requires_python_position,
                        "the lock installs it here anyway (its marker holds); pick a Python it "
                        "allows with " +
                            mention(Setting::pythons) + ", or regenerate the lock",
                        ErrorKind::unsatisfiable);
        }
        if (const auto it = chosen_by_name.find(p.name); it != chosen_by_name.end()) {
            const PylockPackage& other = lock.packages[it->second];
            throw Error("the lock is ambiguous for " + target.describe() + ": two entries of " +
                            p.name + " apply (" + line_of(other.position) + ", version " +
                            (other.version.empty() ? "unset" : other.version) + ", and this one, " +
                            "version " + (p.version.empty() ? "unset" : p.version) + ")",
                        lock.path, p.position,
                        "the markers of one name's entries must leave at most one for every "
                        "target; regenerate the lock, or pick another target");
        }
        if (!p.problems.empty()) {
            const PylockProblem& problem = p.problems.front();
            throw Error(problem.message + " (the entry installs for " + target.describe() + ")",
                        lock.path, problem.position, problem.hint);
        }
        chosen_by_name.emplace(p.name, i);
        out.chosen.push_back(i);
    }
    return out;
}

} // namespace lock2nix
