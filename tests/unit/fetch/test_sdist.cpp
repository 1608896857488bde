// What sdists declare about their build: read from real archives (written by Python's tarfile
// and zipfile, tests/index/make-archives.py), hostile ones included; then fetched from the
// loopback index (tests/index/server.py), verified against the lock's digest and cached.

#include "index_server.hpp"
#include "lock2nix/fetch/index.hpp"
#include "lock2nix/fetch/index_fetcher.hpp"
#include "lock2nix/fetch/sdist.hpp"
#include "lock2nix/fetch/sources.hpp"
#include "lock2nix/files.hpp"
#include "lock2nix/hash.hpp"
#include "lock2nix/pipeline.hpp"
#include "lock2nix/project/overrides.hpp"
#include "pylock_support.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace lock2nix;
using test::TempDir;

namespace {

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

FileEntry entry(const std::string& name) {
    return FileEntry{name, "sha256", sha256_hex(test::slurp((archives() / name).string())), {}};
}

int requests(test::Server& server, const std::string& path) {
    IndexOptions options;
    options.use_cache = false;
    IndexClient client(options);
    const auto r = client.fetch_all({IndexRequest{server.url("/__stats"), {}, {}, {}, false}});
    REQUIRE(r.front().ok);
    return nlohmann::json::parse(r.front().body).value(path, 0);
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

TEST_CASE("sdists are fetched once, verified against the lock, and cached", "[sdist][index]") {
    test::Server server({"--files", archives().string()});
    TempDir http, builds;
    IndexOptions options;
    options.cache_dir = http.dir.string();
    options.backoff = std::chrono::milliseconds(50);
    IndexClient client(options);
    IndexFetcher fetcher(client, {}, builds.dir, builds.dir / "build-systems");
    const FileEntry pkg = entry("pkg-1.0.tar.gz");
    // A run killed while reading an sdist left its scratch file; one still running has its own.
    fs::create_directories(builds.dir / "build-systems");
    const fs::path killed = builds.dir / "build-systems" / ".sdist-Ab12Cd";
    const fs::path running = builds.dir / "build-systems" / ".sdist-Xy34Zw";
    std::ofstream(killed) << "partial";
    std::ofstream(running) << "partial";
    fs::last_write_time(killed, fs::file_time_type::clock::now() - stale_temporary_age -
                                    std::chrono::minutes(1));

    // A failing first answer is retried; the file is read, and what it declares cached by digest.
    const auto first =
        fetcher.sdist_facts(pkg, {server.url("/fault/status500/1/files/pkg-1.0.tar.gz")});
    REQUIRE(first);
    CHECK(first->build_system.build_backend == "hatchling.build");
    CHECK(fs::exists(builds.dir / "build-systems" / (pkg.digest + ".json")));
    CHECK_FALSE(fs::exists(killed));
    CHECK(fs::exists(running));
    const auto again = fetcher.sdist_facts(pkg, {server.url("/files/pkg-1.0.tar.gz")});
    REQUIRE(again);
    CHECK(again->build_system.requirements == first->build_system.requirements);
    CHECK(requests(server, "/files/pkg-1.0.tar.gz") == 0); // the cache answered

    // Offline: the cached answer, or nothing (the caller guesses).
    IndexOptions offline_options = options;
    offline_options.offline = true;
    IndexClient offline(offline_options);
    IndexFetcher offline_fetcher(offline, {}, builds.dir, builds.dir / "build-systems");
    CHECK(offline_fetcher.sdist_facts(pkg, {server.url("/files/pkg-1.0.tar.gz")}));
    CHECK_FALSE(offline_fetcher.sdist_facts(entry("flitpkg-2.0.zip"),
                                            {server.url("/files/flitpkg-2.0.zip")}));

    // --refresh reads the sdist again.
    IndexOptions refresh_options = options;
    refresh_options.refresh = true;
    IndexClient refresh(refresh_options);
    IndexFetcher refresh_fetcher(refresh, {}, builds.dir, builds.dir / "build-systems");
    CHECK(refresh_fetcher.sdist_facts(pkg, {server.url("/files/pkg-1.0.tar.gz")}));
    CHECK(requests(server, "/files/pkg-1.0.tar.gz") == 1);

    // The first URL that answers is taken.
    const auto flit =
        fetcher.sdist_facts(entry("flitpkg-2.0.zip"),
                            {server.url("/files/nope.zip"), server.url("/files/flitpkg-2.0.zip")});
    REQUIRE(flit);
    CHECK(flit->build_system.build_backend == "flit_core.buildapi");
}

TEST_CASE("an sdist on a private index is read with its source's credentials", "[sdist][index]") {
    // The page gives /private/files/pkg-1.0.tar.gz, which wants the credentials too: the URL from
    // the page carries none, so the download takes those of the source on that host.
    test::Server server({"--files", archives().string()});
    TempDir http, builds;
    const FileEntry pkg = entry("pkg-1.0.tar.gz");
    Project project =
        parse_project("[[package]]\nname = \"pkg\"\nversion = \"1.0\"\ndescription = \"\"\n"
                      "optional = false\npython-versions = \"*\"\ngroups = [\"main\"]\n"
                      "files = [{file = \"pkg-1.0.tar.gz\", hash = \"sha256:" +
                          pkg.digest + "\"}]\n\n[package.source]\ntype = \"legacy\"\nurl = \"" +
                          server.url("/private/simple") +
                          "\"\nreference = \"corp\"\n\n[metadata]\nlock-version = \"2.1\"\n"
                          "python-versions = \"*\"\ncontent-hash = \"0\"\n",
                      std::nullopt);
    IndexOptions options;
    options.cache_dir = http.dir.string();
    options.backoff = std::chrono::milliseconds(50);
    IndexClient client(options);
    IndexFetcher fetcher(client, {}, builds.dir, builds.dir / "build-systems");
    PlanOptions plan;
    plan.targets = {Target::make("x86_64-linux", "3.12")};
    setenv("POETRY_HTTP_BASIC_CORP_USERNAME", "alice", 1);
    setenv("POETRY_HTTP_BASIC_CORP_PASSWORD", "s3cret", 1);
    std::string nix, error;
    try {
        nix = translate_project(project, plan, RenderOptions{}, fetcher).nix;
    } catch (const Error& e) {
        error = e.describe();
    }
    unsetenv("POETRY_HTTP_BASIC_CORP_USERNAME");
    unsetenv("POETRY_HTTP_BASIC_CORP_PASSWORD");
    CHECK(error.empty());
    CHECK_THAT(nix, Catch::Contains("python.pkgs.hatchling") &&
                        Catch::Contains(server.url("/private/files/pkg-1.0.tar.gz")));
}

TEST_CASE("an sdist the lock does not pin, or a hostile one, stops with an error naming it",
          "[sdist][index]") {
    test::Server server({"--files", archives().string()});
    TempDir http, builds;
    IndexOptions options;
    options.cache_dir = http.dir.string();
    options.backoff = std::chrono::milliseconds(50);
    options.retries = 1;
    IndexClient client(options);
    IndexFetcher fetcher(client, {}, builds.dir, builds.dir / "build-systems");
    auto error = [&](const FileEntry& f, const std::string& url) -> std::string {
        try {
            fetcher.sdist_facts(f, {server.url(url)});
        } catch (const Error& e) {
            return e.describe();
        }
        return "(no error)";
    };

    FileEntry wrong = entry("pkg-1.0.tar.gz");
    const std::string right = wrong.digest;
    wrong.digest = std::string(64, 'a');
    // The fetcher cannot tell the lock's format: its hint names no locker (translation does).
    CHECK_THAT(error(wrong, "/files/pkg-1.0.tar.gz"),
               Catch::Contains("sdist `pkg-1.0.tar.gz`") &&
                   Catch::Contains("has sha256:" + right) &&
                   Catch::Contains("the lock pins sha256:" + wrong.digest) &&
                   Catch::EndsWith("hint: the URL serves another file than the one locked: check "
                                   "the index, then lock again"));
    CHECK_THROWS_AS(fetcher.sdist_facts(wrong, {server.url("/files/pkg-1.0.tar.gz")}),
                    DigestMismatch);
    // Nothing was cached for either digest.
    CHECK(fs::is_empty(builds.dir / "build-systems"));

    CHECK_THAT(error(entry("traversal-1.0.tar.gz"), "/files/traversal-1.0.tar.gz"),
               Catch::Contains("traversal-1.0.tar.gz") && Catch::Contains("leaves"));
    CHECK_THAT(error(entry("huge-1.0.tar.gz"), "/files/huge-1.0.tar.gz"),
               Catch::Contains("larger than"));
    CHECK_THAT(error(entry("text-1.0.tar.gz"), "/files/text-1.0.tar.gz"),
               Catch::Contains("not a readable sdist archive"));
    CHECK_THAT(error(entry("pkg-1.0.tar.gz"), "/files/absent-1.0.tar.gz"),
               Catch::Contains("cannot download sdist `pkg-1.0.tar.gz`") &&
                   Catch::Contains("HTTP 404"));
    CHECK(fs::is_empty(builds.dir / "build-systems"));
    // No scratch file is left behind.
    CHECK(std::distance(fs::directory_iterator(builds.dir / "build-systems"),
                        fs::directory_iterator()) == 0);
}

namespace {

// A lock with three sdists (one the override database knows), a path dependency on the old Poetry
// backend, and a root project on it too.
const std::string sdist_lock = R"(
[[package]]
name = "declared"
version = "1.0"
description = ""
optional = false
python-versions = "*"
groups = ["main"]
files = [{file = "declared-1.0.tar.gz", hash = "sha256:)" +
                               std::string(64, '1') + R"("}]

[[package]]
name = "unread"
version = "2.0"
description = ""
optional = false
python-versions = "*"
groups = ["main"]
files = [{file = "unread-2.0.tar.gz", hash = "sha256:)" +
                               std::string(64, '2') + R"("}]

[[package]]
name = "oldpoetry"
version = "0.1"
description = ""
optional = false
python-versions = "*"
groups = ["main"]
files = []
develop = false

[package.source]
type = "directory"
url = "paths/oldpoetry"

[metadata]
lock-version = "2.1"
python-versions = "^3.8"
content-hash = "0"
)";

const std::string sdist_pyproject = R"(
[tool.poetry]
name = "root"
version = "0.1.0"
description = ""
authors = ["x <x@example.org>"]
[tool.poetry.dependencies]
python = "^3.8"
declared = "*"
unread = "*"
oldpoetry = { path = "paths/oldpoetry" }
[build-system]
requires = ["poetry>=0.12"]
build-backend = "poetry.masonry.api"
)";

Translation translate_sdists(OfflineFetcher& fetcher) {
    Project project = parse_project(sdist_lock, sdist_pyproject);
    PlanOptions plan;
    plan.targets = {Target::make("x86_64-linux", "3.12")};
    RenderOptions render;
    return translate_project(project, plan, render, fetcher);
}

} // namespace

