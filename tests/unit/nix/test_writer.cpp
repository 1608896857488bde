// The Nix writer: every input string escaped, names quoted when they are not identifiers, code
// only from typed nodes and compile-time constants, and each node kind laid out the way nixfmt
// does. The round trip through the real Nix is tagged [nix-eval].

#include "lock2nix/error.hpp"
#include "lock2nix/nix/writer.hpp"

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

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
    set.inherit(Value::var("pkgs"), {"fetchurl"});
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
    const Value f = Value::var("f");
    CHECK(nix::render(Value::call(f, std::move(arg))) == "f {\n  x = 1;\n}");
    CHECK(nix::render(Value::call(f, Value::call(Value::var("g"), Value::var("y")))) == "f (g y)");
    CHECK(nix::render(Value::call(f, Value::lambda({"a"}, Value::var("a")))) == "f (a: a)");
    CHECK(nix::render(Value::lambda({"final"}, Value::set_of())) == "final: { }");
    CHECK(nix::render(Value::lambda({"final", "prev"}, Value::set_of())) == "final: prev: { }");

    Value let = Value::set_of();
    let.inherit(Value::var("pkgs"), {"lib"});
    let.set("x", Value::raw("1"));
    CHECK(nix::render(Value::let_in(std::move(let), Value::var("x"))) ==
          "let\n  inherit (pkgs) lib;\n  x = 1;\nin\nx");
}

TEST_CASE("selections, calls, operators and functions are laid out as nixfmt does", "[nix]") {
    const Value pkgs = Value::var("pkgs");
    CHECK(nix::render(Value::null()) == "null");
    CHECK(nix::render(Value::boolean(true)) == "true");
    CHECK(nix::render(Value::boolean(false)) == "false");
    CHECK(nix::render(Value::select(pkgs, {"stdenv", "cc", "cc", "lib"})) ==
          "pkgs.stdenv.cc.cc.lib");
    CHECK(nix::render(Value::select_or(pkgs, {"python311"}, Value::null())) ==
          "pkgs.python311 or null");
    // A selection from something other than a name or a selection is parenthesised.
    CHECK(nix::render(Value::select(Value::call(Value::var("f"), Value::var("x")), {"y"})) ==
          "(f x).y");
    CHECK(nix::render(
              Value::call(Value::var("import"), {Value::raw("<nixpkgs>"), Value::set_of()})) ==
          "import <nixpkgs> { }");
    CHECK(nix::render(Value::call(Value::select(Value::var("lib"), {"cleanSource"}),
                                  Value::plus(Value::var("projectDir"), Value::str("/x")))) ==
          "lib.cleanSource (projectDir + \"/x\")");
    CHECK(nix::render(Value::call(Value::select(pkgs, {"writeText"}),
                                  {Value::str("a.patch"), Value::str("--- a\n")})) ==
          "pkgs.writeText \"a.patch\" \"--- a\\n\"");
    // Associative operations chain on the left; anything looser is parenthesised.
    CHECK(nix::render(Value::plus(Value::plus(Value::var("root"), Value::str("/a")),
                                  Value::str("/b"))) == "root + \"/a\" + \"/b\"");
    CHECK(nix::render(Value::plus(Value::var("a"),
                                  Value::plus(Value::var("b"), Value::var("c")))) == "a + (b + c)");
    CHECK(nix::render(Value::concat(Value::list({Value::var("a")}), Value::select(pkgs, {"b"}))) ==
          "[ a ] ++ pkgs.b");
    CHECK(nix::render(Value::plus(Value::lambda({"x"}, Value::var("x")), Value::var("y"))) ==
          "(x: x) + y");
    CHECK(nix::render(Value::parens(Value::plus(Value::raw("/."), Value::str("/abs")))) ==
          "(/. + \"/abs\")");
    CHECK(nix::render(Value::if_then_else(Value::not_equal(Value::var("python"), Value::null()),
                                          Value::var("python"),
                                          Value::call(Value::var("throw"), Value::str("none")))) ==
          "if python != null then python else throw \"none\"");
    // List items that are not single terms are parenthesised; one single-line item stays inline.
    CHECK(nix::render(Value::list({Value::call(Value::var("f"), Value::str("x"))})) ==
          "[ (f \"x\") ]");
    CHECK(nix::render(Value::list({Value::select(Value::var("final"), {"a"}),
                                   Value::plus(Value::var("p"), Value::str("/x"))})) ==
          "[\n  final.a\n  (p + \"/x\")\n]");
    CHECK(nix::render(Value::list(
              {Value::call(Value::var("f"), Value::set_of().set("a", Value::null()))})) ==
          "[\n  (f {\n    a = null;\n  })\n]");
    CHECK(nix::render(Value::lambda_with_defaults(
              {{"pkgs",
                Value::call(Value::var("import"), {Value::raw("<nixpkgs>"), Value::set_of()})},
               {"overrides", Value::parens(Value::lambda({"final", "prev"}, Value::set_of()))}},
              Value::var("pkgs"))) == "{\n"
                                      "  pkgs ? import <nixpkgs> { },\n"
                                      "  overrides ? (final: prev: { }),\n"
                                      "}:\n"
                                      "\n"
                                      "pkgs");
    CHECK(nix::render(Value::interpolated({Value::var("checkout"), Value::str("/sub")})) ==
          "\"${checkout}/sub\"");
}

