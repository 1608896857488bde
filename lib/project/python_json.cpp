#include "project/python_json.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace lock2nix::detail {

namespace {

void append_u16(std::string& out, unsigned unit) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "\\u%04x", unit);
    out += buf;
}

// Decodes one UTF-8 sequence; toml++ has already rejected invalid UTF-8.
char32_t next_code_point(std::string_view s, std::size_t& i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    int extra = b0 >= 0xF0 ? 3 : b0 >= 0xE0 ? 2 : b0 >= 0xC0 ? 1 : 0;
    char32_t cp = extra == 3   ? (b0 & 0x07u)
                  : extra == 2 ? (b0 & 0x0Fu)
                  : extra == 1 ? (b0 & 0x1Fu)
                               : b0;
    ++i;
    for (; extra > 0 && i < s.size(); --extra, ++i) {
        cp = (cp << 6) | (static_cast<unsigned char>(s[i]) & 0x3Fu);
    }
    return cp;
}

} // namespace

void append_python_json_string(std::string& out, std::string_view text) {
    out += '"';
    for (std::size_t i = 0; i < text.size();) {
        const char c = text[i];
        switch (c) {
        case '"':
            out += "\\\"";
            ++i;
            continue;
        case '\\':
            out += "\\\\";
            ++i;
            continue;
        case '\n':
            out += "\\n";
            ++i;
            continue;
        case '\r':
            out += "\\r";
            ++i;
            continue;
        case '\t':
            out += "\\t";
            ++i;
            continue;
        case '\b':
            out += "\\b";
            ++i;
            continue;
        case '\f':
            out += "\\f";
            ++i;
            continue;
        default:
            break;
        }
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20 && byte < 0x7F) {
            out += c;
            ++i;
            continue;
        }
        const char32_t cp = next_code_point(text, i);
        if (cp >= 0x10000) {
            const char32_t v = cp - 0x10000;
            append_u16(out, 0xD800 + static_cast<unsigned>(v >> 10));
            append_u16(out, 0xDC00 + static_cast<unsigned>(v & 0x3FF));
        } else {
            append_u16(out, static_cast<unsigned>(cp));
        }
    }
    out += '"';
}

void append_python_json_float(std::string& out, double value) {
    if (std::isnan(value)) {
        out += "NaN";
        return;
    }
    if (std::isinf(value)) {
        out += value > 0 ? "Infinity" : "-Infinity";
        return;
    }
    // Shortest round-trip digits and decimal exponent, then Python's float_repr_style rules.
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
    std::string_view sci(buf, static_cast<std::size_t>(end - buf));
    const bool negative = sci.front() == '-';
    if (negative) {
        sci.remove_prefix(1);
    }
    const auto e = sci.find('e');
    std::string digits;
    for (char c : sci.substr(0, e)) {
        if (c != '.') {
            digits += c;
        }
    }
    int exponent = 0;
    std::from_chars(sci.data() + e + 1 + (sci[e + 1] == '+' ? 1 : 0), sci.data() + sci.size(),
                    exponent);
    while (digits.size() > 1 && digits.back() == '0') {
        digits.pop_back();
    }
    if (negative) {
        out += '-';
    }
    const int n = static_cast<int>(digits.size());
    if (exponent >= -5 + 1 && exponent < 16) {
        if (exponent >= 0) {
            if (n <= exponent + 1) {
                out +=
                    digits +
                    std::string(
                        static_cast<std::size_t>(exponent) + 1 - static_cast<std::size_t>(n), '0') +
                    ".0";
            } else {
                out += digits.substr(0, static_cast<std::size_t>(exponent) + 1) + "." +
                       digits.substr(static_cast<std::size_t>(exponent) + 1);
            }
        } else {
            out += "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
        }
        return;
    }
    out += digits.substr(0, 1);
    if (n > 1) {
        out += "." + digits.substr(1);
    }
    char exp[16];
    std::snprintf(exp, sizeof exp, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += exp;
}

void append_python_json(std::string& out, const toml::node& node, const TomlReader& reader) {
    switch (node.type()) {
    case toml::node_type::table: {
        std::vector<std::pair<std::string, std::string>> members;
        for (const auto& [key, value] : *node.as_table()) {
            std::string v;
            append_python_json(v, value, reader);
            members.emplace_back(std::string(key.str()), std::move(v));
        }
        out += python_json_object(std::move(members));
        return;
    }
    case toml::node_type::array: {
        out += '[';
        bool first = true;
        for (const toml::node& item : *node.as_array()) {
            if (!first) {
                out += ", ";
            }
            first = false;
            append_python_json(out, item, reader);
        }
        out += ']';
        return;
    }
    case toml::node_type::string:
        append_python_json_string(out, node.as_string()->get());
        return;
    case toml::node_type::integer:
        out += std::to_string(node.as_integer()->get());
        return;
    case toml::node_type::floating_point:
        append_python_json_float(out, node.as_floating_point()->get());
        return;
    case toml::node_type::boolean:
        out += node.as_boolean()->get() ? "true" : "false";
        return;
    default:
        reader.fail(
            node, "a " + describe_type(node).substr(2) + " cannot be part of Poetry's content-hash",
            "Poetry itself fails on dates in dependency tables; write the value as a "
            "string");
    }
}

std::string python_json_object(std::vector<std::pair<std::string, std::string>> members) {
    std::sort(members.begin(), members.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string out = "{";
    bool first = true;
    for (const auto& [key, value] : members) {
        if (!first) {
            out += ", ";
        }
        first = false;
        append_python_json_string(out, key);
        out += ": ";
        out += value;
    }
    out += '}';
    return out;
}

} // namespace lock2nix::detail
