#include "lock2nix/plan.hpp"

#include "lock2nix/pep440.hpp"

#include <algorithm>
#include <sys/utsname.h>

namespace lock2nix {

const Artifact& Plan::artifact_of(std::size_t package) const {
    for (const Artifact& a : artifacts) {
        if (a.package == package) {
            return a;
        }
    }
    throw std::out_of_range("package is not in the plan");
}

Plan make_plan(const Lock& lock, const Pyproject* pyproject, const Target& target,
               const InstallRequest& request, const ArtifactPolicy& policy) {
    Plan plan;
    plan.selection = select_packages(lock, pyproject, target, request);
    plan.graph = build_graph(lock, plan.selection);
    plan.artifacts = choose_artifacts(lock, plan.selection, policy);
    return plan;
}

std::string default_python(const Lock& lock) {
    const auto allowed = pep440::Constraint::try_parse(lock.python_versions);
    auto ok = [&](const char* v) {
        return !allowed || allowed->contains(pep440::Version::parse(v), false);
    };
    if (ok("3.12")) {
        return "3.12";
    }
    for (const char* v : {"3.13", "3.11", "3.10", "3.9", "3.8"}) {
        if (ok(v)) {
            return v;
        }
    }
    throw Error("poetry.lock allows Python " + lock.python_versions +
                    ", which matches none of the interpreters lock2nix targets (3.8 to 3.13)",
                lock.path, {}, "pass --python X.Y explicitly");
}

std::string host_system() {
    utsname u{};
    if (uname(&u) != 0) {
        return "x86_64-linux";
    }
    const std::string machine = u.machine;
    const std::string cpu = machine == "arm64" ? "aarch64" : machine;
    const std::string sys = std::string(u.sysname) == "Darwin" ? "darwin" : "linux";
    return cpu + "-" + sys;
}

nlohmann::ordered_json to_json(const Lock& lock, const Plan& plan) {
    using json = nlohmann::ordered_json;
    const Selection& sel = plan.selection;
    auto name_of = [&](std::size_t i) { return lock.packages[i].canonical_name; };
    json j;
    j["target"] = json{{"system", sel.target.system},
                       {"python", sel.target.python_full_version()},
                       {"interpreter", sel.target.nix_python_attribute()}};
    j["groups"] = sel.groups;
    j["extras"] = sel.extras;
    j["available_groups"] = sel.all_groups;
    j["available_extras"] = sel.all_extras;
    json packages = json::array();
    for (std::size_t i : sel.packages) {
        const Package& p = lock.packages[i];
        const Artifact& a = plan.artifact_of(i);
        json pj{{"name", p.canonical_name}, {"version", p.version}};
        pj["source"] = to_string(p.source_kind());
        json file{{"kind", to_string(a.kind)}};
        if (a.file) {
            file["file"] = a.file->name;
            file["hash"] = a.file->hash();
        }
        if (!a.best_tag.empty()) {
            file["tag"] = a.best_tag;
        }
        file["reason"] = a.reason;
        pj["artifact"] = std::move(file);
        pj["reason"] = sel.reasons.at(i);
        if (auto it = sel.paths.find(i); it != sel.paths.end()) {
            json path = json::array();
            for (const Hop& h : it->second) {
                json hj{{"from", h.from ? json(name_of(*h.from)) : json(nullptr)},
                        {"requirement", h.requirement}};
                if (!h.marker.empty()) {
                    hj["marker"] = h.marker;
                }
                path.push_back(std::move(hj));
            }
            pj["path"] = std::move(path);
        }
        json deps = json::array();
        for (std::size_t d : plan.graph.dependencies.at(i)) {
            deps.push_back(name_of(d));
        }
        pj["dependencies"] = std::move(deps);
        if (plan.graph.in_cycle.contains(i)) {
            pj["in_cycle"] = true;
        }
        packages.push_back(std::move(pj));
    }
    j["packages"] = std::move(packages);
    json edges = json::array();
    for (const Edge& e : sel.edges) {
        json ej{{"from", name_of(e.from)}, {"to", name_of(e.to)}};
        if (!e.marker.empty()) {
            ej["marker"] = e.marker;
        }
        edges.push_back(std::move(ej));
    }
    j["edges"] = std::move(edges);
    json cycles = json::array();
    for (const auto& c : plan.graph.cycles) {
        json cj = json::array();
        for (std::size_t i : c) {
            cj.push_back(name_of(i));
        }
        cycles.push_back(std::move(cj));
    }
    j["cycles"] = std::move(cycles);
    json order = json::array();
    for (std::size_t i : plan.graph.order) {
        order.push_back(name_of(i));
    }
    j["build_order"] = std::move(order);
    json excluded = json::array();
    for (const Exclusion& e : sel.excluded) {
        excluded.push_back(json{{"name", name_of(e.package)},
                                {"version", lock.packages[e.package].version},
                                {"reason", e.reason}});
    }
    j["excluded"] = std::move(excluded);
    j["warnings"] = sel.warnings;
    return j;
}

} // namespace lock2nix
