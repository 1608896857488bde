#include "lock2nix/resolve/plan.hpp"
#include "lock2nix/resolve/select.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <sstream>

using namespace lock2nix;

namespace {

struct Project {
    Lock lock;
    std::optional<Pyproject> pyproject;
};

// A project folder (poetry.lock and maybe pyproject.toml), relative to the in-repository copy of
// the shared data or, with an absolute path, anywhere.
Project corpus(const std::string& dir) {
    const std::string base = dir.starts_with("/") ? dir : test::shared(dir);
    Project p{read_lock(base + "/poetry.lock"), std::nullopt};
    if (std::filesystem::exists(base + "/pyproject.toml")) {
        p.pyproject = read_pyproject(base + "/pyproject.toml");
    }
    return p;
}

Project fixture(const std::string& name) {
    const std::string base = test::shared("fixtures/poetry-locks/" + name);
    Project p{read_lock(base + ".lock"), std::nullopt};
    if (std::filesystem::exists(base + ".pyproject.toml")) {
        p.pyproject = read_pyproject(base + ".pyproject.toml");
    }
    return p;
}

Selection pick(const Project& p, const std::string& system, const std::string& python,
               InstallRequest request = {}) {
    return select_packages(p.lock, p.pyproject ? &*p.pyproject : nullptr,
                           Target::make(system, python), request);
}

// "name version" of the selected packages.
std::set<std::string> names(const Project& p, const Selection& s) {
    std::set<std::string> out;
    for (std::size_t i : s.packages) {
        out.insert(p.lock.packages[i].canonical_name + " " + p.lock.packages[i].version);
    }
    return out;
}

// A 2.1 lock of the given [[package]] tables, with a [metadata] table that fits any target.
Lock small_lock(const std::string& packages, const std::string& path) {
    return parse_lock(packages + R"([metadata]
lock-version = "2.1"
python-versions = "*"
content-hash = "x"
)",
                      path);
}

bool has(const Project& p, const Selection& s, const std::string& canonical) {
    for (std::size_t i : s.packages) {
        if (p.lock.packages[i].canonical_name == canonical) {
            return true;
        }
    }
    return false;
}

std::string reason_out(const Project& p, const Selection& s, const std::string& canonical) {
    for (const Exclusion& e : s.excluded) {
        if (p.lock.packages[e.package].canonical_name == canonical) {
            return e.reason;
        }
    }
    return {};
}

} // namespace

namespace {

// The oracle below reads a 2.1 lock's own data with nothing but the marker evaluator: a package
// is in when one of its selected groups has no marker or a marker that holds. Returns the number
// of selections checked.
std::size_t check_against_oracle(const std::vector<Project>& projects) {
    std::size_t checked = 0;
    for (const Project& p : projects) {
        for (const auto& [system, python] : std::vector<std::pair<std::string, std::string>>{
                 {"x86_64-linux", "3.11"}, {"aarch64-darwin", "3.12"}, {"x86_64-linux", "3.13"}}) {
            for (bool all_extras : {false, true}) {
                INFO(p.lock.path << " " << system << " " << python
                                 << (all_extras ? " all extras" : ""));
                InstallRequest req;
                req.all_extras = all_extras;
                const Selection s = pick(p, system, python, req);
                auto env = Target::make(system, python).marker_environment();
                env.extras = {s.extras.begin(), s.extras.end()};
                std::set<std::string> expected;
                for (const Package& pkg : p.lock.packages) {
                    bool in = false;
                    for (const auto& g : pkg.groups) {
                        if (std::find(s.groups.begin(), s.groups.end(), g) == s.groups.end()) {
                            continue;
                        }
                        const std::string m =
                            pkg.markers_by_group
                                ? (pkg.group_markers.contains(g) ? pkg.group_markers.at(g) : "")
                                : pkg.markers;
                        in = in || m.empty() ||
                             pep508::Marker::parse(m).evaluate(env, pep508::Mode::poetry);
                    }
                    if (in) {
                        expected.insert(pkg.canonical_name + " " + pkg.version);
                    }
                }
                CHECK(names(p, s) == expected);
                ++checked;
            }
        }
    }
    return checked;
}

// The planner's answer for one target (no override database unless given).
TargetPlan plan_one(const Lock& lock, const Pyproject* pyproject, const Target& target,
                    const ArtifactPolicy& policy = {},
                    const OverrideDatabase* overrides = nullptr) {
    PlanOptions options;
    options.targets = {target};
    options.policy = policy;
    options.overrides = overrides;
    return std::move(plan_environment(lock, pyproject, options).targets.front());
}

} // namespace

