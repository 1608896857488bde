#include "lock2nix/resolve/artifacts.hpp"

#include "lock2nix/fetch/urls.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>

namespace lock2nix {

std::string_view to_string(ArtifactKind kind) {
    switch (kind) {
    case ArtifactKind::wheel:
        return "wheel";
    case ArtifactKind::sdist:
        return "sdist";
    case ArtifactKind::git:
        return "git";
    case ArtifactKind::directory:
        return "directory";
    case ArtifactKind::file:
        return "file";
    case ArtifactKind::url:
        return "url";
    }
    return "";
}

namespace {

// Why a wheel does not fit the target, in a few words (only computed for error messages).
std::string unfit_reason(const tags::WheelName& wheel, const Target& target) {
    std::set<std::string> platforms;
    std::set<std::string> interpreters;
    for (const auto& t : wheel.tags) {
        platforms.insert(t.platform);
        interpreters.insert(t.interpreter + "-" + t.abi);
    }
    const auto ours = tags::platform_tags(target);
    const bool platform_ok = std::any_of(platforms.begin(), platforms.end(), [&](const auto& p) {
        return p == "any" || std::find(ours.begin(), ours.end(), p) != ours.end();
    });
    std::string list;
    for (const auto& p : platform_ok ? interpreters : platforms) {
        list += (list.empty() ? "" : ", ") + p;
    }
    return platform_ok ? "built for " + list + ", not CPython " + target.python_version()
                       : "built for " + list + ", not " + target.system;
}

// The artifact of a package whose source is not an index (git, a path, an archive URL); none
// for an index package.
std::optional<Artifact> source_artifact(const Lock& lock, std::size_t index) {
    const Package& p = lock.packages[index];
    Artifact a;
    a.package = index;
    switch (p.source_kind()) {
    case SourceKind::git:
        a.kind = ArtifactKind::git;
        a.reason = "git repository " + redact_url(p.source->url) + " at " +
                   (p.source->resolved_reference.empty() ? p.source->reference
                                                         : p.source->resolved_reference);
        return a;
    case SourceKind::directory:
        a.kind = ArtifactKind::directory;
        a.reason = "local directory " + p.source->url;
        return a;
    case SourceKind::file:
        a.kind = ArtifactKind::file;
        if (!p.files.empty()) {
            a.file = p.files.front();
        }
        a.reason = "local file " + p.source->url;
        return a;
    case SourceKind::url:
        a.kind = ArtifactKind::url;
        if (!p.files.empty()) {
            a.file = p.files.front();
        }
        a.reason = "archive at " + redact_url(p.source->url);
        return a;
    case SourceKind::unknown:
        throw Error("package `" + p.name + "` has a source of unknown type \"" + p.source->type +
                        "\"",
                    lock.path, p.source->position,
                    "lock2nix knows git, url, file, directory and legacy sources",
                    ErrorKind::unsatisfiable);
    case SourceKind::pypi:
    case SourceKind::legacy:
        break;
    }
    return std::nullopt;
}

// What a scan of a package's files passed over, kept only to explain a package that has no
// usable file (building these strings for every file of every package cost more than the
// choice itself).
struct Passed {
    std::vector<std::string> seen;
    std::vector<const FileEntry*> unfit;
    // Files whose names carry another version are not this entry's: Poetry looks the
    // version's files up on the index and keeps those whose digest the lock lists, so a stray
    // file is never installed, and an entry with nothing but strays is refused ("Retrieved
    // digest for link … not in poetry.lock metadata").
    std::vector<std::pair<const FileEntry*, std::string>> strays;
};

// The index files of one package that can serve the target: its best wheel and its sdist.
struct Candidates {
    const FileEntry* wheel = nullptr;
    std::optional<tags::WheelName> wheel_name;
    std::size_t wheel_rank = 0;
    const FileEntry* sdist = nullptr;
};

// One pass over the files. With `passed` null, a wheel no platform tag of which fits is dropped
// before its name is parsed; the choice is the same either way (such a wheel is never taken).
Candidates find_candidates(const Package& p, const tags::TagRanking& ranking, Passed* passed) {
    Candidates c;
    bool sdist_standard = false;
    const auto own_version = pep440::Version::try_parse(p.version);
    auto stray = [&](const FileEntry& f, const pep440::Version& v) {
        if (own_version && v != *own_version) {
            if (passed != nullptr) {
                passed->strays.emplace_back(&f, v.str());
            }
            return true;
        }
        return false;
    };
    // The line is built only when an explanation is wanted: the plan of every package passes
    // here, and a file name copied per file was a visible part of its cost.
    auto note = [&](const FileEntry& f, std::string_view why = {}, std::string_view more = {}) {
        if (passed != nullptr) {
            passed->seen.push_back(
                why.empty() ? f.name : f.name + " (" + std::string(why) + std::string(more) + ")");
        }
    };
    auto unfit = [&](const FileEntry& f) {
        if (passed != nullptr) {
            passed->unfit.push_back(&f);
        }
    };
    for (const FileEntry& f : p.files) {
        const auto kind = tags::classify(f.name);
        if (kind == tags::FileKind::wheel) {
            const bool may_fit = ranking.may_fit(f.name);
            if (passed == nullptr && !may_fit) {
                continue;
            }
            auto w = tags::WheelName::try_parse(f.name);
            if (w && stray(f, w->version)) {
                continue;
            }
            if (!may_fit) {
                unfit(f);
                continue;
            }
            if (!w) {
                note(f, "unreadable wheel name");
                continue;
            }
            const auto r = ranking.rank(*w);
            if (!r) {
                unfit(f);
                continue;
            }
            // Best wheel: lowest tag rank, then highest build number, then file name.
            const auto build = w->build ? w->build->first : 0;
            const auto best_build =
                c.wheel_name && c.wheel_name->build ? c.wheel_name->build->first : 0;
            if (c.wheel == nullptr || *r < c.wheel_rank ||
                (*r == c.wheel_rank && build > best_build) ||
                (*r == c.wheel_rank && build == best_build && f.name < c.wheel->name)) {
                c.wheel_rank = *r;
                c.wheel = &f;
                c.wheel_name = std::move(w);
            }
            note(f);
        } else if (kind == tags::FileKind::sdist) {
            const auto s = tags::SdistName::try_parse(f.name);
            if (s && stray(f, s->version)) {
                continue;
            }
            const bool standard = s && s->standard;
            // Prefer .tar.gz/.zip over older archive kinds; then the first in the lock.
            if (c.sdist == nullptr || (standard && !sdist_standard)) {
                c.sdist = &f;
                sdist_standard = standard;
            }
            note(f);
        } else {
            note(f, tags::to_string(kind), ", not installable");
        }
    }
    return c;
}

// `also`: said after the tag, for the wheel kept beside the sdist a policy chose.
Artifact wheel_artifact(std::size_t index, const Candidates& c, const Target& target,
                        const tags::TagRanking& ranking, std::string_view also = {}) {
    Artifact a;
    a.package = index;
    a.kind = ArtifactKind::wheel;
    a.file = *c.wheel;
    a.platform_wheel =
        c.wheel_name && std::any_of(c.wheel_name->tags.begin(), c.wheel_name->tags.end(),
                                    [](const tags::Tag& tag) { return tag.platform != "any"; });
    a.best_tag = ranking.tags()[c.wheel_rank].str();
    a.reason = "wheel " + c.wheel->name + " (best tag " + a.best_tag + " for " + target.describe() +
               std::string(also) + ")";
    return a;
}

Artifact sdist_artifact(std::size_t index, const Candidates& c, const std::string& why) {
    Artifact a;
    a.package = index;
    a.kind = ArtifactKind::sdist;
    a.file = *c.sdist;
    a.reason = "sdist " + c.sdist->name + " (" + why + ")";
    return a;
}

// The error for an index package with no usable file, naming every file and why it is unfit.
[[noreturn]] void refuse(const Lock& lock, std::size_t index, const Target& target,
                         const tags::TagRanking& ranking) {
    const Package& p = lock.packages[index];
    Passed passed;
    find_candidates(p, ranking, &passed);
    if (!passed.strays.empty()) {
        const auto& [file, version] = passed.strays.front();
        throw Error("package `" + p.name + "` " + p.version + " lists " + file->name +
                        ", a file of version " + version + ", and " +
                        (passed.strays.size() == p.files.size()
                             ? std::string("no file of its own version")
                             : "no file of its own version usable on " + target.describe()),
                    lock.path, file->position,
                    "the lock's file list does not belong to the locked version (Poetry "
                    "refuses it too); regenerate the lock with `poetry lock`",
                    ErrorKind::unsatisfiable);
    }
    for (const FileEntry* f : passed.unfit) {
        const auto w = tags::WheelName::try_parse(f->name);
        passed.seen.push_back(
            f->name + " (" + (w ? unfit_reason(*w, target) : std::string("unreadable wheel name")) +
            ")");
    }
    std::sort(passed.seen.begin(), passed.seen.end());
    // One line: messages escape newlines (input quoted in them must not forge lines), so a
    // list with "\n    " between its items printed as a literal "\n".
    std::string files;
    for (const auto& s : passed.seen) {
        files += (files.empty() ? " " : "; ") + s;
    }
    if (p.files.empty()) {
        throw Error("package `" + p.name + "` " + p.version +
                        " has no files in the lock, so "
                        "there is nothing to build or install for " +
                        target.describe(),
                    lock.path, p.position,
                    "the lock lists no file names or digests for it (a private index may "
                    "have returned none); regenerate the lock, or let lock2nix complete the "
                    "hashes from the index",
                    ErrorKind::unsatisfiable);
    }
    const std::string coverage = wheel_coverage(p);
    throw Error("package `" + p.name + "` " + p.version + " has no file usable on " +
                    target.describe() +
                    (coverage.empty() ? "" : " (its wheels are for " + coverage + ")") +
                    "; the lock has:" + files,
                lock.path, p.position,
                "no wheel matches this system and Python, and there is no sdist to build "
                "from; pick another target system (" +
                    mention(Setting::systems) + ") or Python (" + mention(Setting::pythons) +
                    "), or lock a version that ships one",
                ErrorKind::unsatisfiable);
}

} // namespace

ArtifactChoice choose_artifact_and_alternative(const Lock& lock, std::size_t index,
                                               const Target& target,
                                               const tags::TagRanking& ranking,
                                               const ArtifactPolicy& policy) {
    if (auto a = source_artifact(lock, index)) {
        return ArtifactChoice{std::move(*a), std::nullopt};
    }
    const Package& p = lock.packages[index];
    const Candidates c = find_candidates(p, ranking, nullptr);
    const bool want_sdist =
        !policy.wheel_packages.contains(p.canonical_name) &&
        (policy.prefer_sdists || policy.sdist_packages.contains(p.canonical_name));
    if (want_sdist && c.sdist != nullptr) {
        ArtifactChoice out{sdist_artifact(index, c, "sdists preferred by policy"), std::nullopt};
        if (c.wheel != nullptr) {
            out.alternative =
                wheel_artifact(index, c, target, ranking,
                               "; the alternative to the sdist: lock2nix.build \"wheel\" picks it");
        }
        return out;
    }
    if (c.wheel != nullptr) {
        ArtifactChoice out{wheel_artifact(index, c, target, ranking), std::nullopt};
        if (c.sdist != nullptr) {
            // Printed above the sdist's arguments in the emitted file: it must say why the sdist
            // is there, and no policy chose it.
            out.alternative = sdist_artifact(
                index, c, "the alternative to the wheel: lock2nix.build \"sdist\" picks it");
        }
        return out;
    }
    if (c.sdist != nullptr) {
        return ArtifactChoice{sdist_artifact(index, c,
                                             p.files.size() == 1
                                                 ? "the only file"
                                                 : "no wheel fits " + target.describe()),
                              std::nullopt};
    }
    refuse(lock, index, target, ranking);
}

FileOffer file_offer(const Lock& lock, std::size_t index, const tags::TagRanking& ranking) {
    const Package& p = lock.packages[index];
    const SourceKind kind = p.source_kind();
    if (kind != SourceKind::pypi && kind != SourceKind::legacy) {
        // A wheel at a URL or a path (torch's +cu118 wheels) runs only where its tags do; an
        // archive or a folder is built from source.
        const bool wheel = std::any_of(p.files.begin(), p.files.end(), [](const FileEntry& f) {
            return tags::classify(f.name) == tags::FileKind::wheel;
        });
        if (!wheel || (kind != SourceKind::url && kind != SourceKind::file)) {
            return FileOffer{false, false, false};
        }
    }
    const Candidates c = find_candidates(p, ranking, nullptr);
    return FileOffer{true, c.wheel != nullptr, c.sdist != nullptr};
}

namespace {

// The wheels of the package's own version (a lock may list strays of other versions).
template <class Visit>
void for_each_own_wheel(const Package& p, Visit&& visit) {
    const auto own_version = pep440::Version::try_parse(p.version);
    for (const FileEntry& f : p.files) {
        if (tags::classify(f.name) != tags::FileKind::wheel) {
            continue;
        }
        const auto w = tags::WheelName::try_parse(f.name);
        if (w && (!own_version || w->version == *own_version)) {
            visit(*w);
        }
    }
}

// A wheel platform tag as the Nix system it runs on, where it names one.
std::string system_of_platform(const std::string& platform) {
    const bool on_linux = platform.starts_with("manylinux") || platform.starts_with("musllinux") ||
                          platform.starts_with("linux_");
    const bool musl = platform.starts_with("musllinux");
    if (on_linux && platform.ends_with("_x86_64")) {
        return musl ? "x86_64-linux (musl)" : "x86_64-linux";
    }
    if (on_linux && platform.ends_with("_aarch64")) {
        return musl ? "aarch64-linux (musl)" : "aarch64-linux";
    }
    if (platform.starts_with("macosx_")) {
        if (platform.ends_with("_arm64")) {
            return "aarch64-darwin";
        }
        if (platform.ends_with("_x86_64") || platform.ends_with("_intel")) {
            return "x86_64-darwin";
        }
        if (platform.ends_with("_universal2") || platform.ends_with("_universal")) {
            return "aarch64-darwin, x86_64-darwin";
        }
    }
    return platform == "any" ? "any platform" : platform;
}

// "3.8–3.12", "3.8, 3.10" for a set of CPython 3 minors.
std::string minor_ranges(const std::set<int>& minors) {
    std::string out;
    for (auto it = minors.begin(); it != minors.end();) {
        auto last = it;
        while (std::next(last) != minors.end() && *std::next(last) == *last + 1) {
            ++last;
        }
        out += (out.empty() ? "" : ", ") + ("3." + std::to_string(*it));
        if (last != it) {
            out += "\u2013"
                   "3." +
                   std::to_string(*last);
        }
        it = std::next(last);
    }
    return out;
}

} // namespace

bool publishes_binary_wheels(const Package& p) {
    bool binary = false;
    for_each_own_wheel(p, [&](const tags::WheelName& w) {
        for (const tags::Tag& t : w.tags) {
            binary = binary || t.abi != "none" || t.platform != "any";
        }
    });
    return binary;
}

std::string wheel_coverage(const Package& p) {
    std::set<int> cpython;
    int abi3_from = -1;
    bool any_python = false;
    std::set<std::string> systems;
    for_each_own_wheel(p, [&](const tags::WheelName& w) {
        for (const tags::Tag& t : w.tags) {
            int minor = -1;
            if (t.interpreter.starts_with("cp3") && t.interpreter.size() > 3) {
                const auto digits = std::string_view(t.interpreter).substr(3);
                std::from_chars(digits.data(), digits.data() + digits.size(), minor);
            }
            if (t.abi == "abi3" && minor >= 0) {
                abi3_from = abi3_from < 0 ? minor : std::min(abi3_from, minor);
            } else if (minor >= 0) {
                cpython.insert(minor);
            } else if (t.interpreter.starts_with("py")) {
                any_python = true;
            }
            systems.insert(system_of_platform(t.platform));
        }
    });
    if (systems.empty()) {
        return {};
    }
    std::string pythons;
    if (any_python) {
        pythons = "any Python";
    } else {
        if (!cpython.empty()) {
            pythons = "CPython " + minor_ranges(cpython);
        }
        if (abi3_from >= 0) {
            pythons += (pythons.empty() ? "CPython " : ", ") + ("3." + std::to_string(abi3_from)) +
                       " and newer (abi3)";
        }
        if (pythons.empty()) {
            pythons = "other interpreters";
        }
    }
    std::string where;
    for (const auto& s : systems) {
        where += (where.empty() ? "" : ", ") + s;
    }
    return pythons + " on " + where;
}

Artifact choose_artifact(const Lock& lock, std::size_t index, const Target& target,
                         const tags::TagRanking& ranking, const ArtifactPolicy& policy) {
    return choose_artifact_and_alternative(lock, index, target, ranking, policy).chosen;
}

std::vector<Artifact> choose_artifacts(const Lock& lock, const Selection& selection,
                                       const ArtifactPolicy& policy) {
    const tags::TagRanking ranking(selection.target);
    std::vector<Artifact> out;
    out.reserve(selection.packages.size());
    for (std::size_t i : selection.packages) {
        out.push_back(choose_artifact(lock, i, selection.target, ranking, policy));
    }
    return out;
}

} // namespace lock2nix