TEST_CASE("the renderer builds sdists with what they declare, unchecked versions named",
          "[sdist][render]") {
    OfflineFetcher fetcher;
    BuildSystem declared;
    declared.present = true;
    declared.requirements = {"Hatchling>=99", "tomli; python_version < '3.11'", "poetry",
                             "trove-classifiers"};
    declared.build_backend = "hatchling.build";
    fetcher.sdist_build_systems["declared-1.0.tar.gz"] = declared;
    fetcher.project_files["paths/oldpoetry/pyproject.toml"] =
        "[tool.poetry]\nname = \"oldpoetry\"\nversion = \"0.1\"\n[build-system]\n"
        "requires = [\"poetry>=0.12\"]\nbuild-backend = \"poetry.masonry.api\"\n";
    const Translation t = translate_sdists(fetcher);
    const std::string& nix = t.nix;
    INFO(nix);

    // Declared: canonical names, poetry as poetry-core, tomli left out on Python 3.12; the pin is
    // named, in the file and in the notes.
    CHECK_THAT(nix, Catch::Contains("build-system = [\n") &&
                        Catch::Contains("python.pkgs.hatchling\n") &&
                        Catch::Contains("python.pkgs.poetry-core\n") &&
                        Catch::Contains("python.pkgs.trove-classifiers\n"));
    CHECK_THAT(nix, !Catch::Contains("python.pkgs.tomli"));
    CHECK_THAT(nix,
               Catch::Contains("# build-system: the sdist's pyproject.toml") &&
                   Catch::Contains("# versions not checked, nixpkgs' are used: Hatchling>=99"));
    // Every source build skips pypa/build's check (root project, path dependency, sdists).
    std::size_t flags = 0;
    for (auto at = nix.find("pypaBuildFlags = [ \"--skip-dependency-check\" ];");
         at != std::string::npos; at = nix.find("pypaBuildFlags", at + 1)) {
        ++flags;
    }
    CHECK(flags == 4);
    // Not read (offline, nothing cached): setuptools, said in the file and on stderr.
    CHECK_THAT(nix, Catch::Contains("# build-system: a guess (setuptools)"));
    REQUIRE(t.notes.size() == 2);
    CHECK_THAT(t.notes[0], Catch::Contains("is a guess (setuptools)") &&
                               Catch::Contains("unread 2.0") && !Catch::Contains("declared 1.0"));
    CHECK_THAT(t.notes[1], Catch::Contains("declared 1.0 (Hatchling>=99)"));
    // The old Poetry backend, root project and path dependency alike: backend and requirement
    // rewritten, built with poetry-core.
    std::size_t patches = 0;
    const std::string patch =
        "postPatch = \"substituteInPlace pyproject.toml --replace-fail poetry.masonry.api "
        "poetry.core.masonry.api --replace-quiet '\\\"poetry>=0.12\\\"' '\\\"poetry-core\\\"' "
        "--replace-quiet \\\"'poetry>=0.12'\\\" \\\"'poetry-core'\\\"\";";
    for (auto at = nix.find(patch); at != std::string::npos; at = nix.find(patch, at + 1)) {
        ++patches;
    }
    CHECK(patches == 2);
    // The requirement rewritten is not reported as a version left unchecked.
    CHECK_THAT(nix, !Catch::Contains("nixpkgs' are used: poetry>=0.12"));
}

