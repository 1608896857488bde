// Which file each package installs from: tag ranking, the wheel/sdist policy, source packages,
// what a package's files offer a target, and the messages that describe its wheels.

#include "lock2nix/error.hpp"
#include "lock2nix/resolve/artifacts.hpp"
#include "resolve_support.hpp"

#include <catch2/catch.hpp>

using namespace lock2nix;
using namespace lock2nix::test;

TEST_CASE("artifacts: best wheel, sdist policy, and a clear error when nothing fits",
          "[artifacts]") {
    const Project demo = demo_project();
    auto artifact = [&](const std::string& system, const std::string& python,
                        const std::string& name, ArtifactPolicy policy = {}) {
        const TargetPlan plan =
            plan_one(demo.lock, &*demo.pyproject, Target::make(system, python), policy);
        return *plan.find(demo.lock.find(name).front())->artifact;
    };
    const Artifact linux = artifact("x86_64-linux", "3.12", "charset-normalizer");
    CHECK(linux.kind == ArtifactKind::wheel);
    CHECK(linux.best_tag == "cp312-cp312-manylinux_2_28_x86_64");
    const Artifact mac = artifact("aarch64-darwin", "3.11", "charset-normalizer");
    CHECK(mac.file->name.find("cp311-cp311-macosx") != std::string::npos);
    CHECK(artifact("x86_64-linux", "3.12", "click").best_tag == "py3-none-any");
    ArtifactPolicy sdists;
    sdists.prefer_sdists = true;
    sdists.wheel_packages = {"click"};
    CHECK(artifact("x86_64-linux", "3.12", "rich", sdists).kind == ArtifactKind::sdist);
    CHECK(artifact("x86_64-linux", "3.12", "click", sdists).kind == ArtifactKind::wheel);

    // The other of wheel and sdist rides along, and says what it is: the emitted file shows the
    // reason above it, so it must not claim a policy chose it.
    auto alternative = [&](const std::string& name, ArtifactPolicy policy = {}) {
        const TargetPlan plan =
            plan_one(demo.lock, &*demo.pyproject, Target::make("x86_64-linux", "3.12"), policy);
        return plan.find(demo.lock.find(name).front())->alternative;
    };
    const auto sdist = alternative("charset-normalizer");
    REQUIRE(sdist);
    CHECK(sdist->artifact.kind == ArtifactKind::sdist);
    CHECK(sdist->artifact.file->name == "charset_normalizer-3.4.9.tar.gz");
    CHECK_THAT(sdist->artifact.reason,
               Catch::Contains("the alternative to the wheel: lock2nix.build \"sdist\""));
    const auto wheel = alternative("rich", sdists);
    REQUIRE(wheel);
    CHECK(wheel->artifact.kind == ArtifactKind::wheel);
    CHECK(wheel->artifact.best_tag == "py3-none-any");
    CHECK_THAT(wheel->artifact.reason, Catch::Contains("the alternative to the sdist"));
    CHECK(artifact("x86_64-linux", "3.12", "rich", sdists).reason.find("alternative") ==
          std::string::npos);

    const Project gmsh = corpus_project("corpus/poetry2nix-tests/gmsh");
    try {
        plan_one(gmsh.lock, &*gmsh.pyproject, Target::make("x86_64-darwin", "3.11"));
        // gmsh ships an x86_64 macOS wheel: that target works.
    } catch (const Error&) {
        FAIL("gmsh has a macosx x86_64 wheel");
    }
    Target old_mac = Target::make("aarch64-darwin", "3.11");
    old_mac.set_platform_version("macos", "11.0");
    try {
        plan_one(gmsh.lock, &*gmsh.pyproject, old_mac);
        FAIL("expected an error");
    } catch (const Error& e) {
        const std::string msg = e.what();
        CHECK(msg.find("gmsh") != std::string::npos);
        CHECK(msg.find("aarch64-darwin/cpython3.11") != std::string::npos);
        CHECK(msg.find("gmsh-4.13.1-py2.py3-none-macosx_12_0_arm64.whl") != std::string::npos);
        CHECK(e.position().known());
    }
}

