// Reading inputs whole or failing loudly, and writing outputs atomically (lock2nix/files.hpp).

#include "lock2nix/files.hpp"
#include "lock2nix/project/lockfile.hpp"
#include "lock2nix/project/project.hpp"
#include "lock2nix/project/pyproject.hpp"
#include "lock2nix/translate.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>
#include <sys/resource.h>
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

// Sets the modification time of `p` itself (a link is not followed) to `ago` before now: a
// leftover of a run killed that long ago.
void age(const fs::path& p, std::chrono::minutes ago) {
    const auto then = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() - ago);
    const timespec times[2] = {{then, 0}, {then, 0}};
    REQUIRE(::utimensat(AT_FDCWD, p.c_str(), times, AT_SYMLINK_NOFOLLOW) == 0);
}

void touch(const fs::path& p) {
    std::ofstream(p) << "partial";
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

TEST_CASE("reading: a symlink loop is named as one, and an optional input in one is not skipped",
          "[files][hostile]") {
    TempDir tmp;
    const std::string a = (tmp.dir / "a.lock").string();
    const std::string b = (tmp.dir / "b.lock").string();
    fs::create_symlink(b, a);
    fs::create_symlink(a, b);
    const Error e = error_of([&] { read_file(a); });
    CHECK(e.file() == a);
    CHECK(e.message() == "cannot open the file: Too many levels of symbolic links");
    CHECK(e.hint().find("loop of symbolic links") != std::string::npos);
    // std::filesystem::exists throws here; path_present says "something is there" so that the
    // reader reports it.
    CHECK(path_present(a));
    CHECK(path_present(tmp.dir.string()));
    CHECK_FALSE(path_present((tmp.dir / "missing").string()));
    CHECK_FALSE(path_present((tmp.dir / "missing" / "deeper").string()));
    fs::create_symlink(tmp.dir / "nowhere", tmp.dir / "dangling");
    CHECK_FALSE(path_present((tmp.dir / "dangling").string())); // as before: no pyproject
    // A pyproject beside the lock that is a loop: an error naming it, not "internal error".
    { std::ofstream(tmp.dir / "poetry.lock") << small_lock; }
    fs::create_symlink("pyproject.toml", tmp.dir / "pyproject.toml");
    const Error beside =
        error_of([&] { (void)load_project((tmp.dir / "poetry.lock").string(), ""); });
    CHECK(beside.file() == (tmp.dir / "pyproject.toml").string());
    CHECK(beside.message().find("Too many levels of symbolic links") != std::string::npos);
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

TEST_CASE("temporaries of killed runs: old ones go while fresh ones, lookalikes and non-files stay",
          "[files]") {
    using std::chrono::minutes;
    const minutes old = stale_temporary_age + minutes(5);
    TempDir d;
    // `-o out.nix` writes `.out.nix.XXXXXX`.
    for (const char* name :
         {".out.nix.Ab12Cd", ".out.nix.ab12c", ".out.nix.ab_12c", "out.nix", ".out.nix.Ab12Cd.x"}) {
        touch(d.dir / name);
        age(d.dir / name, old);
    }
    touch(d.dir / ".out.nix.Xy34Zw"); // a concurrent run's: too young to be a leftover
    // Only regular files go: an old link (to an old file) and an old FIFO of that name stay.
    fs::create_symlink("out.nix", d.dir / ".out.nix.Ln12Ks");
    age(d.dir / ".out.nix.Ln12Ks", old);
    REQUIRE(::mkfifo((d.dir / ".out.nix.Ff12Gg").c_str(), 0600) == 0);
    age(d.dir / ".out.nix.Ff12Gg", old);
    CHECK(remove_stale_temporaries(d.dir.string(), ".out.nix.") == 1);
    CHECK_FALSE(fs::exists(d.dir / ".out.nix.Ab12Cd"));
    for (const char* kept :
         {".out.nix.ab12c", ".out.nix.ab_12c", "out.nix", ".out.nix.Ab12Cd.x", ".out.nix.Xy34Zw"}) {
        CHECK(fs::exists(d.dir / kept));
    }
    CHECK(fs::is_symlink(d.dir / ".out.nix.Ln12Ks"));
    CHECK(fs::is_fifo(d.dir / ".out.nix.Ff12Gg"));

    // The cache's entries: `.<key>.body.XXXXXX` and `.<key>.json.XXXXXX`, any key.
    TempDir cache;
    for (const char* name : {".k1.body.Ab12Cd", ".k2.json.Qw34Er", ".k1.body", ".Ab12Cd"}) {
        touch(cache.dir / name);
        age(cache.dir / name, old);
    }
    touch(cache.dir / ".k3.body.Zx56Cv");
    CHECK(remove_stale_temporaries(cache.dir.string(), ".", /*any_stem=*/true) == 2);
    for (const char* kept : {".k1.body", ".Ab12Cd", ".k3.body.Zx56Cv"}) {
        CHECK(fs::exists(cache.dir / kept));
    }
    // A missing directory is no error (the cache may not exist yet).
    CHECK(remove_stale_temporaries((d.dir / "none").string(), ".") == 0);
}

TEST_CASE("writing in pieces: the text arrives whole, and a failing producer changes nothing",
          "[files]") {
    TempDir tmp;
    const std::string out = (tmp.dir / "python-env.nix").string();
    // More than the writer's buffer, in pieces of odd sizes.
    std::string expected;
    write_file_atomically(out, [&](std::ostream& os) {
        for (int i = 0; i < 3000; ++i) {
            const std::string piece(37 + i % 11, static_cast<char>('a' + i % 26));
            expected += piece;
            os << piece;
        }
    });
    CHECK(read_file(out) == expected);

    CHECK_THROWS_WITH(write_file_atomically(out,
                                            [](std::ostream& os) {
                                                os << std::string(200000, 'x');
                                                throw Error("rendering failed");
                                            }),
                      Catch::Contains("rendering failed"));
    CHECK(read_file(out) == expected);
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(tmp.dir)) {
        ++entries;
    }
    CHECK(entries == 1); // no temporary left
}

namespace {

// Sets an environment variable for a scope.
struct ScopedEnv {
    std::string name;
    std::optional<std::string> saved;
    ScopedEnv(std::string n, const std::string& value) : name(std::move(n)) {
        if (const char* old = std::getenv(name.c_str())) {
            saved = old;
        }
        ::setenv(name.c_str(), value.c_str(), 1);
    }
    ~ScopedEnv() {
        if (saved) {
            ::setenv(name.c_str(), saved->c_str(), 1);
        } else {
            ::unsetenv(name.c_str());
        }
    }
};

// How many of this process's open descriptors name a file under `dir`.
std::size_t open_files_under(const fs::path& dir) {
    std::size_t n = 0;
    for (const auto& entry : fs::directory_iterator("/proc/self/fd")) {
        std::error_code ec;
        const fs::path target = fs::read_symlink(entry.path(), ec);
        if (!ec && target.string().starts_with(dir.string() + "/")) {
            ++n;
        }
    }
    return n;
}

// A text of `n` bytes that shows where a part went missing or was doubled.
std::string numbered_text(std::size_t n) {
    std::string text;
    for (std::size_t i = 0; text.size() < n; ++i) {
        text += std::to_string(i) + '\n';
    }
    text.resize(n);
    return text;
}

void write_in_parts(std::ostream& out, const std::string& text, std::size_t part) {
    for (std::size_t at = 0; at < text.size(); at += part) {
        out << std::string_view(text).substr(at, part);
    }
}

} // namespace

TEST_CASE("complete before written: a large text waits in a temporary file, not in memory",
          "[files]") {
    TempDir tmp;
    const ScopedEnv env("TMPDIR", tmp.dir.string());
    const std::string text = numbered_text(3 << 20);
    std::ostringstream out;
    std::size_t spooled_small = 99;
    std::size_t spooled_large = 99;
    write_when_complete(
        out,
        [&](std::ostream& o) {
            write_in_parts(o, text.substr(0, 1000), 7);
            o.flush();
            spooled_small = open_files_under(tmp.dir);
            write_in_parts(o, text.substr(1000), 4093);
            o.flush();
            spooled_large = open_files_under(tmp.dir);
            CHECK(out.str().empty()); // nothing reaches the output before the end
        },
        64 << 10);
    CHECK(spooled_small == 0);
    CHECK(spooled_large == 1);
    CHECK(out.str() == text);
    CHECK(open_files_under(tmp.dir) == 0);
    CHECK(fs::is_empty(tmp.dir)); // the spool has no name, or lost it at once
}

TEST_CASE("complete before written: a producer that throws leaves the output untouched",
          "[files]") {
    TempDir tmp;
    const ScopedEnv env("TMPDIR", tmp.dir.string());
    for (const std::size_t size : {std::size_t{100}, std::size_t{1} << 20}) {
        std::ostringstream out;
        out << "before";
        CHECK_THROWS_AS(write_when_complete(
                            out,
                            [&](std::ostream& o) {
                                o << numbered_text(size);
                                throw Error("planning failed");
                            },
                            4096),
                        Error);
        CHECK(out.str() == "before");
        CHECK(open_files_under(tmp.dir) == 0);
    }
}

TEST_CASE("complete before written: without a usable temporary folder the text stays in memory",
          "[files]") {
    TempDir tmp;
    const std::string text = numbered_text(1 << 20);
    SECTION("the folder does not exist") {
        const ScopedEnv env("TMPDIR", (tmp.dir / "missing").string());
        std::ostringstream out;
        write_when_complete(
            out, [&](std::ostream& o) { write_in_parts(o, text, 1000); }, 4096);
        CHECK(out.str() == text);
    }
    SECTION("the file fills up midway (a file size limit, as a full disk)") {
        const ScopedEnv env("TMPDIR", tmp.dir.string());
        struct rlimit saved {};
        REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
        const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
        struct rlimit small = saved;
        small.rlim_cur = 300 << 10;
        REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
        std::ostringstream out;
        std::size_t spooled = 0;
        try {
            write_when_complete(
                out,
                [&](std::ostream& o) {
                    write_in_parts(o, text.substr(0, 100 << 10), 3001);
                    o.flush();
                    spooled = open_files_under(tmp.dir);
                    write_in_parts(o, text.substr(100 << 10), 3001);
                },
                4096);
        } catch (...) {
            ::setrlimit(RLIMIT_FSIZE, &saved);
            std::signal(SIGXFSZ, old_handler);
            throw;
        }
        ::setrlimit(RLIMIT_FSIZE, &saved);
        std::signal(SIGXFSZ, old_handler);
        CHECK(spooled == 1);
        CHECK(out.str() == text);
        CHECK(open_files_under(tmp.dir) == 0);
    }
}
