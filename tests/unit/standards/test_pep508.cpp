#include "lock2nix/standards/pep508.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

using namespace lock2nix;
using namespace lock2nix::pep508;

namespace {
const nlohmann::json& vectors() {
    static const auto doc = test::load_json(test::shared("vectors/pep508.json"));
    return doc;
}

Environment environment(const nlohmann::json& values, const std::string& extra) {
    Environment env;
    for (const auto& [k, v] : values.items()) {
        const auto var = variable_named(k);
        REQUIRE(var);
        env.set(*var, v.get<std::string>());
    }
    if (!extra.empty()) {
        env.extras.insert(extra);
    }
    return env;
}
} // namespace

TEST_CASE("markers parse, print and evaluate as packaging does", "[pep508]") {
    const auto& envs = vectors()["environments"];
    std::size_t evaluations = 0;
    std::size_t failed = 0;
    for (const auto& c : vectors()["markers"]) {
        const std::string text = c["marker"];
        INFO("marker: " << text);
        const Marker m = Marker::parse(text);
        CHECK(m.str() == c["normalized"].get<std::string>());
        for (const auto& [key, expected] : c["evaluations"].items()) {
            const auto bar = key.find('|');
            const std::string env_name = key.substr(0, bar);
            const std::string extra = key.substr(bar + std::string("|extra=").size());
            const Environment env = environment(envs[env_name], extra);
            std::string got;
            try {
                got = m.evaluate(env, Mode::strict) ? "true" : "false";
            } catch (const Error&) {
                got = "error";
            }
            const std::string want = expected.is_boolean()
                                         ? (expected.get<bool>() ? "true" : "false")
                                         : std::string("error");
            if (got != want && ++failed < 20) {
                FAIL_CHECK(text << " in " << key << ": got " << got << ", expected " << want);
            }
            ++evaluations;
        }
    }
    WARN("PEP 508 markers: " << vectors()["markers"].size() << ", evaluations: " << evaluations
                             << ", failed: " << failed);
    CHECK(failed == 0);
}

TEST_CASE("invalid markers are rejected with a position", "[pep508]") {
    for (const auto& s : vectors()["invalid_markers"]) {
        INFO(s.get<std::string>());
        CHECK_THROWS_AS(Marker::parse(s.get<std::string>()), SyntaxError);
    }
    try {
        Marker::parse("python_version >= '3.8' and platform_nonsense == 'x'");
        FAIL("expected an error");
    } catch (const SyntaxError& e) {
        CHECK(e.offset() == 28);
    }
}

TEST_CASE("requirement strings as packaging reads them", "[pep508]") {
    std::size_t ran = 0;
    for (const auto& c : vectors()["requirements"]) {
        const std::string input = c["input"];
        INFO("requirement: '" << input << "'");
        const auto r = Requirement::try_parse(input);
        REQUIRE(r.has_value() == c["valid"].get<bool>());
        ++ran;
        if (!r) {
            continue;
        }
        CHECK(r->name == c["name"].get<std::string>());
        CHECK(r->canonical_name == c["normalized_name"].get<std::string>());
        CHECK(r->extras == c["extras"].get<std::vector<std::string>>());
        CHECK(r->specifier.str() == c["specifier"].get<std::string>());
        CHECK(r->url == (c["url"].is_null() ? std::string() : c["url"].get<std::string>()));
        CHECK((r->marker ? r->marker->str() : std::string()) ==
              (c["marker"].is_null() ? std::string() : c["marker"].get<std::string>()));
    }
    WARN("PEP 508 requirement cases run: " << ran);
}

TEST_CASE("Poetry's evaluation mode", "[pep508]") {
    Environment env;
    env.set(Variable::python_version, "3.11");
    env.set(Variable::sys_platform, "linux");
    env.extras = {"cpu"};
    const auto m = Marker::parse("sys_platform == 'darwin' or platform_machine == 'x86_64'");
    // platform_machine is not in the environment: Poetry treats its comparison as true.
    CHECK(m.evaluate(env, Mode::poetry));
    CHECK_THROWS_AS(m.evaluate(env, Mode::strict), Error);
    CHECK(Marker::parse("extra == \"cpu\" and extra != \"cuda\"").evaluate(env, Mode::poetry));
    CHECK_FALSE(Marker::parse("extra == \"cuda\"").evaluate(env, Mode::poetry));
    const auto failing = Marker::parse("python_version < '3.10' and sys_platform == 'linux'")
                             .failing_comparisons(env, Mode::poetry);
    CHECK(failing == std::vector<std::string>{"python_version < \"3.10\""});
}

TEST_CASE("typed environment and operators", "[pep508]") {
    Environment env;
    CHECK(env.get(Variable::python_version) == nullptr);
    env.set(Variable::python_version, "3.11");
    REQUIRE(env.get(Variable::python_version) != nullptr);
    CHECK(*env.get(Variable::python_version) == "3.11");
    REQUIRE(env.version(Variable::python_version) != nullptr);
    CHECK(env.version(Variable::python_version)->str() == "3.11");
    env.set(Variable::sys_platform, "linux");
    CHECK(env.version(Variable::sys_platform) == nullptr); // not a version variable
    env.unset(Variable::python_version);
    CHECK(env.get(Variable::python_version) == nullptr);

    CHECK(variable_named("os.name") == Variable::os_name);
    CHECK(variable_named("extra") == Variable::extra);
    CHECK_FALSE(variable_named("python"));

    // The operator is parsed once into the enum; the version side is parsed once too.
    const Marker m = Marker::parse("python_version >= '3.8' and os_name not in 'nt'");
    const auto cs = m.comparisons();
    REQUIRE(cs.size() == 2);
    CHECK(cs[0]->op == Operator::greater_equal);
    REQUIRE(cs[0]->specifier);
    CHECK(cs[0]->specifier->str() == ">=3.8");
    CHECK(cs[1]->op == Operator::not_in);
    CHECK_FALSE(cs[1]->specifier);
    for (Operator op : {Operator::equal, Operator::not_equal, Operator::less, Operator::less_equal,
                        Operator::greater, Operator::greater_equal, Operator::compatible,
                        Operator::arbitrary_equal, Operator::in, Operator::not_in}) {
        const std::string text = "implementation_name " + std::string(to_string(op)) + " 'x'";
        CHECK(Marker::parse(text).comparisons()[0]->op == op);
    }
    env.set(Variable::python_version, "3.11");
    CHECK(m.evaluate(env, Mode::poetry));
    env.set(Variable::python_version, "3.7");
    CHECK_FALSE(m.evaluate(env, Mode::poetry));
    // A hand-built comparison without the parsed specifier evaluates the same way.
    Comparison c = *cs[0];
    c.specifier.reset();
    CHECK_FALSE(evaluate(c, env, Mode::poetry));
}
