#include "lock2nix/project/lockfile.hpp"
#include "lock2nix/project/model_json.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <filesystem>

using namespace lock2nix;

namespace {

Lock fixture(const std::string& name) {
    return read_lock(test::shared("fixtures/poetry-locks/" + name));
}

const Package& only(const Lock& lock, const std::string& name) {
    const auto found = lock.find(name);
    REQUIRE(found.size() == 1);
    return lock.packages[found.front()];
}

const Dependency& dependency(const Package& p, const std::string& canonical) {
    for (const Dependency& d : p.dependencies) {
        if (d.canonical_name == canonical) {
            return d;
        }
    }
    FAIL("no dependency " << canonical << " in " << p.name);
    throw;
}

} // namespace

namespace {
// Reads every lock below `root` (one folder per project) and checks what any lock must satisfy.
std::size_t read_projects(const std::string& root, std::size_t& packages) {
    std::size_t locks = 0;
    for (const auto& entry : std::filesystem::directory_iterator(root)) {
        const auto path = entry.path() / "poetry.lock";
        if (!std::filesystem::exists(path)) {
            continue;
        }
        INFO(path.string());
        const Lock lock = read_lock(path.string());
        CHECK_FALSE(lock.content_hash.empty());
        for (const Package& p : lock.packages) {
            CHECK_FALSE(p.canonical_name.empty());
            CHECK_FALSE(p.version.empty());
            // Every package can be found again under any spelling of its name.
            CHECK_FALSE(lock.find(p.name).empty());
        }
        packages += lock.packages.size();
        ++locks;
    }
    return locks;
}
} // namespace

TEST_CASE("every fixture lock and sample project is read", "[lockfile]") {
    std::size_t locks = 0;
    std::size_t packages = 0;
    for (const auto& entry :
         std::filesystem::directory_iterator(test::shared("fixtures/poetry-locks"))) {
        if (entry.path().extension() == ".lock") {
            INFO(entry.path().string());
            CHECK_NOTHROW(read_lock(entry.path().string()));
            ++locks;
        }
    }
    CHECK(locks == 30);
    locks = read_projects(test::shared("corpus/poetry2nix-tests"), packages) +
            read_projects(test::shared("corpus/real"), packages);
    CHECK(locks == 8);
    CHECK(packages == 136);
}

TEST_CASE("every lock in the corpus is read", "[lockfile][corpus]") {
    std::size_t packages = 0;
    const std::size_t locks = read_projects(test::corpus("corpus/poetry2nix-tests"), packages) +
                              read_projects(test::corpus("corpus/real"), packages);
    CHECK(locks == 177 + 36);
    CHECK(packages > 8000);
}

TEST_CASE("generation 0: [metadata.hashes] with bare digests, package marker, category",
          "[lockfile]") {
    const Lock lock = fixture("poetry-own-0.12.17.lock");
    CHECK(lock.generation == LockGeneration::legacy_hashes);
    CHECK(lock.lock_version.empty());
    CHECK(lock.packages.size() == 79);
    const Package& appdirs = only(lock, "appdirs");
    CHECK(appdirs.version == "1.4.3");
    CHECK(appdirs.category == "dev");
    CHECK(appdirs.legacy_marker == "python_version >= \"3.6\" and python_version < \"4.0\"");
    CHECK(appdirs.files_origin == FilesOrigin::metadata_hashes);
    REQUIRE(appdirs.files.size() == 2);
    CHECK(appdirs.files[0].name.empty());
    CHECK(appdirs.files[0].hash() ==
          "sha256:9e5896d1372858f8dd3344faf4e5014d21849c756c8d5701f78f8a103b372d92");
    CHECK(appdirs.files[0].has_valid_digest());
    // Dotted names are found under their canonical form, and keep their spelling.
    const Package& aspy = only(lock, "aspy-yaml");
    CHECK(aspy.name == "aspy.yaml");
    CHECK(aspy.files.size() == 2);
    CHECK(dependency(aspy, "pyyaml").constraints.front().version == "*");
}

