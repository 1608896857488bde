#include "lock2nix/standards/pep440.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace lock2nix::pep440 {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_sep(char c) {
    return c == '-' || c == '_' || c == '.';
}
char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Byte length of the Unicode white space (as Python's str.isspace sees it) that starts at `i`,
// or 0. Versions are parsed from Python strings, so U+2029 and friends count as white space.
std::size_t space_at(std::string_view s, std::size_t i) {
    const auto b = [&](std::size_t k) {
        return k < s.size() ? static_cast<unsigned char>(s[k]) : 0u;
    };
    const unsigned c0 = b(i);
    if (is_space(static_cast<char>(c0)) || (c0 >= 0x1c && c0 <= 0x1f)) {
        return 1;
    }
    if (c0 == 0xC2 && (b(i + 1) == 0x85 || b(i + 1) == 0xA0)) {
        return 2;
    }
    if (c0 == 0xE1 && b(i + 1) == 0x9A && b(i + 2) == 0x80) {
        return 3; // U+1680
    }
    if (c0 == 0xE2 && b(i + 1) == 0x80 &&
        (b(i + 2) <= 0x8A || b(i + 2) == 0xA8 || b(i + 2) == 0xA9 || b(i + 2) == 0xAF)) {
        return b(i + 2) >= 0x80 ? 3 : 0; // U+2000..U+200A, U+2028, U+2029, U+202F
    }
    if (c0 == 0xE2 && b(i + 1) == 0x81 && b(i + 2) == 0x9F) {
        return 3; // U+205F
    }
    if (c0 == 0xE3 && b(i + 1) == 0x80 && b(i + 2) == 0x80) {
        return 3; // U+3000
    }
    return 0;
}

// Length of the white space that ends at `end` (exclusive), or 0.
std::size_t space_before(std::string_view s, std::size_t end) {
    for (std::size_t len = 1; len <= 3 && len <= end; ++len) {
        if (space_at(s, end - len) == len) {
            return len;
        }
    }
    return 0;
}

std::string_view trim(std::string_view s) {
    while (std::size_t n = space_at(s, 0)) {
        s.remove_prefix(n);
    }
    while (std::size_t n = space_before(s, s.size())) {
        s.remove_suffix(n);
    }
    return s;
}

// A cursor over the version text that mirrors packaging's VERSION_PATTERN section by section.
// Every section is optional; a section that does not match leaves the cursor untouched, which
// is what the regular expression's backtracking amounts to for this grammar.
class VersionScanner {
public:
    VersionScanner(std::string_view full, std::size_t begin, std::size_t end)
        : full_(full), pos_(begin), end_(end) {}

    std::size_t pos() const { return pos_; }
    bool at_end() const { return pos_ == end_; }
    char peek(std::size_t ahead = 0) const {
        return pos_ + ahead < end_ ? full_[pos_ + ahead] : '\0';
    }

    bool number(std::uint64_t& out) {
        const std::size_t start = pos_;
        while (pos_ < end_ && is_digit(full_[pos_])) {
            ++pos_;
        }
        if (pos_ == start) {
            return false;
        }
        // Python's integers have no bound; ours do. Anything past 2^64 is refused loudly.
        auto [p, ec] = std::from_chars(full_.data() + start, full_.data() + pos_, out);
        if (ec != std::errc()) {
            throw SyntaxError("version number too large", std::string(full_), start);
        }
        return true;
    }

    // Matches one of `words` (longest first as listed), case-insensitively.
    std::string_view word(std::initializer_list<std::string_view> words) {
        for (std::string_view w : words) {
            if (pos_ + w.size() > end_) {
                continue;
            }
            bool ok = true;
            for (std::size_t i = 0; i < w.size() && ok; ++i) {
                ok = lower(full_[pos_ + i]) == w[i];
            }
            if (ok) {
                pos_ += w.size();
                return w;
            }
        }
        return {};
    }

    bool sep() {
        if (pos_ < end_ && is_sep(full_[pos_])) {
            ++pos_;
            return true;
        }
        return false;
    }

    void reset(std::size_t to) { pos_ = to; }

private:
    std::string_view full_;
    std::size_t pos_;
    std::size_t end_;
};

// [-_.]? <word> [-_.]? <number>? ; returns false (cursor untouched) when <word> is absent.
bool lettered_segment(VersionScanner& s, std::initializer_list<std::string_view> words,
                      std::string_view& which, std::uint64_t& n) {
    const std::size_t start = s.pos();
    s.sep();
    which = s.word(words);
    if (which.empty()) {
        s.reset(start);
        return false;
    }
    // The separator may stand alone ("1.0a." matches the pattern): keeping it consumed is safe
    // because every later section's separator is optional.
    s.sep();
    n = 0;
    s.number(n);
    return true;
}

Version::PreKind pre_kind(std::string_view w) {
    if (w == "a" || w == "alpha") {
        return Version::PreKind::a;
    }
    if (w == "b" || w == "beta") {
        return Version::PreKind::b;
    }
    return Version::PreKind::rc; // c, rc, pre, preview
}

// The body of a version (after optional whitespace and `v`) from `begin` to `end`.
// `allow_local` and `allow_suffixes` serve the specifier grammar, which forbids some parts.
std::optional<Version> scan_version(std::string_view text, std::size_t begin, std::size_t end,
                                    std::size_t& error_at) {
    VersionScanner s(text, begin, end);
    if (s.peek() == 'v' || s.peek() == 'V') {
        s.reset(s.pos() + 1);
    }
    Version v;
    std::uint64_t n = 0;
    if (!s.number(n)) {
        error_at = s.pos();
        return std::nullopt;
    }
    if (s.peek() == '!') {
        v.epoch = n;
        s.reset(s.pos() + 1);
        if (!s.number(n)) {
            error_at = s.pos();
            return std::nullopt;
        }
    }
    v.release.push_back(n);
    while (s.peek() == '.' && is_digit(s.peek(1))) {
        s.reset(s.pos() + 1);
        s.number(n);
        v.release.push_back(n);
    }
    std::string_view which;
    if (lettered_segment(s, {"alpha", "a", "beta", "b", "preview", "pre", "c", "rc"}, which, n)) {
        v.pre = std::make_pair(pre_kind(which), n);
    }
    if (s.peek() == '-' && is_digit(s.peek(1))) {
        s.reset(s.pos() + 1);
        s.number(n);
        v.post = n;
    } else if (lettered_segment(s, {"post", "rev", "r"}, which, n)) {
        v.post = n;
    }
    if (lettered_segment(s, {"dev"}, which, n)) {
        v.dev = n;
    }
    if (s.peek() == '+') {
        s.reset(s.pos() + 1);
        bool expect_part = true;
        while (expect_part) {
            const std::size_t part_start = s.pos();
            while (!s.at_end() && is_alnum(s.peek())) {
                s.reset(s.pos() + 1);
            }
            if (s.pos() == part_start) {
                error_at = s.pos();
                return std::nullopt;
            }
            std::string part;
            bool numeric = true;
            for (std::size_t i = part_start; i < s.pos(); ++i) {
                part += lower(text[i]);
                numeric = numeric && is_digit(text[i]);
            }
            if (numeric) {
                std::uint64_t value = 0;
                auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
                if (ec != std::errc()) {
                    v.local.emplace_back(std::move(part)); // too large: compare as text
                } else {
                    v.local.emplace_back(value);
                }
            } else {
                v.local.emplace_back(std::move(part));
            }
            expect_part = is_sep(s.peek()) && is_alnum(s.peek(1));
            if (expect_part) {
                s.reset(s.pos() + 1);
            }
        }
    }
    if (!s.at_end()) {
        error_at = s.pos();
        return std::nullopt;
    }
    return v;
}

// Strips surrounding whitespace; returns [begin, end) of the rest.
std::pair<std::size_t, std::size_t> trimmed_range(std::string_view text) {
    std::size_t b = 0;
    std::size_t e = text.size();
    while (std::size_t n = b < e ? space_at(text, b) : 0) {
        b += n;
    }
    while (std::size_t n = e > b ? space_before(text, e) : 0) {
        e -= n;
    }
    return {b, e};
}

std::string release_str(const std::vector<std::uint64_t>& release) {
    std::string out;
    for (std::size_t i = 0; i < release.size(); ++i) {
        if (i > 0) {
            out += '.';
        }
        out += std::to_string(release[i]);
    }
    return out;
}

// packaging's _version_split over a canonical version string: epoch, then the dot-separated
// parts, with "1rc2" split into "1", "rc2".
std::vector<std::string> version_split(const std::string& canonical) {
    std::vector<std::string> out;
    std::string_view rest = canonical;
    if (auto bang = rest.rfind('!'); bang != std::string_view::npos) {
        out.emplace_back(rest.substr(0, bang));
        rest = rest.substr(bang + 1);
    } else {
        out.emplace_back("0");
    }
    std::size_t start = 0;
    while (start <= rest.size()) {
        std::size_t dot = rest.find('.', start);
        if (dot == std::string_view::npos) {
            dot = rest.size();
        }
        std::string_view item = rest.substr(start, dot - start);
        std::size_t digits = 0;
        while (digits < item.size() && is_digit(item[digits])) {
            ++digits;
        }
        std::string_view suffix = item.substr(digits);
        auto is_pre_prefix = [](std::string_view s) {
            for (std::string_view p : {"rc", "a", "b", "c"}) {
                if (s.starts_with(p) && s.size() > p.size() &&
                    std::all_of(s.begin() + static_cast<std::ptrdiff_t>(p.size()), s.end(),
                                is_digit)) {
                    return true;
                }
            }
            return false;
        };
        if (digits > 0 && is_pre_prefix(suffix)) {
            out.emplace_back(item.substr(0, digits));
            out.emplace_back(suffix);
        } else {
            out.emplace_back(item);
        }
        start = dot + 1;
    }
    return out;
}

bool all_digits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}

