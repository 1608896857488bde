#include "lock2nix/error.hpp"
#include "lock2nix/pipeline.hpp"
#include "lock2nix/resolve/plan.hpp"
#include "lock2nix/resolve/pylock_as_lock.hpp"
#include "pylock_support.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

using namespace lock2nix;

namespace {

const std::string sha = "9c8f38efee365cb9d334de8a83ce52fc7e5fc9e5a7b0853285efa1b69e00b0f2";
const std::string other_sha = "1111111111111111111111111111111111111111111111111111111111111111";
const std::string sha1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709";

std::string file(const std::string& url, const std::string& digest = sha,
                 const std::string& algorithm = "sha256") {
    return "{ url = \"" + url + "\", hashes = { " + algorithm + " = \"" + digest + "\" } }";
}

const std::string lock_text = test::pylock_header + R"(requires-python = ">=3.10"

[[packages]]
name = "everywhere"
version = "1.0"
wheels = [)" + file("https://x.org/everywhere-1.0-py3-none-any.whl") +
                              R"(]

[[packages]]
name = "linux-only"
version = "2.0"
marker = "sys_platform == 'linux'"
index = "https://mirror.example/simple"
sdist = )" + file("https://mirror.example/linux_only-2.0.tar.gz", sha1, "sha1") +
                              R"(

[[packages]]
name = "windows-only"
version = "3.0"
marker = "sys_platform == 'win32'"
wheels = [)" + file("https://x.org/windows_only-3.0-py3-none-any.whl") +
                              R"(]

[[packages]]
name = "app"
directory = { path = ".", editable = true }

[[packages]]
name = "from-git"
version = "0.1"
vcs = { type = "git", url = "https://git.example/from-git", commit-id = "0123456789abcdef0123456789abcdef01234567" }
)";

std::vector<Target> two_targets() {
    return {Target::make("x86_64-linux", "3.12"), Target::make("aarch64-darwin", "3.12")};
}

} // namespace

TEST_CASE("a pylock's entries become a lock whose markers hold where the specification installs "
          "them",
          "[pylock]") {
    const Pylock pylock = parse_pylock(lock_text, "pylock.toml");
    const PylockAsLock adopted = pylock_as_lock(pylock, two_targets(), {{}, {}});
    const Lock& lock = adopted.lock;
    REQUIRE(lock.packages.size() == pylock.packages.size());
    CHECK(lock.generation == LockGeneration::pylock);
    CHECK(lock.python_versions == ">=3.10");

    const Package& everywhere = lock.packages[lock.find("everywhere").front()];
    CHECK(everywhere.groups == std::vector<std::string>{"main"});
    CHECK(everywhere.markers.empty());
    const Package& linux_only = lock.packages[lock.find("linux-only").front()];
    CHECK(linux_only.groups == std::vector<std::string>{"main"});
    CHECK(linux_only.markers.find("linux") != std::string::npos);
    CHECK(linux_only.markers.find("darwin") == std::string::npos);
    // An index's file keeps the strongest digest Nix verifies, here the only one.
    REQUIRE(linux_only.files.size() == 1);
    CHECK(linux_only.files.front().algorithm == "sha1");
    CHECK(linux_only.source_kind() == SourceKind::legacy);
    CHECK(lock.packages[lock.find("windows-only").front()].groups.empty());

    const Package& app = lock.packages[lock.find("app").front()];
    CHECK(app.source_kind() == SourceKind::directory);
    CHECK(app.develop == std::optional<bool>(true));
    CHECK(app.version == "0");
    const Package& git = lock.packages[lock.find("from-git").front()];
    CHECK(git.source_kind() == SourceKind::git);
    CHECK(git.source->resolved_reference == "0123456789abcdef0123456789abcdef01234567");

    CHECK(adopted.urls.at("linux_only-2.0.tar.gz") ==
          "https://mirror.example/linux_only-2.0.tar.gz");
    CHECK_FALSE(adopted.urls.contains("windows_only-3.0-py3-none-any.whl"));
    REQUIRE(adopted.selections.size() == 2);
}

