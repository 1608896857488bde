#pragma once
// Finding the next of a few bytes in TOML text, 16 bytes at a time, and a multi-line string's
// delimiter. Strings (digests, file names, URLs) are most of a lock's bytes. Two scans step over
// them: `check`'s search for [metadata] and the guard that runs before toml++. A byte-at-a-time
// loop was most of either's cost, and one memchr per stop character (quote, backslash, newline)
// read each string several times.

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

} // namespace lock2nix::detail
