// Reading inputs whole or failing loudly, and writing outputs atomically (lock2nix/files.hpp).

#include "lock2nix/files.hpp"
#include "lock2nix/project/lockfile.hpp"
#include "lock2nix/project/pyproject.hpp"
#include "lock2nix/translate.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace lock2nix;
using test::TempDir;

namespace {

// The message of the Error `f` throws (fails the test when it throws nothing or something else).
template <class F>
Error error_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e;
    }
    FAIL("no lock2nix::Error");
    throw;
}

const std::string small_lock = R"([[package]]
name = "six"
version = "1.16.0"
description = ""
optional = false
python-versions = "*"
files = [{file = "six-1.16.0.tar.gz", hash = "sha256:1e61c37477a1626458e36f7b1d82aa5c9b094fa4802892072e49de9c60c4c926"}]

[metadata]
lock-version = "2.0"
python-versions = "^3.8"
content-hash = "0000000000000000000000000000000000000000000000000000000000000000"
)";

} // namespace

TEST_CASE("reading: a directory is named as one, not as an empty file", "[files]") {
    TempDir tmp;
    const std::string dir = tmp.dir.string();
    for (const Error& e :
         {error_of([&] { read_lock(dir); }), error_of([&] { read_pyproject(dir); }),
          error_of([&] { lock_file_digest(dir); })}) {
        CHECK(e.file() == dir);
        CHECK(e.message().find("directory") != std::string::npos);
        CHECK(e.message().find("empty") == std::string::npos);
        CHECK(e.hint().find("poetry.lock") != std::string::npos);
    }
}

TEST_CASE("reading: a read error midway is an error, not a short file", "[files]") {
    // /proc/self/mem opens, then its first read fails (offset 0 is never mapped): the simplest
    // file that fails after a successful open.
    const Error e = error_of([] { read_lock("/proc/self/mem"); });
    CHECK(e.file() == "/proc/self/mem");
    CHECK(e.message().find("cannot read the file") != std::string::npos);
    CHECK(e.message().find("empty") == std::string::npos);
}

TEST_CASE("reading: a missing file is named with the reason", "[files]") {
    TempDir tmp;
    const std::string missing = (tmp.dir / "poetry.lock").string();
    const Error e = error_of([&] { read_file(missing); });
    CHECK(e.file() == missing);
    CHECK(e.message().find("No such file") != std::string::npos);
}

TEST_CASE("reading: pipes and pseudo-files with no size are read to their end", "[files]") {
    // /proc files report size 0: the size check must not turn them into errors.
    const std::string status = read_file("/proc/self/status");
    CHECK(status.find("Name:") != std::string::npos);
    // A FIFO (as `<(...)` gives) in several writes: the lock is read whole.
    TempDir tmp;
    const std::string fifo = (tmp.dir / "poetry.lock").string();
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    std::thread writer([&] {
        std::ofstream out(fifo, std::ios::binary);
        for (char c : small_lock) {
            out << c << std::flush;
        }
    });
    const Lock lock = read_lock(fifo);
    writer.join();
    REQUIRE(lock.packages.size() == 1);
    CHECK(lock.packages[0].name == "six");
}
