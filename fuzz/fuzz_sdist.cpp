// libFuzzer harness: reading an sdist archive (tar.gz, zip, ... through libarchive) for its
// pyproject.toml's [build-system].
#include "lock2nix/error.hpp"
#include "lock2nix/fetch/sdist.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    try {
        (void)lock2nix::read_sdist_build_system_from_memory(bytes, "demo-1.0.tar.gz");
    } catch (const lock2nix::Error&) {
    }
    return 0;
}