TEST_CASE("the override database's build-systems correct what an sdist declares",
          "[sdist][render]") {
    // `unread` has no database entry, so lock2nix asks; an entry in the project replaces both the
    // declaration and the question.
    OfflineFetcher fetcher;
    BuildSystem declared;
    declared.present = true;
    declared.requirements = {"setuptools>=99"};
    fetcher.sdist_build_systems["unread-2.0.tar.gz"] = declared;
    Project project = parse_project(sdist_lock, sdist_pyproject);
    OverrideDatabase db;
    db.add_file("[[unread]]\nbuild-systems = [\"flit-core\"]\n", "test.toml", OverrideLayer::user);
    PlanOptions plan;
    plan.targets = {Target::make("x86_64-linux", "3.12")};
    plan.overrides = &db;
    const Translation t = translate_project(project, plan, RenderOptions{}, fetcher);
    INFO(t.nix);
    const auto at = t.nix.find("pname = \"unread\"");
    REQUIRE(at != std::string::npos);
    const std::string unread = t.nix.substr(at, t.nix.find("src =", at) - at);
    CHECK_THAT(unread, Catch::Contains("python.pkgs.flit-core") && !Catch::Contains("setuptools"));
}

namespace {

// Every sdist it is asked for downloads as another file than the one locked.
class MismatchFetcher : public OfflineFetcher {
public:
    std::optional<SdistFacts> sdist_facts(const FileEntry& file,
                                          const std::vector<std::string>&) override {
        throw DigestMismatch("sdist `" + file.name + "` is another file", {}, {}, "lock again");
    }
};

std::string translation_error(Project project) {
    MismatchFetcher fetcher;
    PlanOptions plan;
    plan.targets = {Target::make("x86_64-linux", "3.12")};
    try {
        translate_project(project, plan, RenderOptions{}, fetcher);
    } catch (const Error& e) {
        return e.describe();
    }
    return "(no error)";
}

} // namespace

