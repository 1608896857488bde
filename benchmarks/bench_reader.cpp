// Reading the largest corpus lock: the whole reader (TOML + typed model) against toml++'s parse
// alone, in the same run, so the model's own cost shows as a ratio.

#include "lock2nix/project/lockfile.hpp"
#include "lock2nix/project/overrides.hpp"
#include "lock2nix/project/pyproject.hpp"
#include "lock2nix/resolve/plan.hpp"
#include "lock2nix/translate.hpp"
#include "tomlplusplus.hpp"

#include <benchmark/benchmark.h>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

std::string largest_corpus_lock() {
    std::string best;
    std::uintmax_t best_size = 0;
    for (const std::string dir : {"/corpus/real", "/corpus/poetry2nix-tests"}) {
        for (const auto& e : std::filesystem::directory_iterator(LOCK2NIX_SHARED_DIR + dir)) {
            const auto lock = e.path() / "poetry.lock";
            if (std::filesystem::exists(lock) && std::filesystem::file_size(lock) > best_size) {
                best_size = std::filesystem::file_size(lock);
                best = lock.string();
            }
        }
    }
    return best;
}

const std::string& lock_path() {
    static const std::string path = largest_corpus_lock();
    return path;
}

const std::string& lock_text() {
    static const std::string text = [] {
        std::ifstream in(lock_path(), std::ios::binary);
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    }();
    return text;
}

void BM_TomlParseOnly(benchmark::State& state) {
    for (auto _ : state) {
        auto table = toml::parse(lock_text(), lock_path());
        benchmark::DoNotOptimize(table);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * lock_text().size()));
    state.SetLabel(lock_path());
}

void BM_ReadLockModel(benchmark::State& state) {
    std::size_t packages = 0;
    for (auto _ : state) {
        auto lock = lock2nix::parse_lock(lock_text(), lock_path());
        packages = lock.packages.size();
        benchmark::DoNotOptimize(lock);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * lock_text().size()));
    state.counters["packages"] = static_cast<double>(packages);
}

void BM_ReadPyprojectWithContentHash(benchmark::State& state) {
    const auto path = std::filesystem::path(lock_path()).parent_path() / "pyproject.toml";
    for (auto _ : state) {
        auto pp = lock2nix::read_pyproject(path.string());
        benchmark::DoNotOptimize(pp);
    }
}

// The planner (every group and extra, graph, artifact choice) for the same lock (already read),
// x86_64-linux/3.11.
void BM_PlanLargestLock(benchmark::State& state) {
    const auto lock = lock2nix::parse_lock(lock_text(), lock_path());
    const auto pp = lock2nix::read_pyproject(
        (std::filesystem::path(lock_path()).parent_path() / "pyproject.toml").string());
    const auto target = lock2nix::Target::make("x86_64-linux", "3.11");
    std::size_t selected = 0;
    lock2nix::PlanOptions options;
    options.targets = {target};
    for (auto _ : state) {
        auto plan = lock2nix::plan_environment(lock, &pp, options);
        selected = plan.targets.front().selection.packages.size();
        benchmark::DoNotOptimize(plan);
    }
    state.counters["selected"] = static_cast<double>(selected);
}

// The override database's share of a translation: load the compiled-in defaults and resolve a
// recipe for every package of the lock (more than a translation resolves: only selected ones).
void BM_OverridesForLargestLock(benchmark::State& state) {
    const auto lock = lock2nix::parse_lock(lock_text(), lock_path());
    for (auto _ : state) {
        const auto db = lock2nix::OverrideDatabase::with_defaults();
        std::size_t settings = 0;
        for (const auto& p : lock.packages) {
            settings += db.resolve(p.canonical_name, p.version).settings.size();
        }
        benchmark::DoNotOptimize(settings);
    }
}

// The whole translation in-process (read, plan every group and extra, overrides, emit).
void BM_TranslateLargestLock(benchmark::State& state) {
    lock2nix::TranslateOptions options;
    options.lock_path = lock_path();
    options.systems = {"x86_64-linux"};
    options.pythons = {"3.11"};
    options.index.offline = true;         // the index is measured by bench_index
    options.allow_outside_project = true; // the largest corpus lock has a path dependency in ../
    for (auto _ : state) {
        auto text = lock2nix::translate(options);
        benchmark::DoNotOptimize(text);
    }
}

BENCHMARK(BM_TomlParseOnly)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReadLockModel)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReadPyprojectWithContentHash)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PlanLargestLock)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OverridesForLargestLock)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TranslateLargestLock)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