TEST_CASE("the planner installs on each target what the pylock's selection chose there",
          "[pylock]") {
    const Pylock pylock = parse_pylock(lock_text, "pylock.toml");
    const std::vector<Target> targets = two_targets();
    PylockAsLock adopted = pylock_as_lock(pylock, targets, {{}, {}});
    PlanOptions options;
    options.targets = targets;
    EnvironmentPlan plan = plan_environment(adopted.lock, nullptr, options);
    REQUIRE(plan.targets.size() == 2);
    for (TargetPlan& t : plan.targets) {
        const std::size_t k = static_cast<std::size_t>(
            std::find(targets.begin(), targets.end(), t.target) - targets.begin());
        REQUIRE(k < targets.size());
        std::vector<std::size_t> in = t.selection.packages;
        std::vector<std::size_t> chosen = adopted.selections[k].chosen;
        std::sort(in.begin(), in.end());
        std::sort(chosen.begin(), chosen.end());
        CHECK(in == chosen);
        explain_with_pylock(t, pylock, adopted.selections[k]);
        const std::size_t linux_only = adopted.lock.find("linux-only").front();
        if (t.target.system == "x86_64-linux") {
            CHECK(t.selection.reason(linux_only).find("sys_platform == 'linux'` holds") !=
                  std::string::npos);
        } else {
            CHECK_FALSE(t.selection.contains(linux_only));
        }
        CHECK(std::any_of(t.selection.excluded.begin(), t.selection.excluded.end(),
                          [&](const Exclusion& e) {
                              return e.package == adopted.lock.find("windows-only").front() &&
                                     e.reason.find("marker is false") != std::string::npos;
                          }));
    }
}

TEST_CASE("a pylock entry lock2nix cannot build is refused at its place when it installs",
          "[pylock]") {
    const std::string hg = test::pylock_header + R"(
[[packages]]
name = "from-hg"
version = "1.0"
marker = "sys_platform == 'linux'"
vcs = { type = "hg", url = "https://hg.example/x", commit-id = "abc" }
)";
    const Pylock pylock = parse_pylock(hg, "pylock.toml");
    // Installed on Linux: refused at the vcs table; on macOS it is never installed.
    try {
        pylock_as_lock(pylock, {Target::make("x86_64-linux", "3.12")}, {{}, {}});
        FAIL("an hg source was taken");
    } catch (const Error& e) {
        CHECK(e.message().find("hg repository") != std::string::npos);
        CHECK(e.position().line == 8);
    }
    CHECK_NOTHROW(pylock_as_lock(pylock, {Target::make("aarch64-darwin", "3.12")}, {{}, {}}));

    // One file name, two downloads with different digests, in one file for both targets.
    const std::string clash = test::pylock_header + R"(
[[packages]]
name = "a"
version = "1.0"
marker = "sys_platform == 'linux'"
wheels = [)" + file("https://one.example/a-1.0-py3-none-any.whl") +
                              R"(]

[[packages]]
name = "a"
version = "1.0"
marker = "sys_platform == 'darwin'"
wheels = [)" + file("https://two.example/a-1.0-py3-none-any.whl", other_sha) +
                              R"(]
)";
    CHECK_THROWS_WITH(pylock_as_lock(parse_pylock(clash, "pylock.toml"), two_targets(), {{}, {}}),
                      Catch::Contains("come from different URLs"));
}

TEST_CASE("the library's text-to-text pipeline translates a pylock as the command does",
          "[pylock]") {
    // Without a git entry: offline, its hash could only come from the network.
    const std::string text =
        lock_text.substr(0, lock_text.find("[[packages]]\nname = \"from-git\""));
    Project project = parse_project(text, std::nullopt, "pylock.toml");
    REQUIRE(project.pylock);
    PlanOptions plan;
    plan.targets = {Target::make("x86_64-linux", "3.12")};
    OfflineFetcher fetcher;
    const std::string nix = translate_project(project, plan, {}, fetcher).nix;
    // The files come from the URLs the pylock names, the mirror's too, not from PyPI's layout.
    CHECK(nix.find("https://x.org/everywhere-1.0-py3-none-any.whl") != std::string::npos);
    CHECK(nix.find("https://mirror.example/linux_only-2.0.tar.gz") != std::string::npos);
    CHECK(nix.find("files.pythonhosted.org") == std::string::npos);
    // Entries the specification leaves out on this target are not in the file at all.
    CHECK(nix.find("windows_only") == std::string::npos);
    // No graph: nothing may check a package's declared dependencies against its inputs.
    CHECK(nix.find("dontCheckRuntimeDeps = true") != std::string::npos);
    CHECK(project.lock.generation == LockGeneration::pylock);

    // The request's extras reach the pylock's selection, and are not handed to Poetry's rules.
    Project with_extra = parse_project(test::pylock_header + R"(extras = ["fast"]
[[packages]]
name = "speedup"
version = "1.0"
marker = "'fast' in extras"
wheels = [)" + file("https://x.org/speedup-1.0-py3-none-any.whl") +
                                           "]\n",
                                       std::nullopt, "pylock.toml");
    Project without_extra = with_extra;
    plan.request.extras = {"fast"};
    CHECK(translate_project(with_extra, plan, {}, fetcher).nix.find("speedup-1.0") !=
          std::string::npos);
    plan.request.extras = {};
    CHECK(translate_project(without_extra, plan, {}, fetcher).nix.find("speedup-1.0") ==
          std::string::npos);
}
