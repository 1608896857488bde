#include "lock2nix/overrides.hpp"
#include "lock2nix/translate.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

using namespace lock2nix;

TEST_CASE("every default entry is valid", "[overrides]") {
    const auto db = OverrideDatabase::with_defaults();
    CHECK(db.default_package_count() >= 8343);
    // Walk the generated database through its source: every package it names parses and
    // resolves without error at a typical version.
    std::ifstream in(std::string(LOCK2NIX_TEST_DIR) + "/../overrides/build-systems.toml");
    std::string line;
    std::size_t packages = 0;
    while (std::getline(in, line)) {
        if (line.starts_with("[[")) {
            const std::string name = line.substr(2, line.size() - 4);
            CHECK_NOTHROW(db.resolve(name, "1.0"));
            ++packages;
        }
    }
    CHECK(packages >= 8343);
}

TEST_CASE("entries match by name and PEP 440 version range", "[overrides]") {
    const auto db = OverrideDatabase::with_defaults();
    CHECK(db.resolve("attrs", "22.2.0").list("build-systems") ==
          std::vector<std::string>{"setuptools"});
    CHECK(db.resolve("attrs", "23.1.0").list("build-systems") ==
          std::vector<std::string>{"hatch-fancy-pypi-readme", "hatch-vcs", "hatchling"});
    // Ranges are PEP 440 specifier sets: "<23.1.0" admits no pre-release of 23.1.0 and
    // ">=23.1.0" starts after them, so 23.1.0rc1 matches neither entry.
    CHECK(db.resolve("Attrs", "23.1.0rc1").list("build-systems").empty());
    CHECK(db.resolve("Attrs", "23.0.0rc1").list("build-systems") ==
          std::vector<std::string>{"setuptools"});
    CHECK(db.resolve("torch", "2.1.0").maybe_flag("prefer-wheel") == false);
    CHECK(db.resolve("typing", "3.7.4.3").flag("disabled"));
    CHECK(db.resolve("no-such-package-anywhere", "1.0").empty());
}

TEST_CASE("layers: project entries beat defaults, --overrides files beat both", "[overrides]") {
    auto db = OverrideDatabase::with_defaults();
    const auto dir = std::filesystem::temp_directory_path() / "lock2nix-overrides-test";
    std::filesystem::create_directories(dir);
    {
        std::ofstream(dir / "pyproject.toml")
            << "[tool.lock2nix.overrides.torch]\nprefer-wheel = true\n"
               "post-install = \"echo project\"\n";
        std::ofstream(dir / "user.toml")
            << "[[torch]]\nversions = \">=2\"\npost-install = \"echo user\"\n";
    }
    db.add_pyproject((dir / "pyproject.toml").string());
    db.add_path((dir / "user.toml").string(), OverrideLayer::user);
    const Recipe r = db.resolve("torch", "2.1.0");
    CHECK(r.maybe_flag("prefer-wheel") == true);
    CHECK(r.origins.at("prefer-wheel").starts_with("project "));
    CHECK(r.text("post-install") == "echo user");
    CHECK(r.origins.at("post-install").starts_with("--overrides "));
    CHECK(r.list("build-systems") == std::vector<std::string>{"setuptools"}); // from the defaults
    CHECK(db.resolve("torch", "1.13.0").text("post-install") == "echo project"); // outside >=2
    std::filesystem::remove_all(dir);
}

TEST_CASE("lists combine inside a layer, contradicting flags name both entries", "[overrides]") {
    OverrideDatabase db;
    db.add_file("[[x]]\nbuild-inputs = [\"zlib\"]\n[[x]]\nversions = \">=1\"\nbuild-inputs = "
                "[\"openssl\", \"zlib\"]\n"
                "[[y]]\ndont-strip = true\n[[y]]\nversions = \"<2\"\ndont-strip = false\n",
                "o.toml", OverrideLayer::user);
    CHECK(db.resolve("x", "1.5").list("build-inputs") ==
          std::vector<std::string>{"zlib", "openssl"});
    CHECK(db.resolve("y", "3.0").flag("dont-strip"));
    try {
        db.resolve("y", "1.0");
        FAIL("expected a contradiction");
    } catch (const Error& e) {
        const std::string msg = e.what();
        CHECK(msg.find("o.toml:6:1") != std::string::npos); // the two [[y]] entries
        CHECK(msg.find("o.toml:8:1") != std::string::npos);
    }
}

TEST_CASE("bad override files are errors with a position", "[overrides]") {
    OverrideDatabase db;
    CHECK_THROWS_AS(db.add_file("[[x]]\nnope = 1\n", "a.toml", OverrideLayer::user), Error);
    try {
        db.add_file("[[x]]\nbuild-inputs = [\"ok\", \"not ok\"]\n", "b.toml", OverrideLayer::user);
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.position() == SourcePosition{2, 23});
    }
}

TEST_CASE("the override keys are all documented", "[overrides]") {
    const std::string readme =
        test::slurp(std::string(LOCK2NIX_TEST_DIR) + "/../overrides/README.md");
    for (const auto& [key, kind] : override_keys()) {
        INFO(key);
        CHECK(readme.find("`" + key + "`") != std::string::npos);
    }
}
