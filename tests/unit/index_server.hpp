#pragma once
// The loopback package index of the tests (tests/index/server.py), started and stopped by scope.

#include "support.hpp"

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <signal.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace lock2nix::test {

inline const std::string fixtures =
    shared("fixtures/pypi/python-poetry+poetry/tests/repositories/fixtures");

// Starts tests/index/server.py and stops it at scope exit.
class Server {
public:
    explicit Server(std::vector<std::string> extra = {}) {
        int out[2];
        REQUIRE(pipe(out) == 0);
        pid_ = fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            dup2(out[1], STDOUT_FILENO);
            close(out[0]);
            std::vector<std::string> args{"python3",
                                          std::string(LOCK2NIX_TEST_DIR) + "/index/server.py",
                                          "--fixtures", fixtures};
            args.insert(args.end(), extra.begin(), extra.end());
            std::vector<char*> argv;
            for (auto& a : args) {
                argv.push_back(a.data());
            }
            argv.push_back(nullptr);
            execvp("python3", argv.data());
            _exit(127);
        }
        close(out[1]);
        FILE* f = fdopen(out[0], "r");
        char line[64] = {};
        REQUIRE(fgets(line, sizeof line, f) != nullptr);
        fclose(f);
        port_ = std::atoi(line + 5);
        REQUIRE(port_ > 0);
    }
    ~Server() {
        kill(pid_, SIGTERM);
        waitpid(pid_, nullptr, 0);
    }
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;
    std::string url(const std::string& path, const std::string& scheme = "http") const {
        return scheme + "://127.0.0.1:" + std::to_string(port_) + path;
    }

private:
    pid_t pid_ = -1;
    int port_ = 0;
};

} // namespace lock2nix::test
