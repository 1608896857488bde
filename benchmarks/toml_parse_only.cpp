// The baseline process of benchmarks/translate_vs_parse.py: read a file and parse it with toml++,
// as lock2nix does (read(2) into a sized buffer, toml::parse), and nothing else.

#include "lock2nix/files.hpp"

#include <cstdio>
#include "tomlplusplus.hpp"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s FILE.toml\n", argv[0]);
        return 2;
    }
    const std::string text = lock2nix::read_file(argv[1]);
    try {
        const toml::table table = toml::parse(std::string_view(text), std::string_view(argv[1]));
        return table.empty() ? 1 : 0;
    } catch (const toml::parse_error& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 2;
    }
}
