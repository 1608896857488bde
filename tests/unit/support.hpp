#pragma once
// Paths to the shared fixtures and small helpers for the unit tests.

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace lock2nix::test {

inline std::string shared(const std::string& relative) {
    return std::string(LOCK2NIX_SHARED_DIR) + "/" + relative;
}

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
