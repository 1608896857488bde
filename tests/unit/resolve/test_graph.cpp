// The build graph: cycles found and broken by the component rule, dependants of a cycle given the
// whole of it, and a build order that is the same for the same input.

#include "lock2nix/resolve/graph.hpp"
#include "resolve_support.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <set>

using namespace lock2nix;
using namespace lock2nix::test;

namespace {

Selection pick(const Project& p, const std::string& system, const std::string& python) {
    return select_packages(p.lock, p.pyproject_or_null(), Target::make(system, python), {});
}

std::vector<std::string> named(const Lock& lock, const std::vector<std::size_t>& packages) {
    std::vector<std::string> out;
    for (std::size_t i : packages) {
        out.push_back(lock.packages[i].canonical_name);
    }
    return out;
}

BuildGraph graph_of(const Lock& lock) {
    return build_graph(lock,
                       select_packages(lock, nullptr, Target::make("x86_64-linux", "3.12"), {}));
}

} // namespace

TEST_CASE("cycles are broken by the component rule, and the order is deterministic",
          "[select][graph]") {
    const Project dask = corpus_project("corpus/poetry2nix-tests/dask-dataframe");
    const Selection s = pick(dask, "x86_64-linux", "3.11");
    const BuildGraph g = build_graph(dask.lock, s);
    REQUIRE(g.cycles.size() == 1);
    std::set<std::string> cycle;
    for (std::size_t i : g.cycles[0]) {
        cycle.insert(dask.lock.packages[i].canonical_name);
    }
    CHECK(cycle == std::set<std::string>{"dask", "dask-expr"});
    std::map<std::string, std::size_t> index;
    for (std::size_t i : s.packages) {
        index[dask.lock.packages[i].canonical_name] = i;
    }
    // No member depends on its sibling at build time; both skip the runtime-deps check.
    auto deps_of = [&](const std::string& n) {
        std::set<std::string> out;
        for (std::size_t d : g.dependencies.at(index.at(n))) {
            out.insert(dask.lock.packages[d].canonical_name);
        }
        return out;
    };
    CHECK_FALSE(deps_of("dask").contains("dask-expr"));
    CHECK_FALSE(deps_of("dask-expr").contains("dask"));
    CHECK(g.in_cycle.contains(index.at("dask")));
    // Everything each member needs outside the cycle comes before both of them.
    std::map<std::size_t, std::size_t> position;
    for (std::size_t k = 0; k < g.order.size(); ++k) {
        position[g.order[k]] = k;
    }
    CHECK(g.order.size() == s.packages.size());
    for (const auto& [pkg, deps] : g.dependencies) {
        for (std::size_t d : deps) {
            CHECK(position.at(d) < position.at(pkg));
        }
    }
    // Same input, same order.
    CHECK(build_graph(dask.lock, pick(dask, "x86_64-linux", "3.11")).order == g.order);
}

TEST_CASE("a dependant of a cycle member depends on the whole cycle", "[graph]") {
    // a -> b, b <-> c : a must get both b and c.
    const Lock lock = small_lock(locked_package("a", {.dependencies = "b = \"*\"\n"}) +
                                     locked_package("b", {.dependencies = "c = \"*\"\n"}) +
                                     locked_package("c", {.dependencies = "b = \"*\"\n"}),
                                 "cycle.lock");
    const Selection s = select_packages(lock, nullptr, Target::make("x86_64-linux", "3.11"), {});
    const BuildGraph g = build_graph(lock, s);
    const auto a = lock.find("a").front();
    CHECK(g.dependencies.at(a).size() == 2);
    CHECK(g.cycles.size() == 1);
    CHECK(g.order.back() == a);
}

TEST_CASE("independent packages build in canonical-name order, whatever the lock's order",
          "[graph]") {
    const Lock lock = small_lock(
        locked_package("Zeta") + locked_package("alpha") + locked_package("Mu_Nu"), "o.lock");
    const BuildGraph g = graph_of(lock);
    CHECK(named(lock, g.order) == std::vector<std::string>{"alpha", "mu-nu", "zeta"});
    CHECK(g.cycles.empty());
    CHECK(g.in_cycle.empty());
}

TEST_CASE("a package that requires itself meets its own requirement: no edge, no cycle",
          "[graph]") {
    // `pkg[extra]` requiring `pkg` is common in Poetry locks; the package satisfies it itself.
    const Lock lock =
        small_lock(locked_package("selfish", {.dependencies = "selfish = \"*\"\nplain = \"*\"\n"}) +
                       locked_package("plain"),
                   "self.lock");
    const Selection s = select_packages(lock, nullptr, Target::make("x86_64-linux", "3.12"), {});
    const std::size_t selfish = lock.find("selfish").front();
    const BuildGraph g = build_graph(lock, s);
    CHECK(g.cycles.empty());
    CHECK(named(lock, g.dependencies.at(selfish)) == std::vector<std::string>{"plain"});
    CHECK(named(lock, g.order) == std::vector<std::string>{"plain", "selfish"});

    // A selection assembled by a library caller may carry the self-edge: then it is a cycle of
    // one, and still no build input of its own.
    Selection with_loop = s;
    with_loop.edges.push_back(Edge{selfish, selfish, ""});
    const BuildGraph looped = build_graph(lock, with_loop);
    REQUIRE(looped.cycles.size() == 1);
    CHECK(named(lock, looped.cycles[0]) == std::vector<std::string>{"selfish"});
    CHECK(looped.in_cycle == std::set<std::size_t>{selfish});
    CHECK(named(lock, looped.dependencies.at(selfish)) == std::vector<std::string>{"plain"});
}

TEST_CASE("two cycles are two components, each sorted, each given whole to its dependants",
          "[graph]") {
    // top -> d -> c -> d and top -> b -> a -> b
    const Lock lock = small_lock(locked_package("top", {.dependencies = "d = \"*\"\nb = \"*\"\n"}) +
                                     locked_package("d", {.dependencies = "c = \"*\"\n"}) +
                                     locked_package("c", {.dependencies = "d = \"*\"\n"}) +
                                     locked_package("b", {.dependencies = "a = \"*\"\n"}) +
                                     locked_package("a", {.dependencies = "b = \"*\"\n"}),
                                 "two.lock");
    const BuildGraph g = graph_of(lock);
    REQUIRE(g.cycles.size() == 2);
    std::set<std::vector<std::string>> cycles;
    for (const auto& c : g.cycles) {
        cycles.insert(named(lock, c));
    }
    CHECK(cycles == std::set<std::vector<std::string>>{{"a", "b"}, {"c", "d"}});
    CHECK(named(lock, g.dependencies.at(lock.find("top").front())) ==
          std::vector<std::string>{"a", "b", "c", "d"});
    CHECK(g.dependencies.at(lock.find("a").front()).empty());
    CHECK(g.order.back() == lock.find("top").front());
    CHECK(g.in_cycle.size() == 4);
}

TEST_CASE("an edge to a package the target does not select is not a build input", "[graph]") {
    const Lock lock = small_lock(
        locked_package(
            "app", {.dependencies =
                        "winonly = {version = \"*\", markers = \"sys_platform == 'win32'\"}\n"}) +
            locked_package("winonly", {.markers = "sys_platform == 'win32'"}),
        "win.lock");
    const BuildGraph g = graph_of(lock);
    CHECK(named(lock, g.order) == std::vector<std::string>{"app"});
    CHECK(g.dependencies.at(lock.find("app").front()).empty());
}
