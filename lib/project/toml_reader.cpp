#include "project/toml_reader.hpp"

#include "project/byte_scan.hpp"

#include <algorithm>

namespace lock2nix::detail {

SourcePosition position_of(const toml::node& node) {
    const auto& begin = node.source().begin;
    return SourcePosition{begin.line, begin.column};
}

std::string describe_type(const toml::node& node) {
    switch (node.type()) {
    case toml::node_type::table:
        return "a table";
    case toml::node_type::array:
        return "an array";
    case toml::node_type::string:
        return "a string";
    case toml::node_type::integer:
        return "an integer";
    case toml::node_type::floating_point:
        return "a float";
    case toml::node_type::boolean:
        return "a boolean";
    case toml::node_type::date:
        return "a date";
    case toml::node_type::time:
        return "a time";
    case toml::node_type::date_time:
        return "a date-time";
    case toml::node_type::none:
        break;
    }
    return "nothing";
}

namespace {

// toml++ bounds the nesting of arrays and inline tables but not the depth that dotted keys and
// table headers create (`a.b.c…` 40,000 deep overflows the stack inside it), and our own readers
// walk the tables recursively. So the text is scanned once before parsing: every key's depth
// (dots in its run, plus the keys and brackets it sits in) must stay below this bound. Real locks
// and pyprojects nest about 6 deep.
constexpr std::size_t max_toml_depth = 128;

bool is_key_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == ' ' || c == '\t';
}

// Bytes in the well-formed UTF-8 sequence starting at `at`, or 0 when there is none.
std::size_t utf8_length(std::string_view text, std::size_t at) {
    const auto lead = static_cast<unsigned char>(text[at]);
    const std::size_t length = lead >= 0xC2 && lead <= 0xDF   ? 2
                               : lead >= 0xE0 && lead <= 0xEF ? 3
                               : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                              : 0;
    if (length == 0 || at + length > text.size()) {
        return 0;
    }
    for (std::size_t k = 1; k < length; ++k) {
        const auto b = static_cast<unsigned char>(text[at + k]);
        if (b < 0x80 || b > 0xBF) {
            return 0;
        }
    }
    return length;
}

// Where the scan is, for messages: the line and the offset at which it starts.
struct LineCount {
    std::uint32_t line = 1;
    std::size_t line_start = 0;

    void new_line_at(std::size_t start) {
        ++line;
        line_start = start;
    }
    SourcePosition at(std::size_t i) const {
        return SourcePosition{line, static_cast<std::uint32_t>(i - line_start + 1)};
    }
};

// One past the end of the string (one-line or multi-line, basic or literal) whose opening quote
// is at `at`, counting the lines it spans; npos when it is unterminated, which is left for
// toml++ to report.
std::size_t string_end(std::string_view text, std::size_t at, char quote, LineCount& lines) {
    const std::size_t n = text.size();
    const bool multi = starts_triple_quote(text, at, quote);
    std::size_t j = at + (multi ? 3 : 1);
    while (true) {
        // Stops: the quote, a newline, and in basic strings a backslash.
        j = quote == '"' ? find_any<'"', '\\', '\n'>(text, j) : find_any<'\'', '\n'>(text, j);
        if (j >= n) {
            return std::string_view::npos;
        }
        if (text[j] == '\\') {
            // A backslash ending a line continues only a multi-line string; a one-line
            // string ends there unterminated, for toml++ to report at its line.
            const std::string_view rest = text.substr(j + 1, 2);
            if (!multi && (rest.starts_with('\n') || rest == "\r\n")) {
                return std::string_view::npos;
            }
            j += 2; // the escaped character, which may be a quote or a line's end
            if (j <= n && text[j - 1] == '\n') {
                lines.new_line_at(j);
            }
            continue;
        }
        if (text[j] == '\n') {
            if (!multi) {
                return std::string_view::npos;
            }
            lines.new_line_at(++j);
            continue;
        }
        if (!multi || starts_triple_quote(text, j, quote)) {
            j += multi ? 3 : 1;
            while (multi && j < n && text[j] == quote) {
                ++j; // up to two quotes may end a multi-line string's content
            }
            return j;
        }
        ++j;
    }
}

// The depth of the key being read: the depth at each open bracket (the base is 0), plus the dots
// of the key whose value is being read, plus those of the current run of key characters.
class KeyDepth {
public:
    // A dot in a run of key characters: the depth the key reaches with it.
    std::size_t dot() { return open_.back() + ++run_dots_ + 1; }

