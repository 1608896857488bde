// The planner: the package set of a target (keys, groups and extras, availability), the shared
// answer of every command, and its JSON form.

#include "lock2nix/error.hpp"
#include "lock2nix/resolve/plan.hpp"
#include "resolve_support.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace lock2nix;
using namespace lock2nix::test;

TEST_CASE("every corpus lock plans for the two reference targets, or says why not",
          "[select][corpus]") {
    std::size_t planned = 0;
    std::size_t outside_range = 0;
    std::vector<std::string> failures;
    for (const std::string dir : {"corpus/poetry2nix-tests", "corpus/real"}) {
        for (const auto& e : std::filesystem::directory_iterator(test::corpus(dir))) {
            const Project p = corpus_project(e.path().string());
            for (const auto& [system, python] : std::vector<std::pair<std::string, std::string>>{
                     {"x86_64-linux", "3.11"}, {"aarch64-darwin", "3.12"}}) {
                try {
                    const TargetPlan plan = plan_one(p.lock, p.pyproject ? &*p.pyproject : nullptr,
                                                     Target::make(system, python));
                    CHECK(plan.graph.order.size() == plan.packages.size());
                    // `plan --json` streams; it must print what the document would.
                    std::ostringstream streamed;
                    write_json(streamed, p.lock, plan);
                    CHECK(streamed.str() == nlohmann::ordered_json::parse(streamed.str()).dump(2));
                    CHECK(std::count_if(plan.packages.begin(), plan.packages.end(),
                                        [](const PlannedPackage& q) { return q.in_default; }) ==
                          static_cast<std::ptrdiff_t>(plan.selection.packages.size()));
                    ++planned;
                } catch (const Error& err) {
                    const std::string msg = err.what();
                    INFO(msg);
                    CHECK(err.kind() == ErrorKind::unsatisfiable);
                    // The only acceptable failures: nothing installable for that target, a
                    // stale lock that lacks what the pyproject requires, or a target Python the
                    // lock's range excludes (Poetry refuses all three).
                    CHECK((msg.find("has no file usable on") != std::string::npos ||
                           msg.find("which poetry.lock does not contain") != std::string::npos ||
                           msg.find("excludes Python") != std::string::npos));
                    if (msg.find("excludes Python") != std::string::npos) {
                        ++outside_range; // the lock's own range leaves this Python out
                    } else {
                        failures.push_back(e.path().filename().string() + " " + system);
                    }
                }
            }
        }
    }
    WARN("corpus plans: " << planned << " made, " << outside_range
                          << " targets outside the lock's Python range, " << failures.size()
                          << " refused with a reason");
    CHECK(planned + outside_range >= 400);
    CHECK(failures.size() <= 15);
}

namespace {
// A lock with torchvision (a wheel and an sdist) depending on torch (a wheel).
const char* const vision_lock = R"([[package]]
name = "torch"
version = "2.5.0"
groups = ["main"]
files = [{file = "torch-2.5.0-py3-none-any.whl", hash = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}]
[[package]]
name = "torchvision"
version = "0.20.0"
groups = ["main"]
files = [
    {file = "torchvision-0.20.0-py3-none-any.whl", hash = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"},
    {file = "torchvision-0.20.0.tar.gz", hash = "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"},
]
[package.dependencies]
torch = "*"
[metadata]
lock-version = "2.1"
python-versions = "*"
content-hash = "x"
)";
} // namespace

TEST_CASE("cross-package references: resolved in the plan, an error naming both otherwise",
          "[plan]") {
    const Lock lock = parse_lock(vision_lock, "vision.lock");
    OverrideDatabase db;
    db.add_file(R"([[torchvision]]
auto-patchelf-search-paths = [{ package = "torch", subdir = "torch/lib" }, { package = "nvidia-cublas-cu12", subdir = "nvidia/cublas/lib", optional = true }]
[[torchvision]]
dist = "sdist"
pre-build = "export X=@package:torch@"
)",
                "o.toml", OverrideLayer::user);
    PlanOptions options;
    options.targets = {Target::make("x86_64-linux", "3.11")};
    options.overrides = &db;
    const EnvironmentPlan plan = plan_environment(lock, nullptr, options);
    const PlannedPackage* vision = plan.targets[0].find(lock.find("torchvision").front());
    REQUIRE(vision != nullptr);
    // The absent optional reference is dropped; the wheel (chosen) has no pre-build, the sdist
    // (the alternative) has it.
    CHECK(vision->recipe->auto_patchelf_search_paths ==
          std::vector<PackagePath>{{"torch", "torch/lib", false}});
    CHECK(vision->recipe->pre_build.empty());
    REQUIRE(vision->alternative);
    CHECK(vision->alternative->artifact.kind == ArtifactKind::sdist);
    CHECK(vision->alternative->recipe->pre_build == "export X=@package:torch@");

    OverrideDatabase bad;
    bad.add_file("[[torch]]\nauto-patchelf-search-paths = [{ package = \"triton\", subdir = "
                 "\"triton/lib\" }]\n",
                 "b.toml", OverrideLayer::user);
    options.overrides = &bad;
    try {
        (void)plan_environment(lock, nullptr, options);
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK_THAT(e.message(), Catch::Contains("`torch`") && Catch::Contains("`triton`"));
    }
}