TEST_CASE("nothing fits: the error lists every file of the package with why it was passed over",
          "[artifacts]") {
    const std::string digest = "sha256:" + std::string(64, 'a');
    const Lock lock = small_lock(R"([[package]]
name = "odd"
version = "1.0"
groups = ["main"]
files = [
    {file = "odd-1.0-py3.11.egg", hash = ")" +
                                     digest + R"("},
    {file = "odd-1.0-x-py3-none-any.whl", hash = ")" +
                                     digest + R"("},
    {file = "odd-1.0-cp312-cp312-win_amd64.whl", hash = ")" +
                                     digest + R"("},
]
)",
                                 "odd.lock");
    try {
        plan_one(lock, nullptr, Target::make("x86_64-linux", "3.12"));
        FAIL("expected an error");
    } catch (const Error& e) {
        const std::string msg = e.what();
        CHECK_THAT(msg, Catch::Contains("odd-1.0-py3.11.egg (egg, not installable)"));
        CHECK_THAT(msg, Catch::Contains("odd-1.0-x-py3-none-any.whl (unreadable wheel name)"));
        CHECK_THAT(
            msg, Catch::Contains(
                     "odd-1.0-cp312-cp312-win_amd64.whl (built for win_amd64, not x86_64-linux)"));
        CHECK(e.position().known());
    }
}

TEST_CASE("per-package policy: sdist for the named ones, wheels named beat sdists preferred",
          "[artifacts]") {
    const Lock lock = small_lock(
        locked_package("both", {.files = {locked_file("both-1.0-py3-none-any.whl"),
                                          locked_file("both-1.0.tar.gz", 'b')}}) +
            locked_package("other", {.files = {locked_file("other-1.0-py3-none-any.whl"),
                                               locked_file("other-1.0.tar.gz", 'b')}}) +
            locked_package("wheelonly", {.files = {locked_file("wheelonly-1.0-py3-none-any.whl")}}),
        "p.lock");
    const Target target = Target::make("x86_64-linux", "3.12");
    const tags::TagRanking ranking(target);
    auto kind = [&](const std::string& name, const ArtifactPolicy& policy) {
        return choose_artifact(lock, lock.find(name).front(), target, ranking, policy).kind;
    };
    ArtifactPolicy some;
    some.sdist_packages = {"both"};
    CHECK(kind("both", some) == ArtifactKind::sdist);
    CHECK(kind("other", some) == ArtifactKind::wheel);
    ArtifactPolicy all;
    all.prefer_sdists = true;
    all.wheel_packages = {"other"};
    CHECK(kind("both", all) == ArtifactKind::sdist);
    CHECK(kind("other", all) == ArtifactKind::wheel);
    // Sdists preferred, but there is none: the wheel, said plainly.
    const Artifact wheel =
        choose_artifact(lock, lock.find("wheelonly").front(), target, ranking, all);
    CHECK(wheel.kind == ArtifactKind::wheel);
    CHECK_FALSE(wheel.platform_wheel);
    CHECK(wheel.file->name == "wheelonly-1.0-py3-none-any.whl");

    const Selection s = select_packages(lock, nullptr, target, {});
    const std::vector<Artifact> chosen = choose_artifacts(lock, s, some);
    REQUIRE(chosen.size() == 3);
    for (const Artifact& a : chosen) {
        CHECK_FALSE(a.reason.empty());
    }
}

TEST_CASE("git and folder packages are built from their source, whatever the policy",
          "[artifacts]") {
    const Lock lock = small_lock(
        locked_package(
            "fromgit",
            {.tail = "[package.source]\ntype = \"git\"\nurl = \"https://example.org/g.git\"\n"
                     "reference = \"main\"\nresolved_reference = \"" +
                     std::string(40, 'c') + "\"\n"}) +
            locked_package(
                "local", {.tail = "[package.source]\ntype = \"directory\"\nurl = \"../local\"\n"}),
        "src.lock");
    const Target target = Target::make("aarch64-darwin", "3.13");
    const tags::TagRanking ranking(target);
    const Artifact git = choose_artifact(lock, lock.find("fromgit").front(), target, ranking, {});
    CHECK(git.kind == ArtifactKind::git);
    CHECK(to_string(git.kind) == "git");
    CHECK_FALSE(git.file);
    const Artifact dir = choose_artifact(lock, lock.find("local").front(), target, ranking, {});
    CHECK(dir.kind == ArtifactKind::directory);
    const FileOffer offer = file_offer(lock, lock.find("local").front(), ranking);
    CHECK_FALSE(offer.from_index);
    CHECK(offer.usable());
}

