// Per-operation cost of the standards modules: parsing versions, testing specifier
// containment, parsing and evaluating markers, ranking wheels. Inputs are the shared vectors, so
// every run measures the same mix.

#include "lock2nix/standards/pep440.hpp"
#include "lock2nix/standards/pep508.hpp"
#include "lock2nix/standards/tags.hpp"

#include <benchmark/benchmark.h>
#include <fstream>
#include <nlohmann/json.hpp>

namespace {

const nlohmann::json& vectors(const std::string& name) {
    static std::map<std::string, nlohmann::json> cache;
    auto it = cache.find(name);
    if (it == cache.end()) {
        std::ifstream in(std::string(LOCK2NIX_SHARED_DIR) + "/vectors/" + name);
        it = cache.emplace(name, nlohmann::json::parse(in)).first;
    }
    return it->second;
}

std::vector<std::string> valid_versions() {
    std::vector<std::string> out;
    for (const auto& c : vectors("pep440.json")["parse"]) {
        if (c["valid"].get<bool>()) {
            out.push_back(c["input"]);
        }
    }
    return out;
}

void BM_VersionParse(benchmark::State& state) {
    const auto inputs = valid_versions();
    std::size_t i = 0;
    for (auto _ : state) {
        auto v = lock2nix::pep440::Version::parse(inputs[i++ % inputs.size()]);
        benchmark::DoNotOptimize(v);
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_SpecifierContains(benchmark::State& state) {
    std::vector<std::pair<lock2nix::pep440::SpecifierSet, lock2nix::pep440::Version>> cases;
    for (const auto& c : vectors("pep440.json")["specifiers"]) {
        if (cases.size() == 4096) {
            break;
        }
        cases.emplace_back(lock2nix::pep440::SpecifierSet::parse(c["specifier"].get<std::string>()),
                           lock2nix::pep440::Version::parse(c["version"].get<std::string>()));
    }
    std::size_t i = 0;
    for (auto _ : state) {
        const auto& [set, version] = cases[i++ % cases.size()];
        benchmark::DoNotOptimize(set.contains(version));
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_PoetryConstraintParse(benchmark::State& state) {
    const std::vector<std::string> inputs = {
        "^1.2.3", ">=2.7, !=3.0.*, !=3.1.*", "~1.4", ">=3.6,<4.0 || >=2.7,<3.0", "*", "1.2.*"};
    std::size_t i = 0;
    for (auto _ : state) {
        auto c = lock2nix::pep440::Constraint::parse(inputs[i++ % inputs.size()]);
        benchmark::DoNotOptimize(c);
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_MarkerParse(benchmark::State& state) {
    std::vector<std::string> inputs;
    for (const auto& c : vectors("pep508.json")["markers"]) {
        inputs.push_back(c["marker"]);
    }
    std::size_t i = 0;
    for (auto _ : state) {
        auto m = lock2nix::pep508::Marker::parse(inputs[i++ % inputs.size()]);
        benchmark::DoNotOptimize(m);
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_MarkerEvaluate(benchmark::State& state) {
    const auto env = lock2nix::Target::make("x86_64-linux", "3.11").marker_environment();
    const std::vector<lock2nix::pep508::Marker> markers = {
        lock2nix::pep508::Marker::parse("python_version < \"3.11\""),
        lock2nix::pep508::Marker::parse(
            "sys_platform == \"win32\" or platform_machine == \"arm64\""),
        lock2nix::pep508::Marker::parse(
            "python_version >= \"3.8\" and python_version < \"4.0\" and extra == \"docs\""),
        lock2nix::pep508::Marker::parse("platform_python_implementation != \"PyPy\""),
    };
    std::size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(
            markers[i++ % markers.size()].evaluate(env, lock2nix::pep508::Mode::poetry));
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_WheelRank(benchmark::State& state) {
    const lock2nix::tags::TagRanking ranking(lock2nix::Target::make("x86_64-linux", "3.11"));
    const auto wheel = lock2nix::tags::WheelName::parse(
        "numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl");
    for (auto _ : state) {
        benchmark::DoNotOptimize(ranking.rank(wheel));
    }
    state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_VersionParse);
BENCHMARK(BM_SpecifierContains);
BENCHMARK(BM_PoetryConstraintParse);
BENCHMARK(BM_MarkerParse);
BENCHMARK(BM_MarkerEvaluate);
BENCHMARK(BM_WheelRank);

} // namespace

BENCHMARK_MAIN();
