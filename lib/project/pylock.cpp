#include "lock2nix/project/pylock.hpp"

#include "lock2nix/fetch/urls.hpp"
#include "lock2nix/hash.hpp"
#include "lock2nix/standards/names.hpp"
#include "lock2nix/standards/pep440.hpp"
#include "lock2nix/standards/pep508.hpp"
#include "lock2nix/standards/tags.hpp"
#include "project/byte_scan.hpp"
#include "project/toml_reader.hpp"

#include <algorithm>
#include <filesystem>
#include <sstream>

namespace lock2nix {

using detail::TomlReader;

std::string_view to_string(LockFormat format) {
    switch (format) {
    case LockFormat::poetry:
        return "poetry.lock";
    case LockFormat::pylock:
        return "pylock.toml";
    }
    return "unknown";
}

std::string_view to_string(PylockSourceKind kind) {
    switch (kind) {
    case PylockSourceKind::distributions:
        return "distributions";
    case PylockSourceKind::vcs:
        return "vcs";
    case PylockSourceKind::directory:
        return "directory";
    case PylockSourceKind::archive:
        return "archive";
    case PylockSourceKind::none:
        return "none";
    }
    return "none";
}

std::optional<std::string> pylock_name_part(std::string_view file_name) {
    constexpr std::string_view prefix = "pylock.";
    constexpr std::string_view suffix = "toml";
    if (!file_name.starts_with(prefix) || !file_name.ends_with(suffix)) {
        return std::nullopt;
    }
    std::string_view middle = file_name.substr(prefix.size());
    middle.remove_suffix(suffix.size());
    if (middle.empty()) {
        return std::string(); // pylock.toml
    }
    // pylock.NAME.toml: NAME is one or more characters, none of them a dot.
    if (middle.size() < 2 || middle.back() != '.' ||
        middle.substr(0, middle.size() - 1).find('.') != std::string_view::npos) {
        return std::nullopt;
    }
    return std::string(middle.substr(0, middle.size() - 1));
}

namespace {

// The top-level keys and headers of a TOML text, found without parsing it: enough to tell the
// two lock formats apart before choosing a reader (each reader then reports its own errors).
struct Outline {
    bool lock_version_at_top = false;
    bool created_by_at_top = false;
    bool packages_array = false; // [[packages]]
};

Outline outline(std::string_view text) {
    Outline out;
    bool at_top = true;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        std::string_view line = text.substr(start, end - start);
        start = end + 1;
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
            line.remove_prefix(1);
        }
        if (line.starts_with("[[packages]]")) {
            out.packages_array = true;
            at_top = false;
        } else if (line.starts_with("[")) {
            at_top = false;
        } else if (at_top && line.starts_with("lock-version")) {
            out.lock_version_at_top = true;
        } else if (at_top && line.starts_with("created-by")) {
            out.created_by_at_top = true;
        }
    }
    return out;
}

bool looks_like_pylock(const Outline& o) {
    return o.lock_version_at_top && (o.created_by_at_top || o.packages_array);
}

} // namespace

LockFormat detect_lock_format(const std::string& path, std::string_view text) {
    const std::string file_name = std::filesystem::path(path).filename().string();
    if (pylock_name_part(file_name)) {
        return LockFormat::pylock;
    }
    if (file_name == "poetry.lock") {
        return LockFormat::poetry;
    }
    // Anything else goes to the poetry.lock reader, whose messages for what is no lock at all
    // (empty, binary, no [metadata]) are the established ones.
    return looks_like_pylock(outline(text)) ? LockFormat::pylock : LockFormat::poetry;
}

const PylockHash* PylockFile::hash(std::string_view algorithm) const {
    for (const auto& h : hashes) {
        if (h.algorithm == algorithm) {
            return &h;
        }
    }
    return nullptr;
}

PylockSourceKind PylockPackage::source_kind() const {
    if (vcs) {
        return PylockSourceKind::vcs;
    }
    if (directory) {
        return PylockSourceKind::directory;
    }
    if (archive) {
        return PylockSourceKind::archive;
    }
    if (sdist || !wheels.empty()) {
        return PylockSourceKind::distributions;
    }
    return PylockSourceKind::none;
}

std::vector<std::size_t> Pylock::find(std::string_view name) const {
    const std::string wanted = canonicalize_name(name);
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < packages.size(); ++i) {
        if (packages[i].name == wanted) {
            out.push_back(i);
        }
    }
    return out;
}

