// The file-based facade: targets chosen from options, the index URL, the lock's digest, the inputs
// a generated file records and its freshness, path dependencies kept inside the project, and the
// whole translation matching what the command writes.

#include "lock2nix/error.hpp"
#include "lock2nix/translate.hpp"
#include "support.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace lock2nix;
namespace fs = std::filesystem;

namespace {

const std::string demo_dir = std::string(LOCK2NIX_TEST_DIR) + "/../examples/demo";

// Translation options that never leave the machine: offline, with a cache of their own.
TranslateOptions offline(const std::string& lock_path, const test::TempDir& cache) {
    TranslateOptions o;
    o.lock_path = lock_path;
    o.index.offline = true;
    o.index.cache_dir = (cache.dir / "http").string();
    return o;
}

void write(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

} // namespace

TEST_CASE("translate writes what the command writes for the same options", "[translate]") {
    test::TempDir cache;
    TranslateOptions o = offline("examples/demo/poetry.lock", cache);
    o.systems = {"x86_64-linux", "aarch64-darwin"};
    o.pythons = {"3.11"};
    o.command = "lock2nix --offline examples/demo/poetry.lock --system x86_64-linux --system "
                "aarch64-darwin --python 3.11";
    const fs::path before = fs::current_path();
    fs::current_path(std::string(LOCK2NIX_TEST_DIR) + "/..");
    Translation t;
    try {
        t = translate(o);
    } catch (...) {
        fs::current_path(before);
        throw;
    }
    fs::current_path(before);
    CHECK(t.nix == test::slurp(std::string(LOCK2NIX_TEST_DIR) + "/golden/demo.nix"));
}

TEST_CASE("targets: every system with every Python, at the release's patch level", "[translate]") {
    test::TempDir cache;
    const Project demo = load_project(demo_dir + "/poetry.lock");
    TranslateOptions o = offline(demo_dir + "/poetry.lock", cache);
    o.systems = {"x86_64-linux", "aarch64-darwin"};
    o.pythons = {"3.12", "3.11"};
    const TargetChoice named = choose_targets(o, demo);
    REQUIRE(named.targets.size() == 4);
    CHECK(named.python_reason.empty());
    CHECK(named.release != nullptr);
    for (const Target& t : named.targets) {
        CHECK(t.python_full_version().starts_with(t.python_version() + "."));
        REQUIRE(named.release->python(t.python_version()) != nullptr);
        CHECK(named.release->python(t.python_version())->full == t.python_full_version());
    }
    CHECK(named.targets[0].system == "x86_64-linux");
    CHECK(named.targets[1].system == "aarch64-darwin");

    // None named: lock2nix chooses one the lock allows, and says why.
    o.pythons.clear();
    const TargetChoice chosen = choose_targets(o, demo);
    REQUIRE(chosen.targets.size() == 2);
    CHECK_FALSE(chosen.python_reason.empty());
    CHECK(chosen.targets[0].python_minor == chosen.targets[1].python_minor);
    CHECK(chosen.targets[0].python_minor >= 10); // the demo's requires-python is >=3.10

    // A Python the lock excludes, and a release lock2nix does not know, are refused.
    o.pythons = {"3.9"};
    CHECK_THROWS_AS(choose_targets(o, demo), Error);
    o.pythons = {"3.12"};
    o.nixpkgs = "12.34";
    CHECK_THROWS_WITH(choose_targets(o, demo), Catch::Contains("12.34"));
}

TEST_CASE("the index URL: the option, else the environment, else PyPI", "[translate]") {
    TranslateOptions o;
    const char* saved = std::getenv("LOCK2NIX_INDEX_URL");
    const std::string restore = saved != nullptr ? saved : "";
    unsetenv("LOCK2NIX_INDEX_URL");
    CHECK(pypi_url(o) == "https://pypi.org");
    setenv("LOCK2NIX_INDEX_URL", "http://127.0.0.1:9/mirror", 1);
    CHECK(pypi_url(o) == "http://127.0.0.1:9/mirror");
    o.index_url = "https://index.example";
    CHECK(pypi_url(o) == "https://index.example");
    if (saved != nullptr) {
        setenv("LOCK2NIX_INDEX_URL", restore.c_str(), 1);
    } else {
        unsetenv("LOCK2NIX_INDEX_URL");
    }
}

TEST_CASE("a generated file is fresh until the lock or an input it records changes",
          "[translate]") {
    test::TempDir dir;
    test::TempDir cache;
    fs::copy_file(demo_dir + "/poetry.lock", dir.dir / "poetry.lock");
    fs::copy_file(demo_dir + "/pyproject.toml", dir.dir / "pyproject.toml");
    write(dir.dir / "extra.toml", "[[rich]]\nbuild-inputs = [\"pkgs.zlib\"]\n");
    const std::string lock = (dir.dir / "poetry.lock").string();
    const std::string pyproject = (dir.dir / "pyproject.toml").string();
    const std::string nix = (dir.dir / "python-env.nix").string();

    // The lock's digest is sha256 of its bytes (FIPS 180-2's "abc" vector on a file of "abc").
    write(dir.dir / "abc", "abc");
    CHECK(lock_file_digest((dir.dir / "abc").string()) ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

    TranslateOptions o = offline(lock, cache);
    o.systems = {"x86_64-linux"};
    o.pythons = {"3.12"};
    o.override_files = {(dir.dir / "extra.toml").string()};
    write(nix, translate(o).nix);
    CHECK(nix_file_freshness(nix, lock, pyproject).fresh);

    const auto inputs = generation_inputs(lock, pyproject, o.override_files);
    const auto labelled = [&](const std::string& label) {
        return std::any_of(inputs.begin(), inputs.end(), [&](const auto& input) {
            return input.first.find(label) != std::string::npos && input.second.size() == 64;
        });
    };
    CHECK(labelled("lock2nix"));
    CHECK(labelled("extra.toml"));

    write(dir.dir / "extra.toml", "[[rich]]\nbuild-inputs = [\"pkgs.bzip2\"]\n");
    NixFreshness f = nix_file_freshness(nix, lock, pyproject);
    CHECK_FALSE(f.fresh);
    CHECK_THAT(f.reason, Catch::Contains("extra.toml changed"));

    write(nix, translate(o).nix);
    CHECK(nix_file_freshness(nix, lock, pyproject).fresh);
    std::ofstream(lock, std::ios::app) << "\n";
    f = nix_file_freshness(nix, lock, pyproject);
    CHECK_FALSE(f.fresh);
    CHECK_THAT(f.reason, Catch::Contains("poetry.lock changed"));

    write(dir.dir / "hand.nix", "{ pkgs }: pkgs.hello\n");
    CHECK_THROWS_WITH(nix_file_freshness((dir.dir / "hand.nix").string(), lock, pyproject),
                      Catch::Contains("not a file lock2nix generated"));
}

TEST_CASE("a path dependency outside the project is refused unless allowed", "[translate]") {
    test::TempDir dir;
    fs::create_directories(dir.dir / "project");
    fs::create_directories(dir.dir / "outside");
    fs::create_directories(dir.dir / "project" / "inside");
    auto lock_with = [&](const std::string& url) {
        write(dir.dir / "project" / "poetry.lock",
              "[[package]]\nname = \"local\"\nversion = \"1.0\"\ngroups = [\"main\"]\n"
              "files = []\n[package.source]\ntype = \"directory\"\nurl = \"" +
                  url +
                  "\"\n[metadata]\nlock-version = \"2.1\"\npython-versions = \"*\"\n"
                  "content-hash = \"x\"\n");
        return load_project((dir.dir / "project" / "poetry.lock").string());
    };
    TranslateOptions o;
    o.lock_path = (dir.dir / "project" / "poetry.lock").string();
    o.project_root = (dir.dir / "project").string();
    CHECK_NOTHROW(check_local_paths(lock_with("inside"), o));
    const Project outside = lock_with("../outside");
    CHECK_THROWS_WITH(check_local_paths(outside, o),
                      Catch::Contains("`local`") && Catch::Contains("outside the project"));
    // Through a symbolic link that leads out.
    fs::create_directory_symlink(dir.dir / "outside", dir.dir / "project" / "link");
    CHECK_THROWS_AS(check_local_paths(lock_with("link"), o), Error);
    o.allow_outside_project = true;
    CHECK_NOTHROW(check_local_paths(outside, o));
}
