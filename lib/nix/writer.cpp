#include "lock2nix/nix/writer.hpp"

#include "lock2nix/error.hpp"

#include <optional>
#include <ostream>

namespace lock2nix::nix {

namespace {

// The contents of a string literal, without its quotes.
void append_escaped(std::string& out, std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        case '$':
            // `${` starts an interpolation; `$${` is also special in some Nix versions. Escaping
            // every `$` that precedes `{` keeps both literal.
            out += (i + 1 < text.size() && text[i + 1] == '{') ? "\\$" : "$";
            break;
        case '\0':
            throw Error("a string contains a NUL byte, which Nix strings cannot hold", {}, {},
                        "remove the NUL from the input");
        default:
            out += c;
        }
    }
}

} // namespace

std::string string_literal(std::string_view text) {
    std::string out = "\"";
    append_escaped(out, text);
    return out + "\"";
}

std::string attribute_name(std::string_view name) {
    return is_identifier(name) ? std::string(name) : string_literal(name);
}

std::string select(std::string_view set, std::string_view name) {
    return std::string(set) + "." + attribute_name(name);
}

std::string comment_line(std::string_view text) {
    std::string out = "# ";
    for (char c : text) {
        out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
    }
    return out + "\n";
}

Value Value::raw(NixCode code) {
    Value v(Kind::code);
    v.text_ = code.text();
    return v;
}

Value Value::null() {
    return Value(Kind::null);
}

Value Value::boolean(bool value) {
    Value v(Kind::boolean);
    v.text_ = value ? "true" : "false";
    return v;
}

Value Value::str(std::string text) {
    Value v(Kind::string);
    v.text_ = std::move(text);
    return v;
}

Value Value::interpolated(std::vector<Value> parts) {
    Value v(Kind::interpolated);
    v.items_ = std::move(parts);
    return v;
}

Value Value::var(Name name) {
    Value v(Kind::variable);
    v.text_ = name.text();
    return v;
}

Value Value::select(Value base, std::vector<std::string> path) {
    Value v(Kind::select);
    v.items_.push_back(std::move(base));
    v.names_ = std::move(path);
    return v;
}

Value Value::select_or(Value base, std::vector<std::string> path, Value fallback) {
    Value v = select(std::move(base), std::move(path));
    v.items_.push_back(std::move(fallback));
    return v;
}

Value Value::list(std::vector<Value> items) {
    Value v(Kind::list);
    v.items_ = std::move(items);
    return v;
}

Value Value::set_of() {
    return Value(Kind::attrs);
}

Value Value::call(Value function, std::vector<Value> arguments) {
    Value v(Kind::call);
    v.items_.reserve(arguments.size() + 1);
    v.items_.push_back(std::move(function));
    for (Value& argument : arguments) {
        v.items_.push_back(std::move(argument));
    }
    return v;
}

Value Value::call(Value function, Value argument) {
    Value v(Kind::call);
    v.items_.reserve(2);
    v.items_.push_back(std::move(function));
    v.items_.push_back(std::move(argument));
    return v;
}

Value Value::lambda(const std::vector<Name>& parameters, Value body) {
    Value v(Kind::lambda);
    for (const Name& p : parameters) {
        v.names_.emplace_back(p.text());
    }
    v.items_.push_back(std::move(body));
    return v;
}

Value Value::lambda_with_defaults(std::vector<Formal> formals, Value body) {
    Value v(Kind::lambda_with_defaults);
    for (Formal& f : formals) {
        v.attrs_.emplace_back(std::string(f.name.text()), std::move(f.fallback));
    }
    v.items_.push_back(std::move(body));
    return v;
}

Value Value::let_in(Value bindings, Value body) {
    Value v(Kind::let);
    v.attrs_ = std::move(bindings.attrs_);
    v.items_.push_back(std::move(body));
    return v;
}

struct Layout {
    static Value binary(Value left, std::string_view op, Value right) {
        Value v(Value::Kind::binary);
        v.text_ = op;
        v.items_.push_back(std::move(left));
        v.items_.push_back(std::move(right));
        return v;
    }

    static void render(std::string& out, const Value& v, int depth);

