// libFuzzer harness: the poetry.lock reader. Any input must parse or throw lock2nix::Error; an
// escaping exception, a crash or a sanitizer report is a finding.
#include "lock2nix/error.hpp"
#include "lock2nix/project/lockfile.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const lock2nix::Lock lock = lock2nix::parse_lock(text, "poetry.lock");
        for (const auto& p : lock.packages) {
            (void)lock.find(p.name);
        }
    } catch (const lock2nix::Error&) {
    }
    return 0;
}
