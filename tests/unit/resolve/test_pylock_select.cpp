#include "lock2nix/resolve/pylock_select.hpp"
#include "pylock_support.hpp"

#include <catch2/catch.hpp>
#include <filesystem>

using namespace lock2nix;

namespace {

const std::string sha = "9c8f38efee365cb9d334de8a83ce52fc7e5fc9e5a7b0853285efa1b69e00b0f2";

std::string wheel(const std::string& file) {
    return "wheels = [{ url = \"https://x.org/" + file + "\", hashes = { sha256 = \"" + sha +
           "\" } }]\n";
}

// A multi-use lock in the shape PDM writes: groups and extras through markers.
const std::string multi_use = test::pylock_header + R"(requires-python = ">=3.9"
extras = ["socks"]
dependency-groups = ["dev"]
default-groups = ["default"]

[[packages]]
name = "base"
version = "1.0"
marker = "'default' in dependency_groups"
)" + wheel("base-1.0-py3-none-any.whl") +
                              R"(
[[packages]]
name = "pysocks"
version = "1.7"
marker = "'default' in dependency_groups and 'socks' in extras"
)" + wheel("pysocks-1.7-py3-none-any.whl") +
                              R"(
[[packages]]
name = "pytest"
version = "8.0"
marker = "'dev' in dependency_groups"
)" + wheel("pytest-8.0-py3-none-any.whl") +
                              R"(
[[packages]]
name = "colorama"
version = "0.4"
marker = "'dev' in dependency_groups and sys_platform == 'win32'"
)" + wheel("colorama-0.4-py3-none-any.whl") +
                              R"(
[[packages]]
name = "numpy"
version = "2.0"
marker = "python_version >= '3.10'"
)" + wheel("numpy-2.0-py3-none-any.whl") +
                              R"(
[[packages]]
name = "numpy"
version = "1.26"
marker = "python_version < '3.10'"
)" + wheel("numpy-1.26-py3-none-any.whl");

std::vector<std::string> chosen(const Pylock& lock, const PylockSelection& s) {
    std::vector<std::string> out;
    for (const std::size_t i : s.chosen) {
        out.push_back(lock.packages[i].name + "==" + lock.packages[i].version);
    }
    return out;
}

Error selection_error(const Pylock& lock, const Target& target, const PylockGroups& groups) {
    try {
        (void)select_pylock(lock, target, groups);
    } catch (const Error& e) {
        return e;
    }
    FAIL("selection did not fail");
    throw;
}

} // namespace

TEST_CASE("markers bind extras and dependency_groups as sets", "[pylock]") {
    const auto m = pep508::Marker::parse("'dev' in dependency_groups and 'a_b' in extras");
    pep508::Environment env;
    env.lock_dependency_groups = std::set<std::string>{"dev"};
    env.lock_extras = std::set<std::string>{"a-b"};
    CHECK(m.evaluate(env, pep508::Mode::strict));
    // Membership, not a substring test.
    env.lock_dependency_groups = std::set<std::string>{"devel"};
    CHECK_FALSE(m.evaluate(env, pep508::Mode::strict));
    CHECK(pep508::Marker::parse("'x' not in extras").evaluate(env, pep508::Mode::strict));
    CHECK_THROWS_AS(pep508::Marker::parse("extras == 'x'").evaluate(env, pep508::Mode::strict),
                    Error);
}

TEST_CASE("groups and extras map onto the lock's", "[pylock]") {
    const Pylock lock = parse_pylock(multi_use, "pylock.toml");
    CHECK(pylock_groups(lock, {}).groups == std::vector<std::string>{"default"});
    CHECK(pylock_groups(lock, {}).extras.empty());
    InstallRequest with;
    with.with = {"dev"};
    with.extras = {"Socks"};
    const PylockGroups g = pylock_groups(lock, with);
    CHECK(g.groups == std::vector<std::string>{"default", "dev"});
    CHECK(g.extras == std::vector<std::string>{"socks"});
    InstallRequest only;
    only.only = {"dev"};
    CHECK(pylock_groups(lock, only).groups == std::vector<std::string>{"dev"});
    InstallRequest unknown;
    unknown.with = {"docs"};
    CHECK_THROWS_WITH(pylock_groups(lock, unknown), Catch::Contains("no dependency group"));
    InstallRequest all;
    all.all_extras = true;
    CHECK(pylock_groups(lock, all).extras == std::vector<std::string>{"socks"});
}

