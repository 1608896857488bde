#include "lock2nix/standards/pep440.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

using namespace lock2nix;
using namespace lock2nix::pep440;

namespace {
const nlohmann::json& vectors() {
    static const auto doc = test::load_json(test::shared("vectors/pep440.json"));
    return doc;
}
} // namespace

TEST_CASE("PEP 440 parsing and normalisation match packaging", "[pep440]") {
    std::size_t ran = 0;
    for (const auto& c : vectors()["parse"]) {
        const std::string input = c["input"];
        INFO("input: '" << input << "'");
        const auto v = Version::try_parse(input);
        REQUIRE(v.has_value() == c["valid"].get<bool>());
        ++ran;
        if (!v) {
            CHECK_THROWS_AS(Version::parse(input), SyntaxError);
            continue;
        }
        CHECK(v->str() == c["normalized"].get<std::string>());
        CHECK(v->epoch == c["epoch"].get<std::uint64_t>());
        CHECK(v->release == c["release"].get<std::vector<std::uint64_t>>());
        CHECK(v->is_prerelease() == c["is_prerelease"].get<bool>());
        CHECK(v->public_str() == c["public"].get<std::string>());
        CHECK(v->base_version() == c["base_version"].get<std::string>());
        CHECK(v->post.has_value() == !c["post"].is_null());
        CHECK(v->dev.has_value() == !c["dev"].is_null());
        CHECK(v->pre.has_value() == !c["pre"].is_null());
    }
    WARN("PEP 440 parse cases run: " << ran);
    CHECK(ran == vectors()["parse"].size());
}

TEST_CASE("PEP 440 total order matches packaging", "[pep440]") {
    std::vector<Version> versions;
    for (const auto& s : vectors()["order"]) {
        versions.push_back(Version::parse(s.get<std::string>()));
    }
    for (std::size_t i = 0; i < versions.size(); ++i) {
        for (std::size_t j = 0; j < versions.size(); ++j) {
            INFO(versions[i].str() << " vs " << versions[j].str());
            CHECK((versions[i] <=> versions[j]) == (i <=> j));
        }
    }
    WARN("PEP 440 order pairs compared: " << versions.size() * versions.size());
}

TEST_CASE("specifier containment matches packaging, pre-releases default/true/false", "[pep440]") {
    std::size_t ran = 0;
    std::size_t failed = 0;
    for (const auto& c : vectors()["specifiers"]) {
        const std::string spec = c["specifier"];
        const std::string version = c["version"];
        std::optional<bool> pre;
        if (!c["prereleases"].is_null()) {
            pre = c["prereleases"].get<bool>();
        }
        const bool got = SpecifierSet::parse(spec).contains(std::string_view(version), pre);
        if (got != c["contains"].get<bool>()) {
            ++failed;
            if (failed < 20) {
                FAIL_CHECK(spec << " contains " << version << " (prereleases "
                                << c["prereleases"].dump() << "): expected "
                                << c["contains"].dump());
            }
        }
        ++ran;
    }
    WARN("PEP 440 specifier cases run: " << ran << ", failed: " << failed);
    CHECK(failed == 0);
}

TEST_CASE("invalid specifiers are rejected with a position", "[pep440]") {
    for (const auto& s : vectors()["invalid_specifiers"]) {
        INFO(s.get<std::string>());
        CHECK_THROWS_AS(Specifier::parse(s.get<std::string>()), SyntaxError);
    }
    try {
        SpecifierSet::parse(">=1.0, <=2.0+local");
        FAIL("expected an error");
    } catch (const SyntaxError& e) {
        CHECK(e.offset() == 12); // the "+"
    }
}

TEST_CASE("Poetry constraint syntax", "[pep440]") {
    auto holds = [](std::string_view constraint, std::string_view version) {
        return Constraint::parse(constraint).contains(Version::parse(version));
    };
    CHECK(holds("^1.2", "1.9.9"));
    CHECK_FALSE(holds("^1.2", "2.0"));
    CHECK_FALSE(holds("^1.2", "1.1"));
    CHECK(holds("^0.2.3", "0.2.9"));
    CHECK_FALSE(holds("^0.2.3", "0.3.0"));
    CHECK(holds("^0.0.3", "0.0.3"));
    CHECK_FALSE(holds("^0.0.3", "0.0.4"));
    CHECK(holds("~1.2", "1.2.7"));
    CHECK_FALSE(holds("~1.2", "1.3"));
    CHECK(holds("~1", "1.9"));
    CHECK(holds("~=1.2", "1.9"));
    CHECK_FALSE(holds("~=1.2.3", "1.3.0"));
    CHECK(holds("*", "0.0.1"));
    CHECK(holds("", "5"));
    CHECK(holds("1.2", "1.2.0"));
    CHECK_FALSE(holds("1.2", "1.2.1"));
    CHECK(holds("1.2.*", "1.2.5"));
    CHECK_FALSE(holds("1.2.*", "1.3"));
    CHECK(holds(">=2.7, !=3.0.*, !=3.1.*", "2.7.18"));
    CHECK_FALSE(holds(">=2.7, !=3.0.*, !=3.1.*", "3.1.4"));
    CHECK(holds(">=2.7,!=3.0.*,!=3.1.*,!=3.2.*", "3.11"));
    CHECK(holds(">=3.6,<4.0 || >=2.7,<3.0", "2.7"));
    CHECK(holds(">=3.6,<4.0 || >=2.7,<3.0", "3.9"));
    CHECK_FALSE(holds(">=3.6,<4.0 || >=2.7,<3.0", "3.5"));
    CHECK(holds(">= 2.7 < 3.0", "2.8"));
    CHECK_FALSE(holds(">= 2.7 < 3.0", "3.0"));
    CHECK(holds(">=1.0.0rc1", "1.0.0rc1"));
    CHECK(holds("^3.8 | ^2.7", "2.7.1"));
    CHECK(Constraint::parse("^1.2").str() == "<2.0.0,>=1.2");
    CHECK_THROWS_AS(Constraint::parse(">=banana"), SyntaxError);
}
