#include "lock2nix/standards/tags.hpp"
#include "support.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <sstream>

using namespace lock2nix;
using namespace lock2nix::tags;

namespace {
const nlohmann::json& vectors() {
    static const auto doc = test::load_json(test::shared("vectors/tags.json"));
    return doc;
}

// "x86_64-linux cpython3.11 glibc2.40" → Target
Target target_named(const std::string& name) {
    std::istringstream words(name);
    std::string system;
    std::string python;
    std::string platform;
    words >> system >> python >> platform;
    Target t = Target::make(system, python.substr(std::string("cpython").size()));
    auto version = [](const std::string& s, int& major, int& minor) {
        const auto dot = s.find('.');
        major = std::stoi(s.substr(0, dot));
        minor = std::stoi(s.substr(dot + 1));
    };
    if (platform.starts_with("glibc")) {
        version(platform.substr(5), t.libc_major, t.libc_minor);
    } else if (platform.starts_with("musl")) {
        t.libc = Target::Libc::musl;
        version(platform.substr(4), t.libc_major, t.libc_minor);
    } else {
        version(platform.substr(5), t.macos_major, t.macos_minor);
    }
    return t;
}
} // namespace

TEST_CASE("wheel file names parse as packaging parses them", "[tags]") {
    std::size_t ran = 0;
    for (const auto& c : vectors()["wheels"]) {
        const std::string file = c["filename"];
        INFO(file);
        const auto w = WheelName::try_parse(file);
        REQUIRE(w.has_value() == c["valid"].get<bool>());
        ++ran;
        if (!w) {
            continue;
        }
        CHECK(w->name == c["name"].get<std::string>());
        CHECK(w->version.str() == c["version"].get<std::string>());
        if (c["build"].is_null()) {
            CHECK_FALSE(w->build.has_value());
        } else {
            REQUIRE(w->build.has_value());
            CHECK(w->build->first == c["build"][0].get<std::uint64_t>());
            CHECK(w->build->second == c["build"][1].get<std::string>());
        }
        std::vector<std::string> got;
        for (const Tag& t : w->tags) {
            got.push_back(t.str());
        }
        std::sort(got.begin(), got.end());
        CHECK(got == c["tags"].get<std::vector<std::string>>());
    }
    WARN("wheel name cases run: " << ran);
}

TEST_CASE("sdist file names: packaging's two forms, older archives flagged", "[tags]") {
    for (const auto& c : vectors()["sdists"]) {
        const std::string file = c["filename"];
        INFO(file);
        const auto s = SdistName::try_parse(file);
        CHECK((s.has_value() && s->standard) == c["valid"].get<bool>());
        if (c["valid"].get<bool>()) {
            CHECK(s->name == c["name"].get<std::string>());
            CHECK(s->version.str() == c["version"].get<std::string>());
        }
    }
    const auto old = SdistName::parse("foo-1.0.tar.bz2");
    CHECK_FALSE(old.standard);
    CHECK(old.extension == ".tar.bz2");
    CHECK(classify("foo-1.0.tgz") == FileKind::sdist);
    CHECK(classify("foo-1.0-py2.7.egg") == FileKind::egg);
    CHECK(classify("foo-1.0-py3-none-any.whl") == FileKind::wheel);
    CHECK(classify("foo-1.0.exe") == FileKind::other);
}

TEST_CASE("supported tags of a target, in packaging's order", "[tags]") {
    std::size_t compared = 0;
    for (const auto& [name, expected] : vectors()["targets"].items()) {
        INFO(name);
        const Target t = target_named(name);
        CHECK(platform_tags(t) == expected["platforms"].get<std::vector<std::string>>());
        std::vector<std::string> got;
        for (const Tag& tag : supported_tags(t)) {
            got.push_back(tag.str());
        }
        const auto want = expected["supported_tags_in_order"].get<std::vector<std::string>>();
        CHECK(got == want);
        compared += want.size();
    }
    WARN("supported tags compared: " << compared);
}

TEST_CASE("the best wheel for a target", "[tags]") {
    const TagRanking linux(Target::make("x86_64-linux", "3.11"));
    const TagRanking mac(Target::make("aarch64-darwin", "3.12"));
    auto rank = [](const TagRanking& r, const char* file) {
        return r.rank(WheelName::parse(file));
    };
    const char* manylinux =
        "numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
    const char* pure = "numpy-1.26.4-py3-none-any.whl";
    const char* macwheel = "numpy-1.26.4-cp312-cp312-macosx_11_0_arm64.whl";
    REQUIRE(rank(linux, manylinux));
    REQUIRE(rank(linux, pure));
    CHECK(*rank(linux, manylinux) < *rank(linux, pure));
    CHECK_FALSE(rank(linux, macwheel));
    CHECK(rank(mac, macwheel));
    CHECK_FALSE(rank(mac, manylinux));
    CHECK_FALSE(rank(linux, "numpy-1.26.4-cp312-cp312-manylinux_2_17_x86_64.whl"));
    CHECK(rank(linux, "cryptography-42.0.5-cp39-abi3-manylinux_2_28_x86_64.whl"));
}

TEST_CASE("target model and marker environment", "[tags]") {
    const Target t = Target::make("aarch64-darwin", "3.12.4");
    CHECK(t.python_full_version() == "3.12.4");
    CHECK(t.nix_python_attribute() == "python312");
    const auto env = t.marker_environment();
    CHECK(*env.get(pep508::Variable::sys_platform) == "darwin");
    CHECK(*env.get(pep508::Variable::platform_machine) == "arm64");
    CHECK(*env.get(pep508::Variable::platform_system) == "Darwin");
    CHECK(env.get(pep508::Variable::platform_release) == nullptr);
    CHECK_THROWS_AS(Target::make("riscv64-linux", "3.11"), Error);
    CHECK_THROWS_AS(Target::make("x86_64-linux", "three"), Error);
}