TEST_CASE("2.1 locks: the selection is what each package's groups and markers say", "[select]") {
    std::vector<Project> projects;
    for (const auto& e :
         std::filesystem::directory_iterator(test::shared("fixtures/poetry-locks"))) {
        const auto path = e.path().string();
        if (e.path().extension() == ".lock" &&
            test::slurp(path).find("lock-version = \"2.1\"") != std::string::npos) {
            Project p{read_lock(path), std::nullopt};
            const std::string pyproject = path.substr(0, path.size() - 5) + ".pyproject.toml";
            if (std::filesystem::exists(pyproject)) {
                p.pyproject = read_pyproject(pyproject);
            }
            projects.push_back(std::move(p));
        }
    }
    REQUIRE(projects.size() >= 3);
    CHECK(check_against_oracle(projects) == projects.size() * 6);
}

TEST_CASE("2.1 corpus locks: the selection is what each package's groups and markers say",
          "[select][corpus]") {
    std::vector<Project> projects;
    for (const std::string dir : {"corpus/poetry2nix-tests", "corpus/real"}) {
        for (const auto& e : std::filesystem::directory_iterator(test::corpus(dir))) {
            const auto text = test::slurp((e.path() / "poetry.lock").string());
            if (text.find("lock-version = \"2.1\"") != std::string::npos) {
                projects.push_back(corpus(e.path().string()));
            }
        }
    }
    REQUIRE(projects.size() >= 10);
    WARN("2.1 selections checked: " << check_against_oracle(projects));
}

TEST_CASE("2.1: markers by platform, extras choosing between duplicate names", "[select]") {
    const Project own = fixture("poetry-own-2.0.1");
    CHECK(has(own, pick(own, "aarch64-darwin", "3.12"), "xattr"));
    const Selection linux = pick(own, "x86_64-linux", "3.12");
    CHECK_FALSE(has(own, linux, "xattr"));
    CHECK(reason_out(own, linux, "xattr").find("sys_platform == \"darwin\"") != std::string::npos);
    CHECK(explain(own.lock, linux, "xattr").find("OUT") != std::string::npos);

    const Project extras = fixture("installation-with-exclusive-extras");
    CHECK_FALSE(has(extras, pick(extras, "x86_64-linux", "3.11"), "torch"));
    InstallRequest cpu;
    cpu.extras = {"cpu"};
    CHECK(names(extras, pick(extras, "x86_64-linux", "3.11", cpu)) ==
          std::set<std::string>{"torch 1.11.0+cpu"});
    InstallRequest cuda;
    cuda.extras = {"CUDA"};
    CHECK(names(extras, pick(extras, "x86_64-linux", "3.11", cuda)) ==
          std::set<std::string>{"torch 1.11.0+cuda"});
    const auto why = reason_out(extras, pick(extras, "x86_64-linux", "3.11"), "torch");
    CHECK(why.find("extra not requested") != std::string::npos);

    const Project gm = fixture("test_locker-locker_dumps_groups_and_markers.writer-output");
    InstallRequest main_only;
    main_only.only = {"main"};
    CHECK(names(gm, pick(gm, "x86_64-linux", "3.11", main_only)) ==
          std::set<std::string>{"a 1.0", "c 1.0"});
    CHECK(names(gm, pick(gm, "x86_64-linux", "3.11")) ==
          std::set<std::string>{"a 1.0", "c 1.0", "e 1.0", "f 1.0"});
    CHECK(names(gm, pick(gm, "aarch64-darwin", "3.12")) ==
          std::set<std::string>{"a 1.0", "c 1.0", "f 1.0"});
}

