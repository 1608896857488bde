#pragma once
// The one error type the library throws: every failure names the file, the line and column when
// known, what was expected, and a hint on how to fix it.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace lock2nix {

/// A place in an input file. Lines and columns count from 1; 0 means "unknown".
struct SourcePosition {
    std::uint32_t line = 0;
    std::uint32_t column = 0;

    bool known() const { return line != 0; }
    friend bool operator==(const SourcePosition&, const SourcePosition&) = default;
};

/// `text` with control characters written as escapes (`\n`, `\t`, `\x1b`): what messages quote
/// from the input cannot break a line or drive the terminal. Other bytes (UTF-8) are kept.
std::string printable(std::string_view text);

/// How much of an input a message quotes: strings up to this many bytes whole, longer ones as a
/// window of this size around the place meant (see excerpt).
inline constexpr std::size_t max_quoted_input = 80;

/// `text` as a message quotes it: whole when short, else the max_quoted_input bytes around
/// `offset` (the start, when there is no particular place), with "…" where it was cut. Cuts fall
/// between UTF-8 characters. A 100 KB marker does not come back whole in its own error message.
std::string excerpt(std::string_view text, std::size_t offset = 0);

/// "file:line:column", or just "file" when the position is unknown.
std::string describe_position(const std::string& file, SourcePosition position);

/// A setting of the library that a message or hint may point to ("pick another target Python").
/// The library says which setting, not how a front end spells it: messages carry a mention
/// (see `mention`) that reads in the library's words by default and that the CLI renders as its
/// flag (`--python`) through `render_settings`.
enum class Setting {
    systems,               ///< TranslateOptions::systems, the target systems
    pythons,               ///< TranslateOptions::pythons, the target Pythons
    macos,                 ///< TranslateOptions::macos
    pyproject,             ///< TranslateOptions::pyproject_path
    offline,               ///< FetchOptions::offline: the cache only, no network
    impure_git,            ///< git sources left to Nix's builtins.fetchGit
    ca_certificates,       ///< FetchOptions::ca_file
    override_files,        ///< override files added to the database
    only_groups,           ///< SelectionRequest::only
    with_groups,           ///< SelectionRequest::with
    without_groups,        ///< SelectionRequest::without
    concurrency,           ///< FetchOptions::concurrency
    nixpkgs,               ///< TranslateOptions::nixpkgs, the nixpkgs release targeted
    project_root,          ///< TranslateOptions::project_root
    allow_outside_project, ///< TranslateOptions::allow_outside_project
};

/// How a front end spells each setting; `library_setting_names()` is the library's own words.
using SettingNames = std::string (*)(Setting);

/// The library's words for a setting, e.g. "TranslateOptions::pythons".
std::string library_setting_name(Setting setting);

/// A mention of `setting` to put in a message or hint. It is a marker, not text: read messages
/// through Error's accessors or `render_settings`.
std::string mention(Setting setting);

/// `text` with every mention replaced by `names(setting)`.
std::string render_settings(std::string_view text, SettingNames names = library_setting_name);

/// What went wrong, for a caller that recovers from some errors and not others: the planner
/// treats an optional group the lock cannot serve as unavailable, but never a malformed input.
enum class ErrorKind {
    /// The input is malformed or contradicts itself (a string that does not parse included):
    /// the file needs fixing.
    invalid_input,
    unknown_name, ///< a group, extra or package asked for that the input does not have
    /// The input is valid but cannot serve this target or request: every entry excludes the
    /// target Python, no file is usable on the target, a requirement is missing from the lock.
    unsatisfiable,
    network,    ///< a download or index request failed after its retries
    filesystem, ///< a file or directory could not be read or written
};

/// "invalid input", "unknown name", "unsatisfiable", "network", "filesystem".
std::string_view to_string(ErrorKind kind);

/// An error in the input or the environment, with where it happened and a hint for the user.
class Error : public std::runtime_error {
public:
    Error(std::string message, std::string file = {}, SourcePosition position = {},
          std::string hint = {}, ErrorKind kind = ErrorKind::invalid_input);

    /// The message and hint in the library's words (mentions of settings rendered).
    std::string message() const { return render_settings(message_); }
    const std::string& file() const { return file_; }
    SourcePosition position() const { return position_; }
    std::string hint() const { return render_settings(hint_); }
    ErrorKind kind() const { return kind_; }

    /// The same error placed in a file (used when a string parsed on its own turns out to come
    /// from a known place in a lock file), its message after `prefix`. Keeps the hint and kind.
    Error located(std::string file, SourcePosition position, std::string_view prefix = {}) const;

    /// "file:line:column: error: message" followed by "  hint: ..." when there is a hint, with
    /// settings named by `names` (what() is this in the library's words).
    std::string describe(SettingNames names = library_setting_name) const;

private:
    std::string message_;
    std::string file_;
    SourcePosition position_;
    std::string hint_;
    ErrorKind kind_;
};

/// Inside a catch of `error`: rethrows it (its own type kept) unless the input only cannot serve
/// what was asked (ErrorKind::unsatisfiable). The catch of a caller that recovers from that and
/// from nothing else: a malformed input is never taken for an unavailable package.
inline void rethrow_unless_unsatisfiable(const Error& error) {
    if (error.kind() != ErrorKind::unsatisfiable) {
        throw;
    }
}

/// A syntax error inside one string (a version, a specifier, a marker): `offset` is the 0-based
/// byte offset of the offending character in `input`.
class SyntaxError : public Error {
public:
    SyntaxError(const std::string& what, std::string input, std::size_t offset);

    const std::string& input() const { return input_; }
    std::size_t offset() const { return offset_; }

private:
    std::string input_;
    std::size_t offset_;
};

/// Runs a parser and turns its SyntaxError into nullopt: the body of every `try_parse`.
template <class Parse>
auto unless_syntax_error(Parse&& parse) -> std::optional<decltype(parse())> {
    try {
        return parse();
    } catch (const SyntaxError&) {
        return std::nullopt;
    }
}

} // namespace lock2nix