TEST_CASE("what a package's files offer a target, and how its wheels are described",
          "[artifacts]") {
    const Lock lock = small_lock(
        locked_package(
            "compiled",
            {.files = {locked_file("compiled-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"),
                       locked_file("compiled-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", 'b'),
                       locked_file("compiled-1.0-cp312-cp312-win_amd64.whl", 'c'),
                       locked_file("compiled-0.9-cp38-cp38-macosx_11_0_arm64.whl", 'd')}}) +
            locked_package("stable",
                           {.files = {locked_file("stable-1.0-cp39-abi3-manylinux_2_17_x86_64.whl"),
                                      locked_file("stable-1.0.tar.gz", 'b')}}) +
            locked_package("pure", {.files = {locked_file("pure-1.0-py3-none-any.whl")}}) +
            locked_package("source", {.files = {locked_file("source-1.0.tar.gz")}}),
        "offer.lock");
    const std::size_t compiled = lock.find("compiled").front();
    const tags::TagRanking linux312(Target::make("x86_64-linux", "3.12"));
    const tags::TagRanking mac312(Target::make("aarch64-darwin", "3.12"));

    FileOffer o = file_offer(lock, compiled, linux312);
    CHECK(o.from_index);
    CHECK(o.wheel);
    CHECK_FALSE(o.sdist);
    o = file_offer(lock, compiled, mac312); // the stray macOS wheel is of another version
    CHECK_FALSE(o.wheel);
    CHECK_FALSE(o.usable());
    o = file_offer(lock, lock.find("stable").front(), mac312);
    CHECK_FALSE(o.wheel);
    CHECK(o.sdist);
    CHECK(o.usable());
    CHECK(file_offer(lock, lock.find("stable").front(), linux312).wheel);

    CHECK(publishes_binary_wheels(lock.packages[compiled]));
    CHECK(publishes_binary_wheels(lock.packages[lock.find("stable").front()]));
    CHECK_FALSE(publishes_binary_wheels(lock.packages[lock.find("pure").front()]));
    CHECK_FALSE(publishes_binary_wheels(lock.packages[lock.find("source").front()]));

    const std::string coverage = wheel_coverage(lock.packages[compiled]);
    CHECK_THAT(coverage, Catch::StartsWith("CPython 3.11") && Catch::Contains("3.12") &&
                             Catch::Contains("x86_64-linux") && Catch::Contains("win_amd64") &&
                             !Catch::Contains("3.8") && !Catch::Contains("darwin"));
    CHECK_THAT(wheel_coverage(lock.packages[lock.find("stable").front()]),
               Catch::StartsWith("CPython 3.9 and newer (abi3) on "));
    CHECK_THAT(wheel_coverage(lock.packages[lock.find("pure").front()]),
               Catch::StartsWith("any Python on "));
    CHECK(wheel_coverage(lock.packages[lock.find("source").front()]).empty());

    // The error for a target no file fits: a stray of another version is named as such;
    // otherwise the wheels' reach is given.
    try {
        plan_one(lock, nullptr, Target::make("aarch64-darwin", "3.12"));
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK_THAT(e.message(), Catch::Contains("compiled-0.9-cp38-cp38-macosx_11_0_arm64.whl, a "
                                                "file of version 0.9, and no file of its own "
                                                "version usable on aarch64-darwin"));
    }
    const Lock native = small_lock(
        locked_package("native",
                       {.files = {locked_file("native-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"),
                                  locked_file("native-1.0-cp312-cp312-win_amd64.whl", 'b')}}),
        "native.lock");
    try {
        plan_one(native, nullptr, Target::make("x86_64-linux", "3.13"));
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK_THAT(e.message(),
                   Catch::Contains("`native` 1.0 has no file usable on x86_64-linux") &&
                       Catch::Contains("its wheels are for " +
                                       wheel_coverage(native.packages.front()) + ")"));
    }
}