TEST_CASE("older locks: walk from the pyproject through the dependencies", "[select]") {
    const Project own = fixture("poetry-own-1.1.15");
    const Selection s = pick(own, "x86_64-linux", "3.11");
    const auto got = names(own, s);
    CHECK(got.contains("cachecontrol 0.12.10"));
    CHECK_FALSE(got.contains("cachecontrol 0.12.6"));
    CHECK(reason_out(own, s, "importlib-metadata").find("Python <3.8") != std::string::npos);
    CHECK(reason_out(own, s, "pywin32-ctypes").find("sys_platform == \"win32\"") !=
          std::string::npos);
    CHECK(got.contains("keyring 22.3.0"));
    CHECK(got.contains("pytest 6.2.5")); // dev group, default on
    CHECK(has(own, s, "lockfile"));      // cachecontrol[filecache] from the pyproject
    InstallRequest no_dev;
    no_dev.without = {"dev"};
    CHECK_FALSE(has(own, pick(own, "x86_64-linux", "3.11", no_dev), "pytest"));

    const Project extras = corpus("corpus/poetry2nix-tests/test-extras");
    CHECK_FALSE(has(extras, pick(extras, "x86_64-linux", "3.11"), "black"));
    InstallRequest more;
    more.extras = {"more"};
    CHECK(has(extras, pick(extras, "x86_64-linux", "3.11", more), "black"));
    CHECK(reason_out(extras, pick(extras, "x86_64-linux", "3.11"), "black").find("extra more") !=
          std::string::npos);

    const Project groups = corpus("corpus/poetry2nix-tests/dependency-groups");
    InstallRequest only_foo;
    only_foo.only = {"foo"};
    const Selection foo = pick(groups, "x86_64-linux", "3.11", only_foo);
    CHECK(has(groups, foo, "flask"));
    CHECK_FALSE(has(groups, foo, "alembic"));
    CHECK_FALSE(has(groups, foo, "requests"));
    const Selection all = pick(groups, "x86_64-linux", "3.11");
    CHECK(has(groups, all, "alembic"));
    CHECK(has(groups, all, "requests"));

    const Project markers = corpus("corpus/poetry2nix-tests/python-markers");
    CHECK(has(markers, pick(markers, "x86_64-linux", "3.11"), "plum-dispatch"));
    CHECK_FALSE(has(markers, pick(markers, "x86_64-linux", "3.9"), "plum-dispatch"));
}

TEST_CASE("multiple constraints pick the right duplicate entry", "[select]") {
    const Project dup = fixture("installation-with-duplicate-dependencies");
    // A requires B>=1,<2 under python<4 and B>=2,<3 under python>=4: Python 3 takes B 1.0, C 1.2.
    CHECK(names(dup, pick(dup, "x86_64-linux", "3.11")) ==
          std::set<std::string>{"a 1.0", "b 1.0", "c 1.2"});
}

TEST_CASE("unknown groups and extras are errors that list the valid ones", "[select]") {
    const Project own = fixture("poetry-own-2.0.1");
    InstallRequest bad_group;
    bad_group.with = {"docs-typo"};
    try {
        pick(own, "x86_64-linux", "3.12", bad_group);
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).find("docs-typo") != std::string::npos);
        CHECK(e.hint().find("github-actions") != std::string::npos);
    }
    InstallRequest bad_extra;
    bad_extra.extras = {"nope"};
    CHECK_THROWS_WITH(pick(own, "x86_64-linux", "3.12", bad_extra),
                      Catch::Contains("unknown extra"));
}

TEST_CASE("cycles are broken by the component rule, and the order is deterministic",
          "[select][graph]") {
    const Project dask = corpus("corpus/poetry2nix-tests/dask-dataframe");
    const Selection s = pick(dask, "x86_64-linux", "3.11");
    const BuildGraph g = build_graph(dask.lock, s);
    REQUIRE(g.cycles.size() == 1);
    std::set<std::string> cycle;
    for (std::size_t i : g.cycles[0]) {
        cycle.insert(dask.lock.packages[i].canonical_name);
    }
    CHECK(cycle == std::set<std::string>{"dask", "dask-expr"});
    std::map<std::string, std::size_t> index;
    for (std::size_t i : s.packages) {
        index[dask.lock.packages[i].canonical_name] = i;
    }
    // No member depends on its sibling at build time; both skip the runtime-deps check.
    auto deps_of = [&](const std::string& n) {
        std::set<std::string> out;
        for (std::size_t d : g.dependencies.at(index.at(n))) {
            out.insert(dask.lock.packages[d].canonical_name);
        }
        return out;
    };
    CHECK_FALSE(deps_of("dask").contains("dask-expr"));
    CHECK_FALSE(deps_of("dask-expr").contains("dask"));
    CHECK(g.in_cycle.contains(index.at("dask")));
    // Everything each member needs outside the cycle comes before both of them.
    std::map<std::size_t, std::size_t> position;
    for (std::size_t k = 0; k < g.order.size(); ++k) {
        position[g.order[k]] = k;
    }
    CHECK(g.order.size() == s.packages.size());
    for (const auto& [pkg, deps] : g.dependencies) {
        for (std::size_t d : deps) {
            CHECK(position.at(d) < position.at(pkg));
        }
    }
    // Same input, same order.
    CHECK(build_graph(dask.lock, pick(dask, "x86_64-linux", "3.11")).order == g.order);
}

