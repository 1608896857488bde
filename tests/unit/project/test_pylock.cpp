#include "lock2nix/files.hpp"
#include "lock2nix/project/model_json.hpp"
#include "lock2nix/project/pylock.hpp"
#include "pylock_support.hpp"

#include <catch2/catch.hpp>
#include <filesystem>

using namespace lock2nix;

namespace {

// The error parse_pylock raises for `text`, which must raise one.
Error error_of(const std::string& text, const std::string& path = "pylock.toml") {
    try {
        (void)parse_pylock(text, path);
    } catch (const Error& e) {
        return e;
    }
    FAIL("no error for:\n" << text);
    throw;
}

} // namespace

TEST_CASE("pylock file names", "[pylock]") {
    CHECK(pylock_name_part("pylock.toml") == std::string());
    CHECK(pylock_name_part("pylock.dev.toml") == std::string("dev"));
    CHECK(pylock_name_part("pylock.cu128.toml") == std::string("cu128"));
    CHECK_FALSE(pylock_name_part("pylock.a.b.toml"));
    CHECK_FALSE(pylock_name_part("pylock..toml"));
    CHECK_FALSE(pylock_name_part("poetry.lock"));
    CHECK_FALSE(pylock_name_part("mylock.toml"));
}

TEST_CASE("lock formats are told apart by name, then by content", "[pylock]") {
    CHECK(detect_lock_format("x/pylock.dev.toml", "") == LockFormat::pylock);
    CHECK(detect_lock_format("x/poetry.lock", "") == LockFormat::poetry);
    CHECK(
        detect_lock_format("renamed.toml", test::pylock_header + "[[packages]]\nname = \"a\"\n") ==
        LockFormat::pylock);
    CHECK(detect_lock_format("renamed.lock", "[[package]]\nname = \"a\"\n[metadata]\n") ==
          LockFormat::poetry);
    // Not a pylock: the poetry.lock reader refuses it with its own message.
    CHECK(detect_lock_format("Cargo.toml", "[package]\nname = \"x\"\n") == LockFormat::poetry);
}

