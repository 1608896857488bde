#pragma once
// What the pylock tests share: the keys every lock must start with, and the corpus of real locks.

#include "support.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lock2nix::test {

// The keys a pylock cannot do without but `packages`, which each test writes its own way.
inline const std::string pylock_header = "lock-version = \"1.0\"\ncreated-by = \"test\"\n";

// Every pylock.toml of the shared corpus, sorted so that failures read the same on every machine;
// nullopt, with a warning, where the corpus is not there.
inline std::optional<std::vector<std::filesystem::path>> corpus_pylocks() {
    const std::filesystem::path root = corpus("corpus/pylock");
    if (!std::filesystem::is_directory(root)) {
        WARN("skipped: no pylock corpus at " << root.string()
                                             << " (set LOCK2NIX_SHARED_DIR to the shared data)");
        return std::nullopt;
    }
    std::vector<std::filesystem::path> out;
    for (const auto& entry : std::filesystem::directory_iterator(root)) {
        if (std::filesystem::exists(entry.path() / "pylock.toml")) {
            out.push_back(entry.path() / "pylock.toml");
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace lock2nix::test
