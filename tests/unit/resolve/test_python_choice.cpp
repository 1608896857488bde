#include "lock2nix/resolve/artifacts.hpp"
#include "lock2nix/resolve/python_choice.hpp"
#include "lock2nix/standards/tags.hpp"

#include <catch2/catch.hpp>

using namespace lock2nix;

namespace {

// A [[package]] of a 2.1 lock in group main, with these files (digests made up).
std::string package(const std::string& name, const std::string& version,
                    const std::vector<std::string>& files, const std::string& markers = "") {
    std::string out = "[[package]]\nname = \"" + name + "\"\nversion = \"" + version +
                      "\"\ndescription = \"\"\noptional = false\npython-versions = \"*\"\n"
                      "groups = [\"main\"]\n";
    if (!markers.empty()) {
        out += "markers = '" + markers + "'\n";
    }
    out += "files = [\n";
    for (const auto& f : files) {
        out += "  {file = \"" + f + "\", hash = \"sha256:" + std::string(64, 'a') + "\"},\n";
    }
    return out + "]\n\n";
}

Lock lock_of(const std::string& packages, const std::string& python = "^3.8") {
    return parse_lock(packages + "[metadata]\nlock-version = \"2.1\"\npython-versions = \"" +
                          python + "\"\ncontent-hash = \"x\"\n",
                      "poetry.lock");
}

// The release the tests judge against: its interpreters are read from nixpkgs/releases.toml,
// so the expectations name them through it rather than by number where it matters.
const NixpkgsRelease& release() {
    return nixpkgs_release("25.11");
}

PythonQuestion question(std::vector<std::string> systems = {"x86_64-linux"}) {
    PythonQuestion q;
    q.systems = std::move(systems);
    q.release = &release();
    q.make_target = [](const std::string& system, const NixpkgsPython& python) {
        return Target::make(system, python.full, release());
    };
    return q;
}

// Wheels of a compiled package for CPython 3.minor, first..last, on manylinux x86_64.
std::vector<std::string> cp_wheels(const std::string& name, const std::string& version, int first,
                                   int last) {
    std::vector<std::string> out;
    for (int m = first; m <= last; ++m) {
        const std::string tag = "cp3" + std::to_string(m);
        out.push_back(name + "-" + version + "-" + tag + "-" + tag +
                      "-manylinux_2_17_x86_64.manylinux2014_x86_64.whl");
    }
    return out;
}

std::string newest() {
    return release().pythons.front().version;
}

} // namespace

TEST_CASE("with pure wheels only, the default is the newest interpreter allowed", "[python]") {
    const Lock lock = lock_of(package("six", "1.16.0", {"six-1.16.0-py2.py3-none-any.whl"}));
    const PythonChoice c = choose_python(lock, nullptr, question());
    CHECK(c.python.version == newest());
    CHECK(c.reason.starts_with("Python " + newest() + ", the newest interpreter the lock allows"));
    CHECK(c.warnings.empty());
}

TEST_CASE("the range of the lock bounds the choice", "[python]") {
    const Lock lock =
        lock_of(package("six", "1.16.0", {"six-1.16.0-py2.py3-none-any.whl"}), ">=3.8,<3.12");
    CHECK(choose_python(lock, nullptr, question()).python.version == "3.11");
    const Lock none =
        lock_of(package("six", "1.16.0", {"six-1.16.0-py2.py3-none-any.whl"}), ">=3.1,<3.5");
    CHECK_THROWS_WITH(choose_python(none, nullptr, question()),
                      Catch::Contains("allow none of the interpreters nixpkgs 25.11 offers"));
}

TEST_CASE("a lock whose only working Python is an older one gets that one", "[python]") {
    // torch-like: binary wheels for CPython 3.8-3.12, no sdist.
    auto files = cp_wheels("torch", "2.2.1+cpu", 8, 12);
    files.push_back("torch-2.2.1+cpu-cp312-cp312-win_amd64.whl");
    const Lock lock = lock_of(package("torch", "2.2.1+cpu", files) +
                              package("six", "1.16.0", {"six-1.16.0-py2.py3-none-any.whl"}));
    const PythonChoice c = choose_python(lock, nullptr, question());
    CHECK(c.python.version == "3.12");
    CHECK_THAT(c.reason, Catch::Contains("has no usable file for torch 2.2.1+cpu on x86_64-linux"));
    CHECK(c.reason.starts_with("Python 3.12: 3.13 has no usable file"));
}

