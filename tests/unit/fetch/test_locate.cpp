// locate_files against a loopback simple index built from a directory of files: which files of a
// project page belong to the locked release when the lock lists none (hash completion).

#include "index_server.hpp"
#include "lock2nix/error.hpp"
#include "lock2nix/fetch/locate.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>

using namespace lock2nix;

namespace {

// A lock of one package from the legacy source `index`, listing no files.
Lock legacy_lock(const std::string& name, const std::string& version, const std::string& index) {
    return parse_lock("[[package]]\nname = \"" + name + "\"\nversion = \"" + version +
                          "\"\ngroups = [\"main\"]\nfiles = []\n[package.source]\ntype = "
                          "\"legacy\"\nurl = \"" +
                          index +
                          "\"\nreference = \"r\"\n[metadata]\nlock-version = "
                          "\"2.1\"\ncontent-hash = \"0\"\n",
                      "poetry.lock");
}

std::vector<std::string> names(const Package& p) {
    std::vector<std::string> out;
    for (const FileEntry& f : p.files) {
        out.push_back(f.name);
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

TEST_CASE("hash completion from a simple page keeps the locked release's files only",
          "[locate][server]") {
    test::TempDir files;
    // A page for `foo` made from this directory lists every file whose name starts with `foo_`:
    // other versions whose text begins like 1.0, and another project whose name begins with foo.
    for (const char* f : {"foo-1.0.tar.gz", "foo-1.0-py3-none-any.whl", "foo-1.0.1.tar.gz",
                          "foo-1.0.1-py3-none-any.whl", "foo-1.0rc1.tar.gz", "foo-1.0.post1.tar.gz",
                          "foo-1.0-py2.7.egg", "foo-1.0.1-py2.7.egg", "foo_bar-1.0.tar.gz",
                          "foo_bar-1.0-py3-none-any.whl"}) {
        std::ofstream(files.dir / f) << f;
    }
    test::Server server({"--files", files.dir.string()});
    test::TempDir cache;
    IndexOptions o;
    o.cache_dir = cache.dir.string();
    o.use_cache = false;
    IndexClient client(o);
    const LocateOptions where{server.url("")};

    Lock lock = legacy_lock("foo", "1.0", server.url("/simple"));
    const Located found = locate_files(lock, nullptr, {0}, client, where);
    CHECK(names(lock.packages[0]) == std::vector<std::string>{"foo-1.0-py2.7.egg",
                                                              "foo-1.0-py3-none-any.whl",
                                                              "foo-1.0.tar.gz"});
    CHECK(lock.packages[0].files_origin == FilesOrigin::index);
    CHECK(found.urls.at("foo-1.0.tar.gz") == server.url("/files/foo-1.0.tar.gz"));
    REQUIRE(found.notes.size() == 1);
    CHECK_THAT(found.notes[0], Catch::Contains("3 file digests from the index"));

    // PEP 440 equality: the release 1.0.0 is the files named 1.0.
    Lock padded = legacy_lock("foo", "1.0.0", server.url("/simple"));
    locate_files(padded, nullptr, {0}, client, where);
    CHECK(names(padded.packages[0]) ==
          std::vector<std::string>{"foo-1.0-py3-none-any.whl", "foo-1.0.tar.gz"});

    Lock later = legacy_lock("foo", "1.0.1", server.url("/simple"));
    locate_files(later, nullptr, {0}, client, where);
    CHECK(names(later.packages[0]) == std::vector<std::string>{"foo-1.0.1-py2.7.egg",
                                                               "foo-1.0.1-py3-none-any.whl",
                                                               "foo-1.0.1.tar.gz"});

    Lock other = legacy_lock("foo-bar", "1.0", server.url("/simple"));
    locate_files(other, nullptr, {0}, client, where);
    CHECK(names(other.packages[0]) ==
          std::vector<std::string>{"foo_bar-1.0-py3-none-any.whl", "foo_bar-1.0.tar.gz"});
}
