#pragma once
// A small writer for Nix expressions: escaping of strings and attribute names, and a typed
// expression tree rendered the way nixfmt lays code out (two-space indent, one attribute or list
// item per line). Text read at run time enters the tree only as string contents, attribute names
// and comments, which the writer escapes or quotes; the code around them is made of typed nodes,
// and the only verbatim code is what lock2nix's own source holds (string literals checked when it
// is compiled, and the Nix files embedded when it is built). So no input can become Nix code.

#include <array>
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lock2nix::nix {

/// A double-quoted Nix string: `"`, `\`, `${` and control characters escaped. Throws Error for
/// a NUL byte, which Nix strings cannot hold.
std::string string_literal(std::string_view text);

/// True for a name usable bare as an attribute name or variable (and not a keyword).
constexpr bool is_identifier(std::string_view name) {
    constexpr std::array<std::string_view, 10> keywords = {"if",  "then", "else", "assert",  "with",
                                                           "let", "in",   "rec",  "inherit", "or"};
    if (name.empty()) {
        return false;
    }
    const char first = name.front();
    if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') || first == '_')) {
        return false;
    }
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '\'';
        if (!ok) {
            return false;
        }
    }
    for (std::string_view k : keywords) {
        if (name == k) {
            return false;
        }
    }
    return true;
}

/// An attribute name: bare when it is an identifier, else a string literal.
std::string attribute_name(std::string_view name);

/// `set.name`, or `set."na me"` when the name needs quotes, as text.
std::string select(std::string_view set, std::string_view name);

/// `# text` and a newline, control characters (newlines above all) turned into spaces, so nothing
/// in the text can end the comment and start code.
std::string comment_line(std::string_view text);

/// Nix code written in lock2nix's source. Only a string literal converts to it: the constructor
/// is consteval and reads every character, which a runtime string, a pointer or a mutable array
/// cannot give it.
class NixCode {
public:
    template <std::size_t N>
    consteval NixCode(const char (&code)[N]) : text_(code, N - 1) { // NOLINT: implicit on purpose
        if (code[N - 1] != '\0') {
            throw "a Nix code constant must be a string literal";
        }
        for (std::size_t i = 0; i + 1 < N; ++i) {
            if (code[i] == '\0' || code[i] == '\n') {
                throw "a Nix code constant is one line";
            }
        }
    }
    constexpr std::string_view text() const { return text_; }

private:
    std::string_view text_;
};

/// A Nix identifier written in lock2nix's source (a variable, a parameter, a formal), checked when
/// lock2nix is compiled: these positions take no quoted name.
class Name {
public:
    template <std::size_t N>
    consteval Name(const char (&name)[N]) : text_(name, N - 1) { // NOLINT: implicit on purpose
        if (name[N - 1] != '\0' || !is_identifier(text_)) {
            throw "not a Nix identifier";
        }
    }
    constexpr std::string_view text() const { return text_; }

private:
    std::string_view text_;
};

struct Formal;

/// A Nix expression to render. Built only through the named constructors below, so each node's
/// text is either escaped on rendering or fixed in lock2nix's source.
class Value {
public:
    /// Comment lines written above this value when it is a member (control characters made
    /// spaces on rendering).
    std::vector<std::string> comments;