TEST_CASE("selection follows the specification's steps", "[pylock]") {
    const Pylock lock = parse_pylock(multi_use, "pylock.toml");
    const Target linux312 = Target::make("x86_64-linux", "3.12");
    const Target linux39 = Target::make("x86_64-linux", "3.9");

    CHECK(chosen(lock, select_pylock(lock, linux312, pylock_groups(lock, {}))) ==
          std::vector<std::string>{"base==1.0", "numpy==2.0"});
    InstallRequest dev;
    dev.with = {"dev"};
    dev.extras = {"socks"};
    const PylockSelection s = select_pylock(lock, linux39, pylock_groups(lock, dev));
    CHECK(chosen(lock, s) ==
          std::vector<std::string>{"base==1.0", "pysocks==1.7", "pytest==8.0", "numpy==1.26"});
    REQUIRE(s.skipped.size() == 2);
    CHECK_THAT(s.skipped[0].reason, Catch::Contains("sys_platform"));
}

TEST_CASE("what the specification makes an installer refuse", "[pylock]") {
    const Target linux312 = Target::make("x86_64-linux", "3.12");
    SECTION("the lock's requires-python") {
        const Pylock lock = parse_pylock(
            test::pylock_header + "requires-python = \">=3.13\"\npackages = []\n", "pylock.toml");
        const Error e = selection_error(lock, linux312, {});
        CHECK(e.position().line == 3);
        CHECK_THAT(e.message(), Catch::Contains("requires Python >=3.13"));
    }
    SECTION("environments") {
        const Pylock lock = parse_pylock(
            test::pylock_header + "environments = [\"sys_platform == 'win32'\"]\npackages = []\n",
            "pylock.toml");
        CHECK_THAT(selection_error(lock, linux312, {}).message(),
                   Catch::Contains("other environments"));
        CHECK_NOTHROW(select_pylock(
            parse_pylock(test::pylock_header + "environments = [\"sys_platform == 'win32'\", "
                                               "\"sys_platform == 'linux'\"]\npackages = []\n",
                         "pylock.toml"),
            linux312, {}));
        // One environment that holds is enough wherever it is listed; one that cannot be
        // evaluated refuses only when none holds, and then with its own reason and place.
        auto listing = [](const std::string& environments) {
            return parse_pylock(test::pylock_header + "environments = [" + environments +
                                    "]\npackages = []\n",
                                "pylock.toml");
        };
        CHECK_NOTHROW(select_pylock(
            listing("\"platform_release >= '5'\", \"sys_platform == 'linux'\""), linux312, {}));
        CHECK_NOTHROW(select_pylock(
            listing("\"sys_platform == 'linux'\", \"platform_release >= '5'\""), linux312, {}));
        const Error unevaluable = selection_error(
            listing("\"sys_platform == 'win32'\", \"platform_release >= '5'\""), linux312, {});
        CHECK_THAT(unevaluable.message(), Catch::Contains("platform_release"));
    }
    SECTION("`extra` has no value in a lock's markers") {
        const Pylock lock =
            parse_pylock(test::pylock_header + "extras = [\"fast\"]\n[[packages]]\nname = "
                                               "\"a\"\nmarker = \"extra == 'fast'\"\n"
                                               "directory = { path = \".\" }\n",
                         "pylock.toml");
        for (const std::vector<std::string>& extras :
             {std::vector<std::string>{}, std::vector<std::string>{"fast"}}) {
            const Error e = selection_error(lock, linux312, {extras, {}});
            CHECK(e.position().line == 6);
            CHECK_THAT(e.message(), Catch::Contains("`extra` is not defined"));
            CHECK_THAT(e.hint(), Catch::Contains("in extras"));
        }
    }
    SECTION("an installed entry's requires-python is an error, not a selector") {
        const Pylock lock =
            parse_pylock(test::pylock_header +
                             "[[packages]]\nname = \"a\"\nversion = \"1.0\"\nrequires-python = "
                             "\">=3.13\"\n" +
                             wheel("a-1.0-py3-none-any.whl"),
                         "pylock.toml");
        const Error e = selection_error(lock, linux312, {});
        CHECK(e.position().line == 6);
    }
    SECTION("ambiguity") {
        const Pylock lock = parse_pylock(
            test::pylock_header + "[[packages]]\nname = \"a\"\nversion = \"1.0\"\n" +
                wheel("a-1.0-py3-none-any.whl") +
                "[[packages]]\nname = \"a\"\nversion = \"2.0\"\nmarker = \"os_name == 'posix'\"\n" +
                wheel("a-2.0-py3-none-any.whl"),
            "pylock.toml");
        const Error e = selection_error(lock, linux312, {});
        CHECK(e.position().line == 7);
        CHECK_THAT(e.message(), Catch::Contains("ambiguous") && Catch::Contains("line 3"));
    }
    SECTION("a source defect of an installed entry, not of a skipped one") {
        const std::string entry = "[[packages]]\nname = \"a\"\nversion = \"1.0\"\nmarker = "
                                  "\"sys_platform == 'PLATFORM'\"\nwheels = [{ url = "
                                  "\"https://x/a-1.0-py3-none-any.whl\", hashes = {} }]\n";
        auto with = [&](const std::string& platform) {
            std::string text = test::pylock_header + entry;
            text.replace(text.find("PLATFORM"), 8, platform);
            return parse_pylock(text, "pylock.toml");
        };
        CHECK(select_pylock(with("win32"), linux312, {}).chosen.empty());
        const Error e = selection_error(with("linux"), linux312, {});
        CHECK(e.position().line == 7);
        CHECK_THAT(e.message(), Catch::Contains("empty `hashes`"));
    }
    SECTION("a marker Nix cannot decide") {
        const Pylock lock =
            parse_pylock(test::pylock_header + "[[packages]]\nname = \"a\"\nmarker = "
                                               "\"platform_release >= '6'\"\ndirectory = "
                                               "{ path = \".\" }\n",
                         "pylock.toml");
        const Error e = selection_error(lock, linux312, {});
        CHECK(e.position().line == 5);
        CHECK_THAT(e.message(), Catch::Contains("platform_release"));
    }
}