TEST_CASE("generation 1.0.x: [metadata.files] and the `python` dependency key", "[lockfile]") {
    const Lock lock = fixture("installation-old-lock-pre-1.1-format.lock");
    CHECK(lock.generation == LockGeneration::legacy_files);
    bool saw_python_key = false;
    for (const Package& p : lock.packages) {
        for (const Dependency& d : p.dependencies) {
            for (const auto& c : d.constraints) {
                saw_python_key = saw_python_key || c.python() == "<3.0";
            }
        }
    }
    CHECK(saw_python_key);
    CHECK(fixture("poetry-own-1.0.10.lock").generation == LockGeneration::legacy_files);
    const Lock old = fixture("fixtures-old_lock.lock");
    CHECK(old.generation == LockGeneration::v1_0);
    CHECK(old.lock_version == "1.0");
}

TEST_CASE("generation 1.1: one [metadata.files] list split between duplicate names", "[lockfile]") {
    const Lock lock = fixture("poetry-own-1.1.15.lock");
    CHECK(lock.generation == LockGeneration::v1_1);
    const auto found = lock.find("CacheControl");
    REQUIRE(found.size() == 2);
    const Package& old = lock.packages[found[0]];
    const Package& newer = lock.packages[found[1]];
    CHECK(old.version == "0.12.6");
    CHECK(newer.version == "0.12.10");
    REQUIRE(old.files.size() == 2);
    REQUIRE(newer.files.size() == 2);
    CHECK(old.files[0].name == "CacheControl-0.12.6-py2.py3-none-any.whl");
    CHECK(newer.files[1].name == "CacheControl-0.12.10.tar.gz");
    const Dependency& lockfile_dep = dependency(old, "lockfile");
    CHECK(lockfile_dep.constraints.front().optional);
    CHECK(lockfile_dep.constraints.front().markers == "extra == \"filecache\"");
    CHECK(old.extras.at("filecache") == std::vector<std::string>{"lockfile (>=0.9)"});
    const Package& backports = only(lock, "backports-functools-lru-cache");
    CHECK(backports.name == "backports.functools-lru-cache");
    CHECK(backports.files.size() == 2);
}

TEST_CASE("generation 2.0: per-package files, with and without category", "[lockfile]") {
    const Lock with_category = fixture("fixtures-with_path_dependency.lock");
    CHECK(with_category.generation == LockGeneration::v2_0);
    bool directory_develop = false;
    for (const Package& p : with_category.packages) {
        CHECK_FALSE(p.category.empty());
        if (p.source_kind() == SourceKind::directory) {
            directory_develop = p.develop.value_or(false);
        }
    }
    CHECK(directory_develop);
    const Lock own = fixture("poetry-own-1.8.5.lock");
    CHECK(own.generation == LockGeneration::v2_0);
    CHECK(own.generated_by == "1.8.3");
    for (const Package& p : own.packages) {
        CHECK(p.category.empty());
        CHECK(p.files_origin == FilesOrigin::package);
    }
}

TEST_CASE("generation 2.1: groups and markers in string and table form", "[lockfile]") {
    const Lock lock = fixture("test_locker-locker_dumps_groups_and_markers.writer-output.lock");
    CHECK(lock.generation == LockGeneration::v2_1);
    CHECK(lock.has_locked_groups());
    const Package& a = only(lock, "a");
    CHECK(a.groups == std::vector<std::string>{"main"});
    CHECK(a.marker_for_group("main").empty());
    const Package& d = only(lock, "D");
    CHECK(d.groups == std::vector<std::string>{"main", "dev"});
    CHECK(d.marker_for_group("dev") == "sys_platform == \"win32\"");
    const Package& e = only(lock, "E");
    CHECK(e.markers_by_group);
    CHECK(e.marker_for_group("main") == "sys_platform == \"win32\"");
    CHECK(e.marker_for_group("dev") == "sys_platform == \"linux\"");
    const Package& f = only(lock, "F");
    CHECK(f.marker_for_group("main") == "sys_platform == \"win32\"");
    CHECK(f.marker_for_group("dev").empty()); // absent from the table = any

    const Lock own = fixture("poetry-own-2.0.1.lock");
    const Package& xattr = only(own, "xattr");
    CHECK(xattr.markers == "sys_platform == \"darwin\"");
    CHECK(xattr.files.size() == 58);
    const Package& pytest = only(own, "pytest");
    CHECK(pytest.groups == std::vector<std::string>{"github-actions", "test"});
    CHECK(dependency(pytest, "tomli").constraints.front().markers == "python_version < \"3.11\"");
}

