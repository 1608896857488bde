// fetchgit hashes: lock2nix's NAR serialisation against `nix-hash`, on a local repository with
// an executable, a symlink, a nested directory and a file in a .git-named directory.

#include "lock2nix/fetch/git.hpp"
#include "lock2nix/hash.hpp"

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace lock2nix;

namespace {

std::string run(const std::string& command) {
    std::string out;
    FILE* p = popen(command.c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[512];
    while (fgets(buf, sizeof buf, p) != nullptr) {
        out += buf;
    }
    REQUIRE(pclose(p) == 0);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) {
        out.pop_back();
    }
    return out;
}

void write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
}

struct Scratch {
    fs::path dir;
    Scratch() {
        std::string t = (fs::temp_directory_path() / "lock2nix-git-test-XXXXXX").string();
        REQUIRE(mkdtemp(t.data()) != nullptr);
        dir = t;
    }
    ~Scratch() { fs::remove_all(dir); }
};

} // namespace

TEST_CASE("NAR hash equals nix-hash for files, executables, symlinks and directories",
          "[hash][nix]") {
    Scratch s;
    write(s.dir / "tree/a.txt", "hello\n");
    write(s.dir / "tree/sub/run.sh", "#!/bin/sh\necho hi\n");
    fs::permissions(s.dir / "tree/sub/run.sh", fs::perms::owner_exec, fs::perm_options::add);
    write(s.dir / "tree/sub/deeper/empty", "");
    fs::create_symlink("a.txt", s.dir / "tree/link");
    fs::create_directories(s.dir / "tree/emptydir");
    const std::string expected =
        run("nix-hash --type sha256 --base32 " + (s.dir / "tree").string());
    CHECK(to_nix_base32(nar_sha256(s.dir / "tree")) == expected);
    CHECK(expected.size() == 52);
}

TEST_CASE("git source hash: a clean checkout at the commit, without .git, cached", "[git][nix]") {
    Scratch s;
    const fs::path repo = s.dir / "repo";
    write(repo / "pyproject.toml", "[build-system]\nrequires = [\"hatchling>=1.0\"]\n");
    write(repo / "src/pkg/__init__.py", "VALUE = 1\n");
    write(repo / "bin/tool", "#!/bin/sh\n");
    fs::permissions(repo / "bin/tool", fs::perms::owner_exec, fs::perm_options::add);
    const std::string git =
        "git -C " + repo.string() +
        " -c user.email=t@example.org -c user.name=test -c init.defaultBranch=main ";
    run(git + "init -q");
    run(git + "add -A");
    run(git + "commit -q -m one");
    const std::string rev = run(git + "rev-parse HEAD");
    write(repo / "src/pkg/__init__.py", "VALUE = 2\n"); // a later commit must not leak in
    run(git + "commit -q -am two");

    setenv("XDG_CACHE_HOME", (s.dir / "cache").c_str(), 1);
    const GitSource g = hash_git_source("file://" + repo.string(), rev);

    // The oracle: nix-hash of the same commit checked out elsewhere, .git removed.
    const fs::path clean = s.dir / "clean";
    run("git clone -q " + repo.string() + " " + clean.string() + " && git -C " + clean.string() +
        " checkout -q " + rev + " && rm -rf " + (clean / ".git").string());
    const std::string expected = run("nix-hash --type sha256 --base32 " + clean.string());
    CHECK(to_sri("sha256", nar_sha256(clean)) == g.hash);
    CHECK(to_nix_base32(nar_sha256(clean)) == expected);
    CHECK_FALSE(g.submodules);
    CHECK(g.build_requires == std::vector<std::string>{"hatchling>=1.0"});

    // Second time from the cache, even with the repository gone.
    fs::remove_all(repo);
    CHECK(hash_git_source("file://" + repo.string(), rev).hash == g.hash);
    // An unknown repository is a clear error.
    CHECK_THROWS_WITH(hash_git_source("file://" + (s.dir / "nope").string(), rev),
                      Catch::Contains("cannot") && Catch::Contains("TranslateOptions::impure_git"));
    unsetenv("XDG_CACHE_HOME");
}
