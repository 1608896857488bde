// The Nix writer: every input string escaped, names quoted when they are not identifiers, and each
// node kind laid out the way nixfmt does. The round trip through the real Nix is tagged [nix].

#include "lock2nix/error.hpp"
#include "lock2nix/nix/writer.hpp"

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace lock2nix;
using nix::Value;

TEST_CASE("string literals escape quotes, backslashes, interpolation and control characters",
          "[nix]") {
    CHECK(nix::string_literal("plain") == "\"plain\"");
    CHECK(nix::string_literal("a\"b") == "\"a\\\"b\"");
    CHECK(nix::string_literal("a\\b") == "\"a\\\\b\"");
    CHECK(nix::string_literal("${x}") == "\"\\${x}\"");
    CHECK(nix::string_literal("$x $ {") == "\"$x $ {\"");
    CHECK(nix::string_literal("$${x}") == "\"$\\${x}\"");
    CHECK(nix::string_literal("l1\nl2\r\t") == "\"l1\\nl2\\r\\t\"");
    CHECK(nix::string_literal("é☃") == "\"é☃\"");
    CHECK_THROWS_AS(nix::string_literal(std::string("a\0b", 3)), Error);
}

TEST_CASE("attribute names are bare only when they are identifiers and not keywords", "[nix]") {
    CHECK(nix::attribute_name("requests") == "requests");
    CHECK(nix::attribute_name("charset-normalizer") == "charset-normalizer");
    CHECK(nix::attribute_name("a'b") == "a'b");
    CHECK(nix::attribute_name("2fast") == "\"2fast\"");
    CHECK(nix::attribute_name("zope.interface") == "\"zope.interface\"");
    CHECK(nix::attribute_name("name@1.0") == "\"name@1.0\"");
    CHECK(nix::attribute_name("") == "\"\"");
    for (const char* keyword :
         {"if", "then", "else", "assert", "with", "let", "in", "rec", "inherit", "or"}) {
        CHECK(nix::attribute_name(keyword) == "\"" + std::string(keyword) + "\"");
    }
    CHECK(nix::attribute_name("inherit (builtins) abort") == "\"inherit (builtins) abort\"");
    CHECK(nix::select("final", "a.b") == "final.\"a.b\"");
}

TEST_CASE("every node kind is laid out as nixfmt does", "[nix]") {
    CHECK(nix::render(Value::raw("x")) == "x");
    CHECK(nix::render(Value::str("s")) == "\"s\"");
    CHECK(nix::render(Value::list()) == "[ ]");
    CHECK(nix::render(Value::list({Value::str("one")})) == "[ \"one\" ]");
    CHECK(nix::render(Value::list({Value::str("a"), Value::raw("b")})) == "[\n  \"a\"\n  b\n]");
    CHECK(nix::render(Value::set_of()) == "{ }");

    Value set = Value::set_of();
    set.set("plain", Value::str("v"));
    set.set("needs quotes", Value::raw("1"));
    Value commented = Value::raw("2");
    commented.comments.emplace_back("why two");
    set.set("two", std::move(commented));
    set.inherit({"a", "b-c", "in"});
    set.inherit({"fetchurl"}, "pkgs");
    CHECK(nix::render(set) == "{\n"
                              "  plain = \"v\";\n"
                              "  \"needs quotes\" = 1;\n"
                              "  # why two\n"
                              "  two = 2;\n"
                              "  inherit a b-c \"in\";\n"
                              "  inherit (pkgs) fetchurl;\n"
                              "}");

    Value arg = Value::set_of();
    arg.set("x", Value::raw("1"));
    CHECK(nix::render(Value::apply("f", std::move(arg))) == "f {\n  x = 1;\n}");
    CHECK(nix::render(Value::apply("f", Value::apply("g", Value::raw("y")))) == "f (g y)");
    CHECK(nix::render(Value::apply("f", Value::lambda("a", Value::raw("a")))) == "f (a: a)");
    CHECK(nix::render(Value::lambda("final", Value::set_of())) == "final: { }");

    Value let = Value::set_of();
    let.inherit({"lib"}, "pkgs");
    let.set("x", Value::raw("1"));
    CHECK(nix::render(Value::let_in(std::move(let.attrs), Value::raw("x"))) ==
          "let\n  inherit (pkgs) lib;\n  x = 1;\nin\nx");
    // An inherit is a member, never a value.
    Value lone = Value::set_of();
    lone.inherit({"a"});
    CHECK_THROWS_AS(nix::render(lone.attrs.front().second), Error);
}

namespace {

// Evaluates `expression` with the real Nix and returns its JSON value.
nlohmann::json nix_eval(const std::string& expression) {
    const auto dir = std::filesystem::temp_directory_path() / "lock2nix-writer-test";
    std::filesystem::create_directories(dir);
    const auto file = dir / "e.nix";
    std::ofstream(file) << expression;
    const std::string command = "nix-instantiate --eval --strict --json " + file.string() + " 2>&1";
    std::string out;
    FILE* p = popen(command.c_str(), "r");
    REQUIRE(p != nullptr);
    std::array<char, 4096> buffer{};
    while (std::fgets(buffer.data(), buffer.size(), p) != nullptr) {
        out += buffer.data();
    }
    const int status = pclose(p);
    std::filesystem::remove_all(dir);
    INFO(expression << "\n" << out);
    REQUIRE(status == 0);
    return nlohmann::json::parse(out);
}

} // namespace

TEST_CASE("what the writer escapes, Nix reads back unchanged", "[nix][nix-eval]") {
    const std::vector<std::string> hostile = {"plain",
                                              "\"",
                                              "\\",
                                              "${builtins.throw \"x\"}",
                                              "$${x}",
                                              "\\${x}",
                                              "''${x}",
                                              "$",
                                              "a\nb\r\tc",
                                              "é☃",
                                              "}; inherit (builtins) abort; {",
                                              "\x01\x1f",
                                              "'' ''$ ''\\n"};
    Value set = Value::set_of();
    for (std::size_t i = 0; i < hostile.size(); ++i) {
        set.set(hostile[i], Value::str(hostile[i])); // as a name and as a value
    }
    const nlohmann::json back = nix_eval(nix::render(set));
    REQUIRE(back.size() == hostile.size());
    for (const auto& s : hostile) {
        INFO(s);
        REQUIRE(back.contains(s));
        CHECK(back.at(s).get<std::string>() == s);
    }
}