TEST_CASE("an sdist that is not the file locked: the hint names how this lock's format locks again",
          "[sdist][render]") {
    CHECK_THAT(translation_error(parse_project(sdist_lock, sdist_pyproject)),
               Catch::StartsWith("poetry.lock:") &&
                   Catch::Contains("sdist `declared-1.0.tar.gz` is another file") &&
                   Catch::EndsWith("hint: the index serves another file than the one locked: "
                                   "check the index, then run `poetry lock` again"));

    const std::string pylock = test::pylock_header +
                               "[[packages]]\nname = \"declared\"\nversion = \"1.0\"\n"
                               "sdist = { url = \"https://example.org/declared-1.0.tar.gz\", "
                               "hashes = { sha256 = \"" +
                               std::string(64, '1') + "\" } }\n";
    // At the sdist's line, the tool that wrote the pylock named from its created-by.
    CHECK_THAT(translation_error(parse_project(pylock, std::nullopt, "pylock.toml")),
               Catch::StartsWith("pylock.toml:6:") &&
                   Catch::Contains("sdist `declared-1.0.tar.gz` is another file") &&
                   Catch::EndsWith("hint: the URL the pylock gives serves another file than the "
                                   "one it pins: check that URL, then regenerate the pylock with "
                                   "the tool that wrote it (created-by: test)"));
}