// A first form of the corpus comparison: every shared pylock on two targets either selects (one
// entry per name at most, every chosen marker true, every skipped one false) or refuses with a
// position. The independent restatement of the algorithm (packaging's evaluator) is still to come.
TEST_CASE("every corpus pylock selects or refuses on two targets", "[pylock][corpus]") {
    const auto files = test::corpus_pylocks();
    if (!files) {
        return;
    }
    std::size_t selected = 0;
    for (const auto& path : *files) {
        const Pylock lock = read_pylock(path.string());
        for (const auto& [system, python] :
             {std::pair{"x86_64-linux", "3.12"}, std::pair{"aarch64-darwin", "3.13"}}) {
            INFO(path.string() << " " << system << " " << python);
            const Target target = Target::make(system, python);
            const PylockGroups groups = pylock_groups(lock, {});
            try {
                const PylockSelection s = select_pylock(lock, target, groups);
                const pep508::Environment env = pylock_environment(target, groups);
                std::set<std::string> names;
                for (const std::size_t i : s.chosen) {
                    CHECK(names.insert(lock.packages[i].name).second);
                    const std::string& marker = lock.packages[i].marker;
                    CHECK((marker.empty() ||
                           pep508::Marker::parse(marker).evaluate(env, pep508::Mode::strict)));
                }
                for (const auto& skip : s.skipped) {
                    CHECK_FALSE(pep508::Marker::parse(lock.packages[skip.index].marker)
                                    .evaluate(env, pep508::Mode::strict));
                }
                CHECK(s.chosen.size() + s.skipped.size() == lock.packages.size());
                ++selected;
            } catch (const Error& e) {
                CHECK(e.position().known());
                CHECK(e.file() == path.string());
            }
        }
    }
    CHECK(selected >= 10);
}
