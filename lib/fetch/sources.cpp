#include "lock2nix/fetch/sources.hpp"

#include "join.hpp"
#include "lock2nix/fetch/urls.hpp"
#include "lock2nix/files.hpp"
#include "lock2nix/hash.hpp"
#include "lock2nix/standards/names.hpp"
#include "lock2nix/standards/pep508.hpp"
#include "lock2nix/standards/tags.hpp"
#include "project/toml_reader.hpp"

#include <set>
#include <tuple>

namespace lock2nix {

Located OfflineFetcher::locate(Lock&, const Pyproject*, const std::vector<std::size_t>&) {
    return {};
}

Located KnownUrlsFetcher::locate(Lock& lock, const Pyproject*,
                                 const std::vector<std::size_t>& packages) {
    Located out;
    for (std::size_t i : packages) {
        for (const FileEntry& f : lock.packages[i].files) {
            if (auto it = urls_.find(f.name); it != urls_.end()) {
                out.urls.insert(*it);
            }
        }
    }
    return out;
}

GitSource OfflineFetcher::git(const std::string& url, const std::string& rev, const std::string&) {
    if (auto it = git_sources.find(url + " " + rev); it != git_sources.end()) {
        return it->second;
    }
    throw Error("the git source " + url +
                    " needs a fetchgit hash, and this translation may not "
                    "clone it",
                {}, {},
                "translate with a fetcher that can reach the repository, or emit "
                "builtins.fetchGit (impure git mode)");
}

std::optional<std::string> OfflineFetcher::project_file(const std::string& relative_path) {
    auto it = project_files.find(relative_path);
    if (it == project_files.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::optional<SdistFacts> OfflineFetcher::sdist_facts(const FileEntry& file,
                                                      const std::vector<std::string>&) {
    if (auto it = sdists.find(file.name); it != sdists.end()) {
        return it->second;
    }
    auto it = sdist_build_systems.find(file.name);
    if (it == sdist_build_systems.end()) {
        return std::nullopt;
    }
    SdistFacts facts;
    facts.build_system = it->second;
    facts.rust = rust_backend(facts.build_system);
    facts.cargo_lock_sought = "Cargo.lock";
    return facts;
}

std::vector<std::string> complete_digests(Lock& lock, const Pyproject* pyproject,
                                          SourceFetcher& fetcher) {
    const auto incomplete = packages_needing_digests(lock);
    if (incomplete.empty()) {
        return {};
    }
    return fetcher.locate(lock, pyproject, incomplete).notes;
}

namespace {

using detail::join;

// An sdist lock2nix reads, and for what: the chosen artifact's backend, and a Rust sdist's crates
// (chosen or not: `lock2nix.build "sdist"` builds the other).
struct SdistToRead {
    const Package* package = nullptr;
    const FileEntry* file = nullptr;
    std::vector<std::string> urls;
    bool chosen = false;   // built by default somewhere: its reading errors stop the translation
    bool declared = false; // its declared build system is used (no `build-systems`)
    bool rust = false;     // the database marks it `rust`
};

// The sdists to read, once per file, in plan order.
std::vector<SdistToRead> sdists_to_read(const Lock& lock, const EnvironmentPlan& plan,
                                        const ResolvedSources& out) {
    std::vector<SdistToRead> wanted;
    std::map<std::string, std::size_t> by_file;
    auto consider = [&](const PlannedPackage& planned, const Artifact& a, const BuildRecipe& recipe,
                        bool chosen) {
        if (!a.file) {
            return;
        }
        const FileEntry& f = *a.file;
        const Package& p = lock.packages[planned.package];
        const bool declared = chosen && recipe.build_systems.empty();
        if (!declared && !recipe.rust) {
            return;
        }
        std::vector<std::string> urls;
        if (a.kind == ArtifactKind::sdist) {
            if (auto it = out.urls.find(f.name); it != out.urls.end()) {
                urls.push_back(it->second);
            } else {
                urls = predicted_urls(p, f);
            }
        } else if (a.kind == ArtifactKind::url && tags::classify(f.name) != tags::FileKind::wheel) {
            urls.push_back(p.source->url);
        } else {
            return;
        }
        const auto [it, fresh] = by_file.emplace(f.name, wanted.size());
        if (fresh) {
            wanted.push_back(SdistToRead{&p, &f, std::move(urls), false, false, false});
        }
        SdistToRead& read = wanted[it->second];
        read.chosen |= chosen;
        read.declared |= declared;
        read.rust |= recipe.rust;
    };
    for (const TargetPlan& t : plan.targets) {
        for (const PlannedPackage& planned : t.packages) {
            if (planned.artifact) {
                consider(planned, *planned.artifact, *planned.recipe, true);
            }
            if (planned.alternative) {
                consider(planned, planned.alternative->artifact, *planned.alternative->recipe,
                         false);
            }
        }
    }
    return wanted;
}

// How a Rust sdist's crates are vendored: its Cargo.lock read as importCargoLock reads it, and
// each git crate's commit hashed once. What stops it is kept as `problem`, never thrown: the
// source build's cargoDeps throws it, and the translation goes on.
CargoVendoring vendoring(const FileEntry& f, const SdistFacts& facts, SourceFetcher& fetcher) {
    CargoVendoring v;
    v.backend = facts.rust;
    const std::string backend(rust_backend_name(facts.rust));
    if (!facts.cargo_lock) {
        v.problem = "sdist `" + f.name + "` builds Rust with " + backend +
                    " but has no Cargo.lock (sought: " + facts.cargo_lock_sought +
                    "), so its crates cannot be vendored from it (cargo would resolve and "
                    "download them in the build)\n  hint: install it from its wheel, or give its "
                    "source build `cargoDeps` in `overrides`";
        return v;
    }
    v.directory = facts.cargo_lock->directory;
    v.lock_text = facts.cargo_lock->text;
    const std::string file =
        f.name + "/" + (v.directory.empty() ? std::string() : v.directory + "/") + "Cargo.lock";
    try {
        std::map<std::string, std::string> hashes; // "url rev" → SRI
        for (const CargoCrate& c : parse_cargo_lock(v.lock_text, file).crates) {
            if (c.origin != CrateOrigin::git) {
                continue;
            }
            const std::string key = c.git_url + " " + c.git_rev;
            auto it = hashes.find(key);
            if (it == hashes.end()) {
                try {
                    it = hashes.emplace(key, fetcher.git(c.git_url, c.git_rev, "").hash).first;
                } catch (const Error& e) {
                    throw Error("git crate `" + c.name + "` " + c.version + " (" +
                                    redact_url(c.git_url) + " at " + c.git_rev +
                                    ") has no fetchgit hash: " + e.message(),
                                file, c.position,
                                "translate once online, so that lock2nix clones it and caches "
                                "the hash; or install the package from its wheel");
                }
            }
            v.output_hashes[c.name + "-" + c.version] = it->second;
        }
    } catch (const Error& e) {
        v.problem = e.describe();
    }
    return v;
}

std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

// What to do when a download is not the file the lock pins: a fetcher cannot tell the lock's
// format, and the way to lock again is the format's.
std::string relock_hint(const Lock& lock) {
    if (lock.generation == LockGeneration::pylock) {
        return "the URL the pylock gives serves another file than the one it pins: check that URL, "
               "then regenerate the pylock with the tool that wrote it (created-by: " +
               lock.generated_by + ")";
    }
    return "the index serves another file than the one locked: check the index, then run "
           "`poetry lock` again";
}

// What the sdists built here declare (for those the override database says nothing about: the
// sdist itself is the authority on its backend; the database only corrects it), and the crates of
// the Rust ones.
void resolve_sdists(const Lock& lock, const EnvironmentPlan& plan, SourceFetcher& fetcher,
                    ResolvedSources& out) {
    std::vector<std::string> guessed;
    std::vector<std::string> relaxed;
    std::vector<std::string> unread_rust;
    std::vector<std::string> not_vendored;
    for (const SdistToRead& read : sdists_to_read(lock, plan, out)) {
        const FileEntry& f = *read.file;
        const std::string who = read.package->name + " " + read.package->version;
        std::optional<SdistFacts> facts;
        std::string failure;
        auto give_up = [&](const Error& placed) {
            if (read.chosen) {
                throw placed;
            }
            // An sdist no target builds by default serves only `lock2nix.build "sdist"`.
            failure = placed.describe();
        };
        try {
            facts = fetcher.sdist_facts(f, read.urls);
        } catch (const DigestMismatch& e) {
            give_up(Error(e.message(), lock.path, f.position, relock_hint(lock)));
        } catch (const Error& e) {
            give_up(e.file().empty() ? e.located(lock.path, f.position) : e);
        }
        if (!facts) {
            if (read.declared) {
                guessed.push_back(who);
            }
            if (read.rust) {
                CargoVendoring v;
                if (failure.empty()) {
                    v.problem = "lock2nix could not read sdist `" + f.name +
                                "` when it translated (offline, and no earlier answer cached), "
                                "so its crates are unknown\n  hint: translate once online";
                    unread_rust.push_back(who);
                } else {
                    v.problem = failure;
                    not_vendored.push_back(who + ": " + first_line(failure));
                }
                out.cargo.emplace(f.name, std::move(v));
            }
            continue;
        }
        if (read.declared) {
            if (const auto pins = facts->build_system.pinned_requirements(); !pins.empty()) {
                relaxed.push_back(who + " (" + join(pins) + ")");
            }
        }
        if (facts->rust != RustBackend::none) {
            CargoVendoring v = vendoring(f, *facts, fetcher);
            if (!v.problem.empty()) {
                not_vendored.push_back(who + ": " + first_line(v.problem));
            }
            out.cargo.emplace(f.name, std::move(v));
        }
        out.sdist_build_systems.emplace(f.name, std::move(facts->build_system));
    }
    if (!guessed.empty()) {
        out.notes.push_back(
            "the build backend of " + std::to_string(guessed.size()) +
            " sdist(s) is a guess (setuptools): lock2nix could not read them without the "
            "network and has no earlier answer cached: " +
            join(guessed) + ". Translate once online (without " + mention(Setting::offline) +
            "), or give them `build-systems` overrides");
    }
    if (!relaxed.empty()) {
        out.notes.push_back(
            "sdists whose [build-system] asks for versions are built with the versions nixpkgs "
            "has (pypa/build's requirement check is skipped; see the comment on each package): " +
            join(relaxed));
    }
    if (!unread_rust.empty()) {
        out.notes.push_back(
            "lock2nix could not read the Cargo.lock of " + std::to_string(unread_rust.size()) +
            " Rust sdist(s) without the network and has no earlier answer cached: " +
            join(unread_rust) +
            ". Their source builds (lock2nix.build \"sdist\") stop saying so; translate once "
            "online (without " +
            mention(Setting::offline) + ")");
    }
    for (const std::string& line : not_vendored) {
        out.notes.push_back("the crates of a Rust sdist cannot be vendored from the lock, so its "
                            "source build stops saying why: " +
                            line);
    }
}

} // namespace

ResolvedSources resolve_sources(Lock& lock, const Pyproject* pyproject, const EnvironmentPlan& plan,
                                SourceFetcher& fetcher, GitMode git_mode, bool read_sdists) {
    ResolvedSources out;
    std::set<std::size_t> seen;
    std::vector<std::size_t> to_locate;
    for (const TargetPlan& t : plan.targets) {
        for (const PlannedPackage& planned : t.packages) {
            if (!planned.artifact || !seen.insert(planned.package).second) {
                continue;
            }
            const Package& p = lock.packages[planned.package];
            switch (planned.artifact->kind) {
            case ArtifactKind::wheel:
            case ArtifactKind::sdist:
                to_locate.push_back(planned.package);
                break;
            case ArtifactKind::git:
                if (git_mode == GitMode::pure) {
                    const std::string& rev = p.source->resolved_reference.empty()
                                                 ? p.source->reference
                                                 : p.source->resolved_reference;
                    try {
                        out.git.emplace(planned.package,
                                        fetcher.git(p.source->url, rev, p.source->subdirectory));
                    } catch (const Error& e) {
                        // Name the package and its place in the lock: the fetcher knows only
                        // the repository.
                        throw e.located(lock.path, p.source->position,
                                        "package `" + p.name + "` " + p.version + ": ");
                    }
                }
                break;
            case ArtifactKind::directory: {
                std::string rel = p.source->url;
                if (!p.source->subdirectory.empty()) {
                    rel += "/" + p.source->subdirectory;
                }
                // A path dependency's own pyproject says how it builds; a folder that is not
                // there (a lock read away from its project) leaves lock2nix's default.
                const std::string path = rel + "/pyproject.toml";
                if (auto text = fetcher.project_file(path)) {
                    const auto dir = std::filesystem::path(lock.path).parent_path();
                    out.local_pyprojects.emplace(planned.package,
                                                 parse_pyproject(*text, (dir / path).string()));
                }
                break;
            }
            case ArtifactKind::file:
            case ArtifactKind::url:
                break;
            }
        }
    }
    if (!to_locate.empty()) {
        Located located = fetcher.locate(lock, pyproject, to_locate);
        out.urls = std::move(located.urls);
        out.notes = std::move(located.notes);
    }
    if (read_sdists) {
        resolve_sdists(lock, plan, fetcher, out);
    }
    return out;
}

} // namespace lock2nix
