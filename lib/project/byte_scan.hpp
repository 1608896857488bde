#pragma once
// Finding the next of a few bytes in TOML text, 16 bytes at a time, and a multi-line string's
// delimiter; whether text is UTF-8; the statements of TOML text. Strings (digests, file names,
// URLs) are most of a lock's bytes, and several scans step over them: `check`'s search for
// [metadata], the lock reader's split into [[package]] entries, and the guard that runs before
// toml++. A byte-at-a-time loop was most of each one's cost, and one memchr per stop character
// (quote, backslash, newline) read each string several times.

#include <cstddef>
#include <string_view>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace lock2nix::detail {

/// Offset of the first of `Cs` in `s` at or after `from`; `s.size()` when there is none or
/// `from` is past the end. SSE2 is x86-64's
/// baseline; elsewhere the plain loop gives the same answers.
template <char... Cs>
std::size_t find_any(std::string_view s, std::size_t from) {
    const char* p = s.data();
    const std::size_t n = s.size();
    std::size_t i = from;
#if defined(__SSE2__)
    for (; i + 16 <= n; i += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
        const __m128i hits = (_mm_cmpeq_epi8(v, _mm_set1_epi8(Cs)) | ...);
        if (const int mask = _mm_movemask_epi8(hits); mask != 0) {
            return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
        }
    }
#endif
    for (; i < n; ++i) {
        if (((p[i] == Cs) || ...)) {
            return i;
        }
    }
    return n;
}

/// Whether `s` holds three `quote`s at `at`: a multi-line string's delimiter (`"""` or `'''`).
inline bool starts_triple_quote(std::string_view s, std::size_t at, char quote) {
    return at + 2 < s.size() && s[at] == quote && s[at + 1] == quote && s[at + 2] == quote;
}

/// Whether `s` is well-formed UTF-8 (Unicode's table 3-7: no overlong forms, no surrogates,
/// nothing past U+10FFFF), as toml++'s decoder requires. ASCII, most of a lock, is passed 16
/// bytes at a time.
inline bool valid_utf8(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
#if defined(__SSE2__)
        if (i + 16 <= n &&
            _mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i))) == 0) {
            i += 16;
            continue;
        }
#endif
        const unsigned char b = p[i];
        if (b < 0x80) {
            ++i;
            continue;
        }
        // The length and the range of the second byte that the first one allows.
        std::size_t length = 0;
        unsigned char low = 0x80;
        unsigned char high = 0xBF;
        if (b >= 0xC2 && b <= 0xDF) {
            length = 2;
        } else if (b >= 0xE0 && b <= 0xEF) {
            length = 3;
            low = b == 0xE0 ? 0xA0 : 0x80;
            high = b == 0xED ? 0x9F : 0xBF;
        } else if (b >= 0xF0 && b <= 0xF4) {
            length = 4;
            low = b == 0xF0 ? 0x90 : 0x80;
            high = b == 0xF4 ? 0x8F : 0xBF;
        } else {
            return false;
        }
        if (i + length > n || p[i + 1] < low || p[i + 1] > high) {
            return false;
        }
        for (std::size_t k = 2; k < length; ++k) {
            if (p[i + k] < 0x80 || p[i + k] > 0xBF) {
                return false;
            }
        }
        i += length;
    }
    return true;
}

/// The statements of TOML text, one at a time: table headers and key/value pairs (a pair with the
/// multi-line strings, arrays and inline tables its value opens), found by following strings,
/// comments and brackets without reading values; blank and comment lines are passed over. Text
/// that is not TOML can make it lose track: it says `unsure` where it cannot follow (an
/// unterminated string, a bracket closed that was not opened), and readers that act on its
/// answers act only where toml++ would read the text the same way (see their tests).
class TomlStatements {
public:
    enum class Kind { header, key_value, end, unsure };

    struct Statement {
        Kind kind = Kind::end;
        /// Where the scan's line began: the text's start, just past a newline, or past a carriage
        /// return that stood alone at the start of a line (passed over as blank).
        std::size_t line = 0;
        std::size_t first = 0;   ///< its first byte after spaces and tabs
        std::string_view header; ///< a header's line from `[` to its newline, exclusive
    };

    explicit TomlStatements(std::string_view text, std::size_t from = 0) : s_(text), i_(from) {}

    Statement next() {
        while (i_ < s_.size()) {
            Statement st;
            st.line = i_;
            skip_blanks();
            st.first = i_;
            if (i_ >= s_.size()) {
                break;
            }
            const char c = s_[i_];
            if (c == '\n' || c == '\r') {
                ++i_;
                continue;
            }
            if (c == '#') {
                skip_line();
                continue;
            }
            if (c == '[') {
                const auto nl = s_.find('\n', i_);
                st.header = s_.substr(i_, (nl == std::string_view::npos ? s_.size() : nl) - i_);
                i_ = nl == std::string_view::npos ? s_.size() : nl + 1;
                st.kind = Kind::header;
                return st;
            }
            st.kind = value_line() ? Kind::key_value : Kind::unsure;
            return st;
        }
        return Statement{Kind::end, s_.size(), s_.size(), {}};
    }

private:
    void skip_blanks() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) {
            ++i_;
        }
    }

    void skip_line() {
        const auto nl = s_.find('\n', i_);
        i_ = nl == std::string_view::npos ? s_.size() : nl + 1;
    }

    // Past one key/value, which may span lines inside brackets or multi-line strings.
    bool value_line() {
        int depth = 0;
        while (i_ < s_.size()) {
            i_ = find_any<'"', '\'', '#', '[', ']', '{', '}', '\n'>(s_, i_);
            if (i_ >= s_.size()) {
                break;
            }
            switch (s_[i_]) {
            case '"':
            case '\'':
                if (!string(s_[i_])) {
                    return false;
                }
                break;
            case '#': {
                const auto nl = s_.find('\n', i_);
                i_ = nl == std::string_view::npos ? s_.size() : nl; // its newline ends the value
                break;
            }
            case '[':
            case '{':
                ++depth;
                ++i_;
                break;
            case ']':
            case '}':
                if (--depth < 0) {
                    return false;
                }
                ++i_;
                break;
            case '\n':
                ++i_;
                if (depth == 0) {
                    return true;
                }
                break;
            default:
                ++i_;
            }
        }
        return depth == 0;
    }

    bool string(char quote) {
        const bool multi = starts_triple_quote(s_, i_, quote);
        i_ += multi ? 3 : 1;
        while (i_ < s_.size()) {
            // Stops: the closing quote; a backslash, which may escape it (basic strings only); a
            // newline, which ends a one-line string unterminated.
            const std::size_t stop =
                quote == '"'
                    ? (multi ? find_any<'"', '\\'>(s_, i_) : find_any<'"', '\\', '\n'>(s_, i_))
                    : (multi ? find_any<'\''>(s_, i_) : find_any<'\'', '\n'>(s_, i_));
            if (stop >= s_.size() || s_[stop] == '\n') {
                return false; // unterminated
            }
            if (s_[stop] == '\\') {
                i_ = stop + 2;
                continue;
            }
            if (!multi) {
                i_ = stop + 1;
                return true;
            }
            if (starts_triple_quote(s_, stop, quote)) {
                i_ = stop + 3;
                // Up to two more quotes belong to the content ("""a"""" is `a"`).
                for (int k = 0; k < 2 && i_ < s_.size() && s_[i_] == quote; ++k) {
                    ++i_;
                }
                return true;
            }
            i_ = stop + 1;
        }
        return false; // unterminated
    }

    std::string_view s_;
    std::size_t i_ = 0;
};

} // namespace lock2nix::detail