namespace {

std::string_view fixed_part() {
    return "# for lock2nix's readers\n# only\nx: {\n  a = x;\n\n}\n";
}

} // namespace

TEST_CASE("an embedded file sits one level deeper, without its opening comment", "[nix]") {
    Value set = Value::set_of();
    Value part = Value::embedded(fixed_part);
    part.comments.emplace_back("fixed");
    set.set("f", std::move(part));
    CHECK(nix::render(set) == "{\n  # fixed\n  f =\n    x: {\n      a = x;\n\n    };\n}");
}

TEST_CASE("a deferred member is written as the tree would be, made once, when written", "[nix]") {
    auto member = [] {
        Value args = Value::set_of();
        args.set("src",
                 Value::call(Value::var("fetchurl"), Value::set_of().set("url", Value::str("u"))));
        args.set("dependencies", Value::list({Value::select(Value::var("final"), {"a"}),
                                              Value::select(Value::var("final"), {"b.c"})}));
        Value v = Value::call(Value::select(Value::var("python"), {"pkgs", "buildPythonPackage"}),
                              std::move(args));
        v.comments.emplace_back("why");
        return v;
    };
    Value tree = Value::set_of();
    tree.set("p", member());
    tree.set("q", Value::set_of().set("x", member()));
    int made = 0;
    Value later = Value::set_of();
    later.set("p", Value::deferred([&] {
                  ++made;
                  return member();
              }));
    later.set("q", Value::set_of().set("x", Value::deferred(member)));
    CHECK(made == 0);
    CHECK(nix::render(later) == nix::render(tree));
    CHECK(made == 1);
    CHECK(nix::render(tree).starts_with("{\n  # why\n  p = python.pkgs.buildPythonPackage {\n"));
}

TEST_CASE("rendering to a stream writes the same text in pieces", "[nix]") {
    // Enough members that the text is handed over several times before the end.
    Value tree = Value::set_of();
    Value later = Value::set_of();
    for (int i = 0; i < 5000; ++i) {
        const std::string name = "member" + std::to_string(i);
        Value v = Value::set_of().set("text",
                                      Value::str(std::string(40, static_cast<char>('a' + i % 26))));
        tree.set(name, v);
        later.set(name, Value::deferred([v] { return v; }));
    }
    std::ostringstream streamed;
    nix::render_to(streamed, later, 1);
    CHECK(streamed.str() == nix::render(tree, 1));
    CHECK(streamed.str().size() > (std::size_t{64} << 10) * 3);

    Value failing = Value::set_of();
    failing.set("a", Value::str("written"));
    failing.set("b", Value::deferred([]() -> Value { throw Error("made badly"); }));
    std::ostringstream partial;
    CHECK_THROWS_WITH(nix::render_to(partial, failing), Catch::Contains("made badly"));
}