TEST_CASE("the default avoids building compiled packages from source", "[python]") {
    // numpy with wheels up to 3.11 and an sdist: 3.12 and newer would build it.
    auto numpy = cp_wheels("numpy", "1.24.4", 8, 11);
    numpy.push_back("numpy-1.24.4.tar.gz");
    const Lock lock =
        lock_of(package("numpy", "1.24.4", numpy) +
                package("tomli", "2.0.1", {"tomli-2.0.1-py3-none-any.whl", "tomli-2.0.1.tar.gz"}));
    const PythonChoice c = choose_python(lock, nullptr, question());
    CHECK(c.python.version == "3.11");
    CHECK_THAT(c.reason,
               Catch::Contains("3.12 would build 1 compiled package from source (numpy)"));
    // The pure package's sdist beside its wheel does not count; nor does a pure sdist alone.
    const PythonAssessment a = assess_python(lock, nullptr, question(), *release().python("3.12"));
    CHECK(a.installs_everything());
    CHECK(a.source_builds == std::vector<std::string>{"numpy"});
}

TEST_CASE("fewest source builds wins, newest on a tie", "[python]") {
    // a: wheels to 3.12; b: wheels to 3.11. 3.11 builds none, 3.12 builds b, newer build both.
    auto a = cp_wheels("a", "1.0", 10, 12);
    a.push_back("a-1.0.tar.gz");
    auto b = cp_wheels("b", "1.0", 10, 11);
    b.push_back("b-1.0.tar.gz");
    const Lock lock = lock_of(package("a", "1.0", a) + package("b", "1.0", b));
    CHECK(choose_python(lock, nullptr, question()).python.version == "3.11");
    // With both only up to 3.10 and 3.11 equal in cost... 3.10 builds none, 3.11 builds none
    // for a lock of wheels to 3.11 for both: the newest of the tie (3.11).
    auto c = cp_wheels("c", "1.0", 10, 11);
    c.push_back("c-1.0.tar.gz");
    const Lock tie = lock_of(package("b", "1.0", b) + package("c", "1.0", c));
    CHECK(choose_python(tie, nullptr, question()).python.version == "3.11");
}

TEST_CASE("a package only some Pythons select is judged only there", "[python]") {
    // An old backport selected below 3.11 only, with wheels for 3.10 only: it does not hold the
    // newer interpreters back, and 3.10 is not picked for it.
    const Lock lock = lock_of(package("backport", "1.0", cp_wheels("backport", "1.0", 10, 10),
                                      "python_version < \"3.11\"") +
                              package("six", "1.16.0", {"six-1.16.0-py2.py3-none-any.whl"}));
    CHECK(choose_python(lock, nullptr, question()).python.version == newest());
}

TEST_CASE("every target system must be served", "[python]") {
    // Linux wheels for 3.10-3.13, macOS arm64 only for 3.10-3.12.
    auto files = cp_wheels("x", "1.0", 10, 13);
    for (int m = 10; m <= 12; ++m) {
        const std::string tag = "cp3" + std::to_string(m);
        files.push_back("x-1.0-" + tag + "-" + tag + "-macosx_11_0_arm64.whl");
    }
    const Lock lock = lock_of(package("x", "1.0", files));
    CHECK(choose_python(lock, nullptr, question({"x86_64-linux"})).python.version == "3.13");
    CHECK(
        choose_python(lock, nullptr, question({"x86_64-linux", "aarch64-darwin"})).python.version ==
        "3.12");
}

TEST_CASE(".python-version is followed when the lock allows it", "[python]") {
    const Lock lock = lock_of(package("six", "1.16.0", {"six-1.16.0-py2.py3-none-any.whl"}));
    PythonQuestion q = question();
    q.python_version_file = "# pinned\n3.12.4\n";
    PythonChoice c = choose_python(lock, nullptr, q);
    CHECK(c.python.version == "3.12");
    CHECK(c.reason == "Python 3.12, from .python-version");
    q.python_version_file = "cpython-3.11\n";
    CHECK(choose_python(lock, nullptr, q).python.version == "3.11");
    // Not offered by the release, outside the lock's range, or not a CPython version: not
    // followed, said, and the rule decides.
    q.python_version_file = "3.6\n";
    c = choose_python(lock, nullptr, q);
    CHECK(c.python.version == newest());
    REQUIRE(c.warnings.size() == 1);
    CHECK_THAT(c.warnings[0], Catch::Contains("does not offer"));
    const Lock narrow =
        lock_of(package("six", "1.16.0", {"six-1.16.0-py2.py3-none-any.whl"}), ">=3.12");
    q.python_version_file = "3.11";
    c = choose_python(narrow, nullptr, q);
    CHECK(c.python.version == newest());
    CHECK_THAT(c.warnings.at(0), Catch::Contains("the lock's Python range excludes"));
    q.python_version_file = "pypy3.10\n";
    CHECK_THAT(choose_python(lock, nullptr, q).warnings.at(0),
               Catch::Contains("names no CPython 3.X"));
    // One that leaves a package without a file is not followed either.
    const Lock torch = lock_of(package("torch", "2.2.1", cp_wheels("torch", "2.2.1", 8, 12)));
    q.python_version_file = "3.13";
    c = choose_python(torch, nullptr, q);
    CHECK(c.python.version == "3.12");
    CHECK_THAT(c.warnings.at(0), Catch::Contains("has no usable file for torch"));
}

