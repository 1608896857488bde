#include "lock2nix/nix/writer.hpp"

#include "lock2nix/error.hpp"

#include <array>

namespace lock2nix::nix {

std::string string_literal(std::string_view text) {
    std::string out = "\"";
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
    return out + "\"";
}

bool is_identifier(std::string_view name) {
    static constexpr std::array<std::string_view, 10> keywords = {
        "if", "then", "else", "assert", "with", "let", "in", "rec", "inherit", "or"};
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

std::string attribute_name(std::string_view name) {
    return is_identifier(name) ? std::string(name) : string_literal(name);
}

std::string select(std::string_view set, std::string_view name) {
    return std::string(set) + "." + attribute_name(name);
}

Value Value::raw(std::string code) {
    Value v;
    v.text = std::move(code);
    return v;
}

Value Value::str(std::string text) {
    Value v;
    v.kind = Kind::string;
    v.text = std::move(text);
    return v;
}

Value Value::list(std::vector<Value> items) {
    Value v;
    v.kind = Kind::list;
    v.items = std::move(items);
    return v;
}

Value Value::set_of(std::vector<std::pair<std::string, Value>> members) {
    Value v;
    v.kind = Kind::attrs;
    v.attrs = std::move(members);
    return v;
}

Value Value::apply(std::string function, Value argument) {
    Value v;
    v.kind = Kind::apply;
    v.text = std::move(function);
    v.items.push_back(std::move(argument));
    return v;
}

Value Value::lambda(std::string head, Value body) {
    Value v;
    v.kind = Kind::function;
    v.text = std::move(head);
    v.items.push_back(std::move(body));
    return v;
}

Value Value::let_in(std::vector<std::pair<std::string, Value>> bindings, Value body) {
    Value v;
    v.kind = Kind::let;
    v.attrs = std::move(bindings);
    v.items.push_back(std::move(body));
    return v;
}

Value& Value::set(std::string name, Value value) {
    attrs.emplace_back(std::move(name), std::move(value));
    return *this;
}

Value& Value::inherit(std::vector<std::string> inherited, std::string from) {
    Value v;
    v.kind = Kind::inherit;
    v.text = std::move(from);
    v.names = std::move(inherited);
    attrs.emplace_back(std::string(), std::move(v));
    return *this;
}

namespace {

std::string pad(int depth) {
    return std::string(static_cast<std::size_t>(depth) * 2, ' ');
}

void indent(std::string& out, int depth) {
    out.append(static_cast<std::size_t>(depth) * 2, ' ');
}

bool is_simple(const Value& v) {
    return (v.kind == Value::Kind::raw && v.text.find('\n') == std::string::npos) ||
           v.kind == Value::Kind::string ||
           ((v.kind == Value::Kind::list || v.kind == Value::Kind::attrs) && v.empty());
}

void render_into(std::string& out, const Value& v, int depth);

void render_bindings(std::string& out, const std::vector<std::pair<std::string, Value>>& members,
                     int depth) {
    for (const auto& [name, value] : members) {
        for (const auto& c : value.comments) {
            indent(out, depth);
            out += "# ";
            out += c;
            out += '\n';
        }
        indent(out, depth);
        if (value.kind == Value::Kind::inherit) {
            out += "inherit";
            if (!value.text.empty()) {
                out += " (" + value.text + ")";
            }
            for (const auto& n : value.names) {
                out += ' ';
                out += attribute_name(n);
            }
            out += ";\n";
            continue;
        }
        out += attribute_name(name);
        // Raw code that starts on its own line (a multi-line function) follows `=` directly.
        out += value.kind == Value::Kind::raw && value.text.starts_with("\n") ? " =" : " = ";
        render_into(out, value, depth);
        out += ";\n";
    }
}

void render_into(std::string& out, const Value& v, int depth) {
    switch (v.kind) {
    case Value::Kind::raw:
        out += v.text;
        return;
    case Value::Kind::string:
        out += string_literal(v.text);
        return;
    case Value::Kind::list:
        if (v.items.empty()) {
            out += "[ ]";
            return;
        }
        if (v.items.size() == 1 && is_simple(v.items[0])) {
            out += "[ ";
            render_into(out, v.items[0], depth);
            out += " ]";
            return;
        }
        out += "[\n";
        for (const Value& item : v.items) {
            indent(out, depth + 1);
            render_into(out, item, depth + 1);
            out += "\n";
        }
        indent(out, depth);
        out += ']';
        return;
    case Value::Kind::attrs:
        if (v.attrs.empty()) {
            out += "{ }";
            return;
        }
        out += "{\n";
        render_bindings(out, v.attrs, depth + 1);
        indent(out, depth);
        out += '}';
        return;
    case Value::Kind::apply:
        out += v.text + " ";
        if (v.items[0].kind == Value::Kind::apply || v.items[0].kind == Value::Kind::function) {
            out += "(";
            render_into(out, v.items[0], depth);
            out += ")";
        } else {
            render_into(out, v.items[0], depth);
        }
        return;
    case Value::Kind::function:
        out += v.text + ": ";
        render_into(out, v.items[0], depth);
        return;
    case Value::Kind::inherit:
        // Only meaningful as a member; as a value it has no rendering.
        throw Error("internal: an inherit is not a value");
    case Value::Kind::let:
        out += "let\n";
        render_bindings(out, v.attrs, depth + 1);
        out += pad(depth) + "in\n" + pad(depth);
        render_into(out, v.items[0], depth);
        return;
    }
}

} // namespace

std::string render(const Value& value, int depth) {
    std::string out;
    render_into(out, value, depth);
    return out;
}

void render_to(std::string& out, const Value& value, int depth) {
    render_into(out, value, depth);
}

} // namespace lock2nix::nix