// packaging's prefix match for "==X.Y.*": pad the candidate's release to the spec's length and
// compare the leading parts.
bool prefix_match(const Version& candidate, const std::string& spec_canonical) {
    std::vector<std::string> spec = version_split(spec_canonical);
    std::vector<std::string> cand = version_split(candidate.public_str());
    auto leading = [](const std::vector<std::string>& v) {
        std::size_t n = 0;
        while (n < v.size() && all_digits(v[n])) {
            ++n;
        }
        return n;
    };
    const std::size_t cand_release = leading(cand);
    const std::size_t spec_release = leading(spec);
    if (spec_release > cand_release) {
        cand.insert(cand.begin() + static_cast<std::ptrdiff_t>(cand_release),
                    spec_release - cand_release, "0");
    }
    if (cand.size() < spec.size()) {
        return false;
    }
    return std::equal(spec.begin(), spec.end(), cand.begin());
}

const char* operator_texts[] = {"~=", "==", "!=", "<=", ">=", "<", ">", "==="};

} // namespace

// --- Version ---------------------------------------------------------------------------------

Version Version::parse(std::string_view text) {
    const auto [b, e] = trimmed_range(text);
    std::size_t error_at = 0;
    if (b == e) {
        throw SyntaxError("invalid version: empty", std::string(text), 0);
    }
    auto v = scan_version(text, b, e, error_at);
    if (!v) {
        throw SyntaxError("invalid version: unexpected " +
                              (error_at < text.size() ? "'" + std::string(1, text[error_at]) + "'"
                                                      : std::string("end")),
                          std::string(text), error_at);
    }
    return *v;
}