TEST_CASE("a dependant of a cycle member depends on the whole cycle", "[graph]") {
    // a -> b, b <-> c : a must get both b and c.
    const Lock lock = small_lock(R"([[package]]
name = "a"
version = "1"
groups = ["main"]
files = []
[package.dependencies]
b = "*"
[[package]]
name = "b"
version = "1"
groups = ["main"]
files = []
[package.dependencies]
c = "*"
[[package]]
name = "c"
version = "1"
groups = ["main"]
files = []
[package.dependencies]
b = "*"
)",
                                 "cycle.lock");
    const Selection s = select_packages(lock, nullptr, Target::make("x86_64-linux", "3.11"), {});
    const BuildGraph g = build_graph(lock, s);
    const auto a = lock.find("a").front();
    CHECK(g.dependencies.at(a).size() == 2);
    CHECK(g.cycles.size() == 1);
    CHECK(g.order.back() == a);
}

TEST_CASE("artifacts: best wheel, sdist policy, and a clear error when nothing fits",
          "[artifacts]") {
    const Project demo{
        read_lock(std::string(LOCK2NIX_TEST_DIR) + "/../examples/demo/poetry.lock"),
        read_pyproject(std::string(LOCK2NIX_TEST_DIR) + "/../examples/demo/pyproject.toml")};
    auto artifact = [&](const std::string& system, const std::string& python,
                        const std::string& name, ArtifactPolicy policy = {}) {
        const TargetPlan plan =
            plan_one(demo.lock, &*demo.pyproject, Target::make(system, python), policy);
        return *plan.find(demo.lock.find(name).front())->artifact;
    };
    const Artifact linux = artifact("x86_64-linux", "3.12", "charset-normalizer");
    CHECK(linux.kind == ArtifactKind::wheel);
    CHECK(linux.best_tag == "cp312-cp312-manylinux_2_28_x86_64");
    const Artifact mac = artifact("aarch64-darwin", "3.11", "charset-normalizer");
    CHECK(mac.file->name.find("cp311-cp311-macosx") != std::string::npos);
    CHECK(artifact("x86_64-linux", "3.12", "click").best_tag == "py3-none-any");
    ArtifactPolicy sdists;
    sdists.prefer_sdists = true;
    sdists.wheel_packages = {"click"};
    CHECK(artifact("x86_64-linux", "3.12", "rich", sdists).kind == ArtifactKind::sdist);
    CHECK(artifact("x86_64-linux", "3.12", "click", sdists).kind == ArtifactKind::wheel);

    // The other of wheel and sdist rides along, and says what it is: the emitted file shows the
    // reason above it, so it must not claim a policy chose it.
    auto alternative = [&](const std::string& name, ArtifactPolicy policy = {}) {
        const TargetPlan plan =
            plan_one(demo.lock, &*demo.pyproject, Target::make("x86_64-linux", "3.12"), policy);
        return plan.find(demo.lock.find(name).front())->alternative;
    };
    const auto sdist = alternative("charset-normalizer");
    REQUIRE(sdist);
    CHECK(sdist->artifact.kind == ArtifactKind::sdist);
    CHECK(sdist->artifact.file->name == "charset_normalizer-3.4.9.tar.gz");
    CHECK_THAT(sdist->artifact.reason,
               Catch::Contains("the alternative to the wheel: lock2nix.build \"sdist\""));
    const auto wheel = alternative("rich", sdists);
    REQUIRE(wheel);
    CHECK(wheel->artifact.kind == ArtifactKind::wheel);
    CHECK(wheel->artifact.best_tag == "py3-none-any");
    CHECK_THAT(wheel->artifact.reason, Catch::Contains("the alternative to the sdist"));
    CHECK(artifact("x86_64-linux", "3.12", "rich", sdists).reason.find("alternative") ==
          std::string::npos);

    const Project gmsh = corpus("corpus/poetry2nix-tests/gmsh");
    try {
        plan_one(gmsh.lock, &*gmsh.pyproject, Target::make("x86_64-darwin", "3.11"));
        // gmsh ships an x86_64 macOS wheel: that target works.
    } catch (const Error&) {
        FAIL("gmsh has a macosx x86_64 wheel");
    }
    Target old_mac = Target::make("aarch64-darwin", "3.11");
    old_mac.set_platform_version("macos", "11.0");
    try {
        plan_one(gmsh.lock, &*gmsh.pyproject, old_mac);
        FAIL("expected an error");
    } catch (const Error& e) {
        const std::string msg = e.what();
        CHECK(msg.find("gmsh") != std::string::npos);
        CHECK(msg.find("aarch64-darwin/cpython3.11") != std::string::npos);
        CHECK(msg.find("gmsh-4.13.1-py2.py3-none-macosx_12_0_arm64.whl") != std::string::npos);
        CHECK(e.position().known());
    }
}