namespace {

SdistFacts facts_of(const std::string& name) {
    return read_sdist(archives() / name, name);
}

std::string facts_error(const std::string& name) {
    try {
        facts_of(name);
    } catch (const Error& e) {
        return e.describe();
    }
    return "(no error)";
}

// The Cargo.lock tests/index/make-archives.py puts where the backend builds.
const std::string archived_cargo_lock =
    "version = 3\n\n[[package]]\nname = \"itoa\"\nversion = \"1.0.9\"\n"
    "source = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
    "checksum = \"" +
    std::string(64, 'a') + "\"\n";

} // namespace

TEST_CASE("Rust sdists: the Cargo.lock the backend builds with", "[sdist][cargo]") {
    // maturin: [tool.maturin] manifest-path's directory, then up to the workspace root; a
    // vendored crate's lock deeper down is not it.
    const SdistFacts mat = facts_of("rustmat-1.0.tar.gz");
    CHECK(mat.rust == RustBackend::maturin);
    REQUIRE(mat.cargo_lock);
    CHECK(mat.cargo_lock->directory.empty());
    CHECK(mat.cargo_lock->text == archived_cargo_lock);
    CHECK(mat.cargo_lock_sought == "crates/py/Cargo.lock, crates/Cargo.lock, Cargo.lock");
    const SdistFacts sub = facts_of("rustmatsub-1.0.tar.gz");
    REQUIRE(sub.cargo_lock);
    CHECK(sub.cargo_lock->directory == "rust");
    CHECK(sub.cargo_lock->text == archived_cargo_lock);
    // setuptools-rust configured in setup.py: the shallowest; in [tool.setuptools-rust]: the
    // ext-module's path.
    const SdistFacts setup = facts_of("rustsetup-1.0.zip");
    CHECK(setup.rust == RustBackend::setuptools_rust);
    REQUIRE(setup.cargo_lock);
    CHECK(setup.cargo_lock->directory == "src/rust");
    CHECK(setup.cargo_lock->text == archived_cargo_lock);
    const SdistFacts path = facts_of("rustpath-1.0.tar.gz");
    REQUIRE(path.cargo_lock);
    CHECK(path.cargo_lock->directory == "native");
    // None where it is sought: said where.
    const SdistFacts none = facts_of("rustnolock-1.0.tar.gz");
    CHECK(none.rust == RustBackend::maturin);
    CHECK_FALSE(none.cargo_lock);
    CHECK(none.cargo_lock_sought == "Cargo.lock");
    const SdistFacts escape = facts_of("rustescape-1.0.tar.gz");
    CHECK_FALSE(escape.cargo_lock);
    CHECK_THAT(escape.cargo_lock_sought, Catch::Contains("outside the sdist"));
    // Not a Rust backend: no Cargo.lock is read.
    const SdistFacts hatch = facts_of("notrust-1.0.tar.gz");
    CHECK(hatch.rust == RustBackend::none);
    CHECK_FALSE(hatch.cargo_lock);
    // From memory alike; and the build system is what read_sdist_build_system says.
    const std::string bytes = test::slurp((archives() / "rustsetup-1.0.zip").string());
    const SdistFacts memory = read_sdist_from_memory(bytes, "rustsetup-1.0.zip");
    REQUIRE(memory.cargo_lock);
    CHECK(memory.cargo_lock->directory == "src/rust");
    CHECK(read("rustsetup-1.0.zip").requirements == setup.build_system.requirements);
}