std::optional<Version> Version::try_parse(std::string_view text) {
    const auto [b, e] = trimmed_range(text);
    std::size_t error_at = 0;
    if (b == e) {
        return std::nullopt;
    }
    try {
        return scan_version(text, b, e, error_at);
    } catch (const SyntaxError&) {
        return std::nullopt;
    }
}

std::string Version::public_str() const {
    std::string out;
    if (epoch != 0) {
        out += std::to_string(epoch) + "!";
    }
    out += release_str(release);
    if (pre) {
        static constexpr std::array<const char*, 3> names = {"a", "b", "rc"};
        out += names[static_cast<std::size_t>(pre->first)] + std::to_string(pre->second);
    }
    if (post) {
        out += ".post" + std::to_string(*post);
    }
    if (dev) {
        out += ".dev" + std::to_string(*dev);
    }
    return out;
}

std::string Version::str() const {
    std::string out = public_str();
    for (std::size_t i = 0; i < local.size(); ++i) {
        out += i == 0 ? '+' : '.';
        if (const auto* n = std::get_if<std::uint64_t>(&local[i])) {
            out += std::to_string(*n);
        } else {
            out += std::get<std::string>(local[i]);
        }
    }
    return out;
}

std::string Version::base_version() const {
    return (epoch != 0 ? std::to_string(epoch) + "!" : std::string()) + release_str(release);
}

