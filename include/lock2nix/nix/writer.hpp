#pragma once
// A small writer for Nix expressions: escaping of strings and attribute names, and a value tree
// rendered the way nixfmt lays code out (two-space indent, one attribute or list item per line).
// Every string that comes from an input file goes through `string_literal`, so no input can
// become Nix code.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lock2nix::nix {

/// A double-quoted Nix string: `"`, `\`, `${` and control characters escaped. Throws Error for
/// a NUL byte, which Nix strings cannot hold.
std::string string_literal(std::string_view text);

/// True for a name usable bare as an attribute name or variable (and not a keyword).
bool is_identifier(std::string_view name);

/// An attribute name: bare when it is an identifier, else a string literal.
std::string attribute_name(std::string_view name);

/// `set.name`, or `set."na me"` when the name needs quotes.
std::string select(std::string_view set, std::string_view name);

/// A Nix value to render.
struct Value {
    enum class Kind { raw, string, list, attrs, apply, function, let, inherit };
    Kind kind = Kind::raw;
    std::string text;         ///< raw code, string contents, applied function, function head,
                              ///< or the set an inherit takes from (trusted code; may be empty)
    std::vector<Value> items; ///< list items / applied argument / body
    std::vector<std::string> names;                   ///< the names an inherit brings in
    std::vector<std::pair<std::string, Value>> attrs; ///< attrset members or let bindings
    std::vector<std::string> comments; ///< comment lines emitted above this value as a member

    /// Raw Nix code, trusted: never build it from input text without escaping.
    static Value raw(std::string code);
    /// A string literal (escaped on rendering).
    static Value str(std::string text);
    static Value list(std::vector<Value> items = {});
    static Value set_of(std::vector<std::pair<std::string, Value>> members = {});
    /// `function argument`, e.g. `fetchurl { ... }`.
    static Value apply(std::string function, Value argument);
    /// `head: body`, e.g. `final: { ... }`.
    static Value lambda(std::string head, Value body);
    /// `let bindings in body`.
    static Value let_in(std::vector<std::pair<std::string, Value>> bindings, Value body);

    /// Adds a member to an attrs value or a binding to a let (names are quoted when needed on
    /// rendering).
    Value& set(std::string name, Value value);
    /// Adds `inherit (from) names…;` (`inherit names…;` when `from` is empty) to an attrs value or
    /// a let. Names are quoted when needed; `from` is trusted code.
    Value& inherit(std::vector<std::string> names, std::string from = {});
    bool empty() const { return items.empty() && attrs.empty(); }
};

/// Renders `value` at the given indentation depth (in two-space steps).
std::string render(const Value& value, int depth = 0);

/// Appends the rendering of `value` to `out` (no copy of a large file's text).
void render_to(std::string& out, const Value& value, int depth = 0);

} // namespace lock2nix::nix
