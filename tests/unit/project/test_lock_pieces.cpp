// parse_lock reads a lock one [[package]] entry at a time where a scan of its headers allows it;
// these tests hold it to the whole-document reading: the same model (every field and position)
// or the same error (message, position, hint), on real locks, on the repository's bad inputs and
// fuzz seeds, and on texts made to mislead the scan.
#include "lock2nix/project/lockfile.hpp"
#include "project/lock_pieces.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <optional>

using namespace lock2nix;

namespace {

struct Reading {
    std::optional<Lock> lock;
    std::optional<Error> error;
};

template <class Read>
Reading reading(Read&& read) {
    Reading r;
    try {
        r.lock = read();
    } catch (const Error& e) {
        r.error = e;
    }
    return r;
}

// parse_lock (in pieces where the split allows) against the whole-document reading; returns
// whether parse_lock read the text in pieces.
bool same_reading(const std::string& text, const std::string& path = "poetry.lock") {
    const Reading whole = reading([&] { return detail::parse_lock_whole(text, path); });
    const Reading pieces = reading([&] { return parse_lock(text, path); });
    REQUIRE(whole.lock.has_value() == pieces.lock.has_value());
    if (whole.lock) {
        CHECK(detail::lock_difference(*whole.lock, *pieces.lock).empty());
    } else {
        CHECK(pieces.error->describe() == whole.error->describe());
        CHECK(pieces.error->position() == whole.error->position());
        CHECK(pieces.error->file() == whole.error->file());
    }
    return detail::split_lock(text).has_value();
}

Error error_of(const std::string& text) {
    try {
        parse_lock(text, "poetry.lock");
    } catch (const Error& e) {
        return e;
    }
    FAIL("no error for:\n" << text);
    throw;
}

std::string entry(const std::string& name, const std::string& extra = "") {
    return "[[package]]\nname = \"" + name +
           "\"\nversion = \"1.0\"\ndescription = \"\"\noptional = false\n"
           "python-versions = \"*\"\n" +
           extra + "files = []\n\n[package.dependencies]\nsix = \">=1\"\n\n";
}

const std::string metadata =
    "[metadata]\nlock-version = \"2.0\"\npython-versions = \"^3.8\"\ncontent-hash = \"abc\"\n";

std::size_t package_pieces(const std::string& text) {
    const auto pieces = detail::split_lock(text);
    REQUIRE(pieces);
    std::size_t n = 0;
    for (const auto& p : *pieces) {
        n += p.package ? 1 : 0;
    }
    return n;
}

enum class Layout { projects, lock_files, any_files };

std::size_t same_reading_below(const std::filesystem::path& root, Layout layout) {
    std::size_t locks = 0;
    for (const auto& e : std::filesystem::directory_iterator(root)) {
        const auto path = layout == Layout::projects ? e.path() / "poetry.lock" : e.path();
        if (!std::filesystem::is_regular_file(path) ||
            (layout == Layout::lock_files && path.extension() != ".lock")) {
            continue;
        }
        INFO(path.string());
        same_reading(test::slurp(path.string()), path.string());
        ++locks;
    }
    return locks;
}

} // namespace

TEST_CASE("read in pieces, every corpus lock gives the whole reading's model",
          "[lockfile][corpus]") {
    std::size_t locks = 0;
    std::size_t whole = 0;
    for (const std::string group : {"real", "poetry2nix-tests"}) {
        for (const auto& e : std::filesystem::directory_iterator(test::corpus("corpus/" + group))) {
            const auto path = (e.path() / "poetry.lock").string();
            if (!std::filesystem::exists(path)) {
                continue;
            }
            INFO(path);
            const std::string text = test::slurp(path);
            const Lock expected = detail::parse_lock_whole(text, path);
            const std::optional<Lock> pieces = detail::parse_lock_in_pieces(text, path);
            if (pieces) {
                CHECK(detail::lock_difference(expected, *pieces).empty());
            } else {
                // Poetry writes `package = []` when nothing is locked: a root key, read whole.
                CHECK(expected.packages.empty());
                ++whole;
            }
            ++locks;
        }
    }
    CHECK(locks == 177 + 36);
    CHECK(whole == 3);
}