namespace {

const char* const grouped_pyproject = R"([tool.poetry]
name = "root"
version = "0"
[tool.poetry.dependencies]
python = "^3.10"
app = "*"
fast = { version = "*", optional = true }
[tool.poetry.extras]
speed = ["fast"]
[tool.poetry.group.dev]
optional = true
[tool.poetry.group.dev.dependencies]
dup = "0.9"
winonly = "*"
)";

const std::string grouped_lock =
    locked_package("app", {.files = {locked_file("app-1.0-py3-none-any.whl")},
                           .dependencies = "dup = \"1.0\"\n"}) +
    locked_package("dup", {.files = {locked_file("dup-1.0-py3-none-any.whl")}}) +
    locked_package(
        "dup",
        {.version = "0.9", .groups = {"dev"}, .files = {locked_file("dup-0.9-py3-none-any.whl")}}) +
    locked_package("fast", {.version = "2.0",
                            .markers = "extra == 'speed'",
                            .files = {locked_file("fast-2.0-py3-none-any.whl")}}) +
    locked_package("winonly", {.groups = {"dev"},
                               .files = {locked_file("winonly-1.0-cp312-cp312-win_amd64.whl")}});

const PlannedPackage& planned(const TargetPlan& plan, const std::string& key) {
    const auto it = std::find_if(plan.packages.begin(), plan.packages.end(),
                                 [&](const PlannedPackage& p) { return p.key == key; });
    REQUIRE(it != plan.packages.end());
    return *it;
}

} // namespace

TEST_CASE("the package set: every package some group or extra selects, keyed and labelled",
          "[plan]") {
    const Lock lock = small_lock(grouped_lock, "grouped.lock");
    const Pyproject pyproject = parse_pyproject(grouped_pyproject, "pyproject.toml");
    const TargetPlan plan = plan_one(lock, &pyproject, Target::make("x86_64-linux", "3.12"));
    CHECK(plan.target.system == "x86_64-linux");
    std::vector<std::string> keys;
    for (const PlannedPackage& p : plan.packages) {
        keys.push_back(p.key);
    }
    // Sorted by key; the second locked version of a name is keyed with its version.
    CHECK(keys == std::vector<std::string>{"app", "dup", "dup@0.9", "fast", "winonly"});

    const PlannedPackage& app = planned(plan, "app");
    CHECK(app.in_default);
    CHECK(app.groups == std::set<std::string>{"main"});
    REQUIRE(app.artifact);
    CHECK(app.dependencies == std::vector<std::size_t>{planned(plan, "dup").package});
    CHECK(plan.find(app.package) == &app);

    const PlannedPackage& old = planned(plan, "dup@0.9");
    CHECK_FALSE(old.in_default);
    CHECK(old.groups == std::set<std::string>{"dev"});
    CHECK(lock.packages[old.package].version == "0.9");

    // Selected only with the extra: not in the default environment, labelled with it.
    const PlannedPackage& fast = planned(plan, "fast");
    CHECK_FALSE(fast.in_default);
    CHECK(fast.groups.empty());
    CHECK(fast.extra_groups == std::map<std::string, std::set<std::string>>{{"speed", {"main"}}});

    // A package of an optional group with no file for this target: in the set, unavailable, and
    // why; the default environment still plans.
    const PlannedPackage& win = planned(plan, "winonly");
    CHECK_FALSE(win.artifact);
    CHECK_THAT(win.unavailable, Catch::Contains("win_amd64"));
    CHECK(plan.selection.packages.size() == 2);
    CHECK(plan.graph.order.size() == plan.packages.size());
}

