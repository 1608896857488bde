#pragma once
// Lists in messages: "a, b, c".

#include <string>
#include <string_view>
#include <vector>

namespace lock2nix::detail {

/// The items with `separator` between them.
inline std::string join(const std::vector<std::string>& items, std::string_view separator = ", ") {
    std::string out;
    for (const auto& s : items) {
        if (!out.empty()) {
            out += separator;
        }
        out += s;
    }
    return out;
}

} // namespace lock2nix::detail