TEST_CASE("nothing fits: the error lists every file of the package with why it was passed over",
          "[artifacts]") {
    const std::string digest = "sha256:" + std::string(64, 'a');
    const Lock lock = small_lock(R"([[package]]
name = "odd"
version = "1.0"
groups = ["main"]
files = [
    {file = "odd-1.0-py3.11.egg", hash = ")" +
                                     digest + R"("},
    {file = "odd-1.0-x-py3-none-any.whl", hash = ")" +
                                     digest + R"("},
    {file = "odd-1.0-cp312-cp312-win_amd64.whl", hash = ")" +
                                     digest + R"("},
]
)",
                                 "odd.lock");
    try {
        plan_one(lock, nullptr, Target::make("x86_64-linux", "3.12"));
        FAIL("expected an error");
    } catch (const Error& e) {
        const std::string msg = e.what();
        CHECK_THAT(msg, Catch::Contains("odd-1.0-py3.11.egg (egg, not installable)"));
        CHECK_THAT(msg, Catch::Contains("odd-1.0-x-py3-none-any.whl (unreadable wheel name)"));
        CHECK_THAT(
            msg, Catch::Contains(
                     "odd-1.0-cp312-cp312-win_amd64.whl (built for win_amd64, not x86_64-linux)"));
        CHECK(e.position().known());
    }
}

TEST_CASE("every corpus lock plans for the two reference targets, or says why not",
          "[select][corpus]") {
    std::size_t planned = 0;
    std::size_t outside_range = 0;
    std::vector<std::string> failures;
    for (const std::string dir : {"corpus/poetry2nix-tests", "corpus/real"}) {
        for (const auto& e : std::filesystem::directory_iterator(test::corpus(dir))) {
            const Project p = corpus(e.path().string());
            for (const auto& [system, python] : std::vector<std::pair<std::string, std::string>>{
                     {"x86_64-linux", "3.11"}, {"aarch64-darwin", "3.12"}}) {
                try {
                    const TargetPlan plan = plan_one(p.lock, p.pyproject ? &*p.pyproject : nullptr,
                                                     Target::make(system, python));
                    CHECK(plan.graph.order.size() == plan.packages.size());
                    // `plan --json` streams; it must print what the document would.
                    std::ostringstream streamed;
                    write_json(streamed, p.lock, plan);
                    CHECK(streamed.str() == to_json(p.lock, plan).dump(2));
                    CHECK(std::count_if(plan.packages.begin(), plan.packages.end(),
                                        [](const PlannedPackage& q) { return q.in_default; }) ==
                          static_cast<std::ptrdiff_t>(plan.selection.packages.size()));
                    ++planned;
                } catch (const Error& err) {
                    const std::string msg = err.what();
                    INFO(msg);
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