Version Version::without_local() const {
    Version v = *this;
    v.local.clear();
    return v;
}

Version Version::base() const {
    Version v;
    v.epoch = epoch;
    v.release = release;
    return v;
}

std::strong_ordering operator<=>(const Version& a, const Version& b) {
    if (auto c = a.epoch <=> b.epoch; std::is_neq(c)) {
        return c;
    }
    // Release, with trailing zeros insignificant.
    const std::size_t n = std::max(a.release.size(), b.release.size());
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t x = i < a.release.size() ? a.release[i] : 0;
        const std::uint64_t y = i < b.release.size() ? b.release[i] : 0;
        if (auto c = x <=> y; std::is_neq(c)) {
            return c;
        }
    }
    // Pre-release: a dev-only release sorts before every pre-release, a final after them.
    auto pre_key = [](const Version& v) -> std::pair<int, std::pair<int, std::uint64_t>> {
        if (!v.pre && !v.post && v.dev) {
            return {-1, {0, 0}};
        }
        if (!v.pre) {
            return {1, {0, 0}};
        }
        return {0, {static_cast<int>(v.pre->first), v.pre->second}};
    };
    if (auto c = pre_key(a) <=> pre_key(b); std::is_neq(c)) {
        return c;
    }
    auto post_key = [](const Version& v) {
        return v.post ? std::pair<int, std::uint64_t>{0, *v.post}
                      : std::pair<int, std::uint64_t>{-1, 0};
    };
    if (auto c = post_key(a) <=> post_key(b); std::is_neq(c)) {
        return c;
    }
    auto dev_key = [](const Version& v) {
        return v.dev ? std::pair<int, std::uint64_t>{0, *v.dev}
                     : std::pair<int, std::uint64_t>{1, 0};
    };
    if (auto c = dev_key(a) <=> dev_key(b); std::is_neq(c)) {
        return c;
    }
    // Local: none sorts first; numeric parts above alphanumeric ones; shorter first on ties.
    if (a.local.empty() || b.local.empty()) {
        return !a.local.empty() <=> !b.local.empty();
    }
    const std::size_t m = std::min(a.local.size(), b.local.size());
    for (std::size_t i = 0; i < m; ++i) {
        const auto* an = std::get_if<std::uint64_t>(&a.local[i]);
        const auto* bn = std::get_if<std::uint64_t>(&b.local[i]);
        if (an && bn) {
            if (auto c = *an <=> *bn; std::is_neq(c)) {
                return c;
            }
        } else if (an || bn) {
            return an ? std::strong_ordering::greater : std::strong_ordering::less;
        } else {
            const auto& as = std::get<std::string>(a.local[i]);
            const auto& bs = std::get<std::string>(b.local[i]);
            if (auto c = as.compare(bs); c != 0) {
                return c < 0 ? std::strong_ordering::less : std::strong_ordering::greater;
            }
        }
    }
    return a.local.size() <=> b.local.size();
}

// --- Specifier -------------------------------------------------------------------------------

std::string_view to_string(Operator op) {
    return operator_texts[static_cast<int>(op)];
}

