#include "lock2nix/standards/pep508.hpp"

#include "lock2nix/standards/names.hpp"

#include <algorithm>
#include <array>

namespace lock2nix::pep508 {

namespace {

struct VariableName {
    std::string_view text;
    Variable variable;
};

// Longest spellings first, so that a prefix never wins over the full name.
constexpr std::array<VariableName, 19> variable_names = {{
    {"platform_python_implementation", Variable::platform_python_implementation},
    {"platform.python_implementation", Variable::platform_python_implementation},
    {"python_implementation", Variable::platform_python_implementation},
    {"implementation_version", Variable::implementation_version},
    {"implementation_name", Variable::implementation_name},
    {"python_full_version", Variable::python_full_version},
    {"dependency_groups", Variable::dependency_groups},
    {"platform_release", Variable::platform_release},
    {"platform_machine", Variable::platform_machine},
    {"platform.machine", Variable::platform_machine},
    {"platform_version", Variable::platform_version},
    {"platform.version", Variable::platform_version},
    {"platform_system", Variable::platform_system},
    {"python_version", Variable::python_version},
    {"sys_platform", Variable::sys_platform},
    {"sys.platform", Variable::sys_platform},
    {"os_name", Variable::os_name},
    {"os.name", Variable::os_name},
    {"extras", Variable::extras},
}};

bool is_word_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool requires_version(Variable v) {
    return v == Variable::implementation_version || v == Variable::platform_release ||
           v == Variable::python_full_version || v == Variable::python_version;
}

// `op version` as packaging's Specifier(op + version) would read it; nullopt when it is none
// (`in`, or a value that is not a version), and the comparison falls back to strings.
std::optional<pep440::Specifier> version_specifier(Operator op, std::string_view version) {
    if (op == Operator::in || op == Operator::not_in) {
        return std::nullopt;
    }
    std::string text(to_string(op));
    text += version;
    return pep440::Specifier::try_parse(text);
}

constexpr std::size_t max_marker_depth = 100;

class Parser {
public:
    explicit Parser(std::string_view text) : text_(text) {}

    [[noreturn]] void fail(const std::string& what) const {
        throw SyntaxError(what, std::string(text_), pos_);
    }
    [[noreturn]] void fail_at(const std::string& what, std::size_t at) const {
        throw SyntaxError(what, std::string(text_), at);
    }

    std::size_t pos() const { return pos_; }
    void set_pos(std::size_t p) { pos_ = p; }
    bool at_end() const { return pos_ >= text_.size(); }
    char peek() const { return at_end() ? '\0' : text_[pos_]; }
    std::string_view rest() const { return text_.substr(pos_); }

    bool ws() {
        const std::size_t start = pos_;
        while (!at_end() && (text_[pos_] == ' ' || text_[pos_] == '\t')) {
            ++pos_;
        }
        return pos_ > start;
    }

    // A keyword with word boundaries on both sides (`\bword\b`).
    bool keyword(std::string_view word) {
        if (!rest().starts_with(word)) {
            return false;
        }
        if (pos_ > 0 && is_word_char(text_[pos_ - 1]) && is_word_char(word.front())) {
            return false;
        }
        const std::size_t end = pos_ + word.size();
        if (end < text_.size() && is_word_char(text_[end])) {
            return false;
        }
        pos_ = end;
        return true;
    }

    bool literal(char c) {
        if (peek() == c) {
            ++pos_;
            return true;
        }
        return false;
    }

    // marker = atom (BOOLOP atom)*
    Marker marker() {
        Marker m;
        m.terms.push_back(atom());
        while (true) {
            const std::size_t save = pos_;
            if (keyword("and")) {
                m.or_before.push_back(false);
            } else if (keyword("or")) {
                m.or_before.push_back(true);
            } else {
                pos_ = save;
                break;
            }
            m.terms.push_back(atom());
        }
        return m;
    }

