#pragma once
// Locks and plans for the resolve tests: projects from the shared corpus, small locks written in
// a test, and the planner's answer for one target.

#include "lock2nix/project/lockfile.hpp"
#include "lock2nix/project/pyproject.hpp"
#include "lock2nix/resolve/plan.hpp"
#include "support.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lock2nix::test {

/// A lock and, when it has one, its pyproject.
struct Project {
    Lock lock;
    std::optional<Pyproject> pyproject;

    const Pyproject* pyproject_or_null() const { return pyproject ? &*pyproject : nullptr; }
};

/// A project folder (poetry.lock and maybe pyproject.toml), relative to the shared data or, with
/// an absolute path, anywhere.
inline Project corpus_project(const std::string& dir) {
    const std::string base = dir.starts_with("/") ? dir : shared(dir);
    Project p{read_lock(base + "/poetry.lock"), std::nullopt};
    if (std::filesystem::exists(base + "/pyproject.toml")) {
        p.pyproject = read_pyproject(base + "/pyproject.toml");
    }
    return p;
}

/// One of Poetry's own test locks (`NAME.lock`, maybe `NAME.pyproject.toml`).
inline Project fixture(const std::string& name) {
    const std::string base = shared("fixtures/poetry-locks/" + name);
    Project p{read_lock(base + ".lock"), std::nullopt};
    if (std::filesystem::exists(base + ".pyproject.toml")) {
        p.pyproject = read_pyproject(base + ".pyproject.toml");
    }
    return p;
}

/// The demo project of the repository (examples/demo).
inline Project demo_project() {
    const std::string base = std::string(LOCK2NIX_TEST_DIR) + "/../examples/demo";
    return Project{read_lock(base + "/poetry.lock"), read_pyproject(base + "/pyproject.toml")};
}

/// A `files` entry of a lock: the file's name with a made-up sha256 digest, every hex digit
/// `digit`, so that two files of one package can be told apart by digest too.
inline std::string locked_file(const std::string& name, char digit = 'a') {
    return "{file = \"" + name + "\", hash = \"sha256:" + std::string(64, digit) + "\"}";
}

/// What `locked_package` writes beyond the name. Every member has an initializer: GCC warns of a
/// designated initializer that leaves out a member without one, and a test names only the few
/// members it cares about.
struct LockedPackage {
    std::string version = "1.0";
    std::vector<std::string> groups = {"main"};
    std::string markers{};
    /// `files` entries, as `locked_file` writes them.
    std::vector<std::string> files{};
    /// The lines of a [package.dependencies] table, which is left out when this is empty.
    std::string dependencies{};
    /// Written last, after any dependencies: further tables of the package, such as its source.
    std::string tail{};
};

/// A [[package]] table of a 2.1 lock, to join with others for `small_lock`.
inline std::string locked_package(const std::string& name, const LockedPackage& with = {}) {
    std::string groups;
    for (const std::string& g : with.groups) {
        groups += (groups.empty() ? "\"" : ", \"") + g + "\"";
    }
    std::string files;
    for (const std::string& f : with.files) {
        files += (files.empty() ? "" : ", ") + f;
    }
    return "[[package]]\nname = \"" + name + "\"\nversion = \"" + with.version + "\"\ngroups = [" +
           groups + "]\n" + (with.markers.empty() ? "" : "markers = \"" + with.markers + "\"\n") +
           "files = [" + files + "]\n" +
           (with.dependencies.empty() ? "" : "[package.dependencies]\n" + with.dependencies) +
           with.tail;
}

/// A 2.1 lock of the given [[package]] tables, with a [metadata] table that fits any target.
inline Lock small_lock(const std::string& packages, const std::string& path) {
    return parse_lock(packages + "[metadata]\nlock-version = \"2.1\"\npython-versions = \"*\"\n"
                                 "content-hash = \"x\"\n",
                      path);
}

/// The planner's answer for one target (no override database unless given).
inline TargetPlan plan_one(const Lock& lock, const Pyproject* pyproject, const Target& target,
                           const ArtifactPolicy& policy = {},
                           const OverrideDatabase* overrides = nullptr,
                           const InstallRequest& request = {}) {
    PlanOptions options;
    options.targets = {target};
    options.policy = policy;
    options.overrides = overrides;
    options.request = request;
    return std::move(plan_environment(lock, pyproject, options).targets.front());
}

} // namespace lock2nix::test