TEST_CASE("Rust sdists: an oversized or non-regular Cargo.lock is a clear error",
          "[sdist][cargo]") {
    CHECK_THAT(facts_error("rusthuge-1.0.tar.gz"),
               Catch::Contains("rusthuge-1.0/Cargo.lock is larger than 8 MiB") &&
                   Catch::Contains("hint: "));
    CHECK_THAT(facts_error("rustsymlink-1.0.tar.gz"),
               Catch::Contains("rustsymlink-1.0/Cargo.lock is not a regular file"));
}

TEST_CASE("a Rust sdist's Cargo.lock is cached with its backend, and an answer without it is not "
          "trusted",
          "[sdist][index][cargo]") {
    test::Server server({"--files", archives().string()});
    TempDir http, builds;
    IndexOptions options;
    options.cache_dir = http.dir.string();
    IndexClient client(options);
    const fs::path cache = builds.dir / "build-systems";
    IndexFetcher fetcher(client, {}, builds.dir, cache);
    const FileEntry sub = entry("rustmatsub-1.0.tar.gz");
    const auto url = server.url("/files/rustmatsub-1.0.tar.gz");
    const auto online = fetcher.sdist_facts(sub, {url});
    REQUIRE(online);
    REQUIRE(online->cargo_lock);

    IndexOptions offline_options = options;
    offline_options.offline = true;
    IndexClient offline(offline_options);
    IndexFetcher offline_fetcher(offline, {}, builds.dir, cache);
    const auto cached = offline_fetcher.sdist_facts(sub, {url});
    REQUIRE(cached);
    CHECK(cached->rust == RustBackend::maturin);
    REQUIRE(cached->cargo_lock);
    CHECK(cached->cargo_lock->directory == "rust");
    CHECK(cached->cargo_lock->text == online->cargo_lock->text);
    CHECK(cached->cargo_lock_sought == online->cargo_lock_sought);

    // An answer cached before Cargo.lock files were read: a Rust sdist's is read again (offline:
    // not known), any other's still serves.
    const fs::path entry_file = cache / (sub.digest + ".json");
    write_file_atomically(entry_file.string(),
                          "{\"file\": \"rustmatsub-1.0.tar.gz\", \"present\": true, \"requires\": "
                          "[\"maturin>=1,<2\"], \"build-backend\": \"maturin\", "
                          "\"backend-path\": []}",
                          false);
    CHECK_FALSE(offline_fetcher.sdist_facts(sub, {url}));
    const auto again = fetcher.sdist_facts(sub, {url});
    REQUIRE(again);
    REQUIRE(again->cargo_lock);
    CHECK(requests(server, "/files/rustmatsub-1.0.tar.gz") == 2);
    const FileEntry pkg = entry("pkg-1.0.tar.gz");
    write_file_atomically((cache / (pkg.digest + ".json")).string(),
                          "{\"file\": \"pkg-1.0.tar.gz\", \"present\": true, \"requires\": "
                          "[\"hatchling\"], \"build-backend\": \"hatchling.build\", "
                          "\"backend-path\": []}",
                          false);
    const auto older = offline_fetcher.sdist_facts(pkg, {server.url("/files/pkg-1.0.tar.gz")});
    REQUIRE(older);
    CHECK(older->build_system.build_backend == "hatchling.build");
}