    // Where render_to(std::ostream&) sends the text: its buffer (the `out` of the top-level
    // call; a value rendered into another string is not handed over) and the stream.
    static thread_local std::string* stream_buffer;
    static thread_local std::ostream* stream;

private:
    using Kind = Value::Kind;

    static void indent(std::string& out, int depth) {
        out.append(static_cast<std::size_t>(depth) * 2, ' ');
    }

    // Whether the value renders on one line (a list of it alone is written `[ x ]`).
    static bool is_simple(const Value& v) {
        switch (v.kind_) {
        case Kind::code:
        case Kind::null:
        case Kind::boolean:
        case Kind::string:
        case Kind::variable:
            return true;
        case Kind::list:
        case Kind::attrs:
            return v.empty();
        case Kind::embedded:
        case Kind::let:
        case Kind::lambda_with_defaults:
        case Kind::inherit:
            return false;
        case Kind::deferred:
            return false;
        default:
            break;
        }
        for (const Value& item : v.items_) {
            if (!is_simple(item)) {
                return false;
            }
        }
        return true;
    }

    // Whether the value goes bare as a function's argument, a list item or an operand: a single
    // term (a name, a selection without `or`, a literal or a constant, a list, a set). A value in
    // parentheses is not one, and keeps its own inside the added ones.
    static bool is_term(const Value& v) {
        switch (v.kind_) {
        case Kind::code:
        case Kind::null:
        case Kind::boolean:
        case Kind::string:
        case Kind::interpolated:
        case Kind::variable:
        case Kind::list:
        case Kind::attrs:
            return true;
        case Kind::select:
            return v.items_.size() == 1;
        default:
            return false;
        }
    }

    static void term(std::string& out, const Value& v, int depth) {
        if (is_term(v)) {
            render(out, v, depth);
            return;
        }
        out += '(';
        render(out, v, depth);
        out += ')';
    }

    static void interpolated(std::string& out, const Value& v, int depth) {
        out += '"';
        for (const Value& part : v.items_) {
            if (part.kind_ != Kind::string) {
                out += "${";
                render(out, part, depth);
                out += '}';
                continue;
            }
            append_escaped(out, part.text_);
            // A `$` at a text part's end would make `$${` before an interpolation, which Nix
            // reads as text: escaped whatever follows, so no boundary between parts can.
            if (part.text_.ends_with('$')) {
                out.back() = '\\';
                out += '$';
            }
        }
        out += '"';
    }

    static void select(std::string& out, const Value& v, int depth) {
        const Value& base = v.items_[0];
        if (base.kind_ == Kind::variable || base.kind_ == Kind::parens ||
            (base.kind_ == Kind::select && base.items_.size() == 1)) {
            render(out, base, depth);
        } else {
            out += '(';
            render(out, base, depth);
            out += ')';
        }
        for (const std::string& name : v.names_) {
            out += '.';
            out += attribute_name(name);
        }
        if (v.items_.size() > 1) {
            out += " or ";
            term(out, v.items_[1], depth);
        }
    }

    static void list(std::string& out, const Value& v, int depth) {
        if (v.items_.empty()) {
            out += "[ ]";
            return;
        }
        if (v.items_.size() == 1 && is_simple(v.items_[0])) {
            out += "[ ";
            term(out, v.items_[0], depth);
            out += " ]";
            return;
        }
        out += "[\n";
        for (const Value& item : v.items_) {
            indent(out, depth + 1);
            term(out, item, depth + 1);
            out += "\n";
        }
        indent(out, depth);
        out += ']';
    }

    static void inherit(std::string& out, const Value& v) {
        out += "inherit";
        if (!v.items_.empty()) {
            out += " (";
            render(out, v.items_[0], 0);
            out += ")";
        }
        for (const auto& n : v.names_) {
            out += ' ';
            out += attribute_name(n);
        }
        out += ";\n";
    }

    static void bindings(std::string& out,
                         const std::vector<std::pair<std::string, Value>>& members, int depth) {
        for (const auto& [name, stored] : members) {
            if (stored.kind_ == Kind::deferred) {
                member(out, name, stored.make_(), depth);
                hand_over(out);
            } else {
                member(out, name, stored, depth);
            }
        }
    }

