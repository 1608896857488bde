// Errors name settings in the library's words; a front end renders them in its own.

#include "lock2nix/error.hpp"

#include <catch2/catch.hpp>

using lock2nix::Error;
using lock2nix::mention;
using lock2nix::Setting;

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
