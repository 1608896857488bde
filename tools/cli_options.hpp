#pragma once
// A small command-line option parser for lock2nix's subcommands: long options with values
// (`--lock FILE` or `--lock=FILE`), repeatable options, flags and positionals.

#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace lock2nix::cli {

/// A usage error: the CLI prints it with the command's usage and exits with 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// What a subcommand accepts.
struct OptionSpec {
    std::set<std::string> flags = {};             ///< options without a value, e.g. "--json"
    std::set<std::string> values = {};            ///< options taking one value, last one wins
    std::set<std::string> repeatable = {};        ///< options taking a value, may repeat
    std::map<char, std::string> short_names = {}; ///< e.g. 'o' → "--output"
};

/// Parsed arguments of a subcommand.
class Options {
public:
    Options(const std::vector<std::string>& args, const OptionSpec& spec);

    bool flag(const std::string& name) const { return flags_.contains(name); }
    /// The value of an option, or `fallback` when absent.
    std::string value(const std::string& name, const std::string& fallback = {}) const;
    bool has(const std::string& name) const;
    std::vector<std::string> all(const std::string& name) const;
    const std::vector<std::string>& positionals() const { return positionals_; }

private:
    std::set<std::string> flags_;
    std::map<std::string, std::vector<std::string>> values_;
    std::vector<std::string> positionals_;
};

} // namespace lock2nix::cli
