// libFuzzer harness: the Nix writer's string literals and attribute names. Any string without a
// NUL renders; the literal is checked here for the escapes that matter (no unescaped `"`, no
// `${`); tests/fuzz/nix-roundtrip.sh feeds the corpus through real Nix to read each one back.
#include "lock2nix/error.hpp"
#include "lock2nix/nix/writer.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    using namespace lock2nix;
    try {
        const std::string lit = nix::string_literal(text);
        if (lit.size() < 2 || lit.front() != '"' || lit.back() != '"') {
            std::abort();
        }
        // Inside the quotes: every `"` and `${` is escaped (an odd run of backslashes before).
        for (std::size_t i = 1; i + 1 < lit.size(); ++i) {
            if (lit[i] == '\\') {
                ++i;
                continue;
            }
            if (lit[i] == '"' || (lit[i] == '$' && lit[i + 1] == '{')) {
                std::abort();
            }
        }
        const std::string attr = nix::attribute_name(text);
        if (attr != text && attr != lit) {
            std::abort();
        }
    } catch (const Error&) {
        if (text.find('\0') == std::string_view::npos) {
            std::abort(); // only a NUL may be refused
        }
    }
    return 0;
}
