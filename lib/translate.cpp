#include "lock2nix/translate.hpp"

#include "lock2nix/locate.hpp"
#include "lock2nix/lockfile.hpp"
#include "lock2nix/plan.hpp"
#include "lock2nix/pyproject.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>

namespace lock2nix {

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
    Lock lock = read_lock(options.lock_path);
    const fs::path lock_dir = fs::absolute(options.lock_path).parent_path();
    std::optional<Pyproject> pyproject;
    const std::string pp_path = options.pyproject_path.empty()
                                    ? (lock_dir / "pyproject.toml").string()
                                    : options.pyproject_path;
    if (!options.pyproject_path.empty() || fs::exists(pp_path)) {
        pyproject = read_pyproject(pp_path);
    }

    EmitOptions emit;
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
            emit.targets.push_back(t);
        }
    }
    const OverrideDatabase overrides =
        load_overrides(options.default_overrides, pyproject ? pp_path : std::string(), options.override_files);
    emit.overrides = &overrides;
    // The index: exact URLs for the files the file will fetch, and digests for locks without.
    IndexClient client(options.index);
    LocateOptions where;
    if (!options.index_url.empty()) {
        where.pypi_url = options.index_url;
    } else if (const char* env = std::getenv("LOCK2NIX_INDEX_URL"); env != nullptr && *env != '\0') {
        where.pypi_url = env;
    }
    if (const auto incomplete = packages_needing_digests(lock); !incomplete.empty()) {
        const Located done = locate_files(lock, pyproject ? &*pyproject : nullptr, incomplete, client, where);
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
    emit.command = options.command;
    // projectDir: the lock's directory, seen from where the Nix file will be.
    const fs::path out_dir = options.output_path.empty() ? fs::current_path()
                                                         : fs::absolute(options.output_path).parent_path();
    std::string rel = fs::relative(lock_dir, out_dir).generic_string();
    emit.project_dir = rel.empty() ? "." : rel;
    return emit_nix(lock, pyproject ? &*pyproject : nullptr, emit);
}

void write_file_atomically(const std::string& path, const std::string& text) {
    namespace fs = std::filesystem;
    const fs::path target = fs::absolute(path);
    std::string tmp = (target.parent_path() / ("." + target.filename().string() + ".XXXXXX")).string();
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
