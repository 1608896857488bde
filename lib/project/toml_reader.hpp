#pragma once
// Private helpers shared by the lock and pyproject readers: typed access to toml++ nodes that
// turns every wrong type or missing key into an Error carrying the file, line and column.

#include "lock2nix/error.hpp"
#include "lock2nix/files.hpp"
#include "tomlplusplus.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lock2nix::detail {

using lock2nix::read_file;

/// Position of a node as toml++ recorded it: in the text toml++ parsed (see
/// TomlReader::position for a part of a file).
SourcePosition position_of(const toml::node& node);

/// "a string", "an array", ... for messages.
std::string describe_type(const toml::node& node);

class TomlReader {
public:
    /// `default_hint` goes with every error raised without a hint of its own.
    TomlReader(std::string file, std::string default_hint)
        : file_(std::move(file)), default_hint_(std::move(default_hint)) {}

    const std::string& file() const { return file_; }

    /// The file's line on which the text this reader parses starts (1 unless set): a part of a
    /// file parsed alone reports positions, of its errors and through `position`, in the file's
    /// lines. Columns need no shift because parts start at a line's start.
    void start_at_line(std::uint32_t line) { lines_before_ = line - 1; }

    /// Position of a node in the file.
    SourcePosition position(const toml::node& node) const;

    /// Parses TOML text; syntax errors become Errors at the offending position with `hint`.
    toml::table parse(std::string_view text, const std::string& hint) const;

    /// Refuses, at its position: keys, headers or brackets nested too deep for a recursive
    /// reader, and non-ASCII characters outside strings and comments (said more clearly here than
    /// toml++ says it). `parse` runs it first.
    void check_before_parsing(std::string_view text, const std::string& hint) const;

    /// `parse` of a part of a text that check_before_parsing has passed as a whole. The check
    /// follows strings and brackets from the text's start, so it is run on the whole text, once.
    toml::table parse_checked(std::string_view text, const std::string& hint) const;

    [[noreturn]] void fail(const toml::node& at, const std::string& message,
                           const std::string& hint = {}) const;
    [[noreturn]] void fail_at(SourcePosition at, const std::string& message,
                              const std::string& hint = {}) const;

    /// `key` of `table` when present; an Error when present with another type.
    std::optional<std::string> string(const toml::table& table, std::string_view key) const;
    std::string string_or(const toml::table& table, std::string_view key,
                          std::string fallback) const;
    std::string required_string(const toml::table& table, std::string_view key,
                                std::string_view what) const;
    std::optional<bool> boolean(const toml::table& table, std::string_view key) const;
    const toml::table* table(const toml::table& table, std::string_view key) const;
    const toml::array* array(const toml::table& table, std::string_view key) const;
    /// An array of strings; a lone string is accepted as a one-element list where `allow_single`.
    std::vector<std::string> string_list(const toml::table& table, std::string_view key,
                                         bool allow_single = false) const;
    /// The string value of a node that must be a string.
    std::string as_string(const toml::node& node, std::string_view what) const;
    const toml::table& as_table(const toml::node& node, std::string_view what) const;

private:
    void no_nul(const toml::node& node, const std::string& value, std::string_view key) const;
    [[noreturn]] void wrong_type(const toml::node& node, std::string_view key,
                                 std::string_view expected) const;

    std::string file_;
    std::string default_hint_;
    std::uint32_t lines_before_ = 0;
};

} // namespace lock2nix::detail
