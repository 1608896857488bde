// The PEP 503 HTML reader on malformed and truncated pages: it never reads past the page (the
// sanitizer build checks that), and it keeps exactly the anchors that are complete.

#include "lock2nix/fetch/index.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace lock2nix;

namespace {

const std::string page_url = "https://index.example/simple/pkg/";

std::vector<std::string> urls_of(std::string_view html) {
    std::vector<std::string> out;
    for (const IndexFile& f : parse_simple_html(html, page_url)) {
        out.push_back(f.url);
    }
    return out;
}

// Parses a copy of `html` in a buffer of exactly its size, so that reading one byte past it is
// a heap overflow the sanitizer reports (a std::string would offer its terminating NUL).
std::vector<std::string> urls_of_exact(const std::string& html) {
    std::vector<char> buffer(html.begin(), html.end());
    return urls_of(std::string_view(buffer.data(), buffer.size()));
}

} // namespace

TEST_CASE("HTML pages cut anywhere: only complete anchors, never a read past the end", "[index]") {
    const std::string page =
        "<!DOCTYPE html><html><head><base href=\"https://mirror.example/files/\">"
        "</head><body>\n"
        "<a href=\"pkg-1.0.tar.gz#sha256=abcd\" "
        "data-requires-python=\"&gt;=3.8\">pkg-1.0</a><br/>\n"
        "<A HREF='pkg-1.1.tar.gz' data-yanked>pkg-1.1</A>\n"
        "<a data-requires-python=\">=3.9\" href=pkg-1.2.tar.gz>pkg-1.2</a>\n"
        "</body></html>\n";
    const std::vector<std::string> all = urls_of(page);
    REQUIRE(all == std::vector<std::string>{"https://mirror.example/files/pkg-1.0.tar.gz",
                                            "https://mirror.example/files/pkg-1.1.tar.gz",
                                            "https://mirror.example/files/pkg-1.2.tar.gz"});
    const auto files = parse_simple_html(page, page_url);
    CHECK(files[0].requires_python == ">=3.8");
    CHECK(files[0].hashes.at("sha256") == "abcd");
    CHECK(files[1].yanked);
    CHECK(files[2].requires_python == ">=3.9"); // a '>' inside quotes does not end the tag
    // Every prefix (a page cut by a dropped connection or a broken mirror) gives the anchors
    // that are complete in it, each exactly as in the whole page, in order.
    for (std::size_t n = 0; n <= page.size(); ++n) {
        const std::string cut = page.substr(0, n);
        INFO("the first " << n << " bytes: " << cut);
        const auto got = urls_of_exact(cut);
        REQUIRE(got.size() <= all.size());
        CHECK(std::equal(got.begin(), got.end(), all.begin()));
    }
}

TEST_CASE("HTML pages with unterminated tags, attributes and quotes", "[index]") {
    const std::vector<std::string> cases = {
        "<base href=",
        "<base href=\"https://mirror.example/",
        "<base href='",
        "<base",
        "<base ",
        "<a href=\"pkg-1.0.tar.gz\">x</a><base href=",
        "<a href=\"pkg-1.0.tar.gz\">x</a><a",
        "<a href=\"pkg-1.0.tar.gz\">x</a><a ",
        "<a href=\"pkg-1.0.tar.gz\">x</a><a href",
        "<a href=\"pkg-1.0.tar.gz\">x</a><a href=",
        "<a href=\"pkg-1.0.tar.gz\">x</a><a href=\"",
        "<a href=\"pkg-1.0.tar.gz\">x</a><a href=\"pkg-2.0.tar.gz",
        "<a href=\"pkg-1.0.tar.gz\">x</a><a href=pkg-2.0.tar.gz",
        "<a href=\"pkg-1.0.tar.gz\">x</a><a href=\"pkg-2.0.tar.gz\" data-requires-python=\"",
        "<a href=\"pkg-1.0.tar.gz\">x</a><a href=\"pkg-2.0.tar.gz\" data-yanked",
        "<a href=\"pkg-1.0.tar.gz\">x</a><",
        "<a href=\"pkg-1.0.tar.gz\">x</a><!--",
        "<a href=\"pkg-1.0.tar.gz\">x</a>&",
        "<a href=\"pkg-1.0.tar.gz\">x</a>&#",
    };
    for (const std::string& html : cases) {
        INFO(html);
        const auto got = urls_of_exact(html);
        if (html.starts_with("<a")) {
            CHECK(got == std::vector<std::string>{page_url + "pkg-1.0.tar.gz"});
        } else {
            CHECK(got.empty());
        }
    }
}

TEST_CASE("HTML attributes: names are whole words, values may be odd", "[index]") {
    // `xhref` and `data-href` are not `href`; entity-only and empty values do not crash.
    CHECK(urls_of("<a xhref=\"a.tar.gz\" data-href=\"b.tar.gz\" href=\"c.tar.gz\">c</a>") ==
          std::vector<std::string>{page_url + "c.tar.gz"});
    CHECK(urls_of("<a href=\"\">none</a><a href>none</a><a href=\"&#;&#x;&#99999999999999999999;\">"
                  "</a>")
              .size() == 1);
    // Comments are skipped whole: an apostrophe in one does not open a quote.
    CHECK(urls_of("<!-- don't --><a href=\"a.tar.gz\">a</a><!-- <a href=\"b.tar.gz\"> -->") ==
          std::vector<std::string>{page_url + "a.tar.gz"});
    CHECK(urls_of("<abbr href=\"a.tar.gz\">no anchor</abbr><a\nhref=\"b.tar.gz\">b</a>") ==
          std::vector<std::string>{page_url + "b.tar.gz"});
}