    // Anything else outside strings ends the run of key characters, and `=` ends a key: the
    // depth of the array or table `c` opens, 0 when it opens none.
    std::size_t end_run(char c) {
        if (c == '=') {
            key_dots_ = run_dots_;
        }
        run_dots_ = 0;
        switch (c) {
        case '\n':
        case ',':
            key_dots_ = 0;
            break;
        case '[':
        case '{':
            open_.push_back(open_.back() + key_dots_ + 1);
            key_dots_ = 0;
            return open_.back();
        case ']':
        case '}':
            if (open_.size() > 1) {
                open_.pop_back();
            }
            key_dots_ = 0;
            break;
        default:
            break;
        }
        return 0;
    }

private:
    std::vector<std::size_t> open_{0};
    std::size_t run_dots_ = 0;
    std::size_t key_dots_ = 0;
};

} // namespace

void TomlReader::check_before_parsing(std::string_view text, const std::string& hint) const {
    KeyDepth depth;
    LineCount lines{lines_before_ + 1};
    auto too_deep = [&](std::size_t i, std::string_view what) {
        throw Error(std::string(what) + " nests deeper than " + std::to_string(max_toml_depth) +
                        " levels",
                    file_, lines.at(i), hint);
    };
    const std::size_t n = text.size();
    const bool bom = text.starts_with("\xEF\xBB\xBF");
    // The last character outside strings that was not a space or tab: a quote opens a string
    // only where TOML puts a key or a value (after `=`, `[`, `{`, `,`, `.` or at a line's
    // start). Elsewhere toml++ reads it as part of a bare token (`1"é"`, `a"é"`), so what
    // follows is outside a string and is checked as such.
    char last = '\n';
    for (std::size_t i = bom ? 3 : 0; i < n; ++i) {
        const char c = text[i];
        const char before = last;
        if (c != ' ' && c != '\t') {
            last = c;
        }
        if ((c == '"' || c == '\'') &&
            std::string_view("=[{,.\n").find(before) != std::string_view::npos) {
            const std::size_t end = string_end(text, i, c, lines);
            if (end == std::string_view::npos) {
                return; // toml++ refuses the file at the unterminated string
            }
            i = end - 1;
            continue;
        }
        if (c == '.') {
            if (depth.dot() > max_toml_depth) {
                too_deep(i, "a dotted key or table header");
            }
            continue;
        }
        if (is_key_char(c)) {
            continue;
        }
        if (static_cast<unsigned char>(c) >= 0x80 && utf8_length(text, i) > 0) {
            // Outside strings and comments TOML has no place for a non-ASCII character. Said
            // here, at its position: unpatched, toml++ 3.3 reaches undefined behaviour (UBSan)
            // classifying some while it records a key or value for its own message; the cause
            // is answered in lib/toml/tomlplusplus.hpp, and this check gives the clearer
            // message. Invalid UTF-8 is left to toml++, which rejects it and says so more
            // precisely; so is the byte-order mark a file may start with.
            throw Error("a non-ASCII character outside a quoted string or comment", file_,
                        lines.at(i),
                        "TOML allows non-ASCII text only inside quotes (\"...\") or after #");
        }
        if (depth.end_run(c) > max_toml_depth) {
            too_deep(i, "an array or table");
        }
        if (c == '#') {
            // Past the comment, to just before its line's end, which the next round reads.
            i = std::min(text.find('\n', i), n) - 1;
        } else if (c == '\n') {
            lines.new_line_at(i + 1);
        }
    }
}

SourcePosition TomlReader::position(const toml::node& node) const {
    SourcePosition at = position_of(node);
    if (at.known()) {
        at.line += lines_before_;
    }
    return at;
}

toml::table TomlReader::parse(std::string_view text, const std::string& hint) const {
    check_before_parsing(text, hint);
    return parse_checked(text, hint);
}

