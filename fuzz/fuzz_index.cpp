// libFuzzer harness: the three index answer parsers (PyPI JSON API, PEP 691 JSON, PEP 503
// HTML). The first byte picks the parser; the rest is the body of the answer.
#include "lock2nix/error.hpp"
#include "lock2nix/fetch/index.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
    const std::string page = "https://user:secret@index.example/simple/demo/";
    try {
        switch (data[0] % 3) {
        case 0:
            (void)lock2nix::parse_json_api(body, "https://pypi.example/pypi/demo/1.0/json");
            break;
        case 1:
            (void)lock2nix::parse_simple_json(body, page);
            break;
        default:
            (void)lock2nix::parse_simple_html(body, page);
            break;
        }
    } catch (const lock2nix::Error&) {
    }
    (void)lock2nix::redact_urls_in(body);
    return 0;
}