namespace {

const std::string rust_commit = "0123456789abcdef0123456789abcdef01234567";

std::string rust_package(const std::string& name, const std::string& files) {
    return "[[package]]\nname = \"" + name +
           "\"\nversion = \"1.0\"\ndescription = \"\"\noptional = false\n"
           "python-versions = \"*\"\ngroups = [\"main\"]\nfiles = [" +
           files + "]\n\n";
}

std::string rust_file(const std::string& name, char digit) {
    return "{file = \"" + name + "\", hash = \"sha256:" + std::string(64, digit) + "\"}";
}

SdistFacts rust_facts(RustBackend backend, const std::string& directory, std::string lock) {
    SdistFacts f;
    f.build_system.present = true;
    f.build_system.requirements = backend == RustBackend::maturin
                                      ? std::vector<std::string>{"maturin>=1,<2"}
                                      : std::vector<std::string>{"setuptools", "setuptools-rust"};
    f.build_system.build_backend =
        backend == RustBackend::maturin ? "maturin" : "setuptools.build_meta";
    f.rust = backend;
    f.cargo_lock = SdistCargoLock{directory, std::move(lock)};
    f.cargo_lock_sought = "Cargo.lock";
    return f;
}

std::string git_crate_lock(const std::string& url) {
    return "version = 3\n\n[[package]]\nname = \"own\"\nversion = \"0.1.0\"\n\n"
           "[[package]]\nname = \"g\"\nversion = \"0.2.0\"\nsource = \"git+" +
           url + "?branch=main#" + rust_commit + "\"\n";
}

} // namespace

