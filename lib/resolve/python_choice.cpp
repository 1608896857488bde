#include "lock2nix/resolve/python_choice.hpp"

#include "lock2nix/resolve/artifacts.hpp"
#include "lock2nix/standards/pep440.hpp"
#include "lock2nix/standards/tags.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace lock2nix {

namespace {

// One Python range a target must lie in, and where it was written.
struct PythonRange {
    std::string text;
    std::string file;
    SourcePosition position;
    std::string what;
};

std::vector<PythonRange> python_ranges(const Lock& lock, const Pyproject* pp) {
    std::vector<PythonRange> out;
    if (!lock.python_versions.empty() && lock.python_versions != "*") {
        out.push_back({lock.python_versions, lock.path, lock.python_versions_position,
                       lock.generation == LockGeneration::pylock
                           ? "the pylock's requires-python"
                           : "poetry.lock's [metadata] python-versions"});
    }
    if (pp != nullptr) {
        if (!pp->poetry.python.empty() && pp->poetry.python != "*") {
            out.push_back({pp->poetry.python, pp->path, pp->poetry.python_position,
                           "the project's python ([tool.poetry.dependencies])"});
        } else if (!pp->project.requires_python.empty()) {
            out.push_back({pp->project.requires_python, pp->path,
                           pp->project.requires_python_position,
                           "the project's requires-python ([project])"});
        }
    }
    return out;
}

// Whether `version` ("3.11.12" or "3.11") lies in the range; a range that does not parse is
// left to the selection, which reports it at its position when it matters.
bool python_allows(const PythonRange& r, const std::string& version) {
    const auto c = pep440::Constraint::try_parse(r.text);
    return !c || c->contains(pep440::Version::parse(version), false);
}

bool all_allow(const std::vector<PythonRange>& ranges, const std::string& version) {
    return std::all_of(ranges.begin(), ranges.end(),
                       [&](const PythonRange& r) { return python_allows(r, version); });
}

// "numpy, pandas, aiohttp and 11 more" (at most `shown` names).
std::string some_names(const std::vector<std::string>& names, std::size_t shown = 5) {
    std::string out;
    for (std::size_t i = 0; i < names.size() && i < shown; ++i) {
        out += (i == 0 ? "" : ", ") + names[i];
    }
    if (names.size() > shown) {
        out += " and " + std::to_string(names.size() - shown) + " more";
    }
    return out;
}

std::string plural(std::size_t n, const std::string& one, const std::string& many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

// What an interpreter costs, in a few words: "would build 14 compiled packages from source
// (numpy, …)" (`verb` "builds" for the one chosen) or "has no usable file for torch 2.2.1+cpu on
// x86_64-linux".
std::string cost_of(const PythonAssessment& a, const std::string& verb = "would build") {
    if (!a.installs_everything()) {
        return "has no usable file for " + some_names(a.unavailable, 3);
    }
    return verb + " " + plural(a.source_builds.size(), "compiled package", "compiled packages") +
           " from source (" + some_names(a.source_builds) + ")";
}

// Better first: installs everything, then fewer compiled source builds, then newer.
bool better(const PythonAssessment& a, const PythonAssessment& b) {
    if (a.installs_everything() != b.installs_everything()) {
        return a.installs_everything();
    }
    if (a.unavailable.size() != b.unavailable.size()) {
        return a.unavailable.size() < b.unavailable.size();
    }
    if (a.source_builds.size() != b.source_builds.size()) {
        return a.source_builds.size() < b.source_builds.size();
    }
    return a.python.minor > b.python.minor;
}

const NixpkgsRelease& release_of(const PythonQuestion& q) {
    return q.release != nullptr ? *q.release : default_nixpkgs_release();
}

// "3.11" from a .python-version's text ("3.11", "3.11.4", "cpython-3.11.4", comments and blank
// lines around it); empty when it names no CPython 3.X.
std::string python_version_in(const std::string& text) {
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos) {
            end = text.size();
        }
        std::string line = text.substr(start, end - start);
        start = end + 1;
        line.erase(0, line.find_first_not_of(" \t\r"));
        line.erase(line.find_last_not_of(" \t\r") + 1);
        if (line.empty() || line.starts_with("#")) {
            continue;
        }
        if (line.starts_with("cpython-")) {
            line = line.substr(8);
        }
        const auto dot1 = line.find('.');
        if (!line.starts_with("3.") || dot1 != 1) {
            return {};
        }
        const auto dot2 = line.find_first_not_of("0123456789", 2);
        const std::string minor = line.substr(2, dot2 == std::string::npos ? dot2 : dot2 - 2);
        return minor.empty() ? std::string{} : "3." + minor;
    }
    return {};
}

} // namespace