TEST_CASE("read in pieces, the fixtures, bad inputs and fuzz seeds read as a whole", "[lockfile]") {
    const std::filesystem::path tests(LOCK2NIX_TEST_DIR);
    CHECK(same_reading_below(test::shared("fixtures/poetry-locks"), Layout::lock_files) == 30);
    CHECK(same_reading_below(test::shared("corpus/poetry2nix-tests"), Layout::projects) == 7);
    CHECK(same_reading_below(test::shared("corpus/real"), Layout::projects) == 1);
    CHECK(same_reading_below(tests / "bad-input" / "cases", Layout::lock_files) >= 18);
    CHECK(same_reading_below(tests.parent_path() / "fuzz" / "corpus" / "lock", Layout::any_files) >
          0);
}

TEST_CASE("read in pieces, positions are the file's", "[lockfile]") {
    const std::string text = entry("a") + entry("b") + entry("c") + metadata;
    REQUIRE(package_pieces(text) == 3);
    REQUIRE(same_reading(text));
    const Lock lock = parse_lock(text, "poetry.lock");
    CHECK(lock.packages[2].position == SourcePosition{23, 1});
    CHECK(lock.packages[2].dependencies[0].position == SourcePosition{32, 7});
    CHECK(lock.python_versions_position == SourcePosition{36, 19});
}

TEST_CASE("read in pieces, an error on the last line of a late entry is placed in the file",
          "[lockfile]") {
    const std::string text = entry("a") + entry("b") + entry("c") + entry("d") +
                             "[[package]]\nname = \"e\"\nversion = 5\n\n" + metadata;
    REQUIRE(same_reading(text));
    const Error e = error_of(text);
    CHECK(e.message() == "expected a string for `version`, found an integer");
    CHECK(e.position() == SourcePosition{47, 11});
}

TEST_CASE("read in pieces, a syntax error anywhere comes before any error of the model",
          "[lockfile]") {
    SECTION("a syntax error in the third entry, a missing version in the first") {
        const std::string text =
            "[[package]]\nname = \"a\"\n\n" + entry("b") + entry("c", "broken = = 1\n") + metadata;
        REQUIRE(same_reading(text));
        const Error e = error_of(text);
        CHECK(e.message().starts_with("invalid TOML"));
        CHECK(e.position().line > 13);
    }
    SECTION("a syntax error in [metadata], after the entries") {
        const std::string text = "[[package]]\nname = \"a\"\n\n" + entry("b") + metadata + "x =\n";
        REQUIRE(same_reading(text));
        CHECK(error_of(text).message().starts_with("invalid TOML"));
    }
    SECTION("[metadata]'s errors before an entry's") {
        const std::string text = "[[package]]\nname = \"a\"\n\n" + entry("b") +
                                 "[metadata]\nlock-version = \"3.0\"\ncontent-hash = \"abc\"\n";
        REQUIRE(same_reading(text));
        CHECK(error_of(text).message().starts_with("unsupported lock-version 3.0"));
    }
    SECTION("a non-ASCII character outside strings in a late entry, a syntax error before it") {
        const std::string text =
            entry("a", "x = = 1\n") + entry("b") + entry("c", "é = 1\n") + metadata;
        REQUIRE(same_reading(text));
        CHECK(error_of(text).message() ==
              "a non-ASCII character outside a quoted string or comment");
    }
    SECTION("a key too deep in the last entry") {
        std::string deep = "k";
        for (int i = 0; i < 200; ++i) {
            deep += ".k";
        }
        const std::string text = entry("a") + entry("b", deep + " = 1\n") + metadata;
        REQUIRE(same_reading(text));
        CHECK(error_of(text).position().line == 18);
    }
    SECTION("a table defined twice in one entry") {
        const std::string text =
            entry("a") + entry("b") + "[package.dependencies]\nx = \"1\"\n" + metadata;
        REQUIRE(same_reading(text));
        CHECK(error_of(text).message().starts_with("invalid TOML"));
    }
    SECTION("[metadata] defined twice after the entries") {
        const std::string text = entry("a") + metadata + "\n[metadata]\ncontent-hash = \"x\"\n";
        REQUIRE(same_reading(text));
        CHECK(error_of(text).position().line == 17);
    }
}