TEST_CASE("the renderer vendors a Rust sdist's crates, chosen or not, and says what it cannot",
          "[sdist][render][cargo]") {
    // rmat: wheel chosen, its sdist read for `rust`; rsr: setuptools-rust with the database's
    // build-systems; rgit: a git crate without a hash; runread: marked `rust`, not readable here.
    const std::string lock =
        rust_package("rmat", rust_file("rmat-1.0-py3-none-any.whl", '1') + ", " +
                                 rust_file("rmat-1.0.tar.gz", '2')) +
        rust_package("rsr", rust_file("rsr-1.0.tar.gz", '3')) +
        rust_package("rgit", rust_file("rgit-1.0.tar.gz", '4')) +
        rust_package("runread", rust_file("runread-1.0-py3-none-any.whl", '5') + ", " +
                                    rust_file("runread-1.0.tar.gz", '6')) +
        "[metadata]\nlock-version = \"2.1\"\npython-versions = \"*\"\ncontent-hash = \"0\"\n";
    OfflineFetcher fetcher;
    fetcher.sdists["rmat-1.0.tar.gz"] =
        rust_facts(RustBackend::maturin, "", git_crate_lock("https://example.org/g"));
    fetcher.sdists["rsr-1.0.tar.gz"] =
        rust_facts(RustBackend::setuptools_rust, "src/rust", archived_cargo_lock);
    fetcher.sdists["rgit-1.0.tar.gz"] =
        rust_facts(RustBackend::maturin, "", git_crate_lock("https://example.org/unhashed"));
    fetcher.git_sources["https://example.org/g " + rust_commit] =
        GitSource{"https://example.org/g", rust_commit, "sha256-R2l0SGFzaA==", false, {}};
    OverrideDatabase db;
    db.add_file("[[rmat]]\nrust = true\n[[rsr]]\nrust = true\nbuild-systems = [\"setuptools\"]\n"
                "[[runread]]\nrust = true\n",
                "test.toml", OverrideLayer::user);
    Project project = parse_project(lock, std::nullopt);
    PlanOptions plan;
    plan.targets = {Target::make("x86_64-linux", "3.12"), Target::make("aarch64-linux", "3.12")};
    plan.overrides = &db;
    const Translation t = translate_project(project, plan, RenderOptions{}, fetcher);
    const std::string& nix = t.nix;
    INFO(nix);
    auto count = [&](const std::string& what) {
        std::size_t n = 0;
        for (auto at = nix.find(what); at != std::string::npos; at = nix.find(what, at + 1)) {
            ++n;
        }
        return n;
    };

    // The Cargo.lock text once, whatever the number of targets; each target's build refers to it.
    CHECK(count("\"rmat-1.0.tar.gz\" = builtins.concatStringsSep \"\" [") == 1);
    CHECK(count("lockFileContents = cargoLocks.\"rmat-1.0.tar.gz\";") == 2);
    CHECK_THAT(nix, Catch::Contains("      \"[[package]]\\n\"\n      \"name = \\\"g\\\"\\n\"\n"));
    // The git crate's hash, maturin's hooks, no python.pkgs.maturin.
    CHECK_THAT(nix, Catch::Contains("outputHashes = {\n                \"g-0.2.0\" = "
                                    "\"sha256-R2l0SGFzaA==\";"));
    CHECK_THAT(nix, Catch::Contains("pkgs.rustPlatform.cargoSetupHook\n              "
                                    "pkgs.rustPlatform.maturinBuildHook\n"));
    CHECK_THAT(nix, !Catch::Contains("python.pkgs.maturin"));
    // setuptools-rust: the database's build-systems and the plugin, cargoRoot, cargo and rustc.
    const auto rsr = nix.find("pname = \"rsr\"");
    REQUIRE(rsr != std::string::npos);
    const std::string rsr_args = nix.substr(rsr, nix.find("};\n        };", rsr) - rsr);
    CHECK_THAT(rsr_args, Catch::Contains("python.pkgs.setuptools\n") &&
                             Catch::Contains("python.pkgs.setuptools-rust\n") &&
                             Catch::Contains("cargoRoot = \"src/rust\";") &&
                             Catch::Contains("pkgs.cargo\n") && Catch::Contains("pkgs.rustc\n"));
    // What cannot be vendored: the build throws why, and the notes say it.
    CHECK_THAT(nix,
               Catch::Contains("__toString = _: throw \"rgit-1.0.tar.gz/Cargo.lock:7:1: error: "
                               "git crate `g` 0.2.0 (https://example.org/unhashed at " +
                               rust_commit + ") has no fetchgit hash"));
    CHECK_THAT(nix, Catch::Contains("__toString = _: throw \"lock2nix could not read sdist "
                                    "`runread-1.0.tar.gz` when it translated"));
    std::string notes;
    for (const auto& n : t.notes) {
        notes += n + "\n";
    }
    CHECK_THAT(notes,
               Catch::Contains("could not read the Cargo.lock of 1 Rust sdist(s) without "
                               "the network and has no earlier answer cached: runread 1.0") &&
                   Catch::Contains("rgit 1.0: rgit-1.0.tar.gz/Cargo.lock:7:1"));
}
