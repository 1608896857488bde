// libFuzzer harness: the override file reader, then resolving an entry from what it read.
#include "lock2nix/error.hpp"
#include "lock2nix/project/overrides.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        lock2nix::OverrideDatabase db;
        db.add_file(text, "overrides.toml", lock2nix::OverrideLayer::user);
        (void)db.resolve("numpy", "1.26.0");
        (void)db.entries("numpy");
    } catch (const lock2nix::Error&) {
    }
    return 0;
}
