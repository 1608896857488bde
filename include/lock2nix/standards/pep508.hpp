#pragma once
// PEP 508 dependency specifiers: requirement strings and environment markers, parsed and printed
// as pypa/packaging does, evaluated either strictly (packaging) or the way Poetry evaluates
// locked markers (a variable missing from the environment makes its comparison true).

#include "lock2nix/error.hpp"
#include "lock2nix/standards/pep440.hpp"

#include <array>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace lock2nix::pep508 {

/// A marker variable, under its canonical name (`os.name` reads as `os_name`,
/// `python_implementation` as `platform_python_implementation`).
enum class Variable {
    python_version,
    python_full_version,
    os_name,
    sys_platform,
    platform_release,
    platform_system,
    platform_version,
    platform_machine,
    platform_python_implementation,
    implementation_name,
    implementation_version,
    extra,
    extras,
    dependency_groups,
};

/// How many Variable values there are (the size of an Environment's table).
inline constexpr std::size_t variable_count =
    static_cast<std::size_t>(Variable::dependency_groups) + 1;

/// The canonical name ("python_version").
std::string_view to_string(Variable v);

/// The variable a name denotes, in any spelling the grammar accepts ("os.name", "extra"); nullopt
/// for anything else.
std::optional<Variable> variable_named(std::string_view name);

/// A marker comparison operator, parsed once, so evaluation does not compare the operator's text.
enum class Operator {
    equal,           ///< ==
    not_equal,       ///< !=
    less,            ///< <
    less_equal,      ///< <=
    greater,         ///< >
    greater_equal,   ///< >=
    compatible,      ///< ~=
    arbitrary_equal, ///< ===
    in,              ///< in
    not_in,          ///< not in
};

/// "==", "!=", "<", "<=", ">", ">=", "~=", "===", "in", "not in".
std::string_view to_string(Operator op);

/// One comparison `lhs op rhs`; exactly one side is usually the variable.
struct Comparison {
    Variable variable = Variable::python_version;
    bool variable_on_left = true;
    Operator op = Operator::equal;
    std::string value; ///< the literal (extra names already normalised)
    /// Set when both sides are literals (packaging accepts that and fails at evaluation).
    std::optional<std::string> left_literal;
    /// `op value` as a PEP 440 specifier, when a version variable is on the left and the text
    /// parses as one: filled by the parser so evaluation does not parse it again each time.
    /// Hand-built comparisons may leave it empty (evaluation then parses as before).
    std::optional<pep440::Specifier> specifier;

    /// `python_version >= "3.8"` (values in double quotes, as packaging prints them).
    std::string str() const;
};

/// The values a marker is evaluated against: one slot per Variable (a lookup is an index, not a
/// string-keyed search), with version values parsed once when set.
class Environment {
public:
    /// Sets a variable's value (the text as packaging would report it).
    void set(Variable v, std::string value);
    /// Forgets a variable: it becomes unknown (an error in strict mode, true in Poetry mode).
    void unset(Variable v);
    /// The value, or null when the variable is unknown.
    const std::string* get(Variable v) const;
    /// The value parsed as a PEP 440 version, or null when unknown or not a version.
    const pep440::Version* version(Variable v) const;

    /// The extra being installed (strict mode), or the set of requested extras (Poetry mode).
    std::set<std::string> extras;

    /// The lock-file variables of PEP 751, `extras` and `dependency_groups`: sets of canonical
    /// names tested with `"name" in extras`. Unset, they are unknown like any other variable
    /// (an error in strict mode, true in Poetry mode). A set, not text: `"a" in extras` must not
    /// hold for extras {"ab"}, as a substring test would have it.
    std::optional<std::set<std::string>> lock_extras;
    std::optional<std::set<std::string>> lock_dependency_groups;
    /// False in PEP 751's lock-file context, where `extra` has no value (a pylock names the
    /// selected extras in the set `extras`): comparing it is then an error in strict mode.
    bool extra_defined = true;

private:
    struct Slot {
        std::optional<std::string> text;
        std::optional<pep440::Version> version;
    };
    std::array<Slot, variable_count> slots_;
};

/// How to evaluate.
enum class Mode {
    strict, ///< packaging: an unknown variable is an error; `extra` is one name ("" = none)
    poetry, ///< Poetry's locked markers: unknown variable → true; `extra` tests set membership
};

/// A marker expression: terms joined by `and` / `or` (and binds tighter), a term being a
/// comparison or a parenthesised marker. An empty marker always holds.
struct Marker {
    struct Term {
        std::optional<Comparison> comparison;
        std::vector<Marker> group; ///< one element for a parenthesised sub-expression
    };
    std::vector<Term> terms;
    std::vector<bool> or_before; ///< or_before[i]: the join before terms[i+1] is `or`

    /// Parses; throws SyntaxError naming the offending position.
    static Marker parse(std::string_view text);
    static std::optional<Marker> try_parse(std::string_view text);

    bool empty() const { return terms.empty(); }
    /// packaging's str(Marker).
    std::string str() const;
    /// Evaluates; throws Error for comparisons packaging calls undefined (e.g. `~=` on
    /// non-versions), and in strict mode for variables missing from `env`.
    bool evaluate(const Environment& env, Mode mode) const;
    /// The comparisons that came out false (and made the whole marker false), for explanations.
    std::vector<std::string> failing_comparisons(const Environment& env, Mode mode) const;
    /// Every comparison in the marker, depth first.
    std::vector<const Comparison*> comparisons() const;
};

/// Evaluates one comparison.
bool evaluate(const Comparison& c, const Environment& env, Mode mode);

/// A PEP 508 requirement: `name[extra,...] (specifiers) ; marker` or `name @ url ; marker`.
struct Requirement {
    std::string name;
    std::string canonical_name;
    std::vector<std::string> extras; ///< as written, sorted
    pep440::SpecifierSet specifier;
    std::string url;
    std::optional<Marker> marker;

    static Requirement parse(std::string_view text);
    static std::optional<Requirement> try_parse(std::string_view text);
    std::string str() const;
};

} // namespace lock2nix::pep508