    Marker::Term atom() {
        ws();
        Marker::Term term;
        if (literal('(')) {
            const std::size_t open = pos_ - 1;
            // Markers nest by recursion (parsing, printing, evaluating and destroying them): a
            // bound keeps a hostile lock from overflowing the stack. Real markers nest 2 or 3 deep.
            if (++depth_ > max_marker_depth) {
                fail_at("marker parentheses nest deeper than " + std::to_string(max_marker_depth) +
                            " levels",
                        open);
            }
            ws();
            term.group.push_back(marker());
            --depth_;
            ws();
            if (!literal(')')) {
                if (at_end()) {
                    fail_at("expected ')' to close the '(' of this marker expression", open);
                }
                fail("expected ')' or a boolean operator (and, or)");
            }
        } else {
            term.comparison = item();
        }
        ws();
        return term;
    }

    // item = var WS? op WS? var
    Comparison item() {
        ws();
        const std::size_t start = pos_;
        Comparison c;
        std::optional<Variable> left_var;
        std::string left_value;
        read_var(left_var, left_value);
        ws();
        c.op = op();
        ws();
        std::optional<Variable> right_var;
        std::string right_value;
        read_var(right_var, right_value);
        if (left_var && right_var) {
            // The model holds one variable and a literal: accepted, `extra <= python_version`
            // would compare `extra` with the text "python_version" and print a different marker
            // (a fuzz/fuzz_pep508 input). No real marker compares two variables.
            fail_at("a marker comparison between two variables is not supported", start);
        }
        if (left_var) {
            c.variable = *left_var;
            c.variable_on_left = true;
            c.value = right_var ? std::string(to_string(*right_var)) : right_value;
        } else if (right_var) {
            c.variable = *right_var;
            c.variable_on_left = false;
            c.value = left_value;
        } else {
            // Both literals: kept so that it prints back; packaging fails on it at evaluation.
            c.variable_on_left = false;
            c.left_literal = left_value;
            c.value = right_value;
        }
        if ((left_var == Variable::extra && !right_var) ||
            (right_var == Variable::extra && !left_var)) {
            c.value = canonicalize_name(c.value);
        }
        if (left_var && !right_var && requires_version(*left_var)) {
            c.specifier = version_specifier(c.op, c.value);
        }
        return c;
    }

    void read_var(std::optional<Variable>& var, std::string& value) {
        const char q = peek();
        if (q == '\'' || q == '"') {
            const std::size_t close = text_.find(q, pos_ + 1);
            if (close == std::string_view::npos) {
                fail("unterminated string");
            }
            value = std::string(text_.substr(pos_ + 1, close - pos_ - 1));
            pos_ = close + 1;
            return;
        }
        for (const auto& [name, v] : variable_names) {
            if (keyword(name)) {
                var = v;
                return;
            }
        }
        if (keyword("extra")) {
            var = Variable::extra;
            return;
        }
        fail("expected a marker variable or a quoted string");
    }