TEST_CASE("a pylock is read into its model", "[pylock]") {
    const Pylock lock = parse_pylock(test::pylock_header + R"(requires-python = ">=3.10"
environments = ["sys_platform == 'linux'", "sys_platform == 'darwin'"]
extras = ["socks"]
dependency-groups = ["Dev_Tools"]
default-groups = ["default"]

[[packages]]
name = "torch"
version = "2.11.0+cu128"
marker = "'dev-tools' in dependency_groups"
requires-python = ">=3.10"
index = "https://download.pytorch.org/whl/cu128"
wheels = [
  { url = "https://x.org/whl/torch-2.11.0%2Bcu128-cp312-cp312-linux_x86_64.whl", size = 10, upload-time = 2026-04-27T17:41:30Z, hashes = { SHA256 = "9c8f38efee365cb9d334de8a83ce52fc7e5fc9e5a7b0853285efa1b69e00b0f2", sha1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709" } },
]
dependencies = [{ name = "numpy" }]

[[packages]]
name = "app"
directory = { path = ".", editable = true }

[[packages]]
name = "lib"
vcs = { type = "git", url = "https://example.org/lib.git", requested-revision = "main", commit-id = "0123456789abcdef0123456789abcdef01234567", subdirectory = "py" }
)",
                                     "some/dir/pylock.gpu.toml");
    CHECK(lock.name_part == "gpu");
    CHECK(lock.created_by == "test");
    CHECK(lock.requires_python == ">=3.10");
    CHECK(lock.requires_python_position == SourcePosition{3, 19});
    REQUIRE(lock.environments.size() == 2);
    CHECK(lock.environment_positions[1].line == 4);
    CHECK(lock.dependency_groups == std::vector<std::string>{"dev-tools"});
    CHECK(lock.multi_use);
    REQUIRE(lock.packages.size() == 3);
    const PylockPackage& torch = lock.packages[0];
    CHECK(torch.position.line == 9);
    CHECK(torch.source_kind() == PylockSourceKind::distributions);
    CHECK(torch.problems.empty());
    REQUIRE(torch.wheels.size() == 1);
    const PylockFile& wheel = torch.wheels[0];
    // The name is the URL's last component, decoded.
    CHECK(wheel.name == "torch-2.11.0+cu128-cp312-cp312-linux_x86_64.whl");
    CHECK_FALSE(wheel.name_written);
    CHECK(wheel.size == 10u);
    CHECK(wheel.upload_time == "2026-04-27T17:41:30Z");
    REQUIRE(wheel.hash("sha256") != nullptr); // keys are lower-cased
    CHECK(wheel.hash("sha1") != nullptr);
    CHECK(torch.dependencies == std::vector<std::string>{"numpy"});
    CHECK(lock.packages[1].source_kind() == PylockSourceKind::directory);
    CHECK(lock.packages[1].directory->editable);
    CHECK(lock.packages[1].version.empty());
    const auto& vcs = *lock.packages[2].vcs;
    CHECK(vcs.commit_id == "0123456789abcdef0123456789abcdef01234567");
    CHECK(vcs.subdirectory == "py");
    CHECK(lock.find("TORCH") == std::vector<std::size_t>{0});
}

TEST_CASE("a single-use lock has no group lists", "[pylock]") {
    const Pylock lock = parse_pylock(test::pylock_header + "packages = []\n", "pylock.toml");
    CHECK_FALSE(lock.multi_use);
    CHECK(lock.packages.empty());
}

TEST_CASE("what an installer must refuse is refused at its position", "[pylock]") {
    SECTION("an unknown major version") {
        const Error e = error_of("lock-version = \"2.0\"\ncreated-by = \"x\"\npackages = []\n");
        CHECK(e.position() == SourcePosition{1, 16});
        CHECK_THAT(e.message(), Catch::Contains("unsupported lock-version"));
        CHECK_FALSE(e.hint().empty());
    }
    SECTION("a missing created-by") {
        CHECK_THAT(error_of("lock-version = \"1.0\"\npackages = []\n").message(),
                   Catch::Contains("created-by"));
    }
    SECTION("missing packages") {
        CHECK_THAT(error_of(test::pylock_header).message(), Catch::Contains("packages"));
    }
    SECTION("a poetry.lock named pylock.toml") {
        CHECK_THAT(error_of("[[package]]\nname = \"a\"\n[metadata]\n").message(),
                   Catch::Contains("this is a poetry.lock"));
    }
    SECTION("a name that is not normalised") {
        const Error e = error_of(test::pylock_header + "[[packages]]\nname = \"Foo_Bar\"\n");
        CHECK(e.position().line == 4);
        CHECK_THAT(e.message(), Catch::Contains("foo-bar"));
    }
    SECTION("an invalid marker") {
        const Error e =
            error_of(test::pylock_header + "[[packages]]\nname = \"a\"\nmarker = \"os_name ==\"\n");
        CHECK(e.position().line == 5);
        CHECK_THAT(e.message(), Catch::Contains("invalid marker"));
    }
    SECTION("an invalid requires-python") {
        CHECK(error_of(test::pylock_header + "requires-python = \">=three\"\n").position().line ==
              3);
    }
    SECTION("a wrong type") {
        const Error e = error_of(test::pylock_header + "[[packages]]\nname = \"a\"\nversion = 1\n");
        CHECK(e.position().line == 5);
        CHECK(e.file() == "pylock.toml");
    }
    SECTION("a vcs entry without commit-id") {
        CHECK_THAT(error_of(test::pylock_header +
                            "[[packages]]\nname = \"a\"\nvcs = { type = \"git\", url = "
                            "\"https://x\" }\n")
                       .message(),
                   Catch::Contains("commit-id"));
    }
    SECTION("an extra that is not normalised") {
        CHECK(error_of(test::pylock_header + "extras = [\"Socks\"]\n").position().line == 3);
    }
}

TEST_CASE("source defects stay with their entry", "[pylock]") {
    const Pylock lock = parse_pylock(test::pylock_header + R"(
[[packages]]
name = "nohash"
version = "1.0"
wheels = [{ url = "https://x.org/nohash-1.0-py3-none-any.whl", hashes = {} }]

[[packages]]
name = "both"
version = "1.0"
sdist = { url = "https://x.org/both-1.0.tar.gz", hashes = { sha256 = "9c8f38efee365cb9d334de8a83ce52fc7e5fc9e5a7b0853285efa1b69e00b0f2" } }
directory = { path = "." }

[[packages]]
name = "nothing"

[[packages]]
name = "other"
version = "1.0"
wheels = [{ name = "different-1.0-py3-none-any.whl", url = "https://x.org/a.whl", hashes = { sha256 = "9c8f" } }]
)",
                                     "pylock.toml");
    REQUIRE(lock.packages.size() == 4);
    REQUIRE(lock.packages[0].problems.size() == 1);
    CHECK_THAT(lock.packages[0].problems[0].message, Catch::Contains("empty `hashes`"));
    CHECK(lock.packages[0].problems[0].position.line == 7);
    REQUIRE(lock.packages[1].problems.size() == 1);
    // Both sources named, the problem at the second.
    CHECK_THAT(
        lock.packages[1].problems[0].message,
        Catch::Contains("conflicting sources: `sdist` at line 12 and `directory` at line 13"));
    CHECK(lock.packages[1].problems[0].position.line == 13);
    CHECK(lock.packages[2].source_kind() == PylockSourceKind::none);
    CHECK_THAT(lock.packages[2].problems.at(0).message, Catch::Contains("no source"));
    // A short digest and a wheel of another project.
    CHECK(lock.packages[3].problems.size() == 2);
}