namespace {

constexpr std::string_view format_hint =
    "this does not follow the pylock.toml specification (PEP 751); regenerate the lock with the "
    "tool named in `created-by`";

std::string last_path_component(std::string_view path) {
    const std::size_t slash = path.find_last_of("/\\");
    return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// The last component of a URL's path: without query and fragment, percent-decoded, since URLs
// carry file names encoded (`+` of a local version as %2B) and a wheel is known by the decoded one.
// Escapes that decode to bytes that are not UTF-8 (`%ca`) are kept as written: the name reaches
// messages and JSON, which carry text, and no wheel or sdist is named so (the file-name check
// then refuses it as the URL spells it).
std::string url_file_name(std::string_view url) {
    std::string_view rest = url;
    if (const auto cut = rest.find_first_of("?#"); cut != std::string_view::npos) {
        rest = rest.substr(0, cut);
    }
    if (const auto scheme = rest.find("://"); scheme != std::string_view::npos) {
        rest.remove_prefix(scheme + 3);
        const auto path_start = rest.find('/');
        rest = path_start == std::string_view::npos ? std::string_view() : rest.substr(path_start);
    }
    const std::size_t slash = rest.rfind('/');
    const std::string_view last = slash == std::string_view::npos ? rest : rest.substr(slash + 1);
    std::string decoded = percent_decoded(last);
    return detail::valid_utf8(decoded) ? decoded : std::string(last);
}

std::size_t expected_hex_length(std::string_view algorithm) {
    if (algorithm == "sha256" || algorithm == "sha3_256" || algorithm == "blake2s") {
        return 64;
    }
    if (algorithm == "sha384") {
        return 96;
    }
    if (algorithm == "sha512" || algorithm == "blake2b" || algorithm == "sha3_512") {
        return 128;
    }
    if (algorithm == "sha1") {
        return 40;
    }
    if (algorithm == "md5") {
        return 32;
    }
    return 0;
}

bool is_hex(std::string_view text) {
    for (const char c : text) {
        if (hex_digit_value(c) < 0) {
            return false;
        }
    }
    return true;
}

class PylockReader {
public:
    PylockReader(std::string path) : reader_(std::move(path), std::string(format_hint)) {}

    Pylock read(std::string_view text) {
        const toml::table root = reader_.parse(text, std::string(format_hint));
        Pylock lock;
        lock.path = reader_.file();
        lock.name_part =
            pylock_name_part(std::filesystem::path(lock.path).filename().string()).value_or("");
        read_top(root, lock);
        const toml::array* packages = reader_.array(root, "packages");
        if (packages == nullptr) {
            reader_.fail_at({1, 1}, "missing required key `packages` (the [[packages]] entries)");
        }
        lock.packages.reserve(packages->size());
        for (const toml::node& node : *packages) {
            lock.packages.push_back(read_package(reader_.as_table(node, "a [[packages]] entry")));
        }
        return lock;
    }

private:
    void read_top(const toml::table& root, Pylock& lock) {
        const toml::node* version = root.get("lock-version");
        if (version == nullptr) {
            if (root.get("metadata") != nullptr || root.get("package") != nullptr) {
                reader_.fail_at({1, 1},
                                "this is a poetry.lock, not a PEP 751 pylock.toml: it has no "
                                "top-level `lock-version`",
                                "name the file poetry.lock (lock2nix tells the formats apart by "
                                "their names)");
            }
            if (root.get("created-by") == nullptr && root.get("packages") == nullptr) {
                // Nothing of a lock at all (an empty file, a pyproject.toml by that name): the
                // generic hint about `created-by` would point at a key the file does not have.
                reader_.fail_at(
                    {1, 1},
                    "not a pylock.toml: it has none of the top-level keys a PEP 751 "
                    "lock has (`lock-version`, `created-by`, [[packages]])",
                    "pass the pylock.toml a locker wrote (`uv export --format pylock.toml`, `pip "
                    "lock`, `pdm export -f pylock`, `pex3 lock export`); lock2nix reads a file "
                    "named pylock.toml or pylock.NAME.toml as a PEP 751 lock");
            }
            reader_.fail_at({1, 1}, "missing required key `lock-version` (\"1.0\")");
        }
        lock.lock_version = reader_.as_string(*version, "`lock-version`");
        // A major version lock2nix does not know MUST be refused; a later 1.x may only add keys.
        const auto parsed = pep440::Version::try_parse(lock.lock_version);
        if (!parsed || parsed->release.empty() || parsed->release[0] != 1) {
            reader_.fail(*version,
                         "unsupported lock-version \"" + printable(lock.lock_version) +
                             "\": lock2nix reads version 1 of the pylock.toml format",
                         "upgrade lock2nix, or write the lock with a tool that writes version 1.0");
        }
        const toml::node* created_by = root.get("created-by");
        if (created_by == nullptr) {
            reader_.fail_at({1, 1}, "missing required key `created-by` (the tool that wrote the "
                                    "lock)");
        }
        lock.created_by = reader_.as_string(*created_by, "`created-by`");
        if (const toml::node* rp = root.get("requires-python")) {
            lock.requires_python = reader_.as_string(*rp, "`requires-python`");
            lock.requires_python_position = reader_.position(*rp);
            check_specifiers(*rp, lock.requires_python, "requires-python");
        }
        if (const toml::array* envs = reader_.array(root, "environments")) {
            for (const toml::node& env : *envs) {
                std::string marker = reader_.as_string(env, "an `environments` marker");
                check_marker(env, marker, "environments");
                lock.environment_positions.push_back(reader_.position(env));
                lock.environments.push_back(std::move(marker));
            }
        }
        lock.multi_use = root.get("extras") != nullptr || root.get("dependency-groups") != nullptr;
        lock.extras = names(root, "extras", true);
        lock.dependency_groups = names(root, "dependency-groups", false);
        lock.default_groups = names(root, "default-groups", false);
    }

    // Extras must be written normalised (packaging refuses others); group names are compared in
    // their normal form (the dependency-groups specification normalises them).
    std::vector<std::string> names(const toml::table& root, std::string_view key,
                                   bool require_normalised) {
        std::vector<std::string> out;
        if (const toml::array* items = reader_.array(root, key)) {
            for (const toml::node& item : *items) {
                const std::string name =
                    reader_.as_string(item, "a name in `" + std::string(key) + "`");
                const std::string canonical = canonicalize_name(name);
                if (require_normalised && name != canonical) {
                    reader_.fail(item, "extra \"" + printable(name) + "\" is not normalised (\"" +
                                           canonical + "\")");
                }
                out.push_back(canonical);
            }
        }
        return out;
    }

    void check_specifiers(const toml::node& at, const std::string& text, std::string_view key) {
        try {
            (void)pep440::SpecifierSet::parse(text);
        } catch (const SyntaxError& e) {
            reader_.fail(at, "invalid `" + std::string(key) + "` \"" + excerpt(text, e.offset()) +
                                 "\": " + e.message());
        }
    }

    void check_marker(const toml::node& at, const std::string& text, std::string_view key) {
        try {
            (void)pep508::Marker::parse(text);
        } catch (const SyntaxError& e) {
            reader_.fail(at, "invalid marker in `" + std::string(key) + "` \"" +
                                 excerpt(text, e.offset()) + "\": " + e.message());
        }
    }

    PylockPackage read_package(const toml::table& t) {
        PylockPackage p;
        p.position = reader_.position(t);
        const toml::node* name = t.get("name");
        if (name == nullptr) {
            reader_.fail(t, "missing required key `name` in a [[packages]] entry");
        }
        p.name = reader_.as_string(*name, "`name`");
        if (!is_valid_project_name(p.name) || canonicalize_name(p.name) != p.name) {
            reader_.fail(*name, "package name \"" + printable(p.name) +
                                    "\" is not a normalised project name (\"" +
                                    canonicalize_name(p.name) + "\")");
        }
        if (const toml::node* v = t.get("version")) {
            p.version = reader_.as_string(*v, "`version`");
            if (!pep440::Version::try_parse(p.version)) {
                reader_.fail(*v, "invalid version \"" + printable(p.version) + "\" of " + p.name);
            }
        }
        if (const toml::node* m = t.get("marker")) {
            p.marker = reader_.as_string(*m, "`marker`");
            p.marker_position = reader_.position(*m);
            check_marker(*m, p.marker, "marker");
        }
        if (const toml::node* rp = t.get("requires-python")) {
            p.requires_python = reader_.as_string(*rp, "`requires-python`");
            p.requires_python_position = reader_.position(*rp);
            check_specifiers(*rp, p.requires_python, "requires-python");
        }
        p.index = reader_.string_or(t, "index", {});
        if (const toml::array* deps = reader_.array(t, "dependencies")) {
            for (const toml::node& d : *deps) {
                const toml::table& dep = reader_.as_table(d, "a `dependencies` entry");
                p.dependencies.push_back(reader_.string_or(dep, "name", {}));
            }
        }
        if (const toml::array* ids = reader_.array(t, "attestation-identities")) {
            for (const toml::node& id : *ids) {
                (void)reader_.required_string(reader_.as_table(id, "an attestation identity"),
                                              "kind", "an attestation identity");
            }
        }
        (void)reader_.table(t, "tool");
        if (const toml::table* vcs = reader_.table(t, "vcs")) {
            p.vcs = read_vcs(*vcs, p);
        }
        if (const toml::table* dir = reader_.table(t, "directory")) {
            PylockDirectory d;
            d.position = reader_.position(*dir);
            d.path = reader_.required_string(*dir, "path", "[packages.directory]");
            d.editable = reader_.boolean(*dir, "editable").value_or(false);
            d.subdirectory = reader_.string_or(*dir, "subdirectory", {});
            p.directory = std::move(d);
        }
        if (const toml::table* archive = reader_.table(t, "archive")) {
            p.archive = read_file(*archive, "[packages.archive]", p, false);
            p.archive->subdirectory = reader_.string_or(*archive, "subdirectory", {});
        }
        if (const toml::table* sdist = reader_.table(t, "sdist")) {
            p.sdist = read_file(*sdist, "[packages.sdist]", p, true);
            check_distribution_name(*p.sdist, p, false);
        }
        if (const toml::array* wheels = reader_.array(t, "wheels")) {
            for (const toml::node& w : *wheels) {
                p.wheels.push_back(read_file(reader_.as_table(w, "a wheel"),
                                             "a [[packages.wheels]] entry", p, true));
                check_distribution_name(p.wheels.back(), p, true);
            }
        }
        check_sources(p);
        return p;
    }

    PylockVcs read_vcs(const toml::table& t, PylockPackage& p) {
        PylockVcs v;
        v.position = reader_.position(t);
        v.type = reader_.required_string(t, "type", "[packages.vcs]");
        v.url = reader_.string_or(t, "url", {});
        v.path = reader_.string_or(t, "path", {});
        v.requested_revision = reader_.string_or(t, "requested-revision", {});
        v.commit_id = reader_.required_string(t, "commit-id", "[packages.vcs]");
        v.subdirectory = reader_.string_or(t, "subdirectory", {});
        if (v.url.empty() && v.path.empty()) {
            p.problems.push_back({"[packages.vcs] of " + p.name + " has neither `url` nor `path`",
                                  "regenerate the lock", v.position});
        }
        return v;
    }

    PylockFile read_file(const toml::table& t, std::string_view what, PylockPackage& p,
                         bool named) {
        PylockFile f;
        f.position = reader_.position(t);
        f.url = reader_.string_or(t, "url", {});
        f.path = reader_.string_or(t, "path", {});
        if (named) {
            if (auto name = reader_.string(t, "name")) {
                f.name = std::move(*name);
                f.name_written = true;
            }
        }
        if (f.name.empty()) {
            f.name = !f.path.empty() ? last_path_component(f.path) : url_file_name(f.url);
        }
        if (const toml::node* size = t.get("size")) {
            const auto* n = size->as_integer();
            if (n == nullptr || n->get() < 0) {
                reader_.fail(*size, "expected a non-negative integer for `size`, found " +
                                        detail::describe_type(*size));
            }
            f.size = static_cast<std::uint64_t>(n->get());
        }
        if (const toml::node* time = t.get("upload-time")) {
            const auto* dt = time->as_date_time();
            if (dt == nullptr) {
                reader_.fail(*time, "expected a date-time for `upload-time`, found " +
                                        detail::describe_type(*time));
            }
            std::ostringstream out;
            out << *dt;
            f.upload_time = out.str();
        }
        if (f.url.empty() && f.path.empty()) {
            p.problems.push_back({std::string(what) + " of " + p.name +
                                      " has neither `url` nor `path`: there is nothing to fetch",
                                  "regenerate the lock", f.position});
        }
        const toml::table* hashes = reader_.table(t, "hashes");
        if (hashes == nullptr) {
            p.problems.push_back({"file " + printable(f.name) + " of " + p.name +
                                      " has no `hashes`: the specification requires at least one "
                                      "digest",
                                  "regenerate the lock from an index that serves digests "
                                  "(sha256)",
                                  f.position});
            return f;
        }
        for (const auto& [key, value] : *hashes) {
            PylockHash h;
            h.algorithm = ascii_lower(key.str());
            h.value = reader_.as_string(value, "a digest in `hashes`");
            const std::size_t length = expected_hex_length(h.algorithm);
            if (length != 0 && (h.value.size() != length || !is_hex(h.value))) {
                p.problems.push_back({"the " + h.algorithm + " digest of " + printable(f.name) +
                                          " is not " + std::to_string(length) + " hex digits",
                                      "regenerate the lock", reader_.position(value)});
            }
            f.hashes.push_back(std::move(h));
        }
        if (f.hashes.empty()) {
            p.problems.push_back(
                {"file " + printable(f.name) + " of " + p.name +
                     " has an empty `hashes` table: the specification requires at least one "
                     "digest",
                 "the file came from a source without digests (uv writes `hashes = {}` for a "
                 "find-links page that lists none); lock from an index that serves sha256 digests",
                 reader_.position(*hashes)});
        }
        return f;
    }

    // A wheel's or sdist's file name says which project and version it holds; one that does not
    // parse, or names another project, would install something the entry does not describe.
    void check_distribution_name(const PylockFile& f, PylockPackage& p, bool wheel) {
        if (f.name.empty()) {
            return; // reported: neither url nor path
        }
        std::optional<std::pair<std::string, pep440::Version>> parsed;
        if (wheel) {
            if (auto w = tags::WheelName::try_parse(f.name)) {
                parsed.emplace(w->name, w->version);
            }
        } else if (auto s = tags::SdistName::try_parse(f.name)) {
            parsed.emplace(s->name, s->version);
        }
        if (!parsed) {
            p.problems.push_back(
                {"\"" + printable(f.name) + "\" is not a valid " + (wheel ? "wheel" : "sdist") +
                     " file name",
                 std::string(wheel ? "a wheel is named NAME-VERSION[-BUILD]-PYTHON-ABI-PLATFORM.whl"
                                   : "an sdist is named NAME-VERSION.tar.gz") +
                     " (from `name`, else the last part of `url` or `path`); regenerate the lock",
                 f.position});
            return;
        }
        if (parsed->first != p.name) {
            p.problems.push_back({"file " + printable(f.name) + " is of project " + parsed->first +
                                      ", not " + p.name,
                                  "regenerate the lock", f.position});
        }
        if (!p.version.empty()) {
            const auto version = pep440::Version::try_parse(p.version);
            if (version && !(*version == parsed->second)) {
                p.problems.push_back({"file " + printable(f.name) + " is of version " +
                                          parsed->second.str() + ", not " + p.version,
                                      "regenerate the lock", f.position});
            }
        }
    }

    // "Check that the source of the package is specified appropriately (i.e. there are no
    // conflicting sources in the package entry)". A conflict names every source with its line,
    // and is reported at the second one in the file: the entry was sound until there.
    void check_sources(PylockPackage& p) {
        struct Source {
            std::string_view key;
            SourcePosition at;
        };
        std::vector<Source> sources;
        if (p.vcs) {
            sources.push_back({"vcs", p.vcs->position});
        }
        if (p.directory) {
            sources.push_back({"directory", p.directory->position});
        }
        if (p.archive) {
            sources.push_back({"archive", p.archive->position});
        }
        const std::size_t direct = sources.size();
        if (p.sdist) {
            sources.push_back({"sdist", p.sdist->position});
        }
        if (!p.wheels.empty()) {
            sources.push_back({"wheels", p.wheels.front().position});
        }
        if (sources.empty()) {
            p.problems.push_back({"entry " + p.name +
                                      " has no source (none of sdist, wheels, vcs, directory, "
                                      "archive)",
                                  "regenerate the lock", p.position});
            return;
        }
        // sdist and wheels together are one source (distributions); any other pair conflicts.
        if (direct == 0 || (direct == 1 && sources.size() == 1)) {
            return;
        }
        std::stable_sort(sources.begin(), sources.end(), [](const Source& a, const Source& b) {
            return std::pair(a.at.line, a.at.column) < std::pair(b.at.line, b.at.column);
        });
        std::string listed;
        for (std::size_t i = 0; i < sources.size(); ++i) {
            listed += i == 0 ? "" : i + 1 == sources.size() ? " and " : ", ";
            listed += "`" + std::string(sources[i].key) + "`";
            if (sources[i].at.known()) {
                listed += " at line " + std::to_string(sources[i].at.line);
            }
        }
        p.problems.push_back(
            {"entry " + p.name + " has conflicting sources: " + listed,
             "an entry has one source: an sdist and/or wheels, or else one of vcs, directory and "
             "archive; regenerate the lock",
             sources[1].at.known() ? sources[1].at : p.position});
    }

    TomlReader reader_;
};

} // namespace

Pylock parse_pylock(std::string_view text, std::string path) {
    return PylockReader(std::move(path)).read(text);
}

Pylock read_pylock(const std::string& path) {
    return parse_pylock(detail::read_file(path), path);
}

} // namespace lock2nix