TEST_CASE(
    "asked groups and extras make the default environment, and an unavailable one is an error",
    "[plan]") {
    const Lock lock = small_lock(grouped_lock, "grouped.lock");
    const Pyproject pyproject = parse_pyproject(grouped_pyproject, "pyproject.toml");
    InstallRequest speed;
    speed.extras = {"speed"};
    const TargetPlan fast =
        plan_one(lock, &pyproject, Target::make("x86_64-linux", "3.12"), {}, nullptr, speed);
    CHECK(planned(fast, "fast").in_default);
    CHECK_FALSE(planned(fast, "winonly").in_default);

    InstallRequest dev;
    dev.with = {"dev"};
    try {
        plan_one(lock, &pyproject, Target::make("x86_64-linux", "3.12"), {}, nullptr, dev);
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK_THAT(e.message(), Catch::Contains("`winonly`") && Catch::Contains("x86_64-linux"));
    }
}

TEST_CASE("targets: one key per system and Python, sorted and distinct", "[plan]") {
    CHECK(target_key(Target::make("x86_64-linux", "3.11")) == "x86_64-linux python3.11");
    const Lock lock = small_lock(
        locked_package("app", {.files = {locked_file("app-1.0-py3-none-any.whl")}}), "one.lock");
    PlanOptions options;
    options.targets = {Target::make("x86_64-linux", "3.12"), Target::make("aarch64-darwin", "3.11"),
                       Target::make("x86_64-linux", "3.12")};
    const EnvironmentPlan plan = plan_environment(lock, nullptr, options);
    std::vector<std::string> keys;
    for (const TargetPlan& t : plan.targets) {
        keys.push_back(target_key(t.target));
    }
    CHECK(keys == std::vector<std::string>{"aarch64-darwin python3.11", "x86_64-linux python3.12"});
    const std::string host = host_system();
    CHECK((host.ends_with("-linux") || host.ends_with("-darwin")));
}

TEST_CASE("plan --json: the document names every package with its file and membership", "[plan]") {
    const Lock lock = small_lock(grouped_lock, "grouped.lock");
    const Pyproject pyproject = parse_pyproject(grouped_pyproject, "pyproject.toml");
    const TargetPlan plan = plan_one(lock, &pyproject, Target::make("x86_64-linux", "3.12"));
    std::ostringstream streamed;
    write_json(streamed, lock, plan);
    const auto doc = nlohmann::ordered_json::parse(streamed.str());
    CHECK(streamed.str() == doc.dump(2));
    INFO(doc.dump(2));
    CHECK(doc.dump().find("app-1.0-py3-none-any.whl") != std::string::npos);
    CHECK(doc.dump().find("win_amd64") != std::string::npos);
}

TEST_CASE("a malformed marker met only by another group's walk is an error, not a package left out",
          "[plan]") {
    // b and c install only with the dev group, so the selection asked for never reads the marker of
    // b's dependency; the planner's walk over every group does, and must not take the syntax
    // error for a selection the lock cannot serve.
    const std::string bad = "c = {version = \"1.0\", markers = \"python_version >< '3'\"}\n";
    const Lock lock =
        small_lock(locked_package("a", {.files = {locked_file("a-1.0-py3-none-any.whl")}}) +
                       locked_package("b", {.groups = {"dev"},
                                            .files = {locked_file("b-1.0-py3-none-any.whl")},
                                            .dependencies = bad}) +
                       locked_package("c", {.groups = {"dev"},
                                            .files = {locked_file("c-1.0-py3-none-any.whl")}}),
                   "poetry.lock");
    const Target target = Target::make("x86_64-linux", "3.11");
    InstallRequest main_only;
    main_only.only = {"main"};
    try {
        (void)plan_one(lock, nullptr, target, {}, nullptr, main_only);
        FAIL("the malformed marker was not reported");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::invalid_input);
        CHECK(e.file() == "poetry.lock");
        CHECK(e.message().find("python_version >< '3'") != std::string::npos);
    }

    // The same walk still recovers from what the lock cannot serve: a dev package with no file
    // for the target is unavailable, and the default set plans.
    const Lock unservable =
        small_lock(locked_package("a", {.files = {locked_file("a-1.0-py3-none-any.whl")}}) +
                       locked_package("b", {.groups = {"dev"},
                                            .files = {locked_file("b-1.0-cp39-cp39-win32.whl")}}),
                   "poetry.lock");
    const TargetPlan plan = plan_one(unservable, nullptr, target, {}, nullptr, main_only);
    REQUIRE(plan.packages.size() == 2);
    const auto b = std::find_if(plan.packages.begin(), plan.packages.end(), [&](const auto& q) {
        return unservable.packages[q.package].name == "b";
    });
    REQUIRE(b != plan.packages.end());
    CHECK_FALSE(b->in_default);
    CHECK(b->unavailable.find("has no file usable on") != std::string::npos);
}
