#include "lock2nix/standards/nixpkgs.hpp"

#include "lock2nix/error.hpp"
#include "tomlplusplus.hpp"

#include <algorithm>
#include <charconv>

namespace lock2nix {

// nixpkgs/releases.toml, embedded at build time (nixpkgs_data.cpp).
std::string_view nixpkgs_releases_text();

namespace {

// The file is lock2nix's own, compiled in and checked by the tests: a mistake in it is a bug of
// this build, reported as such rather than as a user's input error.
[[noreturn]] void bad_data(const std::string& what) {
    throw Error("nixpkgs/releases.toml (compiled in): " + what, {}, {},
                "this is a bug of this lock2nix build; please report it");
}

bool parse_pair(std::string_view text, int& major, int& minor) {
    const auto dot = text.find('.');
    if (dot == std::string_view::npos) {
        return false;
    }
    const auto a = std::from_chars(text.data(), text.data() + dot, major);
    const auto b = std::from_chars(text.data() + dot + 1, text.data() + text.size(), minor);
    return a.ec == std::errc() && a.ptr == text.data() + dot && b.ec == std::errc() &&
           b.ptr == text.data() + text.size();
}

std::string required(const toml::table& t, std::string_view key, const std::string& where) {
    const auto* v = t.get_as<std::string>(key);
    if (v == nullptr) {
        bad_data(where + " has no string `" + std::string(key) + "`");
    }
    return v->get();
}

NixpkgsRelease read_release(const toml::table& t) {
    NixpkgsRelease r;
    r.name = required(t, "name", "a [[release]]");
    const std::string where = "release " + r.name;
    r.description = required(t, "description", where);
    if (!parse_pair(required(t, "glibc", where), r.glibc_major, r.glibc_minor) ||
        !parse_pair(required(t, "macos", where), r.macos_major, r.macos_minor)) {
        bad_data(where + ": glibc and macos are written MAJOR.MINOR");
    }
    const auto* pythons = t.get_as<toml::table>("pythons");
    if (pythons == nullptr || pythons->empty()) {
        bad_data(where + " lists no pythons");
    }
    for (const auto& [key, value] : *pythons) {
        NixpkgsPython p;
        p.version = std::string(key.str());
        int major = 0;
        if (!parse_pair(p.version, major, p.minor) || major != 3 || !value.is_string()) {
            bad_data(where + ": python \"" + p.version + "\" is not 3.X = \"3.X.Y\"");
        }
        p.full = value.as_string()->get();
        int full_minor = 0;
        if (!p.full.starts_with(p.version + ".") ||
            !parse_pair(std::string_view(p.full).substr(2), full_minor, p.patch)) {
            bad_data(where + ": python " + p.version + " has patch level " + p.full);
        }
        p.attribute = "python3" + std::to_string(p.minor);
        r.pythons.push_back(std::move(p));
    }
    // Each fact names where it was read (the file's comment says how to keep it current).
    const auto* sources = t.get_as<toml::array>("sources");
    if (sources == nullptr || sources->empty()) {
        bad_data(where + " names no sources");
    }
    for (const toml::node& s : *sources) {
        const auto* st = s.as_table();
        if (st == nullptr) {
            bad_data(where + ": a source that is not a table");
        }
        for (const char* key : {"fact", "repository", "path", "commit"}) {
            required(*st, key, where + "'s source");
        }
        if (required(*st, "commit", where).size() != 40) {
            bad_data(where + ": a source's commit is not 40 hex digits");
        }
    }
    std::sort(r.pythons.begin(), r.pythons.end(),
              [](const NixpkgsPython& a, const NixpkgsPython& b) { return a.minor > b.minor; });
    return r;
}

struct Releases {
    std::vector<NixpkgsRelease> all;
    std::size_t default_index = 0;
};

const Releases& releases() {
    static const Releases data = [] {
        Releases out;
        toml::table root;
        try {
            root = toml::parse(nixpkgs_releases_text());
        } catch (const toml::parse_error& e) {
            bad_data(std::string(e.description()));
        }
        const auto* list = root.get_as<toml::array>("release");
        if (list == nullptr) {
            bad_data("no [[release]]");
        }
        for (const toml::node& item : *list) {
            if (!item.is_table()) {
                bad_data("a [[release]] that is not a table");
            }
            out.all.push_back(read_release(*item.as_table()));
        }
        const std::string wanted = required(root, "default", "the file");
        const auto it = std::find_if(out.all.begin(), out.all.end(),
                                     [&](const NixpkgsRelease& r) { return r.name == wanted; });
        if (it == out.all.end()) {
            bad_data("the default release " + wanted + " is not listed");
        }
        out.default_index = static_cast<std::size_t>(it - out.all.begin());
        return out;
    }();
    return data;
}

} // namespace

const NixpkgsPython* NixpkgsRelease::python(std::string_view version) const {
    for (const NixpkgsPython& p : pythons) {
        if (p.version == version) {
            return &p;
        }
    }
    return nullptr;
}

std::string python_versions_text(const std::vector<NixpkgsPython>& pythons) {
    std::string out;
    for (std::size_t i = pythons.size(); i-- > 0;) {
        out += (out.empty() ? "" : ", ") + pythons[i].version;
    }
    return out;
}

std::string NixpkgsRelease::python_list() const {
    return python_versions_text(pythons);
}

const std::vector<NixpkgsRelease>& nixpkgs_releases() {
    return releases().all;
}

const NixpkgsRelease& default_nixpkgs_release() {
    return releases().all[releases().default_index];
}

const NixpkgsRelease& nixpkgs_release(std::string_view name) {
    if (name.empty()) {
        return default_nixpkgs_release();
    }
    for (const NixpkgsRelease& r : nixpkgs_releases()) {
        if (r.name == name) {
            return r;
        }
    }
    std::string known;
    for (const NixpkgsRelease& r : nixpkgs_releases()) {
        known += (known.empty() ? "" : ", ") + r.name;
    }
    throw Error("unknown nixpkgs release \"" + printable(name) + "\"", {}, {},
                "lock2nix targets " + known + " (default " + default_nixpkgs_release().name +
                    "); name the release your flake or channel follows");
}

} // namespace lock2nix