std::vector<NixpkgsPython> allowed_pythons(const Lock& lock, const Pyproject* pyproject,
                                           const NixpkgsRelease& release) {
    const auto ranges = python_ranges(lock, pyproject);
    std::vector<NixpkgsPython> out;
    for (const NixpkgsPython& p : release.pythons) {
        // Judged at the patch level nixpkgs ships (a range such as ">=3.9.2" must hold for it).
        if (all_allow(ranges, p.full)) {
            out.push_back(p);
        }
    }
    return out;
}

PythonAssessment assess_python(const Lock& lock, const Pyproject* pyproject,
                               const PythonQuestion& question, const NixpkgsPython& python) {
    PythonAssessment out;
    out.python = python;
    if (const auto it = question.refused.find(python.version); it != question.refused.end()) {
        out.unavailable.push_back(it->second);
        return out;
    }
    std::set<std::string> builds;
    std::set<std::size_t> missing_seen;
    for (const std::string& system : question.systems) {
        const Target target = question.make_target(system, python);
        const tags::TagRanking ranking(target);
        SelectionCache cache;
        const Selection selection =
            select_packages(lock, pyproject, target, question.request, &cache);
        for (std::size_t i : selection.packages) {
            const Package& p = lock.packages[i];
            if (p.files.empty()) {
                continue; // nothing to judge: the same on every interpreter
            }
            const FileOffer offer = file_offer(lock, i, ranking);
            if (!offer.usable()) {
                if (missing_seen.insert(i).second) {
                    if (!out.first_unavailable) {
                        out.first_unavailable = i;
                    }
                    out.unavailable.push_back(p.name + " " + p.version + " on " + system);
                }
            } else if (offer.from_index && !offer.wheel && publishes_binary_wheels(p)) {
                builds.insert(p.canonical_name);
            }
        }
    }
    out.source_builds.assign(builds.begin(), builds.end());
    return out;
}

PythonChoice choose_python(const Lock& lock, const Pyproject* pyproject,
                           const PythonQuestion& question) {
    const NixpkgsRelease& release = release_of(question);
    const std::vector<NixpkgsPython> allowed = allowed_pythons(lock, pyproject, release);
    if (allowed.empty()) {
        const auto ranges = python_ranges(lock, pyproject);
        std::string what;
        for (const auto& r : ranges) {
            what += (what.empty() ? "" : " and ") + r.what + " `" + r.text + "`";
        }
        throw Error(what + " allow none of the interpreters nixpkgs " + release.name +
                        " offers (Python " + release.python_list() + ")",
                    ranges.empty() ? lock.path : ranges.front().file,
                    ranges.empty() ? SourcePosition{} : ranges.front().position,
                    "name an interpreter you provide as the target Python (" +
                        mention(Setting::pythons) + ", X.Y), target another nixpkgs release (" +
                        mention(Setting::nixpkgs) + "), or widen the range and run `poetry lock`",
                    ErrorKind::unsatisfiable);
    }
    PythonChoice choice;
    const std::string release_words = "nixpkgs " + release.name;
    if (question.python_version_file) {
        const std::string wanted = python_version_in(*question.python_version_file);
        const auto it = std::find_if(allowed.begin(), allowed.end(),
                                     [&](const NixpkgsPython& p) { return p.version == wanted; });
        if (wanted.empty()) {
            choice.warnings.emplace_back(
                ".python-version names no CPython 3.X; it is not followed");
        } else if (release.python(wanted) == nullptr) {
            choice.warnings.push_back(".python-version asks for Python " + wanted + ", which " +
                                      release_words + " does not offer (" + release.python_list() +
                                      "); it is not followed");
        } else if (it == allowed.end()) {
            choice.warnings.push_back(".python-version asks for Python " + wanted +
                                      ", which the lock's Python range excludes; it is not "
                                      "followed");
        } else {
            PythonAssessment a = assess_python(lock, pyproject, question, *it);
            if (a.installs_everything()) {
                choice.python = a.python;
                choice.reason = "Python " + wanted + ", from .python-version";
                if (!a.source_builds.empty()) {
                    choice.reason += "; it " + cost_of(a, "builds");
                }
                return choice;
            }
            choice.warnings.push_back(".python-version asks for Python " + wanted + ", which " +
                                      cost_of(a) + "; it is not followed");
        }
    }
    // The newest allowed interpreter that installs everything from wheels needs no comparison.
    std::vector<PythonAssessment> assessed;
    assessed.push_back(assess_python(lock, pyproject, question, allowed.front()));
    if (!assessed.front().installs_everything() || !assessed.front().source_builds.empty()) {
        for (std::size_t k = 1; k < allowed.size(); ++k) {
            assessed.push_back(assess_python(lock, pyproject, question, allowed[k]));
        }
    }
    const auto best = std::min_element(assessed.begin(), assessed.end(), better);
    choice.python = best->python;
    if (best == assessed.begin()) {
        choice.reason = "Python " + best->python.version +
                        ", the newest interpreter the lock allows (of " +
                        python_versions_text(allowed) + ")";
        if (!best->installs_everything()) {
            choice.reason += "; no interpreter installs every package";
        } else if (!best->source_builds.empty()) {
            choice.reason += "; it " + cost_of(*best, "builds") + ", and no other builds fewer";
        }
        return choice;
    }
    // The nearest newer interpreter in full, the others in a word each.
    choice.reason = "Python " + best->python.version + ": " + std::prev(best)->python.version +
                    " " + cost_of(*std::prev(best));
    for (auto it = std::prev(best); it != assessed.begin();) {
        --it;
        choice.reason +=
            (it == std::prev(best, 2) ? "; " : ", ") + it->python.version + " " +
            (it->installs_everything()
                 ? std::to_string(it->source_builds.size()) + " from source"
                 : "cannot install " + plural(it->unavailable.size(), "package", "packages"));
    }
    if (!best->source_builds.empty()) {
        choice.reason += "; " + best->python.version + " itself " + cost_of(*best, "builds");
    }
    return choice;
}