    Operator op() {
        if (keyword("in")) {
            return Operator::in;
        }
        const std::size_t save = pos_;
        if (keyword("not")) {
            if (ws() && keyword("in")) {
                return Operator::not_in;
            }
            pos_ = save;
            fail("expected 'in' after 'not'");
        }
        // Longest first: "===" before "==", "<=" before "<".
        for (Operator o :
             {Operator::arbitrary_equal, Operator::equal, Operator::compatible, Operator::not_equal,
              Operator::less_equal, Operator::greater_equal, Operator::less, Operator::greater}) {
            const std::string_view text = to_string(o);
            if (rest().starts_with(text)) {
                pos_ += text.size();
                return o;
            }
        }
        fail("expected a marker operator (<=, <, !=, ==, >=, >, ~=, ===, in, not in)");
    }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
    std::size_t depth_ = 0;
};

std::string format(const Marker& m, bool first) {
    // packaging drops the parentheses of a lone parenthesised group.
    if (m.terms.size() == 1 && !m.terms[0].group.empty()) {
        return format(m.terms[0].group[0], first);
    }
    std::string out;
    for (std::size_t i = 0; i < m.terms.size(); ++i) {
        if (i > 0) {
            out += m.or_before[i - 1] ? " or " : " and ";
        }
        const auto& t = m.terms[i];
        out += t.comparison ? t.comparison->str() : format(t.group[0], false);
    }
    return first ? out : "(" + out + ")";
}

bool string_op(Operator op, std::string_view lhs, std::string_view rhs, const Comparison& c) {
    switch (op) {
    case Operator::in:
        return rhs.find(lhs) != std::string_view::npos;
    case Operator::not_in:
        return rhs.find(lhs) == std::string_view::npos;
    case Operator::equal:
    case Operator::less_equal:
    case Operator::greater_equal:
        return lhs == rhs;
    case Operator::not_equal:
        return lhs != rhs;
    case Operator::less:
    case Operator::greater:
        return false; // packaging ≥ 26: no ordering between strings that are not versions
    case Operator::compatible:
    case Operator::arbitrary_equal:
        break;
    }
    throw Error("undefined comparison `" + c.str() + "`: `" + std::string(to_string(op)) +
                    "` needs versions on both sides, got \"" + std::string(lhs) + "\" and \"" +
                    std::string(rhs) + "\"",
                {}, {}, "use == or != to compare names");
}

} // namespace

std::string_view to_string(Operator op) {
    switch (op) {
    case Operator::equal:
        return "==";
    case Operator::not_equal:
        return "!=";
    case Operator::less:
        return "<";
    case Operator::less_equal:
        return "<=";
    case Operator::greater:
        return ">";
    case Operator::greater_equal:
        return ">=";
    case Operator::compatible:
        return "~=";
    case Operator::arbitrary_equal:
        return "===";
    case Operator::in:
        return "in";
    case Operator::not_in:
        return "not in";
    }
    return "";
}

std::optional<Variable> variable_named(std::string_view name) {
    for (const auto& [text, v] : variable_names) {
        if (text == name) {
            return v;
        }
    }
    if (name == "extra") {
        return Variable::extra;
    }
    return std::nullopt;
}

void Environment::set(Variable v, std::string value) {
    Slot& slot = slots_[static_cast<std::size_t>(v)];
    slot.version = requires_version(v) ? pep440::Version::try_parse(value) : std::nullopt;
    slot.text = std::move(value);
}

void Environment::unset(Variable v) {
    slots_[static_cast<std::size_t>(v)] = Slot{};
}

const std::string* Environment::get(Variable v) const {
    const Slot& slot = slots_[static_cast<std::size_t>(v)];
    return slot.text ? &*slot.text : nullptr;
}

const pep440::Version* Environment::version(Variable v) const {
    const Slot& slot = slots_[static_cast<std::size_t>(v)];
    return slot.version ? &*slot.version : nullptr;
}

std::string_view to_string(Variable v) {
    switch (v) {
    case Variable::python_version:
        return "python_version";
    case Variable::python_full_version:
        return "python_full_version";
    case Variable::os_name:
        return "os_name";
    case Variable::sys_platform:
        return "sys_platform";
    case Variable::platform_release:
        return "platform_release";
    case Variable::platform_system:
        return "platform_system";
    case Variable::platform_version:
        return "platform_version";
    case Variable::platform_machine:
        return "platform_machine";
    case Variable::platform_python_implementation:
        return "platform_python_implementation";
    case Variable::implementation_name:
        return "implementation_name";
    case Variable::implementation_version:
        return "implementation_version";
    case Variable::extra:
        return "extra";
    case Variable::extras:
        return "extras";
    case Variable::dependency_groups:
        return "dependency_groups";
    }
    return "";
}

namespace {
// Double quotes as packaging prints, unless the value holds one: then single quotes, so that the
// printed marker parses back (found by fuzz/fuzz_pep508: `'a"b' < platform_release`). A value
// cannot hold both kinds: the parser ends a string at its own quote.
std::string quoted(const std::string& value) {
    return value.find('"') == std::string::npos ? "\"" + value + "\"" : "'" + value + "'";
}
// A PEP 751 set variable (packaging's "lock_file" context): membership of the canonical name.
// packaging compares a set with == and != as Python does (never equal) and refuses the rest.
bool set_op(const Comparison& c, const std::set<std::string>& names) {
    if (c.variable_on_left) {
        throw Error("marker comparison `" + c.str() + "` puts `" +
                        std::string(to_string(c.variable)) + "` on the left",
                    {}, {}, "write `\"name\" in " + std::string(to_string(c.variable)) + "`");
    }
    switch (c.op) {
    case Operator::in:
        return names.contains(canonicalize_name(c.value));
    case Operator::not_in:
        return !names.contains(canonicalize_name(c.value));
    case Operator::equal:
        return false;
    case Operator::not_equal:
        return true;
    case Operator::less:
    case Operator::less_equal:
    case Operator::greater:
    case Operator::greater_equal:
    case Operator::compatible:
    case Operator::arbitrary_equal:
        break;
    }
    throw Error("undefined comparison `" + c.str() + "`: `" + std::string(to_string(c.variable)) +
                    "` is a set of names",
                {}, {}, "test membership with `in` or `not in`");
}

} // namespace

std::string Comparison::str() const {
    const std::string var(to_string(variable));
    const std::string val = quoted(value);
    const std::string op_text(to_string(op));
    if (left_literal) {
        return quoted(*left_literal) + " " + op_text + " " + val;
    }
    return variable_on_left ? var + " " + op_text + " " + val : val + " " + op_text + " " + var;
}

Marker Marker::parse(std::string_view text) {
    Parser p(text);
    p.ws();
    if (p.at_end()) {
        p.fail("expected a marker");
    }
    Marker m = p.marker();
    p.ws();
    if (!p.at_end()) {
        p.fail("expected the end of the marker or a boolean operator (and, or)");
    }
    return m;
}

std::optional<Marker> Marker::try_parse(std::string_view text) {
    return unless_syntax_error([&] { return parse(text); });
}

std::string Marker::str() const {
    return empty() ? std::string() : format(*this, true);
}

bool evaluate(const Comparison& c, const Environment& env, Mode mode) {
    if (c.left_literal) {
        throw Error("marker comparison `" + c.str() + "` compares two literals");
    }
    if (c.variable == Variable::extra) {
        if (mode == Mode::poetry) {
            // Poetry binds `extra` to the set of requested extras. The parser normalised the
            // value already.
            if (c.op == Operator::equal) {
                return env.extras.contains(c.value);
            }
            if (c.op == Operator::not_equal) {
                return !env.extras.contains(c.value);
            }
        }
        if (!env.extra_defined) {
            throw Error("marker variable `extra` is not defined in a lock file's markers", {}, {},
                        "a lock names the selected extras in the set `extras`: write "
                        "`'name' in extras`, or regenerate the lock");
        }
        const std::string current =
            env.extras.empty() ? std::string() : canonicalize_name(*env.extras.begin());
        const std::string& lhs = c.variable_on_left ? current : c.value;
        const std::string& rhs = c.variable_on_left ? c.value : current;
        return string_op(c.op, lhs, rhs, c);
    }
    const std::optional<std::set<std::string>>* lock_set =
        c.variable == Variable::extras              ? &env.lock_extras
        : c.variable == Variable::dependency_groups ? &env.lock_dependency_groups
                                                    : nullptr;
    if (lock_set != nullptr && lock_set->has_value()) {
        return set_op(c, **lock_set);
    }
    const std::string* value = env.get(c.variable);
    if (value == nullptr) {
        if (mode == Mode::poetry) {
            return true;
        }
        throw Error("marker variable `" + std::string(to_string(c.variable)) +
                    "` is not defined in the environment");
    }
    const std::string& lhs = c.variable_on_left ? *value : c.value;
    const std::string& rhs = c.variable_on_left ? c.value : *value;
    if (requires_version(c.variable)) {
        if (c.variable_on_left && c.specifier) {
            // Both sides parsed once: the specifier by the parser, the value by the environment.
            const pep440::Version* v = env.version(c.variable);
            return v != nullptr ? c.specifier->contains(*v, true)
                                : c.specifier->contains(std::string_view(lhs), true);
        }
        if (const auto spec = version_specifier(c.op, rhs)) {
            return spec->contains(std::string_view(lhs), true);
        }
    }
    return string_op(c.op, lhs, rhs, c);
}

namespace {

// packaging evaluates every comparison (no short circuit), so that an undefined comparison
// fails even where the other side of an `or` already decided.
bool evaluate_marker(const Marker& m, const Environment& env, Mode mode) {
    bool any_group = false;
    bool group = true;
    for (std::size_t i = 0; i < m.terms.size(); ++i) {
        if (i > 0 && m.or_before[i - 1]) {
            any_group = any_group || group;
            group = true;
        }
        const auto& t = m.terms[i];
        const bool value = t.comparison ? evaluate(*t.comparison, env, mode)
                                        : evaluate_marker(t.group[0], env, mode);
        group = group && value;
    }
    return any_group || group;
}

void collect_failing(const Marker& m, const Environment& env, Mode mode,
                     std::vector<std::string>& out) {
    for (const auto& t : m.terms) {
        if (t.comparison) {
            if (!evaluate(*t.comparison, env, mode)) {
                out.push_back(t.comparison->str());
            }
        } else if (!evaluate_marker(t.group[0], env, mode)) {
            collect_failing(t.group[0], env, mode, out);
        }
    }
}

void collect_comparisons(const Marker& m, std::vector<const Comparison*>& out) {
    for (const auto& t : m.terms) {
        if (t.comparison) {
            out.push_back(&*t.comparison);
        } else {
            collect_comparisons(t.group[0], out);
        }
    }
}

} // namespace

bool Marker::evaluate(const Environment& env, Mode mode) const {
    return empty() || evaluate_marker(*this, env, mode);
}

std::vector<std::string> Marker::failing_comparisons(const Environment& env, Mode mode) const {
    std::vector<std::string> out;
    if (!evaluate(env, mode)) {
        collect_failing(*this, env, mode, out);
    }
    return out;
}

std::vector<const Comparison*> Marker::comparisons() const {
    std::vector<const Comparison*> out;
    collect_comparisons(*this, out);
    return out;
}

// --- Requirement -----------------------------------------------------------------------------

namespace {

bool is_name_char(char c) {
    return is_word_char(c) || c == '.' || c == '-';
}

std::size_t name_end(std::string_view text, std::size_t start) {
    while (start < text.size() && is_name_char(text[start])) {
        ++start;
    }
    return start;
}

void read_name(Parser& p, std::string_view text, Requirement& r) {
    p.ws();
    const std::size_t name_start = p.pos();
    const std::size_t end = name_end(text, name_start);
    r.name = std::string(text.substr(name_start, end - name_start));
    if (r.name.empty() || !is_valid_project_name(r.name)) {
        p.fail("expected a package name");
    }
    r.canonical_name = canonicalize_name(r.name);
    p.set_pos(end);
    p.ws();
}

// `[a, b]`, kept sorted and without duplicates.
void read_extras(Parser& p, std::string_view text, Requirement& r) {
    if (!p.literal('[')) {
        return;
    }
    p.ws();
    while (!p.literal(']')) {
        const std::size_t s = p.pos();
        const std::size_t e = name_end(text, s);
        if (e == s || !is_valid_project_name(text.substr(s, e - s))) {
            p.fail(p.at_end() ? "expected ']' to close the extras" : "expected an extra name");
        }
        r.extras.emplace_back(text.substr(s, e - s));
        p.set_pos(e);
        p.ws();
        if (p.literal(',')) {
            p.ws();
        } else if (p.peek() != ']') {
            p.fail("expected ',' or ']' after an extra");
        }
    }
    std::sort(r.extras.begin(), r.extras.end());
    r.extras.erase(std::unique(r.extras.begin(), r.extras.end()), r.extras.end());
    p.ws();
}

// The rest of the text after `;`; its errors are placed within the whole requirement.
void read_marker(Parser& p, std::string_view text, Requirement& r) {
    const std::size_t start = p.pos();
    std::string_view rest = text.substr(start);
    try {
        r.marker = Marker::parse(rest);
    } catch (const SyntaxError& e) {
        p.fail_at(e.message().substr(0, e.message().find(" at position")), start + e.offset());
    }
    p.set_pos(text.size());
}

// After `@`: the URL, then a marker, which PEP 508 separates from the URL by whitespace.
void read_url_and_marker(Parser& p, std::string_view text, Requirement& r) {
    p.ws();
    const std::size_t s = p.pos();
    std::size_t e = s;
    while (e < text.size() && text[e] != ' ' && text[e] != '\t') {
        ++e;
    }
    if (e == s) {
        p.fail("expected a URL after '@'");
    }
    r.url = std::string(text.substr(s, e - s));
    p.set_pos(e);
    const bool had_ws = p.ws();
    if (p.literal(';')) {
        if (!had_ws) {
            p.fail("expected whitespace between the URL and ';'");
        }
        read_marker(p, text, r);
    }
}

// Version specifiers, bare or in parentheses, then an optional marker.
void read_specifier_and_marker(Parser& p, std::string_view text, Requirement& r) {
    const bool parenthesised = p.literal('(');
    const std::size_t s = p.pos();
    std::size_t e = s;
    while (e < text.size() && text[e] != ';' && text[e] != ')') {
        ++e;
    }
    std::string_view spec = text.substr(s, e - s);
    if (!parenthesised && !spec.empty()) {
        // Unparenthesised specifiers must start right here with an operator.
        const auto first = spec.find_first_not_of(" \t");
        if (first != std::string_view::npos &&
            std::string_view("<>=!~").find(spec[first]) == std::string_view::npos) {
            p.fail_at("expected a version specifier, '@', ';' or the end", s + first);
        }
    }
    try {
        r.specifier = pep440::SpecifierSet::parse(spec);
    } catch (const SyntaxError& err) {
        p.fail_at(err.message().substr(0, err.message().find(" at position")), s + err.offset());
    }
    p.set_pos(e);
    if (parenthesised && !p.literal(')')) {
        p.fail("expected ')' to close the version specifier");
    }
    p.ws();
    if (p.literal(';')) {
        read_marker(p, text, r);
    }
}

} // namespace

Requirement Requirement::parse(std::string_view text) {
    Parser p(text);
    Requirement r;
    read_name(p, text, r);
    read_extras(p, text, r);
    if (p.literal('@')) {
        read_url_and_marker(p, text, r);
    } else {
        read_specifier_and_marker(p, text, r);
    }
    p.ws();
    if (!p.at_end()) {
        p.fail("unexpected text after the requirement");
    }
    return r;
}

std::optional<Requirement> Requirement::try_parse(std::string_view text) {
    return unless_syntax_error([&] { return parse(text); });
}

std::string Requirement::str() const {
    std::string out = name;
    if (!extras.empty()) {
        out += "[";
        for (std::size_t i = 0; i < extras.size(); ++i) {
            out += (i ? "," : "") + extras[i];
        }
        out += "]";
    }
    out += specifier.str();
    if (!url.empty()) {
        out += " @ " + url;
        if (marker) {
            out += " ";
        }
    }
    if (marker) {
        out += "; " + marker->str();
    }
    return out;
}

} // namespace lock2nix::pep508
