#include "lock2nix/project/pyproject.hpp"
#include "support.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>

using namespace lock2nix;

namespace {
const DependencyGroup& group(const Pyproject& pp, const std::string& name) {
    for (const auto& g : pp.poetry.groups) {
        if (g.name == name) {
            return g;
        }
    }
    FAIL("no group " << name);
    throw;
}
} // namespace

TEST_CASE("every corpus pyproject is read", "[pyproject][corpus]") {
    std::size_t read = 0;
    for (const std::string dir : {"corpus/poetry2nix-tests", "corpus/real"}) {
        for (const auto& entry : std::filesystem::directory_iterator(test::corpus(dir))) {
            const auto path = entry.path() / "pyproject.toml";
            if (std::filesystem::exists(path)) {
                INFO(path.string());
                CHECK_NOTHROW(read_pyproject(path.string()));
                ++read;
            }
        }
    }
    CHECK(read >= 200);
}

TEST_CASE("[tool.poetry] with groups, python, optional group, scripts", "[pyproject]") {
    const auto pp =
        read_pyproject(test::shared("fixtures/poetry-locks/poetry-own-1.2.2.pyproject.toml"));
    CHECK(pp.project_name() == "poetry");
    CHECK(pp.python_constraint() == "^3.7");
    const auto& deps = pp.poetry.dependencies;
    auto backports = std::find_if(deps.begin(), deps.end(), [](const Dependency& d) {
        return d.canonical_name == "backports-cached-property";
    });
    REQUIRE(backports != deps.end());
    CHECK(backports->name == "backports.cached-property");
    CHECK(backports->constraints.front().python() == "<3.8");
    CHECK(group(pp, "github-actions").optional);
    CHECK_FALSE(group(pp, "test").optional);
    CHECK(pp.group_names() ==
          std::vector<std::string>{"main", "dev", "test", "typing", "github-actions"});
    CHECK(pp.poetry.scripts.at("poetry") == "poetry.console.application:main");
    CHECK(pp.build_system.build_backend == "poetry.core.masonry.api");
    CHECK(pp.describes_package());
}

TEST_CASE("dev-dependencies become the dev group, sources keep their priority", "[pyproject]") {
    const auto pp = read_pyproject(test::shared("corpus/poetry2nix-tests/legacy/pyproject.toml"));
    REQUIRE(pp.poetry.sources.size() == 1);
    CHECK(pp.poetry.sources[0].name == "legacy");
    CHECK(pp.poetry.sources[0].url == "https://pypi.org/simple/");
    CHECK(pp.poetry.sources[0].priority == "primary");
    CHECK(group(pp, "dev").dependencies.empty());
}

TEST_CASE("PEP 621 [project] and PEP 735 [dependency-groups]", "[pyproject]") {
    const auto pp = parse_pyproject(R"(
[project]
name = "Demo.App"
version = "1.2"
requires-python = ">=3.9"
dependencies = ["requests>=2", "tomli; python_version < '3.11'"]
dynamic = ["classifiers"]
[project.optional-dependencies]
Fast_Json = ["orjson"]
[project.scripts]
demo = "demo.cli:main"
[dependency-groups]
Lint = ["ruff"]
dev = ["pytest>=8", {include-group = "lint"}]
[tool.poetry]
package-mode = true
)",
                                    "pyproject.toml");
    CHECK(pp.project_name() == "Demo.App");
    CHECK(pp.python_constraint() == ">=3.9");
    CHECK(pp.project.dependencies.size() == 2);
    CHECK(pp.project.optional_dependencies.at("fast-json") == std::vector<std::string>{"orjson"});
    CHECK(pp.project.scripts.at("demo") == "demo.cli:main");
    CHECK(pp.project.dynamic == std::vector<std::string>{"classifiers"});
    const auto& dev = pp.dependency_groups.at("dev");
    REQUIRE(dev.size() == 2);
    CHECK(dev[0].requirement == "pytest>=8");
    CHECK(dev[1].include_group == "lint");
    CHECK(pp.dependency_groups.contains("lint"));
    const auto names = pp.group_names();
    CHECK(std::find(names.begin(), names.end(), "lint") != names.end());
}

TEST_CASE("package-mode = false describes no package", "[pyproject]") {
    const auto pp =
        parse_pyproject("[tool.poetry]\nname = \"x\"\npackage-mode = false\n", "p.toml");
    CHECK_FALSE(pp.describes_package());
}