std::vector<std::string> check_python(const Lock& lock, const Pyproject* pyproject,
                                      const PythonQuestion& question, const Target& target) {
    const NixpkgsRelease& release = release_of(question);
    const NixpkgsPython* named = release.python(target.python_version());
    NixpkgsPython own = named != nullptr ? *named : NixpkgsPython{};
    if (named == nullptr) {
        own.version = target.python_version();
        own.full = target.python_full_version();
        own.attribute = target.nix_python_attribute();
        own.minor = target.python_minor;
        own.patch = target.python_micro;
    }
    const PythonAssessment mine = assess_python(lock, pyproject, question, own);
    if (mine.installs_everything() && mine.source_builds.empty()) {
        return {};
    }
    std::optional<PythonAssessment> best;
    for (const NixpkgsPython& p : allowed_pythons(lock, pyproject, release)) {
        if (p.version == own.version) {
            continue;
        }
        PythonAssessment a = assess_python(lock, pyproject, question, p);
        if (better(a, mine) && (!best || better(a, *best))) {
            best = std::move(a);
        }
    }
    if (!mine.installs_everything()) {
        if (best && best->installs_everything()) {
            throw Error("Python " + own.version + " " + cost_of(mine), lock.path,
                        lock.packages[*mine.first_unavailable].position,
                        "Python " + best->python.version + " installs every package of the lock" +
                            (best->source_builds.empty()
                                 ? std::string(", building no compiled package from source")
                                 : " (it " + cost_of(*best, "builds") + ")") +
                            ": choose it with " + mention(Setting::pythons) + " " +
                            best->python.version + ", or leave the target Python to lock2nix",
                        ErrorKind::unsatisfiable);
        }
        return {}; // the plan refuses the package itself, naming its files
    }
    std::string warning = "Python " + own.version + " " + cost_of(mine);
    if (best) {
        warning +=
            "; Python " + best->python.version +
            (best->source_builds.empty() ? " installs them all from wheels" : " " + cost_of(*best));
    }
    return {warning};
}

void check_target_python(const Lock& lock, const Pyproject* pyproject, const Target& target,
                         const NixpkgsRelease& release) {
    const auto ranges = python_ranges(lock, pyproject);
    for (const PythonRange& r : ranges) {
        if (python_allows(r, target.python_full_version())) {
            continue;
        }
        const std::string ok = python_versions_text(allowed_pythons(lock, pyproject, release));
        throw Error(r.what + " is `" + r.text + "`, which excludes Python " +
                        target.python_full_version() + " (target " + target.describe() + "); " +
                        (lock.generation == LockGeneration::pylock
                             ? "the specification makes an installer refuse the lock there"
                             : "Poetry refuses to install this project there"),
                    r.file, r.position,
                    ok.empty() ? "no interpreter nixpkgs " + release.name +
                                     " offers is in the range: widen it and lock again"
                               : "choose a target Python (" + mention(Setting::pythons) +
                                     ") the lock allows (of nixpkgs " + release.name + "'s: " + ok +
                                     "), or choose none to let lock2nix pick one",
                    ErrorKind::unsatisfiable);
    }
}

} // namespace lock2nix
