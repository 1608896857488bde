#include "lock2nix/standards/names.hpp"

namespace lock2nix {

namespace {
bool is_separator(char c) {
    return c == '-' || c == '_' || c == '.';
}
bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
} // namespace

std::string canonicalize_name(std::string_view name) {
    std::string out;
    out.reserve(name.size());
    bool in_separator = false;
    for (char c : name) {
        if (is_separator(c)) {
            in_separator = true;
            continue;
        }
        if (in_separator) {
            out += '-';
            in_separator = false;
        }
        out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    if (in_separator) {
        out += '-';
    }
    return out;
}

std::string_view leading_project_name(std::string_view requirement) {
    std::size_t n = 0;
    while (n < requirement.size() && (is_alnum(requirement[n]) || is_separator(requirement[n]))) {
        ++n;
    }
    return requirement.substr(0, n);
}

std::string requirement_name(std::string_view requirement) {
    return canonicalize_name(leading_project_name(requirement));
}

std::string ascii_lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

bool is_valid_project_name(std::string_view name) {
    if (name.empty() || !is_alnum(name.front()) || !is_alnum(name.back())) {
        return false;
    }
    for (char c : name) {
        if (!is_alnum(c) && !is_separator(c)) {
            return false;
        }
    }
    return true;
}

} // namespace lock2nix
