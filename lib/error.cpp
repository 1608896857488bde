#include "lock2nix/error.hpp"

#include <algorithm>
#include <iterator>

namespace lock2nix {

namespace {

constexpr std::size_t max_word = 300;         // a wheel name or a file URL is under 200
constexpr std::size_t max_message = 16 << 10; // a message listing a hundred files is 10 KB

bool continuation(std::string_view text, std::size_t at) {
    return at < text.size() && (static_cast<unsigned char>(text[at]) & 0xc0) == 0x80;
}

// `text` cut to about `limit` bytes: its first three quarters and last quarter, with what was
// left out counted. Cuts fall between UTF-8 characters.
std::string shorten(std::string_view text, std::size_t limit) {
    if (text.size() <= limit) {
        return std::string(text);
    }
    std::size_t head = limit * 3 / 4;
    std::size_t tail = text.size() - limit / 4;
    while (head > 0 && continuation(text, head)) {
        --head;
    }
    while (continuation(text, tail)) {
        ++tail;
    }
    return std::string(text.substr(0, head)) + "… (" + std::to_string(tail - head) +
           " bytes left out) …" + std::string(text.substr(tail));
}

std::string shorten_words(std::string_view text) {
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t end = std::min(text.find_first_of(" \t", i), text.size());
        out += shorten(text.substr(i, end - i), max_word);
        if (end < text.size()) {
            out += text[end];
        }
        i = end + 1;
    }
    return out;
}

std::string compose(const std::string& file, SourcePosition pos, const std::string& message,
                    const std::string& hint, SettingNames names) {
    // Messages quote input (file names, index answers, git's output): a newline or escape
    // sequence from there must not forge lines or colours on the user's terminal.
    std::string out;
    if (!file.empty()) {
        out += printable(describe_position(file, pos)) + ": ";
    }
    // The last guards for quoting input, behind the excerpts each quoting place takes: a word
    // (a run without blanks: a name, a key, a URL) longer than any real one, quoted whole by a
    // place that did not bound it, keeps its ends; and a message still longer than
    // max_message (many such values) loses its middle rather than fill the terminal.
    out +=
        "error: " + shorten(shorten_words(printable(render_settings(message, names))), max_message);
    if (!hint.empty()) {
        out += "\n  hint: " + render_settings(hint, names);
    }
    return out;
}

// A mention is the setting's number between two ASCII separators. Input quoted in a message that
// happens to spell one renders as a setting's name and nothing more; anything else between
// separators is left alone, and printable() escapes the separators as it does every control
// character.
constexpr char mention_open = '\x1e';
constexpr char mention_close = '\x1f';

struct SettingWords {
    Setting setting;
    const char* library;
};

constexpr SettingWords setting_words[] = {
    {Setting::systems, "TranslateOptions::systems"},
    {Setting::pythons, "TranslateOptions::pythons"},
    {Setting::macos, "TranslateOptions::macos"},
    {Setting::pyproject, "TranslateOptions::pyproject_path"},
    {Setting::offline, "FetchOptions::offline"},
    {Setting::impure_git, "TranslateOptions::impure_git"},
    {Setting::ca_certificates, "FetchOptions::ca_file"},
    {Setting::override_files, "OverrideDatabase::add_path"},
    {Setting::only_groups, "SelectionRequest::only"},
    {Setting::with_groups, "SelectionRequest::with"},
    {Setting::without_groups, "SelectionRequest::without"},
    {Setting::concurrency, "FetchOptions::concurrency"},
    {Setting::nixpkgs, "TranslateOptions::nixpkgs"},
    {Setting::project_root, "TranslateOptions::project_root"},
    {Setting::allow_outside_project, "TranslateOptions::allow_outside_project"},
};

} // namespace

std::string printable(std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (u < 0x20 || u == 0x7f) {
            out += "\\x";
            out += hex[u >> 4];
            out += hex[u & 15];
        } else {
            out += c;
        }
    }
    return out;
}

std::string library_setting_name(Setting setting) {
    for (const SettingWords& w : setting_words) {
        if (w.setting == setting) {
            return w.library;
        }
    }
    return "?";
}

std::string mention(Setting setting) {
    return std::string(1, mention_open) + std::to_string(static_cast<int>(setting)) + mention_close;
}

std::string render_settings(std::string_view text, SettingNames names) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t open = text.find(mention_open, i);
        const std::size_t close =
            open == std::string_view::npos ? open : text.find(mention_close, open);
        if (close == std::string_view::npos) {
            out.append(text.substr(i));
            break;
        }
        out.append(text.substr(i, open - i));
        const std::string_view number = text.substr(open + 1, close - open - 1);
        int value = -1;
        if (!number.empty() && number.size() <= 2 &&
            std::all_of(number.begin(), number.end(),
                        [](char c) { return c >= '0' && c <= '9'; })) {
            value = std::stoi(std::string(number));
        }
        if (value >= 0 && value < static_cast<int>(std::size(setting_words))) {
            out += names(static_cast<Setting>(value));
        } else {
            out.append(text.substr(open, close - open + 1)); // not a mention: left as it came
        }
        i = close + 1;
    }
    return out;
}

std::string excerpt(std::string_view text, std::size_t offset) {
    if (text.size() <= max_quoted_input) {
        return std::string(text);
    }
    offset = std::min(offset, text.size());
    // The place meant sits a quarter into the window: what led up to it and what follows.
    std::size_t begin = offset > max_quoted_input / 4 ? offset - max_quoted_input / 4 : 0;
    begin = std::min(begin, text.size() - max_quoted_input);
    std::size_t end = begin + max_quoted_input;
    while (begin > 0 && continuation(text, begin)) {
        --begin;
    }
    while (continuation(text, end)) {
        ++end;
    }
    return (begin > 0 ? "…" : "") + std::string(text.substr(begin, end - begin)) +
           (end < text.size() ? "…" : "");
}

std::string describe_position(const std::string& file, SourcePosition position) {
    return position.known()
               ? file + ":" + std::to_string(position.line) + ":" + std::to_string(position.column)
               : file;
}

std::string_view to_string(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::invalid_input:
        return "invalid input";
    case ErrorKind::unknown_name:
        return "unknown name";
    case ErrorKind::unsatisfiable:
        return "unsatisfiable";
    case ErrorKind::network:
        return "network";
    case ErrorKind::filesystem:
        return "filesystem";
    }
    return "invalid input";
}

Error::Error(std::string message, std::string file, SourcePosition position, std::string hint,
             ErrorKind kind)
    : std::runtime_error(compose(file, position, message, hint, library_setting_name)),
      message_(std::move(message)), file_(std::move(file)), position_(position),
      hint_(std::move(hint)), kind_(kind) {}

Error Error::located(std::string file, SourcePosition position, std::string_view prefix) const {
    return Error(std::string(prefix) + message_, std::move(file), position, hint_, kind_);
}

std::string Error::describe(SettingNames names) const {
    return compose(file_, position_, message_, hint_, names);
}

SyntaxError::SyntaxError(const std::string& what, std::string input, std::size_t offset)
    : Error(what + " at position " + std::to_string(offset + 1) + " of \"" +
            excerpt(input, offset) + "\""),
      input_(std::move(input)), offset_(offset) {}

} // namespace lock2nix