toml::table TomlReader::parse_checked(std::string_view text, const std::string& hint) const {
    try {
        return toml::parse(text, file_);
    } catch (const toml::parse_error& e) {
        const auto& begin = e.source().begin;
        throw Error("invalid TOML: " + std::string(e.description()), file_,
                    SourcePosition{begin.line == 0 ? 0 : begin.line + lines_before_, begin.column},
                    hint);
    }
}

void TomlReader::fail(const toml::node& at, const std::string& message,
                      const std::string& hint) const {
    throw Error(message, file_, position(at), hint.empty() ? default_hint_ : hint);
}

void TomlReader::fail_at(SourcePosition at, const std::string& message,
                         const std::string& hint) const {
    throw Error(message, file_, at, hint.empty() ? default_hint_ : hint);
}

void TomlReader::no_nul(const toml::node& node, const std::string& value,
                        std::string_view key) const {
    // TOML allows "\u0000"; no name, version, path or URL holds one, and Nix strings cannot.
    if (const auto at = value.find('\0'); at != std::string::npos) {
        fail(node, "a NUL byte (\\u0000) at offset " + std::to_string(at) + " of the string `" +
                       std::string(key) + "`");
    }
}

void TomlReader::wrong_type(const toml::node& node, std::string_view key,
                            std::string_view expected) const {
    fail(node, "expected " + std::string(expected) + " for `" + std::string(key) + "`, found " +
                   describe_type(node));
}

std::optional<std::string> TomlReader::string(const toml::table& table,
                                              std::string_view key) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) {
        return std::nullopt;
    }
    if (const auto* s = node->as_string()) {
        no_nul(*node, s->get(), key);
        return s->get();
    }
    wrong_type(*node, key, "a string");
}

std::string TomlReader::string_or(const toml::table& table, std::string_view key,
                                  std::string fallback) const {
    auto value = string(table, key);
    return value ? std::move(*value) : std::move(fallback);
}

std::string TomlReader::required_string(const toml::table& table, std::string_view key,
                                        std::string_view what) const {
    auto value = string(table, key);
    if (!value) {
        fail(table, "missing required key `" + std::string(key) + "` in " + std::string(what));
    }
    return std::move(*value);
}

std::optional<bool> TomlReader::boolean(const toml::table& table, std::string_view key) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) {
        return std::nullopt;
    }
    if (const auto* b = node->as_boolean()) {
        return b->get();
    }
    wrong_type(*node, key, "true or false");
}

const toml::table* TomlReader::table(const toml::table& table, std::string_view key) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) {
        return nullptr;
    }
    if (const auto* t = node->as_table()) {
        return t;
    }
    wrong_type(*node, key, "a table");
}

const toml::array* TomlReader::array(const toml::table& table, std::string_view key) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) {
        return nullptr;
    }
    if (const auto* a = node->as_array()) {
        return a;
    }
    wrong_type(*node, key, "an array");
}

std::vector<std::string> TomlReader::string_list(const toml::table& table, std::string_view key,
                                                 bool allow_single) const {
    std::vector<std::string> out;
    const toml::node* node = table.get(key);
    if (node == nullptr) {
        return out;
    }
    if (allow_single) {
        if (const auto* s = node->as_string()) {
            out.push_back(s->get());
            return out;
        }
    }
    const auto* items = node->as_array();
    if (items == nullptr) {
        wrong_type(*node, key, "an array of strings");
    }
    out.reserve(items->size());
    for (const toml::node& item : *items) {
        const auto* s = item.as_string();
        if (s == nullptr) {
            fail(item, "expected a string in the array `" + std::string(key) + "`, found " +
                           describe_type(item));
        }
        no_nul(item, s->get(), key);
        out.push_back(s->get());
    }
    return out;
}

std::string TomlReader::as_string(const toml::node& node, std::string_view what) const {
    if (const auto* s = node.as_string()) {
        no_nul(node, s->get(), what);
        return s->get();
    }
    fail(node, "expected a string for " + std::string(what) + ", found " + describe_type(node));
}

const toml::table& TomlReader::as_table(const toml::node& node, std::string_view what) const {
    if (const auto* t = node.as_table()) {
        return *t;
    }
    fail(node, "expected a table for " + std::string(what) + ", found " + describe_type(node));
}

} // namespace lock2nix::detail