Specifier Specifier::parse(std::string_view text) {
    const std::string input(text);
    const auto [b, e] = trimmed_range(text);
    std::size_t i = b;
    Specifier spec;
    auto starts = [&](std::string_view token) { return text.substr(i, token.size()) == token; };
    if (starts("===")) {
        spec.op = Operator::arbitrary;
        i += 3;
    } else if (starts("~=")) {
        spec.op = Operator::compatible;
        i += 2;
    } else if (starts("==")) {
        spec.op = Operator::equal;
        i += 2;
    } else if (starts("!=")) {
        spec.op = Operator::not_equal;
        i += 2;
    } else if (starts("<=")) {
        spec.op = Operator::less_equal;
        i += 2;
    } else if (starts(">=")) {
        spec.op = Operator::greater_equal;
        i += 2;
    } else if (starts("<")) {
        spec.op = Operator::less;
        i += 1;
    } else if (starts(">")) {
        spec.op = Operator::greater;
        i += 1;
    } else {
        throw SyntaxError("invalid specifier: expected an operator (~=, ==, !=, <=, >=, <, >, ===)",
                          input, b);
    }
    while (i < e && is_space(text[i])) {
        ++i;
    }
    if (i == e) {
        throw SyntaxError("invalid specifier: expected a version after the operator", input, i);
    }
    std::string_view body = text.substr(i, e - i);
    if (spec.op == Operator::arbitrary) {
        for (std::size_t k = 0; k < body.size(); ++k) {
            if (is_space(body[k]) || body[k] == ';' || body[k] == ')') {
                throw SyntaxError("invalid specifier: unexpected character", input, i + k);
            }
        }
        spec.version = std::string(body);
        return spec;
    }
    std::size_t body_end = e;
    if (body.ends_with(".*")) {
        if (spec.op != Operator::equal && spec.op != Operator::not_equal) {
            throw SyntaxError(
                "invalid specifier: a .* wildcard is only allowed with == and !=", input, e - 2);
        }
        spec.wildcard = true;
        body_end -= 2;
    }
    std::size_t error_at = 0;
    const auto v = scan_version(text, i, body_end, error_at);
    if (!v) {
        throw SyntaxError("invalid specifier: bad version", input, error_at);
    }
    if (spec.wildcard && (v->pre || v->post || v->dev || v->has_local())) {
        throw SyntaxError("invalid specifier: a .* wildcard must follow a release number", input,
                          body_end);
    }
    if (v->has_local() && spec.op != Operator::equal && spec.op != Operator::not_equal) {
        throw SyntaxError("invalid specifier: a local version label is only allowed with == "
                          "and !=",
                          input, text.find('+', i));
    }
    if (spec.op == Operator::compatible && v->release.size() < 2) {
        throw SyntaxError("invalid specifier: ~= needs at least two release numbers", input, i);
    }
    spec.version = std::string(text.substr(i, body_end - i));
    return spec;
}

std::optional<Specifier> Specifier::try_parse(std::string_view text) {
    return unless_syntax_error([&] { return parse(text); });
}

std::string Specifier::str() const {
    return std::string(to_string(op)) + version + (wildcard ? ".*" : "");
}

bool Specifier::prereleases() const {
    if (op == Operator::not_equal || op == Operator::arbitrary || wildcard) {
        return false;
    }
    const auto v = Version::try_parse(version);
    return v && v->is_prerelease();
}

bool Specifier::matches(const Version& candidate) const {
    if (op == Operator::arbitrary) {
        auto a = candidate.str();
        std::string b = version;
        std::transform(a.begin(), a.end(), a.begin(), lower);
        std::transform(b.begin(), b.end(), b.begin(), lower);
        return a == b;
    }
    const Version spec = Version::parse(version);
    switch (op) {
    case Operator::equal:
    case Operator::not_equal: {
        bool equal = false;
        if (wildcard) {
            equal = prefix_match(candidate, spec.str());
        } else {
            equal = spec.has_local() ? candidate == spec : candidate.without_local() == spec;
        }
        return op == Operator::equal ? equal : !equal;
    }
    case Operator::compatible: {
        if (candidate.without_local() < spec) {
            return false;
        }
        Version prefix = spec.base();
        prefix.release.pop_back();
        return prefix_match(candidate, prefix.str());
    }
    case Operator::less_equal:
        return candidate.without_local() <= spec;
    case Operator::greater_equal:
        return candidate.without_local() >= spec;
    case Operator::less: {
        if (!(candidate < spec)) {
            return false;
        }
        // "<1.0" must not admit 1.0's own pre-releases: anything from 1.0.dev0 on.
        Version earliest_pre = spec.without_local();
        earliest_pre.dev = 0;
        return !(!spec.is_prerelease() && candidate.is_prerelease() && candidate >= earliest_pre);
    }
    case Operator::greater: {
        if (!(candidate > spec)) {
            return false;
        }
        // ">1.0" must not admit 1.0's post-releases, nor 1.0 with a local label.
        Version post_base = candidate.without_local();
        post_base.post.reset();
        post_base.dev.reset();
        if (!spec.is_postrelease() && candidate.is_postrelease() && post_base == spec) {
            return false;
        }
        return !(candidate.has_local() && candidate.without_local() == spec);
    }
    case Operator::arbitrary:
        break;
    }
    return false;
}

bool Specifier::contains(const Version& v, std::optional<bool> prereleases) const {
    if (prereleases == false && v.is_prerelease()) {
        return false;
    }
    return matches(v);
}