TEST_CASE("a generated set makes its members in order, one at a time, when written", "[nix]") {
    Value tree = Value::set_of();
    tree.set("first", Value::str("set"));
    for (int i = 0; i < 3000; ++i) {
        tree.set("m" + std::to_string(i), Value::list({Value::str(std::to_string(i))}));
    }
    std::vector<std::size_t> asked;
    Value generated = Value::generated_set(3000, [&asked](std::size_t i) -> Value::Member {
        asked.push_back(i);
        return {"m" + std::to_string(i), Value::list({Value::str(std::to_string(i))})};
    });
    generated.set("first", Value::str("set"));
    CHECK(asked.empty());
    CHECK(!generated.empty());
    std::ostringstream streamed;
    nix::render_to(streamed, generated, 1);
    CHECK(streamed.str() == nix::render(tree, 1));
    REQUIRE(asked.size() == 3000);
    CHECK(std::is_sorted(asked.begin(), asked.end()));
    CHECK(asked.back() == 2999);
    CHECK(nix::render(Value::generated_set(
              0, [](std::size_t) -> Value::Member { throw Error("never asked"); })) == "{ }");
    // A name is quoted as any member's is.
    CHECK(nix::render(Value::generated_set(1, [](std::size_t) -> Value::Member {
              return {"zope.interface", Value::null()};
          })) == "{\n  \"zope.interface\" = null;\n}");
}

TEST_CASE("hostile text in every typed construct stays data", "[nix]") {
    const std::string hostile = "a\"${b}\\\nc";
    const std::string escaped = "\"a\\\"\\${b}\\\\\\nc\"";
    REQUIRE(nix::string_literal(hostile) == escaped);
    // Selection paths are quoted one by one; a dot inside a name stays inside it.
    CHECK(nix::render(Value::select(Value::var("final"), {hostile, "zope.interface", "ok"})) ==
          "final." + escaped + ".\"zope.interface\".ok");
    CHECK(nix::render(Value::select_or(Value::var("pkgs"), {"in"}, Value::str(hostile))) ==
          "pkgs.\"in\" or " + escaped);
    // A call's arguments, an operand and a path's string part are escaped like any string; `..`
    // stays in the string, for Nix to resolve when it adds it to the path.
    CHECK(nix::render(Value::call(Value::var("throw"), Value::str(hostile))) == "throw " + escaped);
    CHECK(nix::render(Value::plus(Value::var("projectDir"), Value::str("/../" + hostile))) ==
          "projectDir + \"/../a\\\"\\${b}\\\\\\nc\"");
    // Interpolated strings: text escaped, `${` only from typed parts, and a `$` that ends a text
    // part escaped so it cannot join the next part's `${`.
    CHECK(nix::render(
              Value::interpolated({Value::str(hostile), Value::var("x"), Value::str("$"),
                                   Value::select(Value::var("y"), {"z w"}), Value::str("end$")})) ==
          "\"a\\\"\\${b}\\\\\\nc${x}\\$${y.\"z w\"}end\\$\"");
    CHECK(nix::render(Value::interpolated({Value::str("$"), Value::str("{x}")})) == "\"\\${x}\"");
    // Inherited names are quoted; comments cannot end their line.
    Value set = Value::set_of();
    set.inherit(Value::var("pkgs"), {hostile});
    Value commented = Value::null();
    commented.comments.push_back("one\ntwo = throw \"x\";\r");
    set.set(hostile, std::move(commented));
    CHECK(nix::render(set) == "{\n  inherit (pkgs) " + escaped +
                                  ";\n  # one two = throw \"x\"; \n  " + escaped + " = null;\n}");
    CHECK(nix::comment_line("a\nb\x7f") == "# a b \n");
}