    static void member(std::string& out, const std::string& name, const Value& value, int depth) {
        for (const auto& c : value.comments) {
            indent(out, depth);
            out += comment_line(c);
        }
        indent(out, depth);
        if (value.kind_ == Kind::inherit) {
            inherit(out, value);
            return;
        }
        out += attribute_name(name);
        // A value that starts on its own line (an embedded file) follows `=` directly.
        out += value.kind_ == Kind::embedded ? " =" : " = ";
        render(out, value, depth);
        out += ";\n";
    }

    static void hand_over(std::string& out) {
        if (stream != nullptr && &out == stream_buffer && out.size() >= (std::size_t{64} << 10)) {
            stream->write(out.data(), static_cast<std::streamsize>(out.size()));
            out.clear();
        }
    }

    static void attrs(std::string& out, const Value& v, int depth) {
        if (v.empty()) {
            out += "{ }";
            return;
        }
        out += "{\n";
        bindings(out, v.attrs_, depth + 1);
        for (std::size_t i = 0; i < v.generated_count_; ++i) {
            const auto [name, value] = v.generate_(i);
            member(out, name, value, depth + 1);
            hand_over(out);
        }
        indent(out, depth);
        out += '}';
    }

    static void call(std::string& out, const Value& v, int depth) {
        term(out, v.items_[0], depth);
        for (std::size_t i = 1; i < v.items_.size(); ++i) {
            out += ' ';
            term(out, v.items_[i], depth);
        }
    }

    static void lambda(std::string& out, const Value& v, int depth) {
        for (const std::string& p : v.names_) {
            out += p;
            out += ": ";
        }
        render(out, v.items_[0], depth);
    }

    static void lambda_with_defaults(std::string& out, const Value& v, int depth) {
        out += "{\n";
        for (const auto& [name, fallback] : v.attrs_) {
            indent(out, depth + 1);
            out += name;
            out += " ? ";
            render(out, fallback, depth + 1);
            out += ",\n";
        }
        indent(out, depth);
        out += "}:\n\n";
        indent(out, depth);
        render(out, v.items_[0], depth);
    }

    static void let(std::string& out, const Value& v, int depth) {
        out += "let\n";
        bindings(out, v.attrs_, depth + 1);
        indent(out, depth);
        out += "in\n";
        indent(out, depth);
        render(out, v.items_[0], depth);
    }

    // An operand of `operation`: parenthesised unless it binds tighter, or is the same
    // associative operation on the left (`a + "/b" + "/c"`).
    static void operand(std::string& out, const Value& v, const Value& operation, bool left,
                        int depth) {
        const bool same = left && v.kind_ == Kind::binary && v.text_ == operation.text_ &&
                          operation.text_ != "!=";
        const bool tighter = is_term(v) || v.kind_ == Kind::call;
        if (same || tighter) {
            render(out, v, depth);
            return;
        }
        out += '(';
        render(out, v, depth);
        out += ')';
    }

    static void binary(std::string& out, const Value& v, int depth) {
        operand(out, v.items_[0], v, true, depth);
        out += ' ';
        out += v.text_;
        out += ' ';
        operand(out, v.items_[1], v, false, depth);
    }

    static void conditional(std::string& out, const Value& v, int depth) {
        out += "if ";
        render(out, v.items_[0], depth);
        out += " then ";
        render(out, v.items_[1], depth);
        out += " else ";
        render(out, v.items_[2], depth);
    }

    // Each line one level deeper than `depth`; empty lines stay empty.
    static void embedded(std::string& out, const Value& v, int depth) {
        std::string_view text = v.text_;
        while (text.starts_with("#")) {
            const auto end = text.find('\n');
            text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        }
        while (!text.empty()) {
            const auto end = text.find('\n');
            const std::string_view line = text.substr(0, end);
            out += '\n';
            if (!line.empty()) {
                indent(out, depth + 1);
                out += line;
            }
            text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        }
    }
};

