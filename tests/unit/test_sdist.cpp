// What sdists declare about their build: read from real archives (written by Python's tarfile
// and zipfile, tests/index/make-archives.py), hostile ones included.

#include "lock2nix/error.hpp"
#include "lock2nix/sdist.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;
using namespace lock2nix;

namespace {

struct TempDir {
    fs::path dir;
    TempDir() {
        std::string t = (fs::temp_directory_path() / "lock2nix-sdist-test-XXXXXX").string();
        REQUIRE(mkdtemp(t.data()) != nullptr);
        dir = t;
    }
    ~TempDir() { fs::remove_all(dir); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

// The archives, written once per test run.
const fs::path& archives() {
    static TempDir dir;
    static const bool made = [] {
        const std::string cmd = "python3 '" + std::string(LOCK2NIX_TEST_DIR) +
                                "/index/make-archives.py' '" + dir.dir.string() + "'";
        return std::system(cmd.c_str()) == 0;
    }();
    REQUIRE(made);
    return dir.dir;
}

BuildSystem read(const std::string& name) {
    return read_sdist_build_system(archives() / name, name);
}

std::string error_of(const std::string& name) {
    try {
        read(name);
    } catch (const Error& e) {
        return e.describe();
    }
    return "(no error)";
}

} // namespace

TEST_CASE("sdist archives: the root pyproject.toml's [build-system]", "[sdist]") {
    const BuildSystem hatch = read("pkg-1.0.tar.gz");
    CHECK(hatch.present);
    CHECK(hatch.requirements ==
          std::vector<std::string>{"hatchling>=1.5", "tomli; python_version < '3.11'"});
    CHECK(hatch.build_backend == "hatchling.build");

    const BuildSystem flit = read("flitpkg-2.0.zip");
    CHECK(flit.requirements == std::vector<std::string>{"flit_core >=3.2,<4"});
    CHECK(flit.build_backend == "flit_core.buildapi");

    const BuildSystem old = read("old-0.1.tar.bz2"); // "./" prefixes, bzip2
    CHECK(old.build_backend == "poetry.masonry.api");
    CHECK(old.requirements == std::vector<std::string>{"poetry>=0.12"});

    // No [build-system]: PEP 517's fallback (setuptools), whatever else is there.
    CHECK_FALSE(read("setuponly-1.0.tar.gz").present);
    CHECK_FALSE(read("toolonly-1.0.tar.xz").present);
    CHECK_FALSE(read("nested-1.0.tar.gz").present); // a vendored project's is not the sdist's

    // The same from memory.
    const std::string bytes = test::slurp((archives() / "pkg-1.0.tar.gz").string());
    CHECK(read_sdist_build_system_from_memory(bytes, "pkg-1.0.tar.gz").build_backend ==
          "hatchling.build");
}

TEST_CASE("sdist archives: hostile or broken ones are clear errors", "[sdist]") {
    CHECK_THAT(error_of("traversal-1.0.tar.gz"),
               Catch::Contains("traversal-1.0.tar.gz") &&
                   Catch::Contains("traversal-1.0/../../evil/pyproject.toml") &&
                   Catch::Contains("leaves the archive's directory"));
    CHECK_THAT(error_of("absolute-1.0.tar.gz"), Catch::Contains("an absolute path"));
    CHECK_THAT(error_of("ziptraversal-1.0.zip"),
               Catch::Contains("ziptraversal-1.0.zip") && Catch::Contains("leaves"));
    CHECK_THAT(error_of("huge-1.0.tar.gz"),
               Catch::Contains("huge-1.0/pyproject.toml is larger than 1024 KiB"));
    CHECK_THAT(error_of("hugezip-1.0.zip"), Catch::Contains("is larger than 1024 KiB"));
    CHECK_THAT(error_of("symlink-1.0.tar.gz"), Catch::Contains("is not a regular file"));
    CHECK_THAT(error_of("tworoots-1.0.tar.gz"),
               Catch::Contains("unpacks into several directories (a-1.0, b-1.0)"));
    CHECK_THAT(error_of("badtoml-1.0.tar.gz"),
               Catch::Contains("badtoml-1.0.tar.gz/badtoml-1.0/pyproject.toml:") &&
                   Catch::Contains("hint: "));
    CHECK_THAT(error_of("badtype-1.0.tar.gz"), Catch::Contains("requires"));
    CHECK_THAT(error_of("text-1.0.tar.gz"),
               Catch::Contains("`text-1.0.tar.gz` is not a readable sdist archive"));
    CHECK_THAT(error_of("empty-1.0.tar.gz"), Catch::Contains("empty-1.0.tar.gz"));
    CHECK_THAT(error_of("truncated-1.0.tar.gz"),
               Catch::Contains("`truncated-1.0.tar.gz` is not a readable sdist archive"));
    CHECK_THAT(error_of("missing-1.0.tar.gz"), Catch::Contains("missing-1.0.tar.gz"));
}
