#include "lock2nix/resolve/graph.hpp"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/strong_components.hpp>
#include <boost/graph/topological_sort.hpp>
#include <map>

namespace lock2nix {

namespace {

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;

// Packages by canonical name, then lock index: every Boost algorithm sees the same input for the
// same lock, so its output is deterministic.
struct ByName {
    const Lock* lock;
    bool operator()(std::size_t a, std::size_t b) const {
        const auto& pa = lock->packages[a];
        const auto& pb = lock->packages[b];
        return pa.canonical_name != pb.canonical_name ? pa.canonical_name < pb.canonical_name
                                                      : a < b;
    }
};

// The selection as a Boost graph: vertex v is package `packages[v]`.
struct PackageGraph {
    std::vector<std::size_t> packages;
    Graph graph;
    std::vector<bool> self_loop;
};

PackageGraph package_graph(const Lock& lock, const Selection& selection, ByName by_name) {
    std::vector<std::size_t> packages = selection.packages;
    std::sort(packages.begin(), packages.end(), by_name);
    const std::size_t n = packages.size();
    PackageGraph out{std::move(packages), Graph(n), std::vector<bool>(n, false)};
    // Indexed by package: a tree keyed by index missed the caches at 100k packages.
    constexpr std::size_t none = static_cast<std::size_t>(-1);
    std::vector<std::size_t> vertex_of(lock.packages.size(), none);
    for (std::size_t v = 0; v < n; ++v) {
        vertex_of[out.packages[v]] = v;
    }
    std::vector<std::pair<std::size_t, std::size_t>> edge_list;
    for (const Edge& e : selection.edges) {
        const std::size_t from = e.from < vertex_of.size() ? vertex_of[e.from] : none;
        const std::size_t to = e.to < vertex_of.size() ? vertex_of[e.to] : none;
        if (from == none || to == none) {
            continue;
        }
        if (from == to) {
            out.self_loop[from] = true;
            continue;
        }
        edge_list.emplace_back(from, to);
    }
    std::sort(edge_list.begin(), edge_list.end());
    edge_list.erase(std::unique(edge_list.begin(), edge_list.end()), edge_list.end());
    for (const auto& [a, b] : edge_list) {
        boost::add_edge(a, b, out.graph);
    }
    return out;
}

// The strongly connected components, and which of them are cycles.
struct Components {
    std::vector<std::size_t> of; ///< per vertex
    std::vector<std::vector<std::size_t>> members;
    std::vector<bool> cyclic;
};

Components components_of(const PackageGraph& g) {
    Components c;
    c.of.resize(g.packages.size());
    const std::size_t count =
        g.packages.empty()
            ? 0
            : boost::strong_components(g.graph,
                                       boost::make_iterator_property_map(
                                           c.of.begin(), boost::get(boost::vertex_index, g.graph)));
    c.members.resize(count);
    for (std::size_t v = 0; v < g.packages.size(); ++v) {
        c.members[c.of[v]].push_back(v);
    }
    c.cyclic.resize(count);
    for (std::size_t k = 0; k < count; ++k) {
        c.cyclic[k] =
            c.members[k].size() > 1 || (c.members[k].size() == 1 && g.self_loop[c.members[k][0]]);
    }
    return c;
}

// The packages of a component, by name.
std::vector<std::size_t> packages_of(const PackageGraph& g, const std::vector<std::size_t>& members,
                                     ByName by_name) {
    std::vector<std::size_t> out;
    out.reserve(members.size());
    for (std::size_t v : members) {
        out.push_back(g.packages[v]);
    }
    std::sort(out.begin(), out.end(), by_name);
    return out;
}

void record_cycles(const PackageGraph& g, const Components& c, ByName by_name, BuildGraph& out) {
    for (std::size_t k = 0; k < c.members.size(); ++k) {
        if (c.cyclic[k]) {
            out.cycles.push_back(packages_of(g, c.members[k], by_name));
            out.in_cycle.insert(out.cycles.back().begin(), out.cycles.back().end());
        }
    }
    std::sort(out.cycles.begin(), out.cycles.end(),
              [&](const auto& a, const auto& b) { return by_name(a.front(), b.front()); });
}

[[noreturn]] void refuse_expansion(const Lock& lock, const BuildGraph& out) {
    const auto& largest =
        *std::max_element(out.cycles.begin(), out.cycles.end(),
                          [](const auto& a, const auto& b) { return a.size() < b.size(); });
    const Package& first = lock.packages[largest.front()];
    throw Error("the dependency cycles of this lock (the largest has " +
                    std::to_string(largest.size()) + " members, `" + first.name +
                    "` among them) make more than " + std::to_string(max_expanded_edges) +
                    " dependency edges: whoever depends on a member of a cycle depends on all of "
                    "it",
                lock.path, first.position,
                "the emitted file would hold every one of them; break the cycle in the packages' "
                "own dependencies (docs/limits.md)");
}

// Dependencies after the rule: no edges inside a component; an edge into a cyclic component
// brings the whole component. Returns the edges between components, each once, in ascending
// (from, to) order: Boost sees the same graph for the same lock.
std::vector<std::pair<std::size_t, std::size_t>> apply_cycle_rule(const Lock& lock,
                                                                  const PackageGraph& g,
                                                                  const Components& c,
                                                                  ByName by_name, BuildGraph& out) {
    std::vector<std::pair<std::size_t, std::size_t>> condensed_edges;
    std::vector<std::size_t> deps;
    std::size_t expanded = 0;
    for (std::size_t v = 0; v < g.packages.size(); ++v) {
        deps.clear();
        for (auto [it, end] = boost::adjacent_vertices(v, g.graph); it != end; ++it) {
            const std::size_t w = *it;
            if (c.of[w] == c.of[v]) {
                continue;
            }
            condensed_edges.emplace_back(c.of[v], c.of[w]);
            if (c.cyclic[c.of[w]]) {
                deps.insert(deps.end(), c.members[c.of[w]].begin(), c.members[c.of[w]].end());
                expanded += c.members[c.of[w]].size();
            } else {
                deps.push_back(w);
            }
        }
        std::sort(deps.begin(), deps.end());
        deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
        if (expanded > max_expanded_edges) { // only cycles expand, so there is one
            refuse_expansion(lock, out);
        }
        out.dependencies[g.packages[v]] = packages_of(g, deps, by_name);
    }
    std::sort(condensed_edges.begin(), condensed_edges.end());
    condensed_edges.erase(std::unique(condensed_edges.begin(), condensed_edges.end()),
                          condensed_edges.end());
    return condensed_edges;
}

} // namespace

BuildGraph build_graph(const Lock& lock, const Selection& selection) {
    const ByName by_name{&lock};
    const PackageGraph g = package_graph(lock, selection, by_name);
    const Components c = components_of(g);
    BuildGraph out;
    record_cycles(g, c, by_name, out);
    Graph condensed(c.members.size());
    for (const auto& [a, b] : apply_cycle_rule(lock, g, c, by_name, out)) {
        boost::add_edge(a, b, condensed);
    }
    // Boost's topological_sort yields vertices in reverse topological order: dependencies first
    // for edges that point from dependent to dependency.
    std::vector<std::size_t> comp_order;
    boost::topological_sort(condensed, std::back_inserter(comp_order));
    for (std::size_t k : comp_order) {
        const std::vector<std::size_t> members = packages_of(g, c.members[k], by_name);
        out.order.insert(out.order.end(), members.begin(), members.end());
    }
    return out;
}

} // namespace lock2nix
