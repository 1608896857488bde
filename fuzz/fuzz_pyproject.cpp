// libFuzzer harness: the pyproject.toml reader and the root requirements selection reads from it.
#include "lock2nix/error.hpp"
#include "lock2nix/project/pyproject.hpp"
#include "lock2nix/resolve/select.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const lock2nix::Pyproject pp = lock2nix::parse_pyproject(text, "pyproject.toml");
        (void)lock2nix::root_requirements(pp);
    } catch (const lock2nix::Error&) {
    }
    return 0;
}
