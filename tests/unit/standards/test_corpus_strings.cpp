// Every marker and version constraint written in the corpus and fixture locks parses.

#include "lock2nix/project/lockfile.hpp"
#include "lock2nix/project/pyproject.hpp"
#include "lock2nix/standards/pep440.hpp"
#include "lock2nix/standards/pep508.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <filesystem>

using namespace lock2nix;

namespace {

// Every lock below `root`, laid out as the shared data is (corpus projects and fixture locks).
std::vector<std::string> all_locks(const std::string& root) {
    std::vector<std::string> out;
    for (const std::string dir : {"corpus/poetry2nix-tests", "corpus/real"}) {
        for (const auto& e : std::filesystem::directory_iterator(root + dir)) {
            if (std::filesystem::exists(e.path() / "poetry.lock")) {
                out.push_back((e.path() / "poetry.lock").string());
            }
        }
    }
    for (const auto& e : std::filesystem::directory_iterator(root + "fixtures/poetry-locks")) {
        if (e.path().extension() == ".lock") {
            out.push_back(e.path().string());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

struct Counter {
    std::size_t markers = 0;
    std::size_t constraints = 0;
    std::vector<std::string> failures;

    void marker(const std::string& where, const std::string& text) {
        if (text.empty()) {
            return;
        }
        ++markers;
        try {
            pep508::Marker::parse(text);
        } catch (const SyntaxError& e) {
            failures.push_back(where + ": marker: " + e.what());
        }
    }
    void constraint(const std::string& where, const std::string& text) {
        if (text.empty()) {
            return;
        }
        ++constraints;
        try {
            pep440::Constraint::parse(text);
        } catch (const SyntaxError& e) {
            failures.push_back(where + ": constraint: " + e.what());
        }
    }
};

Counter parse_all(const std::string& root, std::size_t& requirements) {
    Counter count;
    for (const std::string& path : all_locks(root)) {
        const Lock lock = read_lock(path);
        count.constraint(path + " metadata", lock.python_versions);
        for (const Package& p : lock.packages) {
            const std::string where = path + " " + p.name;
            count.constraint(where + " python-versions", p.python_versions);
            count.marker(where, p.markers);
            count.marker(where, p.legacy_marker);
            for (const auto& [group, marker] : p.group_markers) {
                count.marker(where + " group " + group, marker);
            }
            for (const Dependency& d : p.dependencies) {
                for (const DependencyConstraint& c : d.constraints) {
                    count.constraint(where + " -> " + d.name, c.version);
                    count.constraint(where + " -> " + d.name + " python", c.python());
                    count.marker(where + " -> " + d.name, c.markers);
                }
            }
        }
    }
    for (const std::string& path : all_locks(root)) {
        const auto pp_path = std::filesystem::path(path).parent_path() / "pyproject.toml";
        if (!path.ends_with("/poetry.lock") || !std::filesystem::exists(pp_path)) {
            continue;
        }
        const Pyproject pp = read_pyproject(pp_path.string());
        count.constraint(pp_path.string() + " python", pp.poetry.python);
        auto deps = pp.poetry.dependencies;
        for (const DependencyGroup& g : pp.poetry.groups) {
            deps.insert(deps.end(), g.dependencies.begin(), g.dependencies.end());
        }
        for (const Dependency& d : deps) {
            for (const DependencyConstraint& c : d.constraints) {
                count.constraint(pp_path.string() + " " + d.name, c.version);
                count.constraint(pp_path.string() + " " + d.name + " python", c.python());
                count.marker(pp_path.string() + " " + d.name, c.markers);
            }
        }
        for (const std::string& r : pp.project.dependencies) {
            ++requirements;
            if (!pep508::Requirement::try_parse(r)) {
                count.failures.push_back(pp_path.string() + ": requirement: " + r);
            }
        }
    }
    return count;
}

} // namespace

TEST_CASE("every marker and constraint in the fixtures and sample projects parses",
          "[pep440][pep508]") {
    std::size_t requirements = 0;
    Counter count = parse_all(test::shared(""), requirements);
    for (const auto& f : count.failures) {
        UNSCOPED_INFO(f);
    }
    CHECK(count.failures.empty());
    CHECK(count.markers > 300);
    CHECK(count.constraints > 2000);
}

TEST_CASE("every marker and constraint in the corpus parses", "[pep440][pep508][corpus]") {
    std::size_t requirements = 0;
    Counter count = parse_all(test::corpus(""), requirements);
    // One real pyproject writes a file path where a version belongs; Poetry itself rejects it
    // ("Could not parse version constraint"), and so must we.
    const auto known_bad =
        std::find_if(count.failures.begin(), count.failures.end(), [](const auto& f) {
            return f.find("poetry-core-vendors-2020/pyproject.toml enum34: constraint") !=
                   std::string::npos;
        });
    CHECK(known_bad != count.failures.end());
    if (known_bad != count.failures.end()) {
        count.failures.erase(known_bad);
    }
    for (const auto& f : count.failures) {
        UNSCOPED_INFO(f);
    }
    WARN("corpus strings parsed: " << count.markers << " markers, " << count.constraints
                                   << " constraints, " << requirements
                                   << " project requirements; failures: " << count.failures.size());
    CHECK(count.failures.empty());
    CHECK(count.markers > 2000);
    CHECK(count.constraints > 20000);
}
