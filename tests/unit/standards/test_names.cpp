#include "lock2nix/standards/names.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

using namespace lock2nix;

TEST_CASE("PEP 503 normalisation matches packaging's canonicalize_name", "[names]") {
    const auto vectors = test::load_json(test::shared("vectors/normalize.json"));
    std::size_t ran = 0;
    for (const auto& c : vectors["cases"]) {
        INFO(c["name"].get<std::string>());
        CHECK(canonicalize_name(c["name"].get<std::string>()) ==
              c["normalized"].get<std::string>());
        ++ran;
    }
    REQUIRE(ran == vectors["cases"].size());
    REQUIRE(ran >= 16);
}

TEST_CASE("project name validity", "[names]") {
    CHECK(is_valid_project_name("zope.interface"));
    CHECK(is_valid_project_name("A"));
    CHECK_FALSE(is_valid_project_name(""));
    CHECK_FALSE(is_valid_project_name("-foo"));
    CHECK_FALSE(is_valid_project_name("foo-"));
    CHECK_FALSE(is_valid_project_name("foo bar"));
    CHECK_FALSE(is_valid_project_name("${x}"));
}
