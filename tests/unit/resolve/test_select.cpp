#include "lock2nix/resolve/plan.hpp"
#include "lock2nix/resolve/select.hpp"
#include "resolve_support.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <sstream>

using namespace lock2nix;
using namespace lock2nix::test;

namespace {

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
                projects.push_back(corpus_project(e.path().string()));
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

    const Project extras = corpus_project("corpus/poetry2nix-tests/test-extras");
    CHECK_FALSE(has(extras, pick(extras, "x86_64-linux", "3.11"), "black"));
    InstallRequest more;
    more.extras = {"more"};
    CHECK(has(extras, pick(extras, "x86_64-linux", "3.11", more), "black"));
    CHECK(reason_out(extras, pick(extras, "x86_64-linux", "3.11"), "black").find("extra more") !=
          std::string::npos);

    const Project groups = corpus_project("corpus/poetry2nix-tests/dependency-groups");
    InstallRequest only_foo;
    only_foo.only = {"foo"};
    const Selection foo = pick(groups, "x86_64-linux", "3.11", only_foo);
    CHECK(has(groups, foo, "flask"));
    CHECK_FALSE(has(groups, foo, "alembic"));
    CHECK_FALSE(has(groups, foo, "requests"));
    const Selection all = pick(groups, "x86_64-linux", "3.11");
    CHECK(has(groups, all, "alembic"));
    CHECK(has(groups, all, "requests"));

    const Project markers = corpus_project("corpus/poetry2nix-tests/python-markers");
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