    /// Constant code from lock2nix's source (`./.`, `<nixpkgs>`).
    static Value raw(NixCode code);
    static Value null();
    static Value boolean(bool value);
    /// A string literal (escaped on rendering).
    static Value str(std::string text);
    /// A string of parts: a `str` part is text (escaped), any other part is interpolated
    /// (`"${checkout}/sub"`).
    static Value interpolated(std::vector<Value> parts);
    static Value var(Name name);
    /// `base.a.b`, each name quoted when it is not an identifier (`final."zope.interface"`).
    static Value select(Value base, std::vector<std::string> path);
    /// `base.a.b or fallback`.
    static Value select_or(Value base, std::vector<std::string> path, Value fallback);
    static Value list(std::vector<Value> items = {});
    /// An attribute set; members are added with `set` and `inherit`.
    static Value set_of();
    /// `function a b`, an argument in parentheses when it is not a single term
    /// (`fetchurl { … }`, `lib.cleanSource (projectDir + "/x")`).
    static Value call(Value function, std::vector<Value> arguments);
    static Value call(Value function, Value argument);
    /// `a: b: body`, e.g. `final: { ... }`.
    static Value lambda(const std::vector<Name>& parameters, Value body);
    /// `{ a ? default, … }:` on lines of their own, a blank line, then the body (a file's
    /// function).
    static Value lambda_with_defaults(std::vector<Formal> formals, Value body);
    /// `let bindings in body`, the bindings being the members and inherits of an attribute set.
    static Value let_in(Value bindings, Value body);
    static Value plus(Value left, Value right);      ///< `left + right`
    static Value concat(Value left, Value right);    ///< `left ++ right`
    static Value not_equal(Value left, Value right); ///< `left != right`
    static Value parens(Value inner);                ///< `(inner)`
    static Value if_then_else(Value condition, Value then, Value otherwise);
    /// A Nix file of lock2nix's, embedded when lock2nix was built (`file` returns its text):
    /// without its opening comment (written for lock2nix's readers), on the lines after the
    /// place it sits, one level deeper.
    static Value embedded(std::string_view (*file)());
    /// A value made by `make` when the file is written, rendered and dropped at once: a large
    /// file's per-package members never all hold their trees, or their text, at the same time.
    /// As a member, its comments are those of the value `make` returns.
    static Value deferred(std::function<Value()> make);
    /// A member's name and value.
    using Member = std::pair<std::string, Value>;
    /// An attribute set of `count` members, the i-th made by `member(i)` when the file is
    /// written, rendered and dropped at once (after any added with `set`): a set with a member
    /// per package holds nothing per package until then.
    static Value generated_set(std::size_t count, std::function<Member(std::size_t)> member);

    /// Adds a member to an attrs value (the name is quoted when needed on rendering).
    Value& set(std::string name, Value value);
    /// Adds `inherit names…;` to an attrs value. Names are quoted when needed.
    Value& inherit(std::vector<std::string> names);
    /// Adds `inherit (from) names…;` to an attrs value.
    Value& inherit(Value from, std::vector<std::string> names);
    /// An empty list or attribute set.
    bool empty() const { return items_.empty() && attrs_.empty() && generated_count_ == 0; }

private:
    enum class Kind {
        code,
        null,
        boolean,
        string,
        interpolated,
        variable,
        select,
        list,
        attrs,
        call,
        lambda,
        lambda_with_defaults,
        let,
        binary,
        parens,
        conditional,
        embedded,
        deferred,
        inherit,
    };
    friend struct Layout;

    explicit Value(Kind kind) : kind_(kind) {}

    Kind kind_;
    std::string text_;         ///< constant code, string contents, name, operator, rendered text
    std::vector<Value> items_; ///< children: list items, the called function then its
                               ///< arguments, the select's base (and fallback), operands, body
    std::vector<std::string> names_; ///< a select's path, parameters, the names an inherit brings
    std::vector<std::pair<std::string, Value>> attrs_; ///< members, bindings, formals
    std::function<Value()> make_;                      ///< a deferred value's maker
    std::size_t generated_count_ = 0;                  ///< members a generated set makes
    std::function<Member(std::size_t)> generate_;      ///< a generated set's maker
};

/// A formal of `Value::lambda_with_defaults`: `name ? fallback`.
struct Formal {
    Name name;
    Value fallback;
};

/// Renders `value` at the given indentation depth (in two-space steps).
std::string render(const Value& value, int depth = 0);

/// Appends the rendering of `value` to `out` (no copy of a large file's text).
void render_to(std::string& out, const Value& value, int depth = 0);

/// Writes the rendering of `value` to `out` as it goes: the text is handed over after each
/// deferred member, so a large file's text is never whole in memory. Throws what `make` throws
/// and std::ios_base::failure when the stream fails (the stream's exceptions are turned on).
void render_to(std::ostream& out, const Value& value, int depth = 0);

} // namespace lock2nix::nix
