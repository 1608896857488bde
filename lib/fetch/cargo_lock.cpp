#include "lock2nix/fetch/cargo_lock.hpp"

#include "lock2nix/standards/names.hpp"
#include "project/toml_reader.hpp"

#include <map>
#include <utility>

namespace lock2nix {

namespace {

const std::string hint_wheel =
    "install this package from its wheel, or give its source build `cargoDeps` yourself in "
    "`overrides` (docs/wheels-and-sdists.md)";

bool is_hex(std::string_view s, std::size_t size) {
    return s.size() == size && s.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
}

// importCargoLock's parseGit: `git+URL[?rev=|tag=|branch=VALUE]#COMMIT`, the commit after the
// last `#`, the URL up to the first `?` (a query of any other key is no match there, and a crate
// it does not match is refused by importCargoLock).
bool parse_git_source(std::string_view source, std::string& url, std::string& rev) {
    if (!source.starts_with("git+")) {
        return false;
    }
    source.remove_prefix(4);
    const auto hash = source.rfind('#');
    if (hash == std::string_view::npos) {
        return false;
    }
    rev = std::string(source.substr(hash + 1));
    const std::string_view head = source.substr(0, hash);
    const auto query = head.find('?');
    if (query != std::string_view::npos) {
        const std::string_view rest = head.substr(query + 1);
        if (!rest.starts_with("rev=") && !rest.starts_with("tag=") &&
            !rest.starts_with("branch=")) {
            return false;
        }
    }
    url = std::string(head.substr(0, query));
    return !url.empty();
}

} // namespace

RustBackend rust_backend(const BuildSystem& build_system) {
    bool setuptools_rust = false;
    for (const std::string& r : build_system.requirements) {
        const std::string name = requirement_name(r);
        if (name == "maturin") {
            return RustBackend::maturin;
        }
        setuptools_rust |= name == "setuptools-rust";
    }
    if (build_system.build_backend == "maturin") {
        return RustBackend::maturin;
    }
    return setuptools_rust ? RustBackend::setuptools_rust : RustBackend::none;
}

std::string_view rust_backend_name(RustBackend backend) {
    switch (backend) {
    case RustBackend::maturin:
        return "maturin";
    case RustBackend::setuptools_rust:
        return "setuptools-rust";
    case RustBackend::none:
        break;
    }
    return "none";
}

CargoLock parse_cargo_lock(std::string_view text, const std::string& file) {
    const detail::TomlReader reader(file, "the sdist's Cargo.lock is damaged; " + hint_wheel);
    const toml::table doc = reader.parse(text, "the sdist's Cargo.lock is not TOML; " + hint_wheel);
    // Version 1 locks keep the checksums apart: `"checksum NAME VERSION (SOURCE)" = "…"`.
    const toml::table* metadata = reader.table(doc, "metadata");
    CargoLock out;
    // importCargoLock maps each git crate's `name-version` to its commit, and each commit to its
    // hash: one `name-version` at two commits would leave one of them without a hash.
    std::map<std::string, std::string> git_commits;
    const toml::array* packages = reader.array(doc, "package");
    if (packages == nullptr) {
        return out;
    }
    for (const toml::node& node : *packages) {
        const toml::table& package = reader.as_table(node, "a [[package]] of Cargo.lock");
        CargoCrate c;
        c.position = detail::position_of(node);
        c.name = reader.required_string(package, "name", "a Cargo.lock package");
        c.version = reader.required_string(package, "version", "a Cargo.lock package");
        c.source = reader.string_or(package, "source", "");
        const std::string who = "crate `" + c.name + "` " + c.version;
        if (c.source.empty()) {
            out.crates.push_back(std::move(c));
            continue;
        }
        if (c.source == crates_io_source) {
            c.origin = CrateOrigin::crates_io;
            std::optional<std::string> checksum = reader.string(package, "checksum");
            if (!checksum && metadata != nullptr) {
                checksum = reader.string(*metadata, "checksum " + c.name + " " + c.version + " (" +
                                                        c.source + ")");
            }
            if (!checksum || !is_hex(*checksum, 64)) {
                reader.fail_at(c.position,
                               who + " from crates.io has " +
                                   (checksum
                                        ? "the malformed checksum \"" + excerpt(*checksum) + "\""
                                        : std::string("no checksum")) +
                                   ", which importCargoLock fetches it by",
                               "the sdist's Cargo.lock was not written by cargo; " + hint_wheel);
            }
            c.checksum = std::move(*checksum);
        } else if (c.source.starts_with("git+")) {
            c.origin = CrateOrigin::git;
            if (!parse_git_source(c.source, c.git_url, c.git_rev) || !is_hex(c.git_rev, 40)) {
                reader.fail_at(c.position,
                               who + " has the git source \"" + excerpt(c.source) +
                                   "\", which importCargoLock cannot read (it takes "
                                   "git+URL[?rev=|tag=|branch=…]#COMMIT, a full commit)",
                               hint_wheel);
            }
            const auto [it, fresh] = git_commits.emplace(c.name + "-" + c.version, c.git_rev);
            if (!fresh && it->second != c.git_rev) {
                reader.fail_at(c.position,
                               who + " is locked at two git commits (" + it->second + ", " +
                                   c.git_rev + "); importCargoLock's outputHashes name one",
                               hint_wheel);
            }
        } else {
            reader.fail_at(c.position,
                           who + " comes from \"" + excerpt(c.source) +
                               "\": nixpkgs' importCargoLock fetches registry crates from "
                               "crates.io only, and Cargo.lock does not record where another "
                               "registry serves its files",
                           hint_wheel);
        }
        out.crates.push_back(std::move(c));
    }
    return out;
}

} // namespace lock2nix