void Layout::render(std::string& out, const Value& v, int depth) {
    switch (v.kind_) {
    case Kind::code:
    case Kind::boolean:
    case Kind::variable:
        out += v.text_;
        return;
    case Kind::deferred:
        return render(out, v.make_(), depth);
    case Kind::null:
        out += "null";
        return;
    case Kind::string:
        out += '"';
        append_escaped(out, v.text_);
        out += '"';
        return;
    case Kind::interpolated:
        return interpolated(out, v, depth);
    case Kind::select:
        return select(out, v, depth);
    case Kind::list:
        return list(out, v, depth);
    case Kind::attrs:
        return attrs(out, v, depth);
    case Kind::call:
        return call(out, v, depth);
    case Kind::lambda:
        return lambda(out, v, depth);
    case Kind::lambda_with_defaults:
        return lambda_with_defaults(out, v, depth);
    case Kind::let:
        return let(out, v, depth);
    case Kind::binary:
        return binary(out, v, depth);
    case Kind::parens:
        out += '(';
        render(out, v.items_[0], depth);
        out += ')';
        return;
    case Kind::conditional:
        return conditional(out, v, depth);
    case Kind::embedded:
        return embedded(out, v, depth);
    case Kind::inherit:
        // Only meaningful as a member; as a value it has no rendering.
        throw Error("internal: an inherit is not a value");
    }
}

Value Value::plus(Value left, Value right) {
    return Layout::binary(std::move(left), "+", std::move(right));
}

Value Value::concat(Value left, Value right) {
    return Layout::binary(std::move(left), "++", std::move(right));
}

Value Value::not_equal(Value left, Value right) {
    return Layout::binary(std::move(left), "!=", std::move(right));
}

Value Value::parens(Value inner) {
    Value v(Kind::parens);
    v.items_.push_back(std::move(inner));
    return v;
}

Value Value::if_then_else(Value condition, Value then, Value otherwise) {
    Value v(Kind::conditional);
    v.items_.push_back(std::move(condition));
    v.items_.push_back(std::move(then));
    v.items_.push_back(std::move(otherwise));
    return v;
}

Value Value::embedded(std::string_view (*file)()) {
    Value v(Kind::embedded);
    v.text_ = file();
    return v;
}

Value Value::deferred(std::function<Value()> make) {
    Value v(Kind::deferred);
    v.make_ = std::move(make);
    return v;
}

Value Value::generated_set(std::size_t count, std::function<Member(std::size_t)> member) {
    Value v(Kind::attrs);
    v.generated_count_ = count;
    v.generate_ = std::move(member);
    return v;
}

Value& Value::set(std::string name, Value value) {
    attrs_.emplace_back(std::move(name), std::move(value));
    return *this;
}

Value& Value::inherit(std::vector<std::string> names) {
    Value v(Kind::inherit);
    v.names_ = std::move(names);
    attrs_.emplace_back(std::string(), std::move(v));
    return *this;
}

Value& Value::inherit(Value from, std::vector<std::string> names) {
    Value v(Kind::inherit);
    v.items_.push_back(std::move(from));
    v.names_ = std::move(names);
    attrs_.emplace_back(std::string(), std::move(v));
    return *this;
}

std::string render(const Value& value, int depth) {
    std::string out;
    Layout::render(out, value, depth);
    return out;
}

void render_to(std::string& out, const Value& value, int depth) {
    Layout::render(out, value, depth);
}

thread_local std::string* Layout::stream_buffer = nullptr;
thread_local std::ostream* Layout::stream = nullptr;

void render_to(std::ostream& out, const Value& value, int depth) {
    out.exceptions(std::ios_base::badbit | std::ios_base::failbit);
    std::string buffer;
    // Restores the previous target even when a maker throws (a nested call is not expected,
    // but would not leave a dangling pointer behind).
    struct Target {
        std::string* buffer;
        std::ostream* stream;
        ~Target() {
            Layout::stream_buffer = buffer;
            Layout::stream = stream;
        }
    } previous{Layout::stream_buffer, Layout::stream};
    Layout::stream_buffer = &buffer;
    Layout::stream = &out;
    Layout::render(buffer, value, depth);
    out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
}

} // namespace lock2nix::nix
