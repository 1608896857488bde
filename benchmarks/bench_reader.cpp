// Reading the largest corpus lock: the whole reader (TOML + typed model) against toml++'s parse
// alone, in the same run, so the model's own cost shows as a ratio.

#include "lock2nix/lockfile.hpp"
#include "lock2nix/pyproject.hpp"

#include <benchmark/benchmark.h>
#include <toml++/toml.h>

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

BENCHMARK(BM_TomlParseOnly)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReadLockModel)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReadPyprojectWithContentHash)->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
