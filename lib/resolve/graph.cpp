#include "lock2nix/resolve/graph.hpp"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/strong_components.hpp>
#include <boost/graph/topological_sort.hpp>
#include <map>

namespace lock2nix {

BuildGraph build_graph(const Lock& lock, const Selection& selection) {
    using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;

    // Vertices in canonical-name order, so that every Boost algorithm sees the same input for the
    // same lock and its output is deterministic.
    std::vector<std::size_t> vertices = selection.packages;
    auto by_name = [&](std::size_t a, std::size_t b) {
        const auto& pa = lock.packages[a];
        const auto& pb = lock.packages[b];
        return pa.canonical_name != pb.canonical_name ? pa.canonical_name < pb.canonical_name
                                                      : a < b;
    };
    std::sort(vertices.begin(), vertices.end(), by_name);
    // Indexed by package: a tree keyed by index missed the caches at 100k packages.
    constexpr std::size_t none = static_cast<std::size_t>(-1);
    std::vector<std::size_t> vertex_of(lock.packages.size(), none);
    for (std::size_t v = 0; v < vertices.size(); ++v) {
        vertex_of[vertices[v]] = v;
    }
    Graph g(vertices.size());
    std::vector<bool> self_loop(vertices.size(), false);
    std::vector<std::pair<std::size_t, std::size_t>> edge_list;
    for (const Edge& e : selection.edges) {
        const std::size_t from = e.from < vertex_of.size() ? vertex_of[e.from] : none;
        const std::size_t to = e.to < vertex_of.size() ? vertex_of[e.to] : none;
        if (from == none || to == none) {
            continue;
        }
        if (from == to) {
            self_loop[from] = true;
            continue;
        }
        edge_list.emplace_back(from, to);
    }
    std::sort(edge_list.begin(), edge_list.end());
    edge_list.erase(std::unique(edge_list.begin(), edge_list.end()), edge_list.end());
    for (const auto& [a, b] : edge_list) {
        boost::add_edge(a, b, g);
    }

    std::vector<std::size_t> component(vertices.size());
    const std::size_t components =
        vertices.empty() ? 0
                         : boost::strong_components(
                               g, boost::make_iterator_property_map(
                                      component.begin(), boost::get(boost::vertex_index, g)));
    std::vector<std::vector<std::size_t>> members(components);
    for (std::size_t v = 0; v < vertices.size(); ++v) {
        members[component[v]].push_back(v);
    }

    BuildGraph out;
    std::vector<bool> cyclic(components, false);
    for (std::size_t c = 0; c < components; ++c) {
        cyclic[c] = members[c].size() > 1 || (members[c].size() == 1 && self_loop[members[c][0]]);
        if (cyclic[c]) {
            std::vector<std::size_t> cycle;
            for (std::size_t v : members[c]) {
                cycle.push_back(vertices[v]);
                out.in_cycle.insert(vertices[v]);
            }
            std::sort(cycle.begin(), cycle.end(), by_name);
            out.cycles.push_back(std::move(cycle));
        }
    }
    std::sort(out.cycles.begin(), out.cycles.end(),
              [&](const auto& a, const auto& b) { return by_name(a.front(), b.front()); });

    // Dependencies after the rule: no edges inside a component; an edge into a cyclic component
    // brings the whole component.
    Graph condensed(components);
    std::vector<std::pair<std::size_t, std::size_t>> condensed_edges;
    std::vector<std::size_t> deps;
    std::size_t expanded = 0;
    for (std::size_t v = 0; v < vertices.size(); ++v) {
        deps.clear();
        for (auto [it, end] = boost::adjacent_vertices(v, g); it != end; ++it) {
            const std::size_t w = *it;
            if (component[w] == component[v]) {
                continue;
            }
            condensed_edges.emplace_back(component[v], component[w]);
            if (cyclic[component[w]]) {
                deps.insert(deps.end(), members[component[w]].begin(), members[component[w]].end());
                expanded += members[component[w]].size();
            } else {
                deps.push_back(w);
            }
        }
        std::sort(deps.begin(), deps.end());
        deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
        std::vector<std::size_t> list;
        list.reserve(deps.size());
        for (std::size_t w : deps) {
            list.push_back(vertices[w]);
        }
        std::sort(list.begin(), list.end(), by_name);
        if (expanded > max_expanded_edges) { // only cycles expand, so there is one
            const auto& largest =
                *std::max_element(out.cycles.begin(), out.cycles.end(),
                                  [](const auto& a, const auto& b) { return a.size() < b.size(); });
            const Package& first = lock.packages[largest.front()];
            throw Error("the dependency cycles of this lock (the largest has " +
                            std::to_string(largest.size()) + " members, `" + first.name +
                            "` among them) make more than " + std::to_string(max_expanded_edges) +
                            " dependency edges: whoever depends on a member of a cycle depends "
                            "on all of it",
                        lock.path, first.position,
                        "the emitted file would hold every one of them; break the cycle in the "
                        "packages' own dependencies (docs/limits.md)");
        }
        out.dependencies[vertices[v]] = std::move(list);
    }
    // Each edge once, in ascending (from, to) order: Boost sees the same graph for the same lock.
    std::sort(condensed_edges.begin(), condensed_edges.end());
    condensed_edges.erase(std::unique(condensed_edges.begin(), condensed_edges.end()),
                          condensed_edges.end());
    for (const auto& [a, b] : condensed_edges) {
        boost::add_edge(a, b, condensed);
    }
    // Boost's topological_sort yields vertices in reverse topological order: dependencies first
    // for edges that point from dependent to dependency.
    std::vector<std::size_t> comp_order;
    boost::topological_sort(condensed, std::back_inserter(comp_order));
    for (std::size_t c : comp_order) {
        std::vector<std::size_t> ms;
        for (std::size_t v : members[c]) {
            ms.push_back(vertices[v]);
        }
        std::sort(ms.begin(), ms.end(), by_name);
        out.order.insert(out.order.end(), ms.begin(), ms.end());
    }
    return out;
}

} // namespace lock2nix
