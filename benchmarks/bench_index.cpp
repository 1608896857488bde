// The index client's concurrency: 500 requests to a loopback index that answers each after 50 ms,
// with 16 transfers at a time and with 1, in the same run. The bound for 16 is 500 × 50 ms / 16
// = 1.56 s; the target is to come within 1.5× of it.

#include "lock2nix/fetch/index.hpp"

#include <benchmark/benchmark.h>
#include <cstdio>
#include <cstdlib>
#include <signal.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace {

struct Server {
    pid_t pid = -1;
    int port = 0;
    Server() {
        int out[2];
        if (pipe(out) != 0) {
            std::abort();
        }
        pid = fork();
        if (pid == 0) {
            dup2(out[1], STDOUT_FILENO);
            const std::string script = std::string(LOCK2NIX_SOURCE_DIR) + "/tests/index/server.py";
            const std::string fixtures =
                std::string(LOCK2NIX_SHARED_DIR) +
                "/fixtures/pypi/python-poetry+poetry/tests/repositories/fixtures";
            execlp("python3", "python3", script.c_str(), "--fixtures", fixtures.c_str(),
                   "--latency", "0.05", static_cast<char*>(nullptr));
            _exit(127);
        }
        close(out[1]);
        FILE* f = fdopen(out[0], "r");
        char line[64] = {};
        if (fgets(line, sizeof line, f) == nullptr) {
            std::abort();
        }
        fclose(f);
        port = std::atoi(line + 5);
    }
    ~Server() {
        kill(pid, SIGTERM);
        waitpid(pid, nullptr, 0);
    }
};

Server& server() {
    static Server s;
    return s;
}

void fetch(benchmark::State& state) {
    lock2nix::IndexOptions o;
    o.concurrency = static_cast<int>(state.range(0));
    o.use_cache = false;
    lock2nix::IndexClient client(o);
    std::vector<lock2nix::IndexRequest> requests;
    for (int i = 0; i < 500; ++i) {
        requests.push_back({"http://127.0.0.1:" + std::to_string(server().port) +
                                "/pypi/isort/4.3.4/json?" + std::to_string(i),
                            "application/json",
                            {},
                            {},
                            true});
    }
    for (auto _ : state) {
        const auto responses = client.fetch_all(requests);
        for (const auto& r : responses) {
            if (!r.ok) {
                state.SkipWithError(r.error.c_str());
                return;
            }
        }
    }
    const double bound = 500 * 0.050 / static_cast<double>(state.range(0));
    state.counters["bound_s"] = bound;
}

BENCHMARK(fetch)->Arg(16)->Arg(1)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
