#include "project/toml_reader.hpp"

namespace lock2nix::detail {

SourcePosition position_of(const toml::node& node) {
    const auto& begin = node.source().begin;
    return SourcePosition{begin.line, begin.column};
}

std::string describe_type(const toml::node& node) {
    switch (node.type()) {
    case toml::node_type::table:
        return "a table";
    case toml::node_type::array:
        return "an array";
    case toml::node_type::string:
        return "a string";
    case toml::node_type::integer:
        return "an integer";
    case toml::node_type::floating_point:
        return "a float";
    case toml::node_type::boolean:
        return "a boolean";
    case toml::node_type::date:
        return "a date";
    case toml::node_type::time:
        return "a time";
    case toml::node_type::date_time:
        return "a date-time";
    case toml::node_type::none:
        break;
    }
    return "nothing";
}

toml::table TomlReader::parse(std::string_view text, const std::string& hint) const {
    try {
        return toml::parse(text, file_);
    } catch (const toml::parse_error& e) {
        const auto& begin = e.source().begin;
        throw Error("invalid TOML: " + std::string(e.description()), file_,
                    SourcePosition{begin.line, begin.column}, hint);
    }
}

void TomlReader::fail(const toml::node& at, const std::string& message,
                      const std::string& hint) const {
    throw Error(message, file_, position_of(at), hint.empty() ? default_hint_ : hint);
}

void TomlReader::fail_at(SourcePosition at, const std::string& message,
                         const std::string& hint) const {
    throw Error(message, file_, at, hint.empty() ? default_hint_ : hint);
}

void TomlReader::wrong_type(const toml::node& node, std::string_view key,
                            std::string_view expected) const {
    fail(node, "expected " + std::string(expected) + " for `" + std::string(key) + "`, found " +
                   describe_type(node));
}

std::optional<std::string> TomlReader::string(const toml::table& table,
                                              std::string_view key) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) {
        return std::nullopt;
    }
    if (const auto* s = node->as_string()) {
        return s->get();
    }
    wrong_type(*node, key, "a string");
}

std::string TomlReader::string_or(const toml::table& table, std::string_view key,
                                  std::string fallback) const {
    auto value = string(table, key);
    return value ? std::move(*value) : std::move(fallback);
}

std::string TomlReader::required_string(const toml::table& table, std::string_view key,
                                        std::string_view what) const {
    auto value = string(table, key);
    if (!value) {
        fail(table, "missing required key `" + std::string(key) + "` in " + std::string(what));
    }
    return std::move(*value);
}

std::optional<bool> TomlReader::boolean(const toml::table& table, std::string_view key) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) {
        return std::nullopt;
    }
    if (const auto* b = node->as_boolean()) {
        return b->get();
    }
    wrong_type(*node, key, "true or false");
}

const toml::table* TomlReader::table(const toml::table& table, std::string_view key) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) {
        return nullptr;
    }
    if (const auto* t = node->as_table()) {
        return t;
    }
    wrong_type(*node, key, "a table");
}

const toml::array* TomlReader::array(const toml::table& table, std::string_view key) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) {
        return nullptr;
    }
    if (const auto* a = node->as_array()) {
        return a;
    }
    wrong_type(*node, key, "an array");
}

std::vector<std::string> TomlReader::string_list(const toml::table& table, std::string_view key,
                                                 bool allow_single) const {
    std::vector<std::string> out;
    const toml::node* node = table.get(key);
    if (node == nullptr) {
        return out;
    }
    if (allow_single) {
        if (const auto* s = node->as_string()) {
            out.push_back(s->get());
            return out;
        }
    }
    const auto* items = node->as_array();
    if (items == nullptr) {
        wrong_type(*node, key, "an array of strings");
    }
    out.reserve(items->size());
    for (const toml::node& item : *items) {
        const auto* s = item.as_string();
        if (s == nullptr) {
            fail(item, "expected a string in the array `" + std::string(key) + "`, found " +
                           describe_type(item));
        }
        out.push_back(s->get());
    }
    return out;
}

std::string TomlReader::as_string(const toml::node& node, std::string_view what) const {
    if (const auto* s = node.as_string()) {
        return s->get();
    }
    fail(node, "expected a string for " + std::string(what) + ", found " + describe_type(node));
}

const toml::table& TomlReader::as_table(const toml::node& node, std::string_view what) const {
    if (const auto* t = node.as_table()) {
        return *t;
    }
    fail(node, "expected a table for " + std::string(what) + ", found " + describe_type(node));
}

} // namespace lock2nix::detail