namespace {

template <class T>
constexpr bool becomes_code = requires(T t) {
    Value::raw(t);
};

template <class T>
constexpr bool becomes_variable = requires(T t) {
    Value::var(t);
};

} // namespace

TEST_CASE("only a string literal of lock2nix's source becomes code or a variable", "[nix]") {
    // The guarantee is the compiler's: no runtime string converts to code or to a name.
    static_assert(becomes_code<const char(&)[5]>);
    static_assert(!becomes_code<std::string>);
    static_assert(!becomes_code<const std::string&>);
    static_assert(!becomes_code<std::string_view>);
    static_assert(!becomes_code<const char*>);
    static_assert(!std::is_constructible_v<nix::NixCode, std::string>);
    static_assert(!std::is_constructible_v<nix::NixCode, std::string_view>);
    static_assert(!std::is_constructible_v<nix::NixCode, const char*>);
    static_assert(becomes_variable<const char(&)[6]>);
    static_assert(!becomes_variable<std::string>);
    static_assert(!becomes_variable<std::string_view>);
    static_assert(!becomes_variable<const char*>);
    static_assert(!std::is_constructible_v<nix::Name, std::string>);
    // Nor does any other way into a node's text: no public constructor, no public field but the
    // comments (which the writer makes single lines).
    static_assert(!std::is_default_constructible_v<Value>);
    static_assert(!std::is_constructible_v<Value, std::string>);
    static_assert(!std::is_constructible_v<Value, const char*>);
    // A name is checked when lock2nix is compiled, with the rule `is_identifier` applies.
    static_assert(nix::is_identifier("final") && nix::is_identifier("stdenv'"));
    static_assert(!nix::is_identifier("in") && !nix::is_identifier("a b") &&
                  !nix::is_identifier("${x}"));
    constexpr nix::NixCode code("<nixpkgs>");
    static_assert(code.text() == "<nixpkgs>");
    CHECK(nix::render(Value::raw("./.")) == "./.");
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

TEST_CASE("what the typed constructs write, Nix reads as the data they were given",
          "[nix][nix-eval]") {
    const std::string hostile = "\"${builtins.throw \"x\"}\\ $${y} ''${z}\n}; a = 1; {$";
    Value data = Value::set_of();
    data.set(hostile, Value::str(hostile));
    Value bindings = Value::set_of();
    bindings.set("data", std::move(data));
    bindings.set("text", Value::str(hostile));
    Value result = Value::set_of();
    result.set("select", Value::select(Value::var("data"), {hostile}));
    result.set("fallback",
               Value::select_or(Value::var("data"), {"missing", hostile}, Value::str(hostile)));
    result.set(
        "interpolated",
        Value::interpolated({Value::str(hostile), Value::var("text"), Value::str("$"),
                             Value::select(Value::var("data"), {hostile}), Value::str(hostile)}));
    result.set("call",
               Value::call(Value::select(Value::var("builtins"), {"concatStringsSep"}),
                           {Value::str(hostile), Value::list({Value::str("a"), Value::str("b")})}));
    // `..` in the string part of a path is resolved by Nix, as the renderer's path dependencies
    // (`projectDir + "/../sibling"`) need.
    result.set("path", Value::call(Value::select(Value::var("builtins"), {"toString"}),
                                   Value::parens(Value::plus(Value::raw("/."),
                                                             Value::str("/a/../b\"${x}\\")))));
    result.set("condition", Value::if_then_else(Value::not_equal(Value::var("text"), Value::null()),
                                                Value::str(hostile), Value::null()));
    const nlohmann::json back =
        nix_eval(nix::render(Value::let_in(std::move(bindings), std::move(result))));
    CHECK(back.at("select") == hostile);
    CHECK(back.at("fallback") == hostile);
    CHECK(back.at("interpolated") == hostile + hostile + "$" + hostile + hostile);
    CHECK(back.at("call") == "a" + hostile + "b");
    CHECK(back.at("path") == "/b\"${x}\\");
    CHECK(back.at("condition") == hostile);
}
