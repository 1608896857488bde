// Hostile inputs the library must survive, shown without a network or a process: each input
// here crashes, leaks or misbehaves in a reader that does not guard against it.

#include "lock2nix/error.hpp"
#include "lock2nix/project/lockfile.hpp"
#include "lock2nix/project/pyproject.hpp"
#include "lock2nix/standards/pep440.hpp"
#include "lock2nix/standards/pep508.hpp"

#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

using namespace lock2nix;

TEST_CASE("deeply nested marker parentheses are refused, not a stack overflow", "[hostile]") {
    // Unbounded recursion overflows the stack at 50,000 levels (SIGSEGV).
    const std::string text =
        std::string(50000, '(') + "python_version >= '3'" + std::string(50000, ')');
    try {
        (void)pep508::Marker::parse(text);
        FAIL("accepted");
    } catch (const SyntaxError& e) {
        CHECK_THAT(e.message(), Catch::Contains("nest deeper than 100"));
        CHECK(e.offset() == 100);
        // The message quotes a window around position 101, not all 100 KB of the marker.
        CHECK(e.message().size() < 200);
        CHECK(std::string(e.what()).size() < 200);
        CHECK_THAT(e.message(),
                   Catch::EndsWith("at position 101 of \"…" + std::string(80, '(') + "…\""));
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
    // A fuzz/fuzz_pep508 input: printed inside double quotes, the value would not parse back.
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

TEST_CASE("messages quote a bounded excerpt of long input", "[hostile]") {
    SECTION("short input is quoted whole") {
        CHECK(excerpt("python_version >= '3'", 5) == "python_version >= '3'");
        CHECK(excerpt(std::string(80, 'x')) == std::string(80, 'x'));
    }
    SECTION("a window around the offset, with an ellipsis where cut") {
        std::string text(1000, 'a');
        text[500] = '!';
        const std::string e = excerpt(text, 500);
        CHECK(e == "…" + std::string(20, 'a') + "!" + std::string(59, 'a') + "…");
        CHECK(excerpt(text, 0) == std::string(80, 'a') + "…");
        CHECK(excerpt(text, 999) == "…" + std::string(80, 'a'));
        CHECK(excerpt(text, 5000) == "…" + std::string(80, 'a'));
    }
    SECTION("cuts fall between UTF-8 characters") {
        std::string text;
        for (int i = 0; i < 100; ++i) {
            text += "é"; // two bytes each
        }
        const std::string e = excerpt(text, 51);
        const std::string inner = e.substr(3, e.size() - 6); // without both "…"
        REQUIRE(inner.size() % 2 == 0);
        for (std::size_t i = 0; i < inner.size(); i += 2) {
            CHECK(inner.substr(i, 2) == "é");
        }
    }
    SECTION("syntax errors of the standards parsers") {
        const std::string huge(100000, '9');
        for (const auto& parse : std::vector<std::function<void()>>{
                 [&] { (void)pep440::Version::parse("1.0+" + huge + "!"); },
                 [&] { (void)pep440::SpecifierSet::parse(">=1.0,<" + huge + "x"); },
                 [&] { (void)pep440::Constraint::parse("^" + huge + "x"); },
                 [&] { (void)pep508::Requirement::parse("name[" + huge); },
                 [&] { (void)pep508::Marker::parse("python_version >= '3' and " + huge); }}) {
            try {
                parse();
                FAIL("accepted");
            } catch (const Error& e) {
                CHECK(std::string(e.what()).size() < 400);
                CHECK_THAT(e.what(), Catch::Contains("…"));
            }
        }
    }
    SECTION("a long value in a lock") {
        const std::string prefix = "[metadata]\nlock-version = \"2.1\"\npython-versions = \"*\"\n"
                                   "content-hash = \"x\"\n[[package]]\nname = \"demo\"\n";
        const std::string huge(100000, 'x');
        for (const std::string& body :
             {"version = \"1.0\"\nfiles = [{file = \"demo-1.0.tar.gz\", hash = \":" + huge +
                  "\"}]\n",
              "version = \"1.0\"\nfiles = [{file = \"" + huge + "/x\", hash = \"sha256:0\"}]\n",
              "version = \"1.0\"\nfiles = []\n[package.source]\ntype = \"url\"\nurl = \"" + huge +
                  "\"\n"}) {
            try {
                (void)parse_lock(prefix + body, "poetry.lock");
                FAIL("accepted");
            } catch (const Error& e) {
                CHECK(std::string(e.what()).size() < 600);
                CHECK(e.position().known());
            }
        }
    }
    SECTION("a value quoted whole by a message keeps its ends") {
        const Error e("a value `" + std::string(1 << 20, 'x') + "` was bad", "poetry.lock",
                      SourcePosition{1, 1});
        CHECK(std::string(e.what()).size() < 400);
        CHECK_THAT(e.what(), Catch::Contains("bytes left out"));
        CHECK_THAT(e.what(), Catch::EndsWith("x` was bad"));
    }
    SECTION("real words are not cut") {
        const std::string wheel = "charset_normalizer-3.4.9-cp310-cp310-manylinux2014_aarch64."
                                  "manylinux_2_17_aarch64.manylinux_2_28_aarch64.whl";
        const Error e("no file usable: " + wheel, "poetry.lock", SourcePosition{1, 1});
        CHECK_THAT(e.what(), Catch::EndsWith(wheel));
    }
    SECTION("however many values a message quotes, it is bounded") {
        std::string many;
        for (int i = 0; i < 5000; ++i) {
            many += " `" + std::string(200, 'x') + "`";
        }
        const Error e("values:" + many, "poetry.lock", SourcePosition{1, 1});
        CHECK(std::string(e.what()).size() < (17 << 10));
        CHECK_THAT(e.what(), Catch::Contains("bytes left out"));
    }
}

TEST_CASE("non-ASCII outside strings and comments is refused before toml++ sees it", "[hostile]") {
    // Unpatched, toml++ 3.3 reaches __builtin_unreachable classifying these while recording a key
    // or value for its own error message (UBSan, under fuzz.lock, fuzz.pyproject and
    // fuzz.overrides).
    const std::vector<std::pair<std::string, SourcePosition>> cases = {
        {"[abc\u00e9]\n", {1, 5}},
        {"[metadata]\na = 1\u00e9\n", {2, 6}},
        {"a.\u00e9 = 1\n", {1, 3}},
        {"\u00e9 = 1\n", {1, 1}},
        {"x = [1, \u00e9]\n", {1, 9}},
        {"x = { \u00e9 = 1 }\n", {1, 7}},
        {"a = 1979-05-27T\u00e9\n", {1, 16}},
        // A quote inside a bare token opens no string for toml++, which reads on through it
        // (an input of fuzz.overrides and fuzz.pyproject: `systems = [1"9792-97:32:…ə u"]`).
        {"x = [1\"2-\u0259 u\"]\n", {1, 10}},
        {"x = 0\"d\u01fd\"\n", {1, 8}},
        {"x = a\"\u00e9\"\n", {1, 7}},
        {"x = 1 \"\u00e9\"\n", {1, 8}},
        // Lines counted through multi-line strings, also where a backslash ends one of their
        // lines (the guard stepped over that newline without counting it: one line short).
        {"x = \"\"\"a\nb\\\nc\\\r\n\"\"\"\ny = 1\u00e9\n", {5, 6}},
        {"x = \'\'\'a\\\nb\'\'\'\ny = \u00e9\n", {3, 5}},
    };
    for (const auto& c : cases) {
        // Named copies, not a structured binding: the lambdas capture them (clang 14 refuses).
        const std::string& text = c.first;
        const SourcePosition at = c.second;
        for (const auto& read : std::vector<std::function<void()>>{
                 [&] { (void)parse_lock(text, "poetry.lock"); },
                 [&] { (void)parse_pyproject(text, "pyproject.toml"); }}) {
            try {
                read();
                FAIL("accepted: " << text);
            } catch (const Error& e) {
                CHECK_THAT(e.message(), Catch::Contains("non-ASCII character outside"));
                CHECK(e.position() == at);
            }
        }
    }
    // A backslash at the end of a one-line string ends nothing: the string is unterminated
    // there, and that is the error, at its line (the guard read on as if the string went on,
    // and blamed a later line for a non-ASCII character).
    for (const std::string text :
         {"x = \"a\\\nb\"\n\u00e9 = 1\n", "x = \"a\\\r\nb\"\n\u00e9 = 1\n"}) {
        try {
            (void)parse_lock(text, "poetry.lock");
            FAIL("accepted: " << text);
        } catch (const Error& e) {
            CHECK_THAT(e.message(), Catch::Contains("invalid TOML"));
            CHECK(e.position().line == 1);
        }
    }
    // Where TOML allows it, it stays allowed.
    const Pyproject pp = parse_pyproject(
        "# \u00e9t\u00e9\n[tool.poetry]\nname = \"caf\u00e9\"\n"
        "description = '\u00e9'\n\"k\u00e9y\" = \"\"\"\n\u00e9\"\"\"\n"
        "a.\"\u00e9\" = 1\nt = { \"\u00e9\" = [\"\u00e9\", # \u00e9\n  '\u00e9'] }\n"
        "[\"\u00e9\".'\u00e9']\n[[ \"\u00f6\" ]]\n",
        "pyproject.toml");
    CHECK(pp.poetry.name == "caf\u00e9");
}

TEST_CASE("a line-ending backslash before non-ASCII text reads as TOML says", "[hostile]") {
    // Valid TOML that took toml++ 3.3 to its unreachable branch (undefined behaviour): after a
    // line-ending backslash it asks whether each next character is whitespace, and its table
    // of non-ASCII whitespace had no answer for U+00A1..U+0499. lib/project/toml.hpp gives it one.
    const Pyproject pp = parse_pyproject("[tool.poetry]\nname = \"x\"\n"
                                         "description = \"\"\"caf\\\n    \u00e9 \\\n\u0259 \\\n"
                                         "\u00a0\u3000x\"\"\"\n",
                                         "pyproject.toml");
    // Non-breaking and ideographic spaces are whitespace to toml++ and are trimmed too.
    CHECK(pp.poetry.description == "caf\u00e9 \u0259 x");
    // An escape of a non-ASCII character is an error, never undefined behaviour.
    CHECK_THROWS_AS(parse_pyproject("[tool.poetry]\nname = \"\"\"\\\u00e9\"\"\"\n", "p.toml"),
                    Error);
}