TEST_CASE("a file name whose escapes decode to no text is kept as the URL spells it", "[pylock]") {
    // %ca alone is not UTF-8: decoded, the name would put a stray byte into messages and into
    // `inspect --json`, whose JSON writer refuses it.
    const Pylock lock = parse_pylock(test::pylock_header + R"(
[[packages]]
name = "a"
version = "1.0"
wheels = [
  { url = "https://x.org/a-1.0-py3-none-any%ca.whl", hashes = { sha256 = "9c8f38efee365cb9d334de8a83ce52fc7e5fc9e5a7b0853285efa1b69e00b0f2" } },
  { url = "https://x.org/a-1.0%2Blocal-py3-none-any.whl", hashes = { sha256 = "9c8f38efee365cb9d334de8a83ce52fc7e5fc9e5a7b0853285efa1b69e00b0f2" } },
]
)",
                                     "pylock.toml");
    REQUIRE(lock.packages.at(0).wheels.size() == 2);
    CHECK(lock.packages[0].wheels[0].name == "a-1.0-py3-none-any%ca.whl");
    CHECK(lock.packages[0].wheels[1].name == "a-1.0+local-py3-none-any.whl");
    CHECK_NOTHROW(model_json(lock));
    REQUIRE_FALSE(lock.packages[0].problems.empty());
    CHECK_THAT(lock.packages[0].problems[0].message,
               Catch::Contains("\"a-1.0-py3-none-any%ca.whl\" is not a valid wheel file name"));
}

TEST_CASE("every pylock in the corpus is read", "[pylock][corpus]") {
    std::size_t packages = 0;
    std::size_t with_problems = 0;
    const auto files = test::corpus_pylocks();
    if (!files) {
        return;
    }
    for (const auto& path : *files) {
        INFO(path.string());
        CHECK(detect_lock_format(path.string(), read_file(path.string())) == LockFormat::pylock);
        const Pylock lock = read_pylock(path.string());
        CHECK(lock.lock_version == "1.0");
        CHECK_FALSE(lock.created_by.empty());
        for (const PylockPackage& p : lock.packages) {
            CHECK(lock.find(p.name).size() >= 1);
            CHECK(p.position.known());
            for (const PylockFile& w : p.wheels) {
                CHECK_FALSE(w.name.empty());
            }
            with_problems += p.problems.empty() ? 0 : 1;
            for (const auto& problem : p.problems) {
                // Only the known defect of the corpus: torch-cluster's `hashes = {}` (uv).
                CHECK(p.name == "torch-cluster");
                CHECK_THAT(problem.message, Catch::Contains("empty `hashes`"));
            }
        }
        packages += lock.packages.size();
    }
    CHECK(files->size() == 10);
    CHECK(packages > 400);
    CHECK(with_problems == 1);
}
