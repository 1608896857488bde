#include "lock2nix/translate.hpp"

#include "lock2nix/fetch/index_fetcher.hpp"
#include "lock2nix/fetch/locate.hpp"
#include "lock2nix/fetch/verify.hpp"
#include "lock2nix/hash.hpp"
#include "lock2nix/nix/render.hpp"
#include "lock2nix/project/lockfile.hpp"
#include "lock2nix/project/pyproject.hpp"
#include "lock2nix/resolve/plan.hpp"
#include "lock2nix/resolve/pylock_as_lock.hpp"
#include "lock2nix/version.hpp"
#include "project/toml_reader.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <tuple>

namespace lock2nix {

std::string lock_file_digest(const std::string& lock_path) {
    return sha256_hex(detail::read_file(lock_path));
}

namespace {

// The nixpkgs release a translation targets: the one named, else the default, unless that one has
// no interpreter the lock allows (or not the Python named): then the newest older release that
// does, said loudly, since the user's nixpkgs must be that one.
const NixpkgsRelease* choose_release(const TranslateOptions& options, const Lock& lock,
                                     const Pyproject* pp, std::vector<std::string>& warnings) {
    const NixpkgsRelease* chosen = &nixpkgs_release(options.nixpkgs);
    const auto older_release = [&](const auto& serves) -> const NixpkgsRelease* {
        const auto& all = nixpkgs_releases();
        auto it = std::find_if(all.rbegin(), all.rend(),
                               [&](const NixpkgsRelease& r) { return &r == chosen; });
        it = std::find_if(it, all.rend(), serves);
        return it == all.rend() ? nullptr : &*it;
    };
    if (options.nixpkgs.empty() && options.pythons.empty() &&
        allowed_pythons(lock, pp, *chosen).empty()) {
        if (const NixpkgsRelease* older = older_release(
                [&](const NixpkgsRelease& r) { return !allowed_pythons(lock, pp, r).empty(); })) {
            warnings.push_back(
                "nixpkgs " + chosen->name + " has no interpreter the lock allows (it has " +
                chosen->python_list() + "); the file is for nixpkgs " + older->name +
                ", which has one: build it with that nixpkgs, or name the release (" +
                mention(Setting::nixpkgs) + ") and the Python (" + mention(Setting::pythons) +
                ") you provide");
            chosen = older;
        }
    }
    if (options.nixpkgs.empty() && !options.pythons.empty()) {
        const std::string& named = options.pythons.front();
        const std::string minor = named.substr(0, named.find('.', named.find('.') + 1));
        if (chosen->python(minor) == nullptr) {
            if (const NixpkgsRelease* older = older_release(
                    [&](const NixpkgsRelease& r) { return r.python(minor) != nullptr; })) {
                warnings.push_back("nixpkgs " + chosen->name + " has no Python " + minor +
                                   "; the file is for nixpkgs " + older->name +
                                   ", which has it: build it with that nixpkgs, or name the "
                                   "release (" +
                                   mention(Setting::nixpkgs) + ")");
                chosen = older;
            } else {
                warnings.push_back("no nixpkgs release lock2nix knows has Python " + minor +
                                   ": the file asks pkgs for python3" +
                                   minor.substr(minor.find('.') + 1) +
                                   ", so pass the interpreter you provide as `python`");
            }
        }
    }
    return chosen;
}

// A pylock is judged through its entries as a Lock over the candidate targets (each Python the
// release has and the lock allows, on every system, whose selection succeeds); the request's
// groups and extras are the pylock's, applied by its selection. Pythons whose selection fails go
// to `question.refused`. Empty when no candidate is left.
std::optional<Lock> pylock_candidates(const TranslateOptions& options, const Project& project,
                                      const std::vector<std::string>& systems,
                                      const NixpkgsRelease& release, PythonQuestion& question) {
    const PylockGroups groups = pylock_groups(*project.pylock, options.request);
    std::vector<Target> candidates;
    for (const NixpkgsPython& python :
         allowed_pythons(project.lock, project.pyproject_or_null(), release)) {
        std::vector<Target> these;
        try {
            for (const auto& system : systems) {
                these.push_back(question.make_target(system, python));
                select_pylock(*project.pylock, these.back(), groups);
            }
        } catch (const Error& e) {
            question.refused.emplace(python.version, e.message());
            continue;
        }
        candidates.insert(candidates.end(), these.begin(), these.end());
    }
    if (candidates.empty()) {
        return std::nullopt;
    }
    return pylock_as_lock(*project.pylock, candidates, groups).lock;
}

} // namespace

TargetChoice choose_targets(const TranslateOptions& options, const Project& project) {
    const Lock& lock = project.lock;
    const Pyproject* pp = project.pyproject_or_null();
    TargetChoice out;
    out.release = choose_release(options, lock, pp, out.warnings);
    const NixpkgsRelease& release = *out.release;
    const std::vector<std::string> systems =
        options.systems.empty() ? std::vector<std::string>{host_system()} : options.systems;
    auto make = [&](const std::string& system, const std::string& python) {
        Target t = Target::make(system, python, release);
        if (!options.glibc.empty() && t.os == Target::Os::Linux) {
            t.set_platform_version("glibc", options.glibc);
        }
        if (!options.musl.empty() && t.os == Target::Os::Linux) {
            t.set_platform_version("musl", options.musl);
        }
        if (!options.macos.empty() && t.os == Target::Os::Darwin) {
            t.set_platform_version("macos", options.macos);
        }
        return t;
    };
    PythonQuestion question;
    question.systems = systems;
    question.release = &release;
    question.request = options.request;
    question.make_target = [&](const std::string& system, const NixpkgsPython& python) {
        return make(system, python.full);
    };
    question.python_version_file = project.python_version_file;
    std::vector<std::string> pythons = options.pythons;
    std::optional<Lock> candidates_lock;
    if (project.pylock && pythons.empty()) {
        candidates_lock = pylock_candidates(options, project, systems, release, question);
    }
    if (project.pylock) {
        question.request = {};
    }
    if (pythons.empty()) {
        PythonChoice choice =
            choose_python(candidates_lock ? *candidates_lock : lock, pp, question);
        pythons.push_back(choice.python.version);
        out.python_reason = std::move(choice.reason);
        out.warnings.insert(out.warnings.end(), choice.warnings.begin(), choice.warnings.end());
    }
    for (const auto& python : pythons) {
        for (const auto& system : systems) {
            out.targets.push_back(make(system, python));
        }
        if (!options.pythons.empty()) {
            // Judged before any plan: a Python outside the range is refused first, at its place.
            check_target_python(lock, pp, out.targets.back(), release);
            for (std::string& w : check_python(lock, pp, question, out.targets.back())) {
                out.warnings.push_back(std::move(w));
            }
        }
    }
    return out;
}

std::string pypi_url(const TranslateOptions& options) {
    if (!options.index_url.empty()) {
        return options.index_url;
    }
    if (const char* env = std::getenv("LOCK2NIX_INDEX_URL"); env != nullptr && *env != '\0') {
        return env;
    }
    return LocateOptions{}.pypi_url;
}

OverrideDatabase load_overrides(bool defaults, const std::string& pyproject_path,
                                const std::vector<std::string>& files) {
    OverrideDatabase db = defaults ? OverrideDatabase::with_defaults() : OverrideDatabase();
    if (!pyproject_path.empty() && path_present(pyproject_path)) {
        db.add_pyproject(pyproject_path);
    }
    for (const auto& f : files) {
        db.add_path(f, OverrideLayer::user);
    }
    return db;
}

namespace {

PlanOptions plan_options(const TranslateOptions& options, const TargetChoice& targets,
                         const OverrideDatabase& overrides, const Project& project) {
    PlanOptions plan;
    plan.targets = targets.targets;
    plan.release = targets.release;
    // A pylock's groups and extras were applied by its own selection (pylock_as_lock).
    if (!project.pylock) {
        plan.request = options.request;
    }
    plan.policy = options.policy;
    plan.overrides = &overrides;
    return plan;
}

} // namespace

EnvironmentPlan plan_for(Project& project, const TranslateOptions& options,
                         const OverrideDatabase& overrides, SourceFetcher& fetcher,
                         TargetChoice* choice) {
    complete_digests(project.lock, project.pyproject_or_null(), fetcher);
    TargetChoice targets = choose_targets(options, project);
    std::optional<PylockAsLock> adopted;
    if (project.pylock) {
        adopted = adopt_pylock(project, targets.targets, options.request);
    }
    EnvironmentPlan plan = plan_environment(project.lock, project.pyproject_or_null(),
                                            plan_options(options, targets, overrides, project));
    if (adopted) {
        for (TargetPlan& t : plan.targets) {
            const auto it = std::find(targets.targets.begin(), targets.targets.end(), t.target);
            explain_with_pylock(t, *project.pylock,
                                adopted->selections[it - targets.targets.begin()]);
        }
    }
    if (choice != nullptr) {
        *choice = std::move(targets);
    }
    return plan;
}

namespace {

const std::string tool_label = "lock2nix";
const std::string project_label = "pyproject [tool.lock2nix]";
const std::string overrides_prefix = "overrides ";

std::string tool_digest() {
    return sha256_hex(std::string(version) + "\n" + OverrideDatabase::defaults_digest() + "\n" +
                      std::string(environment_template()));
}

std::string project_digest(const std::string& pyproject_path) {
    return pyproject_path.empty() || !path_present(pyproject_path)
               ? "none"
               : OverrideDatabase::project_table_digest(pyproject_path);
}

} // namespace

std::vector<std::pair<std::string, std::string>>
generation_inputs(const std::string& lock_path, const std::string& pyproject_path,
                  const std::vector<std::string>& override_files) {
    namespace fs = std::filesystem;
    std::vector<std::pair<std::string, std::string>> out;
    out.emplace_back(tool_label, tool_digest());
    out.emplace_back(project_label, project_digest(pyproject_path));
    const fs::path lock_dir = fs::absolute(lock_path).parent_path();
    for (const auto& f : override_files) {
        out.emplace_back(overrides_prefix +
                             fs::relative(fs::absolute(f), lock_dir).generic_string(),
                         sha256_hex(detail::read_file(f)));
    }
    return out;
}

NixFreshness nix_file_freshness(const std::string& nix_path, const std::string& lock_path,
                                const std::string& pyproject_path) {
    namespace fs = std::filesystem;
    std::ifstream in(nix_path);
    if (!in) {
        throw Error("cannot open the Nix file", nix_path, {},
                    "generate it with `lock2nix " + lock_path + " -o " + nix_path + "`");
    }
    std::string line;
    std::string lock_digest;
    std::vector<std::pair<std::string, std::string>> recorded;
    // The header is the comment block before the function's `{`.
    while (std::getline(in, line) && line.starts_with("#")) {
        if (line.starts_with("# lock file sha256: ")) {
            lock_digest = line.substr(20);
        } else if (line.starts_with("# input ")) {
            const auto colon = line.rfind(": ");
            if (colon != std::string::npos && colon > 8) {
                recorded.emplace_back(line.substr(8, colon - 8), line.substr(colon + 2));
            }
        }
    }
    if (lock_digest.empty()) {
        throw Error("not a file lock2nix generated (no `# lock file sha256:` header)", nix_path,
                    SourcePosition{1, 1}, "regenerate it with lock2nix");
    }
    const std::string regenerate = "run the `# regenerate:` command at its top";
    if (lock_digest != lock_file_digest(lock_path)) {
        return {false, "stale: " + lock_path + " changed since it was generated; " + regenerate};
    }
    bool tool_recorded = false;
    for (const auto& [label, digest] : recorded) {
        if (label == tool_label) {
            tool_recorded = true;
            if (digest != tool_digest()) {
                return {false, "stale: generated by another lock2nix (version, default override "
                               "database or Nix template differ from lock2nix " +
                                   std::string(version) + "); " + regenerate};
            }
        } else if (label == project_label) {
            if (digest != project_digest(pyproject_path)) {
                return {false, "stale: the [tool.lock2nix] table of " + pyproject_path +
                                   " changed since it was generated; " + regenerate};
            }
        } else if (label.starts_with(overrides_prefix)) {
            const fs::path file =
                fs::absolute(lock_path).parent_path() / label.substr(overrides_prefix.size());
            if (!path_present(file.string())) {
                return {false, "stale: the overrides file " + file.generic_string() +
                                   " it was generated with is gone; " + regenerate};
            }
            if (digest != sha256_hex(detail::read_file(file.string()))) {
                return {false, "stale: the overrides file " + file.generic_string() +
                                   " changed since it was generated; " + regenerate};
            }
        }
    }
    if (!tool_recorded) {
        return {false, "stale: generated by an older lock2nix that did not record its inputs; " +
                           regenerate};
    }
    return {true, "fresh: generated from this " + lock_path + " and these overrides"};
}

namespace {

// The git repository holding `dir` (a folder with `.git`, a directory or a worktree's file), or
// `dir` itself.
std::filesystem::path repository_root(const std::filesystem::path& dir) {
    for (std::filesystem::path p = dir; !p.empty(); p = p.parent_path()) {
        if (path_present((p / ".git").string())) {
            return p;
        }
        if (p == p.parent_path()) {
            break;
        }
    }
    return dir;
}

bool inside(const std::filesystem::path& path, const std::filesystem::path& root) {
    auto r = root.begin();
    auto p = path.begin();
    for (; r != root.end() && !r->empty(); ++r, ++p) {
        if (p == path.end() || *p != *r) {
            return false;
        }
    }
    return true;
}

} // namespace

void check_local_paths(const Project& project, const TranslateOptions& options) {
    namespace fs = std::filesystem;
    if (options.allow_outside_project) {
        return;
    }
    // Both sides through their symbolic links: a checkout reached through a link still finds its
    // .git, and a link inside the project cannot lead out of it.
    const auto resolved = [&](const fs::path& path) {
        std::error_code error;
        fs::path out = fs::weakly_canonical(path, error);
        if (error) {
            throw Error("cannot resolve the path " + path.string() + ": " + error.message(),
                        project.lock.path, {},
                        "check that the folder exists and can be read, or name the project's "
                        "root (" +
                            mention(Setting::project_root) + ")");
        }
        return out;
    };
    const fs::path root = options.project_root.empty()
                              ? repository_root(resolved(project.lock_dir))
                              : resolved(fs::absolute(options.project_root));
    for (const Package& p : project.lock.packages) {
        const SourceKind kind = p.source_kind();
        if (kind != SourceKind::file && kind != SourceKind::directory) {
            continue;
        }
        fs::path target = project.lock_dir / p.source->url;
        if (!p.source->subdirectory.empty()) {
            target /= p.source->subdirectory;
        }
        target = resolved(target);
        if (inside(target, root)) {
            continue;
        }
        throw Error("the path dependency `" + p.name + "` (" + printable(p.source->url) +
                        ") is outside the project's folder " + root.string() +
                        (options.project_root.empty()
                             ? " (the git repository holding the lock, or without one the lock's "
                               "folder)"
                             : std::string()) +
                        ": Nix would copy " + target.string() +
                        " into the store, which every user of the machine can read",
                    project.lock.path, p.source->position,
                    "move it inside, name the folder that holds the project and its path "
                    "dependencies (" +
                        mention(Setting::project_root) +
                        "), or let it through if it is meant to be built (" +
                        mention(Setting::allow_outside_project) + ")");
    }
}

Translation translate(const TranslateOptions& options) {
    namespace fs = std::filesystem;
    Project project = load_project(options.lock_path, options.pyproject_path);
    check_local_paths(project, options);
    const OverrideDatabase overrides =
        load_overrides(options.default_overrides, project.pyproject_path, options.override_files);
    IndexClient client(options.index);
    IndexFetcher fetcher(client, LocateOptions{pypi_url(options)}, project.lock_dir);
    RenderOptions render;
    render.git_mode = options.git_mode;
    render.lock_name = fs::path(options.lock_path).filename().string();
    render.lock_digest = sha256_hex(project.lock_text);
    // Only the digest is needed from here on: the text would sit beside the model, the plan and
    // the rendered file at the peak of memory.
    std::string().swap(project.lock_text);
    render.command = options.command;
    render.inputs =
        generation_inputs(options.lock_path, project.pyproject_path, options.override_files);
    // projectDir: the lock's directory, seen from where the Nix file will be.
    const fs::path out_dir = options.output_path.empty()
                                 ? fs::current_path()
                                 : fs::absolute(options.output_path).parent_path();
    const std::string rel = fs::relative(project.lock_dir, out_dir).generic_string();
    render.project_dir = rel.empty() ? "." : rel;
    std::vector<std::string> notes =
        complete_digests(project.lock, project.pyproject_or_null(), fetcher);
    const TargetChoice targets = choose_targets(options, project);
    render.nixpkgs_release = targets.release->name;
    render.python_reason = targets.python_reason;
    if (!targets.python_reason.empty()) {
        notes.push_back(targets.python_reason);
    }
    std::optional<KnownUrlsFetcher> known_urls;
    if (project.pylock) {
        PylockAsLock adopted = adopt_pylock(project, targets.targets, options.request);
        check_local_paths(project, options);
        known_urls.emplace(fetcher, std::move(adopted.urls));
        render.dependencies_known = false;
    }
    SourceFetcher& sources = known_urls ? static_cast<SourceFetcher&>(*known_urls) : fetcher;
    Translation out = plan_and_render(project, plan_options(options, targets, overrides, project),
                                      render, sources, options.output_stream);
    out.notes.insert(out.notes.begin(), notes.begin(), notes.end());
    out.warnings.insert(out.warnings.begin(), targets.warnings.begin(), targets.warnings.end());
    return out;
}

std::vector<VerifiedFile> verify_files(const TranslateOptions& options) {
    Project project = load_project(options.lock_path, options.pyproject_path);
    Lock& lock = project.lock;
    const std::filesystem::path& lock_dir = project.lock_dir;
    const Pyproject* pp = project.pyproject_or_null();
    const OverrideDatabase overrides =
        load_overrides(options.default_overrides, project.pyproject_path, options.override_files);
    IndexClient client(options.index);
    IndexFetcher fetcher(client, LocateOptions{pypi_url(options)}, lock_dir);
    const EnvironmentPlan plan = plan_for(project, options, overrides, fetcher);
    // The files the emitted file fetches: every available package of every target, from the
    // URLs the renderer would write.
    const ResolvedSources sources =
        resolve_sources(lock, pp, plan, fetcher, GitMode::impure, /*read_sdists=*/false);
    std::vector<VerifiedFile> out;
    // One check per URL and digest: two packages may share a file name and not their bytes.
    std::set<std::pair<std::string, std::string>> seen;
    auto add = [&](const Artifact& a) {
        if (!a.file) {
            return;
        }
        const Package& p = lock.packages[a.package];
        VerifiedFile v{p.name + " " + p.version, a.file->name, {}, a.file->hash(), {}, {}};
        if (a.kind == ArtifactKind::url) {
            v.url = p.source->url;
        } else if (a.kind == ArtifactKind::file) {
            v.url = "file://" + (lock_dir / p.source->url).string();
        } else if (auto it = sources.urls.find(a.file->name); it != sources.urls.end()) {
            v.url = it->second;
        } else {
            v.url = predicted_urls(p, *a.file).front();
        }
        if (!seen.emplace(v.url, v.expected).second) {
            return;
        }
        if (a.file->algorithm != "sha256") {
            v.error = "pinned by " + a.file->algorithm + "; lock2nix verifies sha256 digests";
        }
        out.push_back(std::move(v));
    };
    for (const TargetPlan& t : plan.targets) {
        for (const PlannedPackage& planned : t.packages) {
            if (!planned.artifact) {
                continue;
            }
            add(*planned.artifact);
            // The other of wheel and sdist is in the file too (`lock2nix.build` switches to it).
            if (planned.alternative) {
                add(planned.alternative->artifact);
            }
        }
    }
    // Every download at once, --concurrency at a time, each streamed through its own digest.
    // The URLs from the index (or the cache) carry no credentials: a file on a configured
    // source's host gets that source's, and a file anywhere else none.
    const SourceCredentials credentials(lock, pp);
    std::vector<IndexRequest> requests;
    std::vector<std::size_t> checked; ///< requests[k] checks out[checked[k]]
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (!out[i].error.empty()) {
            continue;
        }
        IndexRequest r{out[i].url, {}, {}, {}, false};
        std::tie(r.username, r.password) = credentials.for_url(out[i].url);
        requests.push_back(std::move(r));
        checked.push_back(i);
    }
    std::vector<std::optional<Sha256>> digests(requests.size());
    const auto responses =
        client.download_all(requests, [&](std::size_t k, std::string_view chunk) {
            if (chunk.empty() || !digests[k]) {
                digests[k].emplace(); // the first chunk, or a retry that starts over
            }
            if (!chunk.empty()) {
                digests[k]->update(chunk);
            }
        });
    for (std::size_t k = 0; k < requests.size(); ++k) {
        VerifiedFile& v = out[checked[k]];
        if (responses[k].ok) {
            if (!digests[k]) {
                digests[k].emplace(); // an empty file
            }
            v.actual = "sha256:" + to_hex(digests[k]->finish());
        } else {
            v.error = responses[k].error;
        }
    }
    return out;
}

} // namespace lock2nix
