// Regression tests for the findings of issue #11 (6–13) that the library can show without a
// network or a process: each input here once crashed, leaked or misbehaved.

#include "lock2nix/error.hpp"
#include "lock2nix/project/lockfile.hpp"
#include "lock2nix/project/pyproject.hpp"
#include "lock2nix/standards/pep508.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace lock2nix;

TEST_CASE("deeply nested marker parentheses are refused, not a stack overflow", "[hostile]") {
    // 50,000 levels once crashed with SIGSEGV (finding 6).
    const std::string text =
        std::string(50000, '(') + "python_version >= '3'" + std::string(50000, ')');
    try {
        (void)pep508::Marker::parse(text);
        FAIL("accepted");
    } catch (const SyntaxError& e) {
        CHECK_THAT(e.message(), Catch::Contains("nest deeper than 100"));
        CHECK(e.offset() == 100);
    }
    // Shallow nesting still parses.
    const std::string ok = std::string(20, '(') + "python_version >= '3'" + std::string(20, ')');
    CHECK(pep508::Marker::parse(ok).str() == "python_version >= \"3\"");
}

TEST_CASE("TOML nested too deep is refused with a position before toml++ sees it", "[hostile]") {
    const std::string prefix = "[metadata]\nlock-version = \"2.0\"\npython-versions = \"*\"\n"
                               "content-hash = \"x\"\n";
    auto depth_error = [&](const std::string& body) -> Error {
        try {
            (void)parse_lock(prefix + body, "poetry.lock");
        } catch (const Error& e) {
            return e;
        }
        FAIL("accepted");
        return Error("unreachable");
    };
    std::string dotted = "a";
    for (int i = 0; i < 40000; ++i) {
        dotted += ".a";
    }
    SECTION("a 40,000-deep dotted key") {
        const Error e = depth_error(dotted + " = 1\n");
        CHECK_THAT(e.message(), Catch::Contains("nests deeper than 128"));
        CHECK(e.file() == "poetry.lock");
        CHECK(e.position() == SourcePosition{5, 256});
    }
    SECTION("a 40,000-deep table header") {
        const Error e = depth_error("[" + dotted + "]\n");
        CHECK_THAT(e.message(), Catch::Contains("nests deeper than 128"));
        CHECK(e.position().line == 5);
    }
    SECTION("inline tables whose keys nest") {
        std::string text = "x = ";
        for (int i = 0; i < 100; ++i) {
            text += "{a.b = ";
        }
        text += "1" + std::string(100, '}') + "\n";
        const Error e = depth_error(text);
        CHECK_THAT(e.message(), Catch::Contains("nests deeper than 128"));
        CHECK(e.position().line == 5);
    }
    SECTION("10,000 nested arrays") {
        const Error e = depth_error("x = " + std::string(10000, '[') + std::string(10000, ']'));
        CHECK_THAT(e.message(), Catch::Contains("an array or table nests deeper than 128"));
        CHECK(e.position() == SourcePosition{5, 133});
    }
    SECTION("strings, comments and floats do not count") {
        const std::string text = "# " + dotted + "\n[[package]]\nname = \"" + dotted +
                                 "\"\nversion = '1.0'\ndescription = \"\"\"\n" + dotted +
                                 "\n\"\"\"\nx = [1.5, 2.5]\n";
        CHECK_NOTHROW(parse_lock(prefix + text, "poetry.lock"));
    }
}

TEST_CASE("a marker value holding a double quote prints so that it parses back", "[hostile]") {
    // Found by fuzz/fuzz_pep508: the value was printed inside double quotes.
    const auto m = pep508::Marker::parse("'5.6a0\"x' < platform_release");
    CHECK(m.str() == "'5.6a0\"x' < platform_release");
    const auto again = pep508::Marker::try_parse(m.str());
    REQUIRE(again);
    CHECK(again->str() == m.str());
    CHECK(pep508::Marker::parse("python_version == 'a\"b'").str() == "python_version == 'a\"b'");
}

TEST_CASE("a marker comparing two variables is refused, not compared with a variable's name",
          "[hostile]") {
    // Found by fuzz/fuzz_pep508: `extra <= python_version` printed as `extra <= "python_version"`.
    try {
        (void)pep508::Marker::parse("extra <= python_version");
        FAIL("accepted");
    } catch (const SyntaxError& e) {
        CHECK_THAT(e.message(), Catch::Contains("between two variables"));
        CHECK(e.offset() == 0);
    }
}
