#include "lock2nix/resolve/pylock_as_lock.hpp"

#include "lock2nix/error.hpp"
#include "lock2nix/project/project.hpp"
#include "lock2nix/standards/names.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace lock2nix {

namespace {

// The digest the emitted file pins a file by: the strongest Nix verifies. A file with none of
// these keeps its first digest, and the writer refuses it at its place in the lock.
FileEntry file_entry(const PylockFile& f) {
    FileEntry out;
    out.name = f.name;
    out.position = f.position;
    constexpr std::array preferred{"sha256", "sha512", "sha1", "md5"};
    const PylockHash* pick = nullptr;
    for (const char* algorithm : preferred) {
        if ((pick = f.hash(algorithm)) != nullptr) {
            break;
        }
    }
    if (pick == nullptr && !f.hashes.empty()) {
        pick = &f.hashes.front();
    }
    if (pick != nullptr) {
        out.algorithm = pick->algorithm;
        out.digest = pick->value;
        std::transform(out.digest.begin(), out.digest.end(), out.digest.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    }
    return out;
}

// "sys_platform == "linux" and platform_machine == "x86_64" and python_full_version == "3.12.8"",
// in the target's own marker environment: true on this target and on no other a file can be for
// (a target is its system and Python).
std::string target_condition(const Target& t) {
    const pep508::Environment env = t.marker_environment();
    std::string out;
    for (const pep508::Variable v :
         {pep508::Variable::sys_platform, pep508::Variable::platform_machine,
          pep508::Variable::python_full_version}) {
        out += (out.empty() ? "" : " and ") + std::string(pep508::to_string(v)) + " == \"" +
               *env.get(v) + "\"";
    }
    return out;
}

Error unbuildable(const Pylock& pylock, const PylockPackage& p, SourcePosition at,
                  const std::string& what, const std::string& hint) {
    return Error(p.name + (p.version.empty() ? "" : " " + p.version) + ": " + what, pylock.path, at,
                 hint);
}

// The source of an entry that installs somewhere, as a poetry.lock would name it.
void set_source(const Pylock& pylock, const PylockPackage& entry, Package& p) {
    PackageSource source;
    source.position = entry.position;
    switch (entry.source_kind()) {
    case PylockSourceKind::distributions: {
        std::vector<const PylockFile*> files;
        if (entry.sdist) {
            files.push_back(&*entry.sdist);
        }
        for (const auto& w : entry.wheels) {
            // One name twice in an entry (uv merging two indexes' copies of a pure wheel): an
            // installer takes either; the first is kept, as the emitted file names downloads by
            // their file name.
            if (std::none_of(files.begin(), files.end(),
                             [&](const PylockFile* f) { return f->name == w.name; })) {
                files.push_back(&w);
            }
        }
        const bool local = std::any_of(files.begin(), files.end(),
                                       [](const PylockFile* f) { return f->url.empty(); });
        if (local && files.size() == 1) {
            source.kind = SourceKind::file;
            source.url = files.front()->path;
            p.source = std::move(source);
        } else if (local) {
            throw unbuildable(pylock, entry, entry.position,
                              "a local file among the entry's " + std::to_string(files.size()) +
                                  " files",
                              "lock2nix builds a local file when it is the entry's only file; "
                              "serve the files from an index or a URL, or lock one file");
        } else if (!entry.index.empty()) {
            source.kind = SourceKind::legacy;
            source.type = "legacy";
            source.url = entry.index;
            p.source = std::move(source);
        }
        for (const PylockFile* f : files) {
            p.files.push_back(file_entry(*f));
        }
        return;
    }
    case PylockSourceKind::archive: {
        const PylockFile& a = *entry.archive;
        source.kind = a.url.empty() ? SourceKind::file : SourceKind::url;
        source.url = a.url.empty() ? a.path : a.url;
        source.subdirectory = a.subdirectory;
        p.files.push_back(file_entry(a));
        p.source = std::move(source);
        return;
    }
    case PylockSourceKind::vcs: {
        const PylockVcs& v = *entry.vcs;
        if (v.type != "git") {
            throw unbuildable(pylock, entry, v.position,
                              "its source is a " + v.type + " repository",
                              "lock2nix builds vcs sources from git only; lock a release of it, "
                              "or a git mirror");
        }
        if (v.url.empty()) {
            throw unbuildable(pylock, entry, v.position,
                              "its git repository is named by a local path (" + v.path + ")",
                              "lock it from the repository's URL: a build cannot reach a folder "
                              "of this machine");
        }
        source.kind = SourceKind::git;
        source.type = "git";
        source.url = v.url;
        source.reference = v.requested_revision;
        source.resolved_reference = v.commit_id;
        source.subdirectory = v.subdirectory;
        p.source = std::move(source);
        return;
    }
    case PylockSourceKind::directory: {
        const PylockDirectory& d = *entry.directory;
        source.kind = SourceKind::directory;
        source.type = "directory";
        source.url = d.path;
        source.subdirectory = d.subdirectory;
        p.develop = d.editable;
        p.source = std::move(source);
        return;
    }
    case PylockSourceKind::none:
        // select_pylock refuses an installed entry without a source before this is reached.
        throw unbuildable(pylock, entry, entry.position, "it has no source", "regenerate the lock");
    }
}

void record_urls(const Pylock& pylock, const PylockPackage& entry, const Package& p,
                 std::map<std::string, std::string>& urls,
                 std::map<std::string, std::string>& digests) {
    auto record = [&](const PylockFile& f) {
        const auto kept = std::find_if(p.files.begin(), p.files.end(), [&](const FileEntry& e) {
            return e.position == f.position;
        });
        if (f.url.empty() || kept == p.files.end()) {
            return;
        }
        const auto [it, added] = urls.emplace(f.name, f.url);
        const auto known = digests.emplace(f.name, kept->hash()).first;
        // The same bytes from two places (same digest) may come from either.
        if (!added && it->second != f.url && known->second != kept->hash()) {
            throw unbuildable(pylock, entry, f.position,
                              "two files named " + f.name + " come from different URLs (" +
                                  it->second + " and " + f.url + ")",
                              "the emitted file names a download by its file name; lock one of "
                              "them, or translate for targets that install only one");
        }
    };
    if (entry.sdist) {
        record(*entry.sdist);
    }
    for (const auto& w : entry.wheels) {
        record(w);
    }
}

} // namespace

PylockAsLock pylock_as_lock(const Pylock& pylock, const std::vector<Target>& targets,
                            const PylockGroups& groups) {
    if (targets.empty()) {
        throw Error("no target to select the pylock's entries for", pylock.path, {},
                    "name a system and a Python version");
    }
    PylockAsLock out;
    out.lock = pylock_metadata_as_lock(pylock);
    // By entry: the targets that install it.
    std::vector<std::vector<std::size_t>> installs_on(pylock.packages.size());
    for (std::size_t t = 0; t < targets.size(); ++t) {
        out.selections.push_back(select_pylock(pylock, targets[t], groups));
        for (std::size_t i : out.selections.back().chosen) {
            installs_on[i].push_back(t);
        }
    }
    out.lock.packages.reserve(pylock.packages.size());
    std::map<std::string, std::string> digests; // file name → the digest its URL was kept for
    for (std::size_t i = 0; i < pylock.packages.size(); ++i) {
        const PylockPackage& entry = pylock.packages[i];
        Package p;
        p.name = entry.name;
        p.canonical_name = canonicalize_name(entry.name);
        // A source tree may leave its version to its build: Nix derivations need one.
        p.version = entry.version.empty() ? "0" : entry.version;
        p.position = entry.position;
        p.files_origin = FilesOrigin::package;
        if (!installs_on[i].empty()) {
            set_source(pylock, entry, p);
            record_urls(pylock, entry, p, out.urls, digests);
            p.groups = {"main"};
            if (installs_on[i].size() < targets.size()) {
                for (std::size_t t : installs_on[i]) {
                    p.markers +=
                        (p.markers.empty() ? "(" : " or (") + target_condition(targets[t]) + ")";
                }
            }
        }
        out.lock.packages.push_back(std::move(p));
    }
    out.lock.index_packages();
    return out;
}

void explain_with_pylock(TargetPlan& plan, const Pylock& pylock, const PylockSelection& selection) {
    Selection& sel = plan.selection;
    if (sel.reasons.size() < pylock.packages.size()) {
        sel.reasons.resize(pylock.packages.size());
    }
    for (std::size_t i : selection.chosen) {
        const PylockPackage& p = pylock.packages[i];
        sel.reasons[i] = p.marker.empty() ? "entry at line " + std::to_string(p.position.line) +
                                                " has no marker: it installs everywhere"
                                          : "entry at line " + std::to_string(p.position.line) +
                                                ", marker `" + p.marker + "` holds";
    }
    sel.excluded.clear();
    for (const PylockSkip& skip : selection.skipped) {
        sel.excluded.push_back(
            Exclusion{skip.index, "entry at line " +
                                      std::to_string(pylock.packages[skip.index].position.line) +
                                      ": " + skip.reason});
    }
}

} // namespace lock2nix
