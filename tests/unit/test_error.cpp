// Errors name settings in the library's words; a front end renders them in its own.

#include "lock2nix/error.hpp"

#include <catch2/catch.hpp>

using lock2nix::Error;
using lock2nix::ErrorKind;
using lock2nix::mention;
using lock2nix::rethrow_unless_unsatisfiable;
using lock2nix::Setting;
using lock2nix::SyntaxError;

namespace {

std::string flag(Setting s) {
    return s == Setting::pythons ? "--python" : "--other";
}

bool has_control(const std::string& s) {
    return std::any_of(s.begin(), s.end(), [](char c) { return c == '\x1e' || c == '\x1f'; });
}

} // namespace

TEST_CASE("a mention reads in the library's words unless a front end names it", "[error]") {
    const Error e("no interpreter fits", "poetry.lock", {3, 1},
                  "choose a target Python (" + mention(Setting::pythons) + ")");
    CHECK(e.hint() == "choose a target Python (TranslateOptions::pythons)");
    CHECK(std::string(e.what()).find("(TranslateOptions::pythons)") != std::string::npos);
    CHECK_FALSE(has_control(e.what()));
    CHECK(e.describe(flag) ==
          "poetry.lock:3:1: error: no interpreter fits\n  hint: choose a target Python (--python)");
}

TEST_CASE("an error placed elsewhere keeps its mentions", "[error]") {
    const Error inner(mention(Setting::pythons) + " is wrong", {}, {},
                      "see " + mention(Setting::offline));
    const Error outer = inner.located("poetry.lock", {7, 2}, "package `a` 1.0: ");
    CHECK(outer.describe(flag) ==
          "poetry.lock:7:2: error: package `a` 1.0: --python is wrong\n  hint: see --other");
    CHECK(outer.message() == "package `a` 1.0: TranslateOptions::pythons is wrong");
}

TEST_CASE("text that only looks like a mention is kept and printed escaped", "[error]") {
    // Numbers past the last setting, non-digits and unclosed markers are not mentions.
    for (const std::string fake : {"\x1e"
                                   "99\x1f",
                                   "\x1e"
                                   "x\x1f",
                                   "\x1e"
                                   "1",
                                   "a\x1f"
                                   "b"}) {
        CHECK(lock2nix::render_settings(fake) == fake);
        const Error e("bad name `" + fake + "`");
        CHECK_FALSE(has_control(e.what()));
    }
    CHECK(lock2nix::render_settings("a " + mention(Setting::macos) + " b " +
                                    mention(Setting::concurrency)) ==
          "a TranslateOptions::macos b FetchOptions::concurrency");
}

TEST_CASE("an error's kind survives placing it, and only an unsatisfiable one is recovered from",
          "[error]") {
    const Error unservable("no file usable", "poetry.lock", {3, 1}, "pick another Python",
                           ErrorKind::unsatisfiable);
    const Error placed = unservable.located("other.lock", {7, 2}, "in b: ");
    CHECK(placed.kind() == ErrorKind::unsatisfiable);
    CHECK(placed.message() == "in b: no file usable");
    CHECK(placed.hint() == "pick another Python");
    CHECK(Error("plain").kind() == ErrorKind::invalid_input);
    CHECK(lock2nix::to_string(ErrorKind::network) == "network");

    auto recover = [](const auto& thrown) {
        try {
            throw thrown;
        } catch (const Error& e) {
            rethrow_unless_unsatisfiable(e);
            return true;
        }
    };
    CHECK(recover(unservable));
    CHECK_THROWS_AS(recover(Error("bad key")), Error);
    // Rethrown as itself: a caller further up can still tell a syntax error by its type.
    CHECK_THROWS_AS(recover(SyntaxError("expected a version", "1..0", 2)), SyntaxError);
    CHECK(SyntaxError("expected a version", "1..0", 2).kind() == ErrorKind::invalid_input);
}
