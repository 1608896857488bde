// libFuzzer harness: PEP 440 versions and specifiers, Poetry constraints. The input is split at
// the first newline into a version and a constraint; whatever parses is printed and compared.
#include "lock2nix/error.hpp"
#include "lock2nix/standards/pep440.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace lock2nix::pep440;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto nl = text.find('\n');
    const std::string_view version = text.substr(0, nl);
    const std::string_view constraint = nl == std::string_view::npos ? text : text.substr(nl + 1);
    try {
        const auto v = Version::try_parse(version);
        if (v) {
            // The normal form reads back as the same version.
            const auto again = Version::try_parse(v->str());
            if (!again || *again != *v) {
                std::abort();
            }
        }
        if (const auto s = SpecifierSet::try_parse(constraint); s && v) {
            (void)s->contains(*v);
            (void)s->str();
        }
        if (const auto c = Constraint::try_parse(constraint)) {
            (void)c->str();
            if (v) {
                (void)c->contains(*v);
            }
        }
    } catch (const lock2nix::Error&) {
    }
    return 0;
}
