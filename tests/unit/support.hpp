#pragma once
// Paths to the test data and small helpers for the unit tests.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <unistd.h>

namespace lock2nix::test {

// The fixtures, vectors and sample projects the core tests need, copied into the repository from
// the project's shared data with the same relative paths (tests/data/shared/README.md).
inline std::string shared(const std::string& relative) {
    return std::string(LOCK2NIX_TEST_DIR) + "/data/shared/" + relative;
}

// The whole corpus, for the tests tagged [corpus]: `LOCK2NIX_SHARED_DIR` from the environment,
// else the folder configured at build time. Those tests are registered only when it exists.
inline std::string corpus(const std::string& relative) {
    const char* dir = std::getenv("LOCK2NIX_SHARED_DIR");
    return std::string(dir != nullptr && *dir != '\0' ? dir : LOCK2NIX_SHARED_DIR) + "/" + relative;
}

// A scratch directory for one test, removed with everything in it at scope exit.
struct TempDir {
    std::filesystem::path dir;
    TempDir() {
        std::string t = (std::filesystem::temp_directory_path() / "lock2nix-test-XXXXXX").string();
        if (mkdtemp(t.data()) == nullptr) {
            throw std::runtime_error("cannot create a scratch directory");
        }
        dir = t;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(dir, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

inline std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

inline nlohmann::json load_json(const std::string& path) {
    return nlohmann::json::parse(slurp(path));
}

} // namespace lock2nix::test
