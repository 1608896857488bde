#pragma once
// PEP 440 versions and specifiers, as pypa/packaging implements them, and Poetry's own
// constraint syntax (`^1.2`, `~1.2`, `1.2.*`, `>=2.7,!=3.0.*`, `a || b`) on top.

#include "lock2nix/error.hpp"

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace lock2nix::pep440 {

/// A PEP 440 version. Parsing accepts every spelling PEP 440 allows (case, separators,
/// `alpha`/`preview`/`rev`..., implicit post `1.0-1`, leading `v`, surrounding whitespace).
struct Version {
    enum class PreKind : std::uint8_t { a, b, rc };
    using LocalPart = std::variant<std::uint64_t, std::string>;

    std::uint64_t epoch = 0;
    std::vector<std::uint64_t> release;
    std::optional<std::pair<PreKind, std::uint64_t>> pre;
    std::optional<std::uint64_t> post;
    std::optional<std::uint64_t> dev;
    std::vector<LocalPart> local; ///< empty when there is no local label

    /// Parses; throws SyntaxError naming the offending position.
    static Version parse(std::string_view text);
    /// Parses; nullopt when `text` is not a valid version.
    static std::optional<Version> try_parse(std::string_view text);

    /// The canonical spelling ("1.0a1.post2.dev3+ubuntu.1").
    std::string str() const;
    /// Without the local label.
    std::string public_str() const;
    /// Epoch and release only ("1!2.0").
    std::string base_version() const;
    bool is_prerelease() const { return pre.has_value() || dev.has_value(); }
    bool is_postrelease() const { return post.has_value(); }
    bool is_devrelease() const { return dev.has_value(); }
    bool has_local() const { return !local.empty(); }
    /// The same version without its local label.
    Version without_local() const;
    /// Epoch and release only.
    Version base() const;

    /// PEP 440 total order (trailing zeros of the release are insignificant).
    friend std::strong_ordering operator<=>(const Version& a, const Version& b);
    friend bool operator==(const Version& a, const Version& b) {
        return (a <=> b) == std::strong_ordering::equal;
    }
};

/// A specifier operator.
enum class Operator {
    compatible,
    equal,
    not_equal,
    less_equal,
    greater_equal,
    less,
    greater,
    arbitrary
};

/// "~=", "==", "!=", "<=", ">=", "<", ">", "===".
std::string_view to_string(Operator op);

/// One specifier clause such as ">=1.0", "==1.2.*" or "===foo".
struct Specifier {
    Operator op = Operator::greater_equal;
    std::string version;   ///< the version text as written (without ".*"), trimmed
    bool wildcard = false; ///< "==1.2.*" / "!=1.2.*"

    /// Parses one clause; throws SyntaxError on anything packaging rejects.
    static Specifier parse(std::string_view text);
    static std::optional<Specifier> try_parse(std::string_view text);

    /// "op" + "version" [+ ".*"], as packaging prints it.
    std::string str() const;
    /// Whether this clause on its own lets pre-releases in (it names one).
    bool prereleases() const;
    /// PEP 440 containment; `prereleases` nullopt = decide from the clause, as packaging does.
    bool contains(const Version& v, std::optional<bool> prereleases = std::nullopt) const;
    /// Same for text; a text that is not a version is contained only by a matching `===`.
    bool contains(std::string_view v, std::optional<bool> prereleases = std::nullopt) const;

private:
    bool matches(const Version& v) const;
};

/// A comma-separated set of specifiers; all must hold. Empty means "any version".
struct SpecifierSet {
    std::vector<Specifier> specifiers;

    /// Parses "a, b, c" (whitespace allowed); throws SyntaxError.
    static SpecifierSet parse(std::string_view text);
    static std::optional<SpecifierSet> try_parse(std::string_view text);

    /// Sorted, comma-joined, as packaging prints it.
    std::string str() const;
    /// nullopt when empty; else whether any clause lets pre-releases in.
    std::optional<bool> prereleases() const;
    bool contains(const Version& v, std::optional<bool> prereleases = std::nullopt) const;
    bool contains(std::string_view v, std::optional<bool> prereleases = std::nullopt) const;
    bool empty() const { return specifiers.empty(); }
};

/// A Poetry constraint: a union ("||") of specifier sets. `*` and "" are "any version".
struct Constraint {
    std::vector<SpecifierSet> any_of; ///< one empty set = any

    /// Parses Poetry's syntax (`^`, `~`, `~=`, `*`, `x`, wildcards, bare versions meaning `==`,
    /// comma- or space-separated ANDs, `||` / `|` ORs) and plain PEP 440 specifier sets.
    static Constraint parse(std::string_view text);
    static std::optional<Constraint> try_parse(std::string_view text);

    /// " || "-joined specifier sets.
    std::string str() const;
    bool is_any() const;
    /// Containment. Pre-releases are allowed by default: a lock names exact versions, and a
    /// locked pre-release satisfies the constraint that selected it.
    bool contains(const Version& v, bool allow_prereleases = true) const;
};

} // namespace lock2nix::pep440
