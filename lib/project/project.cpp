#include "lock2nix/project/project.hpp"

#include "lock2nix/files.hpp"

namespace lock2nix {

Lock pylock_metadata_as_lock(const Pylock& pylock) {
    Lock lock;
    lock.path = pylock.path;
    lock.generation = LockGeneration::pylock;
    lock.lock_version = pylock.lock_version;
    lock.generated_by = pylock.created_by;
    lock.python_versions = pylock.requires_python.empty() ? "*" : pylock.requires_python;
    lock.python_versions_position = pylock.requires_python_position;
    return lock;
}

namespace {

// The lock's model from `p.lock_text`: a pylock's, with its Python range as the Lock until the
// targets are known, or a poetry.lock's.
void read_lock_model(Project& p, const std::string& name) {
    if (detect_lock_format(name, p.lock_text) == LockFormat::pylock) {
        p.pylock = parse_pylock(p.lock_text, name);
        p.lock = pylock_metadata_as_lock(*p.pylock);
    } else {
        p.lock = parse_lock(p.lock_text, name);
    }
}

} // namespace

Project parse_project(std::string lock_text, const std::optional<std::string>& pyproject_text,
                      const std::string& lock_name, const std::string& pyproject_name) {
    Project p;
    p.lock_text = std::move(lock_text);
    read_lock_model(p, lock_name);
    if (pyproject_text) {
        if (!p.pylock) {
            p.pyproject = parse_pyproject(*pyproject_text, pyproject_name);
        }
        p.pyproject_path = pyproject_name;
    }
    return p;
}

Project load_project(const std::string& lock_path, const std::string& pyproject_path) {
    namespace fs = std::filesystem;
    Project p;
    p.lock_text = read_file(lock_path);
    read_lock_model(p, lock_path);
    p.lock_dir = fs::absolute(lock_path).parent_path();
    // Spelled relative to the lock as the user gave it: messages name the file the way they would.
    const std::string path = pyproject_path.empty()
                                 ? (fs::path(lock_path).parent_path() / "pyproject.toml").string()
                                 : pyproject_path;
    if (!pyproject_path.empty() || path_present(path)) {
        if (!p.pylock) {
            p.pyproject = read_pyproject(path);
        }
        p.pyproject_path = path;
    }
    const fs::path version_file =
        fs::path(p.pyproject ? p.pyproject_path : lock_path).parent_path() / ".python-version";
    // Only a file: a folder or a link to nothing of that name is not a version pin.
    std::error_code error;
    if (fs::is_regular_file(version_file, error)) {
        p.python_version_file = read_file(version_file.string());
    }
    return p;
}

} // namespace lock2nix