TEST_CASE("duplicate names and multiple constraints stay distinct", "[lockfile]") {
    const Lock lock = fixture("installation-with-duplicate-dependencies.lock");
    REQUIRE(lock.find("b").size() == 2);
    CHECK(lock.packages[lock.find("B")[1]].version == "2.0");
    const Dependency& b = dependency(only(lock, "A"), "b");
    REQUIRE(b.constraints.size() == 2);
    CHECK(b.constraints[0].version == ">=1.0,<2.0");
    CHECK(b.constraints[1].markers == "python_version >= \"4.0\"");
}

TEST_CASE("sources: legacy, git, url, file, directory", "[lockfile]") {
    const Lock extras = fixture("installation-with-exclusive-extras.lock");
    const auto torch = extras.find("torch");
    REQUIRE(torch.size() == 2);
    const Package& cpu = extras.packages[torch[0]];
    REQUIRE(cpu.source);
    CHECK(cpu.source->kind == SourceKind::legacy);
    CHECK(cpu.source->reference == "pytorch-cpu");
    CHECK(cpu.source->url == "https://download.pytorch.org/whl/cpu");
    CHECK(cpu.optional);

    const Lock vcs = fixture("installation-with-vcs-dependency-with-extras.lock");
    const Package& demo = only(vcs, "demo");
    CHECK(demo.source_kind() == SourceKind::git);
    CHECK(demo.source->reference == "master");
    CHECK(demo.source->resolved_reference == "123456");
    CHECK(demo.develop == false);
    CHECK(demo.extras.at("foo") == std::vector<std::string>{"cleo"});

    const Lock url = fixture("installation-with-url-dependency.lock");
    const Package& url_demo = only(url, "demo");
    CHECK(url_demo.source_kind() == SourceKind::url);
    CHECK(url_demo.files.size() == 1);

    const Lock file = fixture("installation-with-file-dependency.lock");
    const Package& file_demo = only(file, "demo");
    CHECK(file_demo.source_kind() == SourceKind::file);
    CHECK(file_demo.source->url == "tests/fixtures/distributions/demo-0.1.0-py2.py3-none-any.whl");
    REQUIRE(file_demo.files.size() == 1); // written as [[package.files]]
    CHECK(file_demo.files[0].name == "demo-0.1.0-py2.py3-none-any.whl");

    const Lock dir = fixture("installation-with-directory-dependency-poetry.lock");
    bool saw_directory = false;
    for (const Package& p : dir.packages) {
        saw_directory = saw_directory || p.source_kind() == SourceKind::directory;
    }
    CHECK(saw_directory);
}

TEST_CASE("nested extras given as a string, and root extras", "[lockfile]") {
    const Lock nested =
        fixture("test_locker-locker_properly_loads_nested_extras.reader-input.lock");
    const Dependency& b = dependency(only(nested, "a"), "b");
    CHECK(b.constraints.front().extras == std::vector<std::string>{"c"});
    const Lock platform = fixture("installation-with-platform-dependencies.lock");
    CHECK_FALSE(platform.extras.empty());
}

TEST_CASE("the JSON view carries what inspect promises", "[lockfile]") {
    const Lock lock = fixture("poetry-own-2.0.1.lock");
    const auto j = nlohmann::json::parse(model_json(lock));
    CHECK(j["generation"] == "2.1");
    CHECK(j["generated_by"] == "2.0.0");
    CHECK(j["packages"].size() == lock.packages.size());
    bool found = false;
    for (const auto& p : j["packages"]) {
        if (p["name"] == "xattr") {
            found = true;
            CHECK(p["markers"] == "sys_platform == \"darwin\"");
            CHECK(p["files"].size() == 58);
            CHECK(p["dependencies"][0]["canonical_name"] == "cffi");
        }
    }
    CHECK(found);
}

TEST_CASE("positions point into the file", "[lockfile]") {
    const Lock lock =
        parse_lock("[[package]]\nname = \"a\"\nversion = \"1\"\n\n[package.dependencies]\n"
                   "b = {version = \"^1\", markers = \"x\"}\n\n[metadata]\n"
                   "lock-version = \"2.1\"\ncontent-hash = \"0\"\n",
                   "mem.lock");
    REQUIRE(lock.packages.size() == 1);
    CHECK(lock.packages[0].position.line == 1);
    CHECK(lock.packages[0].dependencies[0].position == SourcePosition{6, 5});
}