bool Specifier::contains(std::string_view v, std::optional<bool> prereleases) const {
    if (const auto parsed = Version::try_parse(v)) {
        return contains(*parsed, prereleases);
    }
    if (op != Operator::arbitrary) {
        return false;
    }
    std::string a(v);
    std::string b = version;
    std::transform(a.begin(), a.end(), a.begin(), lower);
    std::transform(b.begin(), b.end(), b.begin(), lower);
    return a == b;
}

// --- SpecifierSet ----------------------------------------------------------------------------

SpecifierSet SpecifierSet::parse(std::string_view text) {
    SpecifierSet set;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t comma = text.find(',', start);
        if (comma == std::string_view::npos) {
            comma = text.size();
        }
        std::string_view item = text.substr(start, comma - start);
        if (!trim(item).empty()) {
            try {
                set.specifiers.push_back(Specifier::parse(item));
            } catch (const SyntaxError& e) {
                throw SyntaxError(e.message().substr(0, e.message().find(" at position")),
                                  std::string(text), start + e.offset());
            }
        }
        start = comma + 1;
    }
    return set;
}

std::optional<SpecifierSet> SpecifierSet::try_parse(std::string_view text) {
    return unless_syntax_error([&] { return parse(text); });
}

std::string SpecifierSet::str() const {
    std::vector<std::string> parts;
    for (const Specifier& s : specifiers) {
        parts.push_back(s.str());
    }
    std::sort(parts.begin(), parts.end());
    parts.erase(std::unique(parts.begin(), parts.end()), parts.end());
    std::string out;
    for (const auto& p : parts) {
        out += (out.empty() ? "" : ",") + p;
    }
    return out;
}

std::optional<bool> SpecifierSet::prereleases() const {
    if (specifiers.empty()) {
        return std::nullopt;
    }
    for (const Specifier& s : specifiers) {
        if (s.prereleases()) {
            return true;
        }
    }
    return std::nullopt;
}

bool SpecifierSet::contains(const Version& v, std::optional<bool> prereleases) const {
    // packaging ≥ 25 decides pre-releases across the whole candidate list; for one candidate
    // that reduces to: refused only when pre-releases are explicitly off.
    if (!prereleases) {
        prereleases = this->prereleases();
    }
    if (prereleases == false && v.is_prerelease()) {
        return false;
    }
    return std::all_of(specifiers.begin(), specifiers.end(),
                       [&](const Specifier& s) { return s.contains(v, true); });
}

bool SpecifierSet::contains(std::string_view v, std::optional<bool> prereleases) const {
    if (const auto parsed = Version::try_parse(v)) {
        return contains(*parsed, prereleases);
    }
    return std::all_of(specifiers.begin(), specifiers.end(),
                       [&](const Specifier& s) { return s.contains(v, true); });
}

} // namespace lock2nix::pep440

// --- Poetry constraints ----------------------------------------------------------------------