TEST_CASE("a named Python: warned for source builds, refused with the way out", "[python]") {
    auto numpy = cp_wheels("numpy", "1.24.4", 8, 11);
    numpy.push_back("numpy-1.24.4.tar.gz");
    const Lock lock = lock_of(package("numpy", "1.24.4", numpy));
    const auto warnings =
        check_python(lock, nullptr, question(), Target::make("x86_64-linux", "3.13", release()));
    REQUIRE(warnings.size() == 1);
    CHECK_THAT(warnings[0], Catch::Contains("Python 3.13 would build 1 compiled package from "
                                            "source (numpy); Python 3.11 installs them all"));
    CHECK(check_python(lock, nullptr, question(), Target::make("x86_64-linux", "3.11", release()))
              .empty());
    const Lock torch = lock_of(package("torch", "2.2.1", cp_wheels("torch", "2.2.1", 8, 12)));
    try {
        check_python(torch, nullptr, question(), Target::make("x86_64-linux", "3.13", release()));
        FAIL("no error");
    } catch (const Error& e) {
        CHECK_THAT(e.message(), Catch::Contains("Python 3.13 has no usable file for torch 2.2.1"));
        CHECK_THAT(e.hint(), Catch::Contains("Python 3.12 installs every package of the lock"));
        CHECK_THAT(e.hint(), Catch::Contains("TranslateOptions::pythons"));
    }
}

TEST_CASE("a package with no usable file says where its wheels run", "[python]") {
    auto files = cp_wheels("torch", "2.2.1+cpu", 8, 12);
    files.push_back("torch-2.2.1+cpu-cp310-cp310-win_amd64.whl");
    files.push_back("torch-2.2.1+cpu-cp38-abi3-macosx_11_0_arm64.whl");
    const Lock lock = lock_of(package("torch", "2.2.1+cpu", files));
    CHECK(wheel_coverage(lock.packages[0]) ==
          "CPython 3.8\u20133.12, 3.8 and newer (abi3) on aarch64-darwin, win_amd64, "
          "x86_64-linux");
    const Target t = Target::make("x86_64-linux", "3.13", release());
    CHECK_THROWS_WITH(
        choose_artifact(lock, 0, t, tags::TagRanking(t), {}),
        Catch::Contains("has no file usable on x86_64-linux/cpython3.13 (its wheels are for "
                        "CPython 3.8\u20133.12"));
    CHECK(publishes_binary_wheels(lock.packages[0]));
    const Lock pure = lock_of(package("six", "1.16.0", {"six-1.16.0-py2.py3-none-any.whl"}));
    CHECK_FALSE(publishes_binary_wheels(pure.packages[0]));
    CHECK(wheel_coverage(pure.packages[0]) == "any Python on any platform");
}

TEST_CASE("releases are data: interpreters, patch levels and platform versions", "[python]") {
    const NixpkgsRelease& r = release();
    REQUIRE_FALSE(r.pythons.empty());
    for (std::size_t i = 1; i < r.pythons.size(); ++i) {
        CHECK(r.pythons[i - 1].minor > r.pythons[i].minor);
    }
    const NixpkgsPython* p = r.python("3.12");
    REQUIRE(p != nullptr);
    CHECK(p->attribute == "python312");
    const Target t = Target::make("x86_64-linux", "3.12", r);
    CHECK(t.python_full_version() == p->full);
    CHECK(t.libc_minor == r.glibc_minor);
    CHECK(Target::make("aarch64-darwin", "3.12", r).macos_major == r.macos_major);
    CHECK(&nixpkgs_release("") == &default_nixpkgs_release());
    CHECK_THROWS_WITH(nixpkgs_release("24.05x"), Catch::Contains("unknown nixpkgs release"));
}

TEST_CASE("a wheel at a URL is judged by its tags", "[python]") {
    // torch's +cu118 wheels are locked by URL; one for CPython 3.12 only.
    const Lock lock = lock_of(
        package("torch", "2.0.1+cu118", {"torch-2.0.1+cu118-cp312-cp312-linux_x86_64.whl"}) +
        "[package.source]\ntype = \"url\"\nurl = \"https://download.example.org/whl/cu118/"
        "torch-2.0.1%2Bcu118-cp312-cp312-linux_x86_64.whl\"\n\n");
    const PythonChoice c = choose_python(lock, nullptr, question());
    CHECK(c.python.version == "3.12");
    CHECK_THAT(c.reason, Catch::Contains("has no usable file for torch 2.0.1+cu118"));
}
