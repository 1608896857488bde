#include "lock2nix/translate.hpp"

#include "lock2nix/hash.hpp"
#include "lock2nix/locate.hpp"
#include "lock2nix/lockfile.hpp"
#include "lock2nix/plan.hpp"
#include "lock2nix/pyproject.hpp"
#include "lock2nix/verify.hpp"
#include "toml_reader.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <optional>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

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

std::string translate(const TranslateOptions& options) {
    namespace fs = std::filesystem;
    const std::string lock_text = detail::read_file(options.lock_path);
    Lock lock = parse_lock(lock_text, options.lock_path);
    const fs::path lock_dir = fs::absolute(options.lock_path).parent_path();
    std::optional<Pyproject> pyproject;
    const std::string pp_path = options.pyproject_path.empty()
                                    ? (lock_dir / "pyproject.toml").string()
                                    : options.pyproject_path;
    if (!options.pyproject_path.empty() || fs::exists(pp_path)) {
        pyproject = read_pyproject(pp_path);
    }

    EmitOptions emit;
    emit.targets = targets_of(options, lock);
    const OverrideDatabase overrides = load_overrides(
        options.default_overrides, pyproject ? pp_path : std::string(), options.override_files);
    emit.overrides = &overrides;
    // The index: exact URLs for the files the file will fetch, and digests for locks without.
    IndexClient client(options.index);
    const LocateOptions where{pypi_url(options)};
    if (const auto incomplete = packages_needing_digests(lock); !incomplete.empty()) {
        const Located done =
            locate_files(lock, pyproject ? &*pyproject : nullptr, incomplete, client, where);
        if (options.notes != nullptr) {
            options.notes->insert(options.notes->end(), done.notes.begin(), done.notes.end());
        }
    }
    emit.locate = [&](const std::vector<std::size_t>& packages) {
        return locate_files(lock, pyproject ? &*pyproject : nullptr, packages, client, where).urls;
    };
    emit.request = options.request;
    emit.policy = options.policy;
    emit.git_mode = options.git_mode;
    emit.lock_dir = lock_dir.string();
    emit.lock_name = fs::path(options.lock_path).filename().string();
    emit.lock_digest = sha256_hex(lock_text);
    emit.command = options.command;
    // projectDir: the lock's directory, seen from where the Nix file will be.
    const fs::path out_dir = options.output_path.empty()
                                 ? fs::current_path()
                                 : fs::absolute(options.output_path).parent_path();
    std::string rel = fs::relative(lock_dir, out_dir).generic_string();
    emit.project_dir = rel.empty() ? "." : rel;
    return emit_nix(lock, pyproject ? &*pyproject : nullptr, emit);
}

std::vector<VerifiedFile> verify_files(const TranslateOptions& options) {
    namespace fs = std::filesystem;
    Lock lock = read_lock(options.lock_path);
    std::optional<Pyproject> pyproject;
    const fs::path lock_dir = fs::absolute(options.lock_path).parent_path();
    const std::string pp_path = options.pyproject_path.empty()
                                    ? (lock_dir / "pyproject.toml").string()
                                    : options.pyproject_path;
    if (!options.pyproject_path.empty() || fs::exists(pp_path)) {
        pyproject = read_pyproject(pp_path);
    }
    const Pyproject* pp = pyproject ? &*pyproject : nullptr;
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

void write_file_atomically(const std::string& path, const std::string& text) {
    namespace fs = std::filesystem;
    const fs::path target = fs::absolute(path);
    std::string tmp =
        (target.parent_path() / ("." + target.filename().string() + ".XXXXXX")).string();
    const int fd = mkstemp(tmp.data());
    if (fd < 0) {
        throw Error(std::string("cannot create a file next to the output: ") + std::strerror(errno),
                    path, {}, "check that the directory exists and is writable");
    }
    std::size_t written = 0;
    while (written < text.size()) {
        const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
        if (n <= 0) {
            const int err = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            throw Error(std::string("cannot write the output: ") + std::strerror(err), path);
        }
        written += static_cast<std::size_t>(n);
    }
    fchmod(fd, 0644);
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        ::unlink(tmp.c_str());
        throw Error("cannot flush the output to disk", path);
    }
    if (std::rename(tmp.c_str(), target.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw Error(std::string("cannot replace the output: ") + std::strerror(err), path);
    }
}

} // namespace lock2nix