namespace lock2nix::pep440 {

namespace {

bool is_op_char(char c) {
    return c == '^' || c == '~' || c == '=' || c == '>' || c == '<' || c == '!';
}

Specifier make(Operator op, std::string version, bool wildcard = false) {
    return Specifier{op, std::move(version), wildcard};
}

std::string release_of(std::uint64_t major, std::optional<std::uint64_t> minor = std::nullopt,
                       std::optional<std::uint64_t> patch = std::nullopt) {
    std::string out = std::to_string(major);
    if (minor) {
        out += "." + std::to_string(*minor);
    }
    if (patch) {
        out += "." + std::to_string(*patch);
    }
    return out;
}

std::uint64_t part(const Version& v, std::size_t i) {
    return i < v.release.size() ? v.release[i] : 0;
}

std::string next_major(const Version& v) {
    return (v.epoch ? std::to_string(v.epoch) + "!" : "") + release_of(part(v, 0) + 1, 0, 0);
}
std::string next_minor(const Version& v) {
    return (v.epoch ? std::to_string(v.epoch) + "!" : "") +
           release_of(part(v, 0), part(v, 1) + 1, 0);
}
std::string next_patch(const Version& v) {
    return (v.epoch ? std::to_string(v.epoch) + "!" : "") +
           release_of(part(v, 0), part(v, 1), part(v, 2) + 1);
}

// "x", "*", "X.*", "*.*"...
bool is_any(std::string_view s) {
    if (s.empty()) {
        return true;
    }
    if (s.front() == 'v' || s.front() == 'V') {
        s.remove_prefix(1);
    }
    bool expect_star = true;
    for (char c : s) {
        if (expect_star && (c == '*' || c == 'x' || c == 'X')) {
            expect_star = false;
        } else if (!expect_star && c == '.') {
            expect_star = true;
        } else {
            return false;
        }
    }
    return !expect_star;
}

[[noreturn]] void constraint_error(const std::string& what, std::string_view whole,
                                   std::size_t offset) {
    throw SyntaxError("invalid version constraint: " + what, std::string(whole), offset);
}

// The version after an operator `skip` characters long, as written and as read.
std::pair<std::string, Version> version_after(std::string_view c, std::size_t skip,
                                              std::string_view whole, std::size_t offset) {
    std::string_view rest = trim(c.substr(skip));
    const auto v = Version::try_parse(rest);
    if (!v) {
        constraint_error("\"" + excerpt(rest) + "\" is not a version", whole, offset);
    }
    return std::make_pair(std::string(rest), *v);
}

// Poetry's next_breaking, the upper bound of `^v`: the first non-zero of major, minor, patch
// moves.
std::string next_breaking(const Version& v) {
    if (part(v, 0) > 0 || v.release.size() == 1) {
        return next_major(v);
    }
    if (part(v, 1) > 0 || v.release.size() == 2) {
        return next_minor(v);
    }
    return next_patch(v);
}

// `~=v`, `~v` and `^v`, each a range from v; false when the clause is none of them.
bool range_from_version(std::string_view c, std::string_view whole, std::size_t offset,
                        std::vector<Specifier>& out) {
    if (c.starts_with("~=")) {
        const auto [text, v] = version_after(c, 2, whole, offset);
        out.push_back(make(Operator::greater_equal, text));
        out.push_back(make(Operator::less, v.release.size() == 2 ? next_major(v) : next_minor(v)));
        return true;
    }
    if (c.starts_with("~")) {
        const auto [text, v] = version_after(c, 1, whole, offset);
        out.push_back(make(Operator::greater_equal, text));
        out.push_back(make(Operator::less, v.release.size() == 1 ? next_major(v) : next_minor(v)));
        return true;
    }
    if (c.starts_with("^")) {
        const auto [text, v] = version_after(c, 1, whole, offset);
        out.push_back(make(Operator::greater_equal, text));
        out.push_back(make(Operator::less, next_breaking(v)));
        return true;
    }
    return false;
}

bool ends_with_wildcard(std::string_view s) {
    return s.ends_with(".*") || s.ends_with(".x") || s.ends_with(".X");
}

// X-ranges: "1.2.*", "==1.*", "!=3.0.*" (Poetry strips every trailing wildcard part).
void wildcard_range(std::string_view op, std::string_view rest, std::string_view whole,
                    std::size_t offset, std::vector<Specifier>& out) {
    std::string_view base = rest;
    while (ends_with_wildcard(base)) {
        base.remove_suffix(2);
    }
    const auto v = Version::try_parse(base);
    if (!v || v->pre || v->post || v->dev || v->has_local()) {
        constraint_error("\"" + excerpt(rest) + "\" is not a version wildcard", whole, offset);
    }
    if (op == "!=") {
        out.push_back(make(Operator::not_equal, std::string(base), true));
    } else if (op.empty() || op == "==" || op == "=") {
        if (v->release.size() == 1 && part(*v, 0) == 0 && op.empty()) {
            out.push_back(make(Operator::less, "1.0.0"));
        } else if (op.empty()) {
            out.push_back(make(Operator::greater_equal, v->str()));
            out.push_back(
                make(Operator::less, v->release.size() == 1 ? next_major(*v) : next_minor(*v)));
        } else {
            out.push_back(make(Operator::equal, std::string(base), true));
        }
    } else {
        constraint_error("a wildcard needs ==, != or no operator", whole, offset);
    }
}

// One comparison with a plain version (no operator: `==`).
void plain_comparison(std::string_view op, std::string_view rest, std::string_view whole,
                      std::size_t offset, std::vector<Specifier>& out) {
    if (rest == "dev") {
        rest = "0.0-dev";
    }
    if (!Version::try_parse(rest)) {
        constraint_error("\"" + excerpt(rest) + "\" is not a version", whole, offset);
    }
    std::string version(rest);
    if (op.empty() || op == "==" || op == "=") {
        out.push_back(make(Operator::equal, version));
    } else if (op == "!=" || op == "<>") {
        out.push_back(make(Operator::not_equal, version));
    } else if (op == "<") {
        out.push_back(make(Operator::less, version));
    } else if (op == "<=") {
        out.push_back(make(Operator::less_equal, version));
    } else if (op == ">") {
        out.push_back(make(Operator::greater, version));
    } else if (op == ">=") {
        out.push_back(make(Operator::greater_equal, version));
    } else if (op == "===") {
        out.push_back(make(Operator::arbitrary, version));
    } else {
        constraint_error("unknown operator \"" + std::string(op) + "\"", whole, offset);
    }
}

// Appends the specifiers for one Poetry clause (`^1.2`, `~1.2`, `>=1,<2`-pieces, `1.2.*`...).
void single_constraint(std::string_view clause, std::string_view whole, std::size_t offset,
                       std::vector<Specifier>& out) {
    std::string_view c = trim(clause);
    if (is_any(c) || range_from_version(c, whole, offset, out)) {
        return;
    }
    std::size_t op_len = 0;
    while (op_len < c.size() && is_op_char(c[op_len])) {
        ++op_len;
    }
    std::string_view op = c.substr(0, op_len);
    std::string_view rest = trim(c.substr(op_len));
    if (ends_with_wildcard(rest)) {
        wildcard_range(op, rest, whole, offset, out);
    } else {
        plain_comparison(op, rest, whole, offset, out);
    }
}

} // namespace

Constraint Constraint::parse(std::string_view text) {
    Constraint out;
    // OR groups: "a || b" (Poetry also accepts a single "|").
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t bar = text.find('|', start);
        if (bar == std::string_view::npos) {
            bar = text.size();
        }
        std::string_view group = text.substr(start, bar - start);
        const std::size_t group_offset = start;
        SpecifierSet set;
        // AND parts: split on commas, then on spaces that do not follow a bare operator.
        std::string_view g = group;
        while (!g.empty() && (is_space(g.back()) || g.back() == ',')) {
            g.remove_suffix(1);
        }
        std::size_t pos = 0;
        std::string pending;
        std::size_t pending_offset = 0;
        auto flush = [&] {
            if (!trim(pending).empty()) {
                single_constraint(pending, text, group_offset + pending_offset, set.specifiers);
            }
            pending.clear();
        };
        while (pos < g.size()) {
            while (pos < g.size() && (is_space(g[pos]) || g[pos] == ',')) {
                if (g[pos] == ',') {
                    flush();
                }
                ++pos;
            }
            const std::size_t word_start = pos;
            while (pos < g.size() && !is_space(g[pos]) && g[pos] != ',') {
                ++pos;
            }
            if (pos == word_start) {
                break;
            }
            std::string_view word = g.substr(word_start, pos - word_start);
            const bool pending_is_bare_op =
                !pending.empty() &&
                std::all_of(pending.begin(), pending.end(), [](char c) { return is_op_char(c); });
            if (pending.empty()) {
                pending_offset = word_start;
                pending = std::string(word);
            } else if (pending_is_bare_op) {
                pending += std::string(word);
            } else {
                flush();
                pending_offset = word_start;
                pending = std::string(word);
            }
        }
        flush();
        out.any_of.push_back(std::move(set));
        start = bar + 1;
        while (start < text.size() && text[start] == '|') {
            ++start;
        }
    }
    return out;
}

std::optional<Constraint> Constraint::try_parse(std::string_view text) {
    return unless_syntax_error([&] { return parse(text); });
}

std::string Constraint::str() const {
    std::string out;
    for (const SpecifierSet& s : any_of) {
        if (!out.empty()) {
            out += " || ";
        }
        out += s.empty() ? "*" : s.str();
    }
    return out;
}

bool Constraint::is_any() const {
    return std::any_of(any_of.begin(), any_of.end(),
                       [](const SpecifierSet& s) { return s.empty(); });
}

bool Constraint::contains(const Version& v, bool allow_prereleases) const {
    return std::any_of(any_of.begin(), any_of.end(), [&](const SpecifierSet& s) {
        return s.contains(v, allow_prereleases ? std::optional<bool>(true) : std::nullopt);
    });
}

} // namespace lock2nix::pep440