TEST_CASE("read in pieces, headers the scan must not take", "[lockfile]") {
    SECTION("inside multi-line strings and arrays") {
        const std::string text =
            entry("a", "x = \"\"\"\n[[package]]\nname = \"evil\"\n\"\"\"\n") +
            entry("b", "y = '''\n[metadata]\n'''\nz = [\n\"\"\"\n[[package]]\n\"\"\",\n]\n") +
            metadata;
        CHECK(package_pieces(text) == 2);
        REQUIRE(same_reading(text));
        CHECK(parse_lock(text, "poetry.lock").packages.size() == 2);
    }
    SECTION("in comments") {
        const std::string text = "# [[package]]\n" + entry("a", "x = 1 # [[package]]\n") +
                                 "  # [package.x]\n" + entry("b") + metadata;
        CHECK(package_pieces(text) == 2);
        CHECK(same_reading(text));
    }
    SECTION("an escaped quote does not end a string") {
        const std::string text =
            entry("a", "x = \"\\\"\\n[[package]]\\\"\"\n") + entry("b") + metadata;
        CHECK(package_pieces(text) == 2);
        CHECK(same_reading(text));
    }
}

TEST_CASE("read in pieces, unusual spellings are read whole", "[lockfile]") {
    for (const std::string& text : {
             "[ [package] ]\nname = \"a\"\n" + metadata,
             "[[\"package\"]]\nname = \"a\"\nversion = \"1\"\n" + metadata,
             "[[ package ]]\nname = \"a\"\nversion = \"1\"\n" + metadata,
             "[[package]] x\nname = \"a\"\nversion = \"1\"\n" + metadata,
             "[package]\nname = \"a\"\n" + entry("b") + metadata,
             entry("a") + "[\"package\".extras]\nx = []\n" + metadata,
             entry("a") + "[package .extras]\nx = []\n" + metadata,
             "package = []\n" + metadata,
             "x = 1\n" + entry("a") + metadata,
             metadata + "[package.extras]\n" + entry("a"),
             metadata + entry("a") + "[extras]\nx = []\n",
             entry("a") + "[extras]\n" + entry("b") + metadata,
             entry("a", "x = \"unterminated\n") + metadata,
             entry("a", "x = ]\n") + metadata,
             entry("a") + "\r[[package]]\nname = \"b\"\n" + metadata,
             // toml++ places an invalid UTF-8 sequence by the 32-byte block it decodes it in.
             entry("a") + entry("b", "x = \"\xC3\x28\"\n") + metadata,
             entry("a") + entry("b", "x = \"\xED\xA0\x80\"\n") + metadata,
         }) {
        INFO(text);
        CHECK_FALSE(same_reading(text));
    }
    CHECK(package_pieces(entry("a") + entry("b", "x = \"caf\xC3\xA9 \xF0\x9F\x90\x8D\"\n") +
                         metadata) == 2);
    // Other tables before the entries, on one side, are one part.
    CHECK(same_reading(metadata + "[extras]\n" + entry("a") + entry("b")));
    CHECK(package_pieces(metadata + "[extras]\n" + entry("a") + entry("b")) == 2);
}

TEST_CASE("read in pieces, CRLF line ends and a byte-order mark", "[lockfile]") {
    std::string crlf;
    for (char c : entry("a") + entry("b") + entry("c", "x = 5\n") + metadata) {
        crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    }
    CHECK(package_pieces(crlf) == 3);
    CHECK(same_reading(crlf));
    const std::string bom = "\xEF\xBB\xBF";
    const std::string with_bom = bom + "# generated\n" + entry("a") + entry("b") + metadata;
    const auto pieces = detail::split_lock(with_bom);
    REQUIRE(pieces);
    CHECK(pieces->front().begin == 0);
    CHECK(same_reading(with_bom));
    CHECK(same_reading(bom + entry("a") + entry("b", "version = 1\n") + metadata));
    CHECK(same_reading(bom + crlf));
}

TEST_CASE("read in pieces, the split's parts", "[lockfile]") {
    const std::string head = "# generated\n\n";
    const std::string text = head + entry("a") + entry("b") + metadata;
    const auto pieces = detail::split_lock(text);
    REQUIRE(pieces);
    REQUIRE(pieces->size() == 3);
    CHECK(pieces->at(0).begin == 0);
    CHECK(pieces->at(0).first_line == 1);
    CHECK(pieces->at(1).begin == head.size() + entry("a").size());
    CHECK(pieces->at(1).first_line == 14);
    CHECK_FALSE(pieces->at(2).package);
    CHECK(pieces->at(2).first_line == 25);
    CHECK(pieces->at(2).end == text.size());
    CHECK_FALSE(detail::split_lock(metadata)); // no entries: nothing to split
}
