#include "lock2nix/project/content_hash.hpp"
#include "lock2nix/project/lockfile.hpp"
#include "lock2nix/project/pyproject.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <cstdio>

using namespace lock2nix;
using nlohmann::json;

namespace {

// The inline vectors give the parsed pyproject as JSON; write it back as TOML text so that the
// whole reader path (toml++ -> model -> content-hash) is what gets tested. Everything is written
// inline, with every key quoted (toml++'s own writer leaves keys with control characters bare).
std::string toml_string(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u == 0x7f) {
            char buf[16];
            std::snprintf(buf, sizeof buf, "\\u%04x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string toml_value(const json& j) {
    if (j.is_object()) {
        std::string out = "{";
        bool first = true;
        for (const auto& [k, v] : j.items()) {
            out += (first ? " " : ", ") + toml_string(k) + " = " + toml_value(v);
            first = false;
        }
        return out + " }";
    }
    if (j.is_array()) {
        std::string out = "[";
        bool first = true;
        for (const auto& v : j) {
            out += (first ? "" : ", ") + toml_value(v);
            first = false;
        }
        return out + "]";
    }
    if (j.is_string()) {
        return toml_string(j.get<std::string>());
    }
    if (j.is_number_float()) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.17g", j.get<double>());
        std::string out = buf;
        return out.find_first_of(".en") == std::string::npos ? out + ".0" : out;
    }
    return j.dump(); // integers and booleans are spelled the same in JSON and TOML
}

std::string to_toml(const json& doc) {
    std::string out;
    for (const auto& [k, v] : doc.items()) {
        out += toml_string(k) + " = " + toml_value(v) + "\n";
    }
    return out;
}

HashAlgorithm algorithm_of(const std::string& key) {
    return static_cast<HashAlgorithm>(key.front() - 'A');
}

} // namespace

TEST_CASE("content-hash vectors, every algorithm A-E", "[content-hash]") {
    const std::string dir = test::shared("fixtures/content-hash/");
    const auto doc = test::load_json(dir + "vectors.json");
    std::size_t ran = 0;
    for (const auto& v : doc["vectors"]) {
        const std::string id = v["id"];
        Pyproject pp;
        if (v.contains("pyproject_file")) {
            pp = read_pyproject(dir + v["pyproject_file"].get<std::string>());
        } else {
            pp = parse_pyproject(to_toml(v["pyproject"]), id);
        }
        for (const auto& [key, expected] : v["expected"].items()) {
            INFO(id << " algorithm " << key);
            const HashAlgorithm a = algorithm_of(key);
            CHECK(pp.content_hash_inputs[static_cast<std::size_t>(a)] ==
                  expected["json"].get<std::string>());
            CHECK(content_hash(pp.content_hash_inputs, a) == expected["sha256"].get<std::string>());
            ++ran;
        }
        if (v.contains("recorded_content_hash")) {
            const std::string recorded = v["recorded_content_hash"];
            for (const auto& match : v["recorded_matches"]) {
                CHECK(content_hash(pp.content_hash_inputs, algorithm_of(match)) == recorded);
            }
            const Lock lock = read_lock(dir + v["lock_file"].get<std::string>());
            CHECK(lock.content_hash == recorded);
            const Freshness f =
                check_freshness(lock.content_hash, lock.lock_version, pp.content_hash_inputs);
            INFO(id << ": " << f.reason);
            CHECK(f.fresh == !v["recorded_matches"].empty());
        }
    }
    CHECK(ran == 27 * 5);
}

TEST_CASE("a B-only hash is accepted for a 1.1 lock but not for a 2.x lock", "[content-hash]") {
    const auto pp =
        read_pyproject(test::shared("fixtures/poetry-locks/poetry-own-1.1.8.pyproject.toml"));
    const auto lock = read_lock(test::shared("fixtures/poetry-locks/poetry-own-1.1.8.lock"));
    const auto as_1_1 = check_freshness(lock.content_hash, "1.1", pp.content_hash_inputs);
    CHECK(as_1_1.fresh);
    CHECK(as_1_1.algorithm == HashAlgorithm::B);
    CHECK_FALSE(check_freshness(lock.content_hash, "2.1", pp.content_hash_inputs).fresh);
}

TEST_CASE("stale and missing hashes say so", "[content-hash]") {
    const auto pp = parse_pyproject("[tool.poetry.dependencies]\nrequests = \"^2\"\n", "p.toml");
    const auto stale = check_freshness(std::string(64, '0'), "2.1", pp.content_hash_inputs);
    CHECK_FALSE(stale.fresh);
    CHECK(stale.reason.find("stale") != std::string::npos);
    const auto missing = check_freshness("", "2.1", pp.content_hash_inputs);
    CHECK_FALSE(missing.fresh);
    CHECK(missing.reason.find("no content-hash") != std::string::npos);
}

TEST_CASE("content-hash JSON escapes and floats like Python's json.dumps", "[content-hash]") {
    const auto pp = parse_pyproject(
        "[tool.poetry.dependencies]\n"
        "\"caf\u00e9\" = \"a\\\"b\\\\c/d\\n\\t\\u007f\\u2028\\U0001F600\"\n"
        "[tool.poetry.group.g]\nx = 1e16\ny = 0.0001\nz = 1e-05\nw = -0.0\nv = 2.5\nu = 3.0\n",
        "p.toml");
    CHECK(
        pp.content_hash_inputs[0] ==
        "{\"dependencies\": {\"caf\\u00e9\": \"a\\\"b\\\\c/d\\n\\t\\u007f\\u2028\\ud83d\\ude00\"}, "
        "\"dev-dependencies\": null, \"extras\": null, \"source\": null}");
    CHECK(pp.content_hash_inputs[2].find(
              "\"group\": {\"g\": {\"u\": 3.0, \"v\": 2.5, \"w\": -0.0, \"x\": 1e+16, "
              "\"y\": 0.0001, \"z\": 1e-05}}") != std::string::npos);
}
