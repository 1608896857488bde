#include "lock2nix/translate.hpp"

#include "lock2nix/hash.hpp"
#include "lock2nix/locate.hpp"
#include "lock2nix/lockfile.hpp"
#include "lock2nix/plan.hpp"
#include "lock2nix/pyproject.hpp"
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

std::string translate(const TranslateOptions& options) {
    namespace fs = std::filesystem;
    Project project = load_project(options.lock_path, options.pyproject_path);
    Lock& lock = project.lock;
    const fs::path& lock_dir = project.lock_dir;
    const Pyproject* pp = project.pyproject_or_null();

    EmitOptions emit;
    emit.targets = targets_of(options, lock);
    const OverrideDatabase overrides =
        load_overrides(options.default_overrides, project.pyproject_path, options.override_files);
    emit.overrides = &overrides;
    // The index: exact URLs for the files the file will fetch, and digests for locks without.
    IndexClient client(options.index);
    const LocateOptions where{pypi_url(options)};
    if (const auto incomplete = packages_needing_digests(lock); !incomplete.empty()) {
        const Located done = locate_files(lock, pp, incomplete, client, where);
        if (options.notes != nullptr) {
            options.notes->insert(options.notes->end(), done.notes.begin(), done.notes.end());
        }
    }
    emit.locate = [&](const std::vector<std::size_t>& packages) {
        return locate_files(lock, pp, packages, client, where).urls;
    };
    emit.request = options.request;
    emit.policy = options.policy;
    emit.git_mode = options.git_mode;
    emit.lock_dir = lock_dir.string();
    emit.lock_name = fs::path(options.lock_path).filename().string();
    emit.lock_digest = sha256_hex(project.lock_text);
    emit.command = options.command;
    // projectDir: the lock's directory, seen from where the Nix file will be.
    const fs::path out_dir = options.output_path.empty()
                                 ? fs::current_path()
                                 : fs::absolute(options.output_path).parent_path();
    std::string rel = fs::relative(lock_dir, out_dir).generic_string();
    emit.project_dir = rel.empty() ? "." : rel;
    return emit_nix(lock, pp, emit);
}

std::vector<VerifiedFile> verify_files(const TranslateOptions& options) {
    Project project = load_project(options.lock_path, options.pyproject_path);
    Lock& lock = project.lock;
    const std::filesystem::path& lock_dir = project.lock_dir;
    const Pyproject* pp = project.pyproject_or_null();
    IndexClient client(options.index);
    const LocateOptions where{pypi_url(options)};
    if (const auto incomplete = packages_needing_digests(lock); !incomplete.empty()) {
        locate_files(lock, pp, incomplete, client, where);
    }
    std::vector<VerifiedFile> out;
    std::set<std::string> seen;
    for (const Target& t : targets_of(options, lock)) {
        const Plan plan = make_plan(lock, pp, t, options.request, options.policy);
        const auto urls = locate_files(lock, pp, plan.selection.packages, client, where).urls;
        for (const Artifact& a : plan.artifacts) {
            if (!a.file || !seen.insert(a.file->name).second) {
                continue;
            }
            const Package& p = lock.packages[a.package];
            VerifiedFile v{p.name + " " + p.version, a.file->name, {}, a.file->hash(), {}, {}};
            if (a.kind == ArtifactKind::url) {
                v.url = p.source->url;
            } else if (a.kind == ArtifactKind::file) {
                v.url = "file://" + (lock_dir / p.source->url).string();
            } else if (auto it = urls.find(a.file->name); it != urls.end()) {
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
