#include "lock2nix/error.hpp"

#include <algorithm>
#include <iterator>

namespace lock2nix {

namespace {

std::string compose(const std::string& file, SourcePosition pos, const std::string& message,
                    const std::string& hint, SettingNames names) {
    // Messages quote input (file names, index answers, git's output): a newline or escape
    // sequence from there must not forge lines or colours on the user's terminal.
    std::string out;
    if (!file.empty()) {
        out += printable(describe_position(file, pos)) + ": ";
    }
    out += "error: " + printable(render_settings(message, names));
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

std::string describe_position(const std::string& file, SourcePosition position) {
    return position.known()
               ? file + ":" + std::to_string(position.line) + ":" + std::to_string(position.column)
               : file;
}

Error::Error(std::string message, std::string file, SourcePosition position, std::string hint)
    : std::runtime_error(compose(file, position, message, hint, library_setting_name)),
      message_(std::move(message)), file_(std::move(file)), position_(position),
      hint_(std::move(hint)) {}

Error Error::located(std::string file, SourcePosition position, std::string_view prefix) const {
    return Error(std::string(prefix) + message_, std::move(file), position, hint_);
}

std::string Error::describe(SettingNames names) const {
    return compose(file_, position_, message_, hint_, names);
}

SyntaxError::SyntaxError(const std::string& what, std::string input, std::size_t offset)
    : Error(what + " at position " + std::to_string(offset + 1) + " of \"" + input + "\""),
      input_(std::move(input)), offset_(offset) {}

} // namespace lock2nix
