// libFuzzer harness: wheel and sdist file names, project names.
#include "lock2nix/error.hpp"
#include "lock2nix/standards/names.hpp"
#include "lock2nix/standards/tags.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    using namespace lock2nix;
    try {
        (void)tags::classify(text);
        (void)tags::WheelName::try_parse(text);
        (void)tags::SdistName::try_parse(text);
        const std::string canonical = canonicalize_name(text);
        // Normalisation is idempotent.
        if (canonicalize_name(canonical) != canonical) {
            std::abort();
        }
        (void)is_valid_project_name(text);
        (void)leading_project_name(text);
    } catch (const Error&) {
    }
    return 0;
}
