#include "lock2nix/project/content_hash.hpp"

#include "lock2nix/hash.hpp"
#include "project/content_hash_toml.hpp"
#include "project/python_json.hpp"

#include <optional>

namespace lock2nix {

char to_char(HashAlgorithm algorithm) {
    return static_cast<char>('A' + static_cast<int>(algorithm));
}

std::string_view poetry_versions(HashAlgorithm algorithm) {
    switch (algorithm) {
    case HashAlgorithm::A:
        return "Poetry 0.11.5 to 1.1";
    case HashAlgorithm::B:
        return "Poetry 1.2.0 pre-releases";
    case HashAlgorithm::C:
        return "Poetry 1.2 to 1.8";
    case HashAlgorithm::D:
        return "Poetry 2.0 to 2.2";
    case HashAlgorithm::E:
        return "Poetry 2.3 and later";
    }
    return "";
}

std::string content_hash(const ContentHashInputs& inputs, HashAlgorithm algorithm) {
    return sha256_hex(inputs[static_cast<std::size_t>(algorithm)]);
}

std::vector<HashAlgorithm> allowed_hash_algorithms(std::string_view lock_version) {
    // Locks up to "1.1" were written by Poetry 1.x, including 1.2 pre-releases (algorithm B);
    // from "2.0" on only C, D and E were in use. C, D and E agree on projects without the keys
    // that distinguish them, so accepting all three keeps old-style projects fresh.
    if (lock_version.empty() || lock_version.starts_with("1.") || lock_version == "1") {
        return {all_hash_algorithms.begin(), all_hash_algorithms.end()};
    }
    return {HashAlgorithm::C, HashAlgorithm::D, HashAlgorithm::E};
}

namespace detail {

namespace {

using Members = std::vector<std::pair<std::string, std::string>>;

const toml::table* subtable(const toml::table& t, std::string_view key) {
    const toml::node* n = t.get(key);
    return n != nullptr ? n->as_table() : nullptr;
}

std::optional<std::string> json_of(const toml::table* t, std::string_view key,
                                   const TomlReader& reader) {
    if (t == nullptr) {
        return std::nullopt;
    }
    const toml::node* n = t->get(key);
    if (n == nullptr) {
        return std::nullopt;
    }
    std::string out;
    append_python_json(out, *n, reader);
    return out;
}

} // namespace

ContentHashInputs content_hash_inputs(const toml::table& pyproject, const TomlReader& reader) {
    const toml::table* tool = subtable(pyproject, "tool");
    const toml::table* poetry = tool != nullptr ? subtable(*tool, "poetry") : nullptr;
    const toml::table* project = subtable(pyproject, "project");

    auto legacy_form = [&](std::initializer_list<std::string_view> always,
                           std::initializer_list<std::string_view> if_present) {
        Members m;
        for (auto key : always) {
            m.emplace_back(std::string(key), json_of(poetry, key, reader).value_or("null"));
        }
        for (auto key : if_present) {
            if (auto v = json_of(poetry, key, reader)) {
                m.emplace_back(std::string(key), std::move(*v));
            }
        }
        return python_json_object(std::move(m));
    };

    auto project_form = [&](bool with_dependency_groups) {
        Members project_members;
        for (std::string_view key : {"requires-python", "dependencies", "optional-dependencies"}) {
            if (auto v = json_of(project, key, reader)) {
                project_members.emplace_back(std::string(key), std::move(*v));
            }
        }
        std::optional<std::string> groups;
        if (with_dependency_groups) {
            const toml::table* dg = subtable(pyproject, "dependency-groups");
            if (dg != nullptr && !dg->empty()) {
                groups = json_of(&pyproject, "dependency-groups", reader);
            }
        }
        const bool modern = !project_members.empty() || groups.has_value();
        Members poetry_members;
        for (std::string_view key :
             {"dependencies", "source", "extras", "dev-dependencies", "group"}) {
            auto v = json_of(poetry, key, reader);
            const bool legacy_key = key != "group";
            if (!v && (!legacy_key || modern)) {
                continue;
            }
            poetry_members.emplace_back(std::string(key), v.value_or("null"));
        }
        if (!modern) {
            return python_json_object(std::move(poetry_members));
        }
        Members top;
        if (!project_members.empty()) {
            top.emplace_back("project", python_json_object(std::move(project_members)));
        }
        if (groups) {
            top.emplace_back("dependency-groups", std::move(*groups));
        }
        top.emplace_back("tool", python_json_object(
                                     {{"poetry", python_json_object(std::move(poetry_members))}}));
        return python_json_object(std::move(top));
    };

    ContentHashInputs inputs;
    inputs[0] = legacy_form({"dependencies", "dev-dependencies", "source", "extras"}, {});
    inputs[1] = legacy_form({"dependencies", "group", "source", "extras"}, {});
    inputs[2] = legacy_form({"dependencies", "source", "extras", "dev-dependencies"}, {"group"});
    inputs[3] = project_form(false);
    inputs[4] = project_form(true);
    return inputs;
}

} // namespace detail

} // namespace lock2nix

namespace lock2nix {

Freshness check_freshness(std::string_view recorded_hash, std::string_view lock_version,
                          const ContentHashInputs& inputs) {
    Freshness out;
    if (recorded_hash.empty()) {
        out.reason = "poetry.lock records no content-hash; run `poetry lock` to regenerate it";
        return out;
    }
    const auto allowed = allowed_hash_algorithms(lock_version);
    std::string matched;
    for (HashAlgorithm a : allowed) {
        if (content_hash(inputs, a) == recorded_hash) {
            // Report the newest matching algorithm; several agree on projects that lack the
            // keys that tell them apart.
            out.fresh = true;
            out.algorithm = a;
            matched += std::string(matched.empty() ? "" : ", ") + to_char(a);
        }
    }
    if (out.fresh) {
        out.reason = matched.size() > 1
                         ? "fresh: content-hash matches algorithms " + matched
                         : "fresh: content-hash matches algorithm " + matched + " (" +
                               std::string(poetry_versions(out.algorithm)) + ")";
        return out;
    }
    const HashAlgorithm newest = allowed.back();
    out.reason = "stale: pyproject.toml changed since poetry.lock was written (recorded "
                 "content-hash " +
                 std::string(recorded_hash.substr(0, 12)) + "…, pyproject.toml now hashes to " +
                 content_hash(inputs, newest).substr(0, 12) + "…); run `poetry lock`";
    return out;
}

} // namespace lock2nix