TEST_CASE("wrong types in a pyproject are errors at their position", "[pyproject]") {
    try {
        parse_pyproject("[tool.poetry]\nname = \"x\"\n[tool.poetry.dependencies]\nrequests = 3\n",
                        "pyproject.toml");
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.position() == SourcePosition{4, 12});
        CHECK(e.file() == "pyproject.toml");
        CHECK(std::string(e.what()).find("found an integer") != std::string::npos);
    }
}

TEST_CASE("what poetry-core packages: the sources the emitted file copies", "[pyproject]") {
    const auto pp = parse_pyproject(R"([tool.poetry]
name = "My.Tool"
version = "1.0"
readme = ["README.md", "CHANGES.rst"]
packages = [{ include = "mytool", from = "src" }, { include = "extra/*.py" }]
include = ["data/", { path = "schemas/**/*.json", format = "sdist" }]
build = { script = "build.py" }
[build-system]
requires = ["poetry-core"]
build-backend = "poetry.core.masonry.api"
)",
                                    "pyproject.toml");
    const PackagedFiles f = packaged_files(pp);
    CHECK_FALSE(f.everything);
    CHECK(f.paths == std::vector<std::string>{"pyproject.toml", "README.md", "CHANGES.rst",
                                              "src/mytool", "data", "build.py"});
    CHECK(std::find(f.globs.begin(), f.globs.end(), "extra/*.py") != f.globs.end());
    CHECK(std::find(f.globs.begin(), f.globs.end(), "schemas/**/*.json") != f.globs.end());
    CHECK(std::find(f.globs.begin(), f.globs.end(), "LICENSE*") != f.globs.end());
    // Without `packages`, the module named after the project, beside the pyproject or in src/.
    const auto plain =
        parse_pyproject("[tool.poetry]\nname = \"My.Tool\"\nversion = \"1\"\n", "pyproject.toml");
    const auto paths = packaged_files(plain).paths;
    CHECK(std::find(paths.begin(), paths.end(), "src/my_tool") != paths.end());
    CHECK(std::find(paths.begin(), paths.end(), "my_tool.py") != paths.end());
    // Another backend: everything but version control, caches and build outputs.
    const auto hatch =
        parse_pyproject("[project]\nname = \"x\"\n[build-system]\nrequires = [\"hatchling\"]\n"
                        "build-backend = \"hatchling.build\"\n",
                        "pyproject.toml");
    CHECK(packaged_files(hatch).everything);
}

TEST_CASE("rarely written dependency keys are read, and copies keep them", "[pyproject]") {
    const auto pp = parse_pyproject(R"([tool.poetry]
name = "x"
[tool.poetry.dependencies]
plain = "^1.0"
lib = { git = "https://example.org/lib.git", tag = "v1", subdirectory = "py", source = "s" }
local = { path = "../local", develop = true }
win = { version = "*", platform = "win32", python = "<3.9" }
)",
                                    "pyproject.toml");
    auto dep = [&](const std::string& name) -> const DependencyConstraint& {
        for (const Dependency& d : pp.poetry.dependencies) {
            if (d.canonical_name == name) {
                return d.constraints.front();
            }
        }
        FAIL("no dependency " << name);
        throw;
    };
    CHECK(dep("plain").details() == ConstraintDetails{});
    CHECK_FALSE(dep("plain").is_direct_reference());
    const DependencyConstraint& lib = dep("lib");
    CHECK(lib.is_direct_reference());
    CHECK(lib.git() == "https://example.org/lib.git");
    CHECK(lib.tag() == "v1");
    CHECK(lib.branch().empty());
    CHECK(lib.subdirectory() == "py");
    CHECK(lib.source() == "s");
    CHECK(dep("local").is_direct_reference());
    CHECK(dep("local").path() == "../local");
    CHECK(dep("win").platform() == "win32");
    CHECK(dep("win").python() == "<3.9");
    CHECK_FALSE(dep("win").is_direct_reference());

    DependencyConstraint copy = lib;
    ConstraintDetails changed = copy.details();
    changed.tag = "v2";
    copy.set_details(changed);
    CHECK(copy.tag() == "v2");
    CHECK(lib.tag() == "v1");
    copy.set_details({});
    CHECK(copy.git().empty());
    CHECK_FALSE(copy.is_direct_reference());
    CHECK(lib.is_direct_reference());
}
