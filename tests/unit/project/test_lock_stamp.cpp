#include "lock2nix/project/lockfile.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace lock2nix;

namespace {

// read_lock_stamp must answer exactly what read_lock reads, on every lock.
void same_as_full_read(const std::string& path, bool expect_fast) {
    INFO(path);
    const Lock full = read_lock(path);
    const LockStamp stamp = read_lock_stamp(path);
    CHECK(stamp.lock_version == full.lock_version);
    CHECK(stamp.content_hash == full.content_hash);
    if (expect_fast) {
        CHECK(stamp.fast);
    }
}

struct TempLock {
    std::string path;
    explicit TempLock(const std::string& text) {
        path = (std::filesystem::temp_directory_path() /
                ("lock2nix-stamp-" + std::to_string(::getpid()) + ".lock"))
                   .string();
        std::ofstream(path, std::ios::binary) << text;
    }
    ~TempLock() { std::filesystem::remove(path); }
};

const std::string package = "[[package]]\nname = \"a\"\nversion = \"1.0\"\n"
                            "description = \"\"\noptional = false\npython-versions = \"*\"\n"
                            "files = []\n\n";

} // namespace

TEST_CASE("check's [metadata] scan agrees with the full reader on every fixture", "[lockfile]") {
    for (const auto& e :
         std::filesystem::directory_iterator(test::shared("fixtures/poetry-locks"))) {
        if (e.path().extension() == ".lock") {
            same_as_full_read(e.path().string(), true);
        }
    }
}

TEST_CASE("check's [metadata] scan agrees with the full reader on the corpus",
          "[lockfile][corpus]") {
    for (const std::string group : {"real", "poetry2nix-tests"}) {
        const auto root = test::corpus("corpus/" + group);
        if (!std::filesystem::exists(root)) {
            continue;
        }
        for (const auto& e : std::filesystem::directory_iterator(root)) {
            const auto lock = e.path() / "poetry.lock";
            if (std::filesystem::exists(lock)) {
                same_as_full_read(lock.string(), true);
            }
        }
    }
}

TEST_CASE("check's [metadata] scan hands unusual locks to the full reader", "[lockfile]") {
    const std::string metadata =
        "[metadata]\nlock-version = \"2.1\"\npython-versions = \"*\"\ncontent-hash = \"abc\"\n";
    SECTION("a plain lock is read from [metadata] alone") {
        const TempLock lock(package + metadata);
        const auto stamp = read_lock_stamp(lock.path);
        CHECK(stamp.fast);
        CHECK(stamp.content_hash == "abc");
        CHECK(stamp.lock_version == "2.1");
    }
    SECTION("a [metadata] header inside a multi-line string is not the table") {
        const TempLock lock("[[package]]\nname = \"a\"\nversion = \"1.0\"\ndescription = \"\"\"\n"
                            "[metadata]\ncontent-hash = \"forged\"\n\"\"\"\noptional = false\n"
                            "python-versions = \"*\"\nfiles = []\n\n" +
                            metadata);
        same_as_full_read(lock.path, true);
        CHECK(read_lock_stamp(lock.path).content_hash == "abc");
    }
    SECTION("nor inside a multi-line array") {
        const TempLock lock("[[package]]\nname = \"a\"\nversion = \"1.0\"\nfiles = [\n"
                            "'''\n[metadata]\n''',\n]\n" +
                            metadata);
        CHECK(read_lock_stamp(lock.path).content_hash == "abc");
    }
    SECTION("a table defined twice is the full reader's error") {
        const TempLock lock(package + metadata + "\n[metadata]\ncontent-hash = \"x\"\n");
        CHECK_THROWS_AS(read_lock_stamp(lock.path), Error);
    }
    SECTION("root keys, quoted headers and dotted definitions go to the full reader") {
        for (const std::string& text :
             {"metadata.content-hash = \"x\"\n" + package,
              package + "[\"metadata\"]\nlock-version = \"2.1\"\ncontent-hash = \"q\"\n",
              package + "[metadata.extra]\nx = 1\n" + metadata}) {
            const TempLock lock(text);
            INFO(text);
            try {
                const auto stamp = read_lock_stamp(lock.path);
                CHECK_FALSE(stamp.fast);
                same_as_full_read(lock.path, false);
            } catch (const Error&) {
                CHECK_THROWS_AS(read_lock(lock.path), Error);
            }
        }
    }
    SECTION("an unsupported lock-version or a wrong type is reported as the full reader does") {
        for (const std::string& meta :
             {std::string("[metadata]\nlock-version = \"3.0\"\ncontent-hash = \"abc\"\n"),
              std::string("[metadata]\nlock-version = \"2.1\"\ncontent-hash = 5\n")}) {
            const TempLock lock(package + meta);
            std::string fast_error;
            std::string full_error;
            try {
                read_lock_stamp(lock.path);
            } catch (const Error& e) {
                fast_error = e.what();
            }
            try {
                read_lock(lock.path);
            } catch (const Error& e) {
                full_error = e.what();
            }
            CHECK_FALSE(full_error.empty());
            CHECK(fast_error == full_error);
        }
    }
    SECTION("an unterminated string ends the fast path") {
        const TempLock lock(package + "x = \"open\n" + metadata);
        CHECK_THROWS_AS(read_lock_stamp(lock.path), Error);
    }
}
