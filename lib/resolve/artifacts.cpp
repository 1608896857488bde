#include "lock2nix/resolve/artifacts.hpp"

#include "lock2nix/fetch/urls.hpp"

#include <algorithm>

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

} // namespace

Artifact choose_artifact(const Lock& lock, std::size_t index, const Target& target,
                         const tags::TagRanking& ranking, const ArtifactPolicy& policy) {
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
                    "lock2nix knows git, url, file, directory and legacy sources");
    case SourceKind::pypi:
    case SourceKind::legacy:
        break;
    }

    // Best wheel: lowest tag rank, then highest build number, then file name.
    std::optional<std::size_t> best_rank;
    const FileEntry* best_wheel = nullptr;
    std::optional<tags::WheelName> best_name;
    const FileEntry* sdist = nullptr;
    bool sdist_standard = false;
    std::vector<std::string> seen;
    std::vector<const FileEntry*> unfit; // explained only if nothing fits
    // Files whose names carry another version are not this entry's: Poetry looks the version's
    // files up on the index and keeps those whose digest the lock lists, so a stray file is
    // never installed, and an entry with nothing but strays is refused ("Retrieved digest for
    // link … not in poetry.lock metadata").
    const auto own_version = pep440::Version::try_parse(p.version);
    std::vector<std::pair<const FileEntry*, std::string>> strays;
    auto stray = [&](const FileEntry& f, const pep440::Version& v) {
        if (own_version && v != *own_version) {
            strays.emplace_back(&f, v.str());
            return true;
        }
        return false;
    };
    for (const FileEntry& f : p.files) {
        const auto kind = tags::classify(f.name);
        if (kind == tags::FileKind::wheel) {
            if (const auto w = tags::WheelName::try_parse(f.name); w && stray(f, w->version)) {
                continue;
            }
            if (!ranking.may_fit(f.name)) {
                unfit.push_back(&f);
                continue;
            }
            const auto w = tags::WheelName::try_parse(f.name);
            if (!w) {
                seen.push_back(f.name + " (unreadable wheel name)");
                continue;
            }
            const auto r = ranking.rank(*w);
            if (!r) {
                unfit.push_back(&f);
                continue;
            }
            const auto build = w->build ? w->build->first : 0;
            const auto best_build = best_name && best_name->build ? best_name->build->first : 0;
            if (!best_rank || *r < *best_rank || (*r == *best_rank && build > best_build) ||
                (*r == *best_rank && build == best_build && f.name < best_wheel->name)) {
                best_rank = r;
                best_wheel = &f;
                best_name = w;
            }
            seen.push_back(f.name);
        } else if (kind == tags::FileKind::sdist) {
            const auto s = tags::SdistName::try_parse(f.name);
            if (s && stray(f, s->version)) {
                continue;
            }
            const bool standard = s && s->standard;
            // Prefer .tar.gz/.zip over older archive kinds; then the first in the lock.
            if (sdist == nullptr || (standard && !sdist_standard)) {
                sdist = &f;
                sdist_standard = standard;
            }
            seen.push_back(f.name);
        } else {
            seen.push_back(f.name + " (" + std::string(tags::to_string(kind)) +
                           ", not installable)");
        }
    }

    const bool want_sdist =
        !policy.wheel_packages.contains(p.canonical_name) &&
        (policy.prefer_sdists || policy.sdist_packages.contains(p.canonical_name));
    auto take_wheel = [&] {
        a.kind = ArtifactKind::wheel;
        a.file = *best_wheel;
        a.wheel = best_name;
        a.best_tag = ranking.tags()[*best_rank].str();
        a.reason = "wheel " + best_wheel->name + " (best tag " + a.best_tag + " for " +
                   target.describe() + ")";
    };
    auto take_sdist = [&](const std::string& why) {
        a.kind = ArtifactKind::sdist;
        a.file = *sdist;
        a.reason = "sdist " + sdist->name + " (" + why + ")";
    };
    if (want_sdist && sdist != nullptr) {
        take_sdist("sdists preferred by policy");
    } else if (best_wheel != nullptr) {
        take_wheel();
    } else if (sdist != nullptr) {
        take_sdist(p.files.size() == 1 ? "the only file" : "no wheel fits " + target.describe());
    } else {
        if (!strays.empty()) {
            const auto& [file, version] = strays.front();
            throw Error("package `" + p.name + "` " + p.version + " lists " + file->name +
                            ", a file of version " + version + ", and " +
                            (strays.size() == p.files.size()
                                 ? std::string("no file of its own version")
                                 : "no file of its own version usable on " + target.describe()),
                        lock.path, file->position,
                        "the lock's file list does not belong to the locked version (Poetry "
                        "refuses it too); regenerate the lock with `poetry lock`");
        }
        for (const FileEntry* f : unfit) {
            const auto w = tags::WheelName::try_parse(f->name);
            seen.push_back(f->name + " (" +
                           (w ? unfit_reason(*w, target) : std::string("unreadable wheel name")) +
                           ")");
        }
        std::sort(seen.begin(), seen.end());
        // One line: messages escape newlines (input quoted in them must not forge lines), so a
        // list with "\n    " between its items printed as a literal "\n".
        std::string files;
        for (const auto& s : seen) {
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
                        "hashes from the index");
        }
        throw Error("package `" + p.name + "` " + p.version + " has no file usable on " +
                        target.describe() + "; the lock has:" + files,
                    lock.path, p.position,
                    "no wheel matches this system and Python, and there is no sdist to build "
                    "from; pick another target system (" +
                        mention(Setting::systems) + ") or Python (" + mention(Setting::pythons) +
                        "), or lock a version that ships one");
    }
    return a;
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
