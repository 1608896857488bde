#include "lock2nix/translate.hpp"

#include "lock2nix/hash.hpp"
#include "lock2nix/locate.hpp"
#include "lock2nix/lockfile.hpp"
#include "lock2nix/plan.hpp"
#include "lock2nix/pyproject.hpp"
#include "lock2nix/render.hpp"
#include "lock2nix/verify.hpp"
#include "toml_reader.hpp"

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>

namespace lock2nix {

std::string lock_file_digest(const std::string& lock_path) {
    return sha256_hex(detail::read_file(lock_path));
}

std::vector<Target> targets_of(const TranslateOptions& options, const Lock& lock) {
    std::vector<Target> out;
    const std::vector<std::string> systems =
        options.systems.empty() ? std::vector<std::string>{host_system()} : options.systems;
    const std::vector<std::string> pythons =
        options.pythons.empty() ? std::vector<std::string>{default_python(lock)} : options.pythons;
    for (const auto& python : pythons) {
        for (const auto& system : systems) {
            Target t = Target::make(system, python);
            if (!options.glibc.empty() && t.os == Target::Os::linux) {
                t.set_platform_version("glibc", options.glibc);
            }
            if (!options.musl.empty() && t.os == Target::Os::linux) {
                t.set_platform_version("musl", options.musl);
            }
            if (!options.macos.empty() && t.os == Target::Os::darwin) {
                t.set_platform_version("macos", options.macos);
            }
            out.push_back(t);
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
    if (!pyproject_path.empty() && std::filesystem::exists(pyproject_path)) {
        db.add_pyproject(pyproject_path);
    }
    for (const auto& f : files) {
        db.add_path(f, OverrideLayer::user);
    }
    return db;
}

Project parse_project(std::string lock_text, const std::optional<std::string>& pyproject_text,
                      const std::string& lock_name, const std::string& pyproject_name) {
    Project p;
    p.lock_text = std::move(lock_text);
    p.lock = parse_lock(p.lock_text, lock_name);
    if (pyproject_text) {
        p.pyproject = parse_pyproject(*pyproject_text, pyproject_name);
        p.pyproject_path = pyproject_name;
    }
    return p;
}

Project load_project(const std::string& lock_path, const std::string& pyproject_path) {
    namespace fs = std::filesystem;
    Project p;
    p.lock_text = detail::read_file(lock_path);
    p.lock = parse_lock(p.lock_text, lock_path);
    p.lock_dir = fs::absolute(lock_path).parent_path();
    // Spelled relative to the lock as the user gave it: messages name the file the way they would.
    const std::string path = pyproject_path.empty()
                                 ? (fs::path(lock_path).parent_path() / "pyproject.toml").string()
                                 : pyproject_path;
    if (!pyproject_path.empty() || fs::exists(path)) {
        p.pyproject = read_pyproject(path);
        p.pyproject_path = path;
    }
    return p;
}

namespace {

PlanOptions plan_options(const TranslateOptions& options, const Lock& lock,
                         const OverrideDatabase& overrides) {
    PlanOptions plan;
    plan.targets = targets_of(options, lock);
    plan.request = options.request;
    plan.policy = options.policy;
    plan.overrides = &overrides;
    return plan;
}

} // namespace

EnvironmentPlan plan_for(Project& project, const TranslateOptions& options,
                         const OverrideDatabase& overrides, IndexClient& client) {
    IndexFetcher fetcher(client, LocateOptions{pypi_url(options)}, project.lock_dir);
    complete_digests(project.lock, project.pyproject_or_null(), fetcher);
    return plan_environment(project.lock, project.pyproject_or_null(),
                            plan_options(options, project.lock, overrides));
}

Translation translate(const TranslateOptions& options) {
    namespace fs = std::filesystem;
    Project project = load_project(options.lock_path, options.pyproject_path);
    const OverrideDatabase overrides =
        load_overrides(options.default_overrides, project.pyproject_path, options.override_files);
    IndexClient client(options.index);
    IndexFetcher fetcher(client, LocateOptions{pypi_url(options)}, project.lock_dir);
    RenderOptions render;
    render.git_mode = options.git_mode;
    render.lock_name = fs::path(options.lock_path).filename().string();
    render.lock_digest = sha256_hex(project.lock_text);
    render.command = options.command;
    // projectDir: the lock's directory, seen from where the Nix file will be.
    const fs::path out_dir = options.output_path.empty()
                                 ? fs::current_path()
                                 : fs::absolute(options.output_path).parent_path();
    const std::string rel = fs::relative(project.lock_dir, out_dir).generic_string();
    render.project_dir = rel.empty() ? "." : rel;
    return translate_project(project, plan_options(options, project.lock, overrides), render,
                             fetcher);
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
    const EnvironmentPlan plan = plan_for(project, options, overrides, client);
    // The files the emitted file fetches: every available package of every target, from the
    // URLs the renderer would write.
    const ResolvedSources sources =
        resolve_sources(lock, pp, plan, fetcher, GitMode::impure, /*read_sdists=*/false);
    std::vector<VerifiedFile> out;
    std::set<std::string> seen;
    for (const TargetPlan& t : plan.targets) {
        for (const PlannedPackage& planned : t.packages) {
            if (!planned.artifact) {
                continue;
            }
            const Artifact& a = *planned.artifact;
            if (!a.file || !seen.insert(a.file->name).second) {
                continue;
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
            if (a.file->algorithm != "sha256") {
                v.error = "pinned by " + a.file->algorithm + "; lock2nix verifies sha256 digests";
                out.push_back(std::move(v));
                continue;
            }
            std::optional<Sha256> digest;
            digest.emplace();
            const IndexResponse r = client.download(IndexRequest{v.url, {}, {}, {}, false},
                                                    [&](std::string_view chunk) {
                                                        if (chunk.empty()) {
                                                            digest.emplace(); // a retry starts over
                                                        } else {
                                                            digest->update(chunk);
                                                        }
                                                    });
            if (r.ok) {
                v.actual = "sha256:" + to_hex(digest->finish());
            } else {
                v.error = r.error;
            }
            out.push_back(std::move(v));
        }
    }
    return out;
}

} // namespace lock2nix
