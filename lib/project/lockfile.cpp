#include "lock2nix/project/lockfile.hpp"

#include "lock2nix/fetch/urls.hpp"
#include "lock2nix/standards/names.hpp"
#include "project/byte_scan.hpp"
#include "project/code_paths.hpp"
#include "project/dependency_toml.hpp"
#include "project/lock_pieces.hpp"
#include "project/toml_reader.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <exception>
#include <utility>

namespace lock2nix {

namespace {

using detail::describe_type;
using detail::LockPiece;
using detail::TomlReader;
using detail::TomlStatements;

constexpr const char* regenerate_hint = "regenerate the lock with `poetry lock`";

} // namespace

std::size_t digest_length(std::string_view algorithm) {
    if (algorithm == "md5") {
        return 32;
    }
    if (algorithm == "sha1") {
        return 40;
    }
    if (algorithm == "sha224") {
        return 56;
    }
    if (algorithm == "sha256") {
        return 64;
    }
    if (algorithm == "sha384") {
        return 96;
    }
    if (algorithm == "sha512") {
        return 128;
    }
    return 0;
}

namespace {

// A table, not three range tests per character: every digest of a lock goes through here
// (4,400 of them in a large lock, several times each), and the tests cost more than the read.
constexpr auto hex_digits = [] {
    std::array<bool, 256> table{};
    for (char c : std::string_view("0123456789abcdefABCDEF")) {
        table[static_cast<unsigned char>(c)] = true;
    }
    return table;
}();

bool is_hex(std::string_view s) {
    bool all = true;
    for (char c : s) {
        all &= hex_digits[static_cast<unsigned char>(c)];
    }
    return all;
}

// "sha256:<hex>" (or a bare sha256 hex digest, as the oldest locks wrote them). Digests are
// checked where they are used (FileEntry::has_valid_digest): Poetry's own fixtures carry
// placeholders such as "sha256:123" and must still be readable.
void parse_hash(const TomlReader& reader, const toml::node& at, std::string_view text,
                FileEntry& entry) {
    std::string_view algorithm = "sha256";
    std::string_view hex = text;
    if (auto colon = text.find(':'); colon != std::string_view::npos) {
        algorithm = text.substr(0, colon);
        hex = text.substr(colon + 1);
    }
    if (algorithm.empty() || hex.empty()) {
        reader.fail(at, "malformed hash \"" + excerpt(text) + "\"",
                    "expected \"<algorithm>:<hex digest>\" such as \"sha256:…\"; " +
                        std::string(regenerate_hint));
    }
    entry.algorithm = ascii_lower(algorithm);
    entry.digest = is_hex(hex) ? ascii_lower(hex) : std::string(hex);
}

// A file name in a lock is the last part of a URL on the index, never a path: one holding `/`
// or `..` would be joined into predicted URLs (…/packages/source/d/demo/../demo-1.0.tar.gz) and
// store names, and control characters have no place in either.
void check_file_name(const TomlReader& reader, const toml::node& at, const std::string& name) {
    if (!detail::is_plain_file_name(name)) {
        reader.fail(at,
                    "the file name \"" + excerpt(name) +
                        "\" is not a plain file name (it must not be empty, `.` or `..`, nor "
                        "hold `/`, `\\` or control characters)",
                    "a lock names the files of the index, such as \"six-1.16.0.tar.gz\"; " +
                        std::string(regenerate_hint));
    }
}

std::vector<FileEntry> read_file_entries(const TomlReader& reader, const toml::array& list) {
    std::vector<FileEntry> out;
    out.reserve(list.size());
    for (const toml::node& item : list) {
        const toml::table& t = reader.as_table(item, "a file entry ({file = ..., hash = ...})");
        FileEntry entry;
        entry.position = reader.position(item);
        entry.name = reader.required_string(t, "file", "a file entry");
        check_file_name(reader, *t.get("file"), entry.name);
        const std::string hash = reader.required_string(t, "hash", "a file entry");
        parse_hash(reader, *t.get("hash"), hash, entry);
        out.push_back(std::move(entry));
    }
    return out;
}

std::vector<FileEntry> read_bare_digests(const TomlReader& reader, const toml::array& list) {
    std::vector<FileEntry> out;
    for (const toml::node& item : list) {
        FileEntry entry;
        entry.position = reader.position(item);
        parse_hash(reader, item, reader.as_string(item, "a digest in [metadata.hashes]"), entry);
        out.push_back(std::move(entry));
    }
    return out;
}

SourceKind source_kind(std::string_view type) {
    if (type == "legacy") {
        return SourceKind::legacy;
    }
    if (type == "git") {
        return SourceKind::git;
    }
    if (type == "url") {
        return SourceKind::url;
    }
    if (type == "file") {
        return SourceKind::file;
    }
    if (type == "directory") {
        return SourceKind::directory;
    }
    return SourceKind::unknown;
}

// Archives (`url`) and indexes (`legacy`) are fetched over HTTP(S), by Poetry (requests) and by
// Nix; a `javascript:` or `file:///etc/passwd` URL there would go into fetchurl as it is.
void check_web_url(const TomlReader& reader, const toml::table& table,
                   const PackageSource& source) {
    const std::string lower = ascii_lower(source.url.substr(0, 8));
    const std::size_t host =
        lower.starts_with("https://") ? 8 : (lower.starts_with("http://") ? 7 : 0);
    if (host != 0 && host < source.url.size() && source.url[host] != '/') {
        return;
    }
    const toml::node* at = table.get("url");
    const bool local = lower.starts_with("file:");
    reader.fail(at != nullptr ? *at : static_cast<const toml::node&>(table),
                "the " + source.type + " source URL \"" + excerpt(redact_url(source.url)) +
                    "\" is not an http:// or https:// URL with a host",
                local ? "a local archive is a `file` source (`poetry add ./path/to/archive`), a "
                        "local index is served over http://; " +
                            std::string(regenerate_hint)
                      : "lock2nix fetches archives and indexes over http:// and https:// only; " +
                            std::string(regenerate_hint));
}

std::optional<PackageSource> read_source(const TomlReader& reader, const toml::table& table) {
    PackageSource source;
    source.position = reader.position(table);
    source.type = reader.string_or(table, "type", "");
    source.url = reader.string_or(table, "url", "");
    source.reference = reader.string_or(table, "reference", "");
    source.resolved_reference = reader.string_or(table, "resolved_reference", "");
    source.subdirectory = reader.string_or(table, "subdirectory", "");
    // A folder of the checkout or archive: `..` or an absolute path would point the build (and
    // the translation's reading of its pyproject) anywhere on the machine.
    if (detail::leaves_folder(source.subdirectory)) {
        reader.fail(*table.get("subdirectory"),
                    "the subdirectory \"" + excerpt(source.subdirectory) + "\" " +
                        (source.subdirectory.starts_with("/")
                             ? std::string("is absolute")
                             : std::string("leaves the repository through `..`")),
                    "a subdirectory names a folder inside the repository or archive, such as "
                    "\"packages/core\"; " +
                        std::string(regenerate_hint));
    }
    if (source.type.empty() && source.url.empty()) {
        return std::nullopt; // Poetry 1.0 wrote empty source tables for PyPI packages
    }
    source.kind = source_kind(source.type);
    if (source.kind == SourceKind::url || source.kind == SourceKind::legacy) {
        check_web_url(reader, table, source);
    }
    return source;
}

std::map<std::string, std::vector<std::string>> read_extras(const TomlReader& reader,
                                                            const toml::table& table) {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& [key, value] : table) {
        std::vector<std::string> items;
        if (const auto* s = value.as_string()) {
            items.push_back(s->get());
        } else if (const auto* list = value.as_array()) {
            for (const toml::node& item : *list) {
                items.push_back(reader.as_string(item, "an extra's requirement"));
            }
        } else {
            reader.fail(value, "expected an array of requirement strings for extra `" +
                                   std::string(key.str()) + "`, found " + describe_type(value));
        }
        auto& slot = out[canonicalize_name(key.str())];
        slot.insert(slot.end(), items.begin(), items.end());
    }
    return out;
}

std::string basename(std::string_view path) {
    const auto slash = path.find_last_of('/');
    return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// The version field of a distribution file name ("name-1.0.tar.gz", "name-1.0-py3-none-any.whl"),
// or empty when the name has no recognisable shape.
std::string_view version_in_filename(std::string_view file) {
    if (file.ends_with(".whl")) {
        const auto first = file.find('-');
        if (first == std::string_view::npos) {
            return {};
        }
        const auto second = file.find('-', first + 1);
        return second == std::string_view::npos ? std::string_view{}
                                                : file.substr(first + 1, second - first - 1);
    }
    for (std::string_view ext : {".tar.gz", ".tar.bz2", ".tar.xz", ".tar.lz", ".tar.lzma", ".tgz",
                                 ".tbz", ".txz", ".tlz", ".tar", ".zip", ".egg"}) {
        if (file.ends_with(ext)) {
            std::string_view stem = file.substr(0, file.size() - ext.size());
            if (ext == ".egg") {
                const auto first = stem.find('-');
                if (first == std::string_view::npos) {
                    return {};
                }
                const auto second = stem.find('-', first + 1);
                return stem.substr(first + 1, second == std::string_view::npos
                                                  ? std::string_view::npos
                                                  : second - first - 1);
            }
            const auto dash = stem.rfind('-');
            return dash == std::string_view::npos ? std::string_view{} : stem.substr(dash + 1);
        }
    }
    return {};
}

// Older locks keep one file list per *name* in [metadata.files]; when the same name is locked
// several times the list mixes every version. Each package takes the files whose name carries its
// version. The list is read once per name and split into buckets by version: copying the whole
// list into every entry cost memory in the square of the lock's size (one name locked 4,000 times
// needed 3.4 GB).
struct NameFiles {
    std::vector<FileEntry> files;
    std::vector<std::size_t> packages; ///< the entries of this name that take files from here
};

std::vector<FileEntry> take_matching(const std::vector<FileEntry>& files, const auto& wanted) {
    std::vector<FileEntry> out;
    for (const FileEntry& f : files) {
        if (wanted(f)) {
            out.push_back(f);
        }
    }
    return out;
}

void assign_metadata_files(Lock& lock, NameFiles& group) {
    std::vector<std::size_t> by_version; // packages of a plain source, sharing the name
    for (std::size_t i : group.packages) {
        Package& pkg = lock.packages[i];
        if (pkg.source_kind() == SourceKind::git || pkg.source_kind() == SourceKind::directory) {
            pkg.files.clear();
        } else if (pkg.source_kind() == SourceKind::file) {
            const std::string wanted = basename(pkg.source->url);
            pkg.files =
                take_matching(group.files, [&](const FileEntry& f) { return f.name == wanted; });
        } else {
            by_version.push_back(i);
        }
    }
    if (by_version.empty()) {
        return;
    }
    if (lock.find(lock.packages[by_version.front()].canonical_name).size() == 1) {
        lock.packages[by_version.front()].files = std::move(group.files);
        return;
    }
    // Bucket the files by the version in their names; a package whose version no file carries
    // keeps the files no version claimed, when it is the only one in that case (more than one
    // would each hold a copy of them again), else none and the files are completed later.
    std::unordered_map<std::string, std::vector<std::size_t>> buckets;
    for (std::size_t i : by_version) {
        buckets[canonicalize_name(lock.packages[i].version)];
    }
    std::vector<std::size_t> unclaimed;
    for (std::size_t f = 0; f < group.files.size(); ++f) {
        const auto v = version_in_filename(group.files[f].name);
        auto it = v.empty() ? buckets.end() : buckets.find(canonicalize_name(v));
        if (it == buckets.end()) {
            unclaimed.push_back(f);
        } else {
            it->second.push_back(f);
        }
    }
    std::vector<std::size_t> without;
    for (std::size_t i : by_version) {
        const auto& own = buckets.at(canonicalize_name(lock.packages[i].version));
        if (own.empty()) {
            without.push_back(i);
            continue;
        }
        auto& files = lock.packages[i].files;
        files.clear();
        files.reserve(own.size());
        for (std::size_t f : own) {
            files.push_back(group.files[f]);
        }
    }
    if (without.size() == 1) {
        auto& files = lock.packages[without.front()].files;
        files.clear();
        for (std::size_t f : unclaimed) {
            files.push_back(group.files[f]);
        }
    }
}

Package read_package(const TomlReader& reader, const toml::table& t) {
    Package pkg;
    pkg.position = reader.position(t);
    pkg.name = reader.required_string(t, "name", "a [[package]] entry");
    pkg.canonical_name = canonicalize_name(pkg.name);
    if (pkg.name.empty()) {
        reader.fail(*t.get("name"), "a [[package]] entry has an empty name", regenerate_hint);
    }
    pkg.version = reader.required_string(t, "version", "[[package]] `" + pkg.name + "`");
    pkg.description = reader.string_or(t, "description", "");
    pkg.category = reader.string_or(t, "category", "");
    pkg.optional = reader.boolean(t, "optional").value_or(false);
    pkg.python_versions = reader.string_or(t, "python-versions", "*");
    for (std::string& g : reader.string_list(t, "groups")) {
        pkg.groups.push_back(canonicalize_name(g));
    }
    if (const toml::node* markers = t.get("markers")) {
        if (const auto* s = markers->as_string()) {
            pkg.markers = s->get();
        } else if (const auto* table = markers->as_table()) {
            pkg.markers_by_group = true;
            for (const auto& [group, marker] : *table) {
                pkg.group_markers[canonicalize_name(group.str())] = reader.as_string(
                    marker, "the marker of group `" + std::string(group.str()) + "`");
            }
        } else {
            reader.fail(*markers, "expected a marker string or a table of group markers for "
                                  "`markers`, found " +
                                      describe_type(*markers));
        }
    }
    pkg.legacy_marker = reader.string_or(t, "marker", "");
    if (const toml::array* files = reader.array(t, "files")) {
        pkg.files = read_file_entries(reader, *files);
        pkg.files_origin = FilesOrigin::package;
    }
    if (const toml::table* deps = reader.table(t, "dependencies")) {
        pkg.dependencies = detail::read_dependencies(reader, *deps);
    }
    if (const toml::table* extras = reader.table(t, "extras")) {
        pkg.extras = read_extras(reader, *extras);
    }
    if (const toml::table* source = reader.table(t, "source")) {
        pkg.source = read_source(reader, *source);
    }
    pkg.develop = reader.boolean(t, "develop");
    if (pkg.develop.value_or(false) && pkg.source_kind() == SourceKind::directory) {
        // Installed editable in the devShell: its folder becomes part of the `.pth` line.
        const std::string problem =
            detail::code_path_problem(pkg.source->url, detail::PathScope::anywhere);
        if (!problem.empty()) {
            const toml::node* url = t.get("source")->as_table()->get("url");
            reader.fail(url != nullptr ? *url : t,
                        "the folder of `" + pkg.name + "` (develop = true), \"" +
                            excerpt(pkg.source->url) + "\", " + problem,
                        "rename the folder, or make the dependency non-editable (develop = "
                        "false); its path is written into the editable install's Python code");
        }
    }
    return pkg;
}

LockGeneration generation_of(const TomlReader& reader, const toml::table& metadata,
                             std::string& version_text) {
    const toml::node* node = metadata.get("lock-version");
    if (node == nullptr) {
        return metadata.contains("hashes") ? LockGeneration::legacy_hashes
                                           : LockGeneration::legacy_files;
    }
    version_text = reader.as_string(*node, "`lock-version`");
    int major = -1;
    int minor = 0;
    const char* begin = version_text.data();
    const char* end = begin + version_text.size();
    auto [p, ec] = std::from_chars(begin, end, major);
    if (ec == std::errc() && p != end && *p == '.') {
        auto [q, ec2] = std::from_chars(p + 1, end, minor);
        p = ec2 == std::errc() ? q : begin;
    }
    if (ec != std::errc() || p != end) {
        reader.fail(*node,
                    "`lock-version` \"" + excerpt(version_text) + "\" is not a version number",
                    "expected a value such as \"2.1\"; " + std::string(regenerate_hint));
    }
    if (major >= 3) {
        reader.fail(*node,
                    "unsupported lock-version " + excerpt(version_text) +
                        ": lock2nix reads lock files of versions 1.0 to 2.1",
                    "this lock was written by a newer Poetry; upgrade lock2nix, or lock with a "
                    "Poetry that writes lock-version 2.1");
    }
    if (major < 1) {
        reader.fail(*node, "unsupported lock-version " + excerpt(version_text), regenerate_hint);
    }
    if (major == 1) {
        return minor == 0 ? LockGeneration::v1_0 : LockGeneration::v1_1;
    }
    return minor == 0 ? LockGeneration::v2_0 : LockGeneration::v2_1;
}

std::string generated_by(std::string_view text) {
    // "# This file is automatically @generated by Poetry 1.4.0 and should not be changed by hand."
    const auto eol = text.find('\n');
    std::string_view first = text.substr(0, eol);
    constexpr std::string_view marker = "@generated by Poetry ";
    const auto at = first.find(marker);
    if (!first.starts_with("#") || at == std::string_view::npos) {
        return {};
    }
    std::string_view rest = first.substr(at + marker.size());
    return std::string(rest.substr(0, rest.find(' ')));
}

const std::string not_a_lock_hint =
    "pass the poetry.lock that `poetry lock` wrote next to pyproject.toml";

std::string syntax_hint() {
    return "poetry.lock must be valid TOML; " + std::string(regenerate_hint);
}

// Set by detail::parse_lock_whole around its call of parse_lock, which is the one function that
// may index a Lock: the tests and the fuzz harness compare both readings through it.
thread_local bool whole_document_only = false;

void refuse_blank(std::string_view text, const std::string& path) {
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        throw Error(text.empty() ? "not a poetry.lock: the file is empty"
                                 : "not a poetry.lock: the file holds only whitespace (" +
                                       std::to_string(text.size()) + " bytes)",
                    path, SourcePosition{1, 1}, not_a_lock_hint);
    }
}

// [metadata] and the root [extras]: what the lock says besides its packages.
void read_root(const TomlReader& reader, const toml::table& root, bool has_packages,
               std::string_view text, Lock& lock) {
    const toml::node* metadata_node = root.get("metadata");
    if (metadata_node == nullptr) {
        throw Error(has_packages
                        ? "missing the [metadata] table (lock-version, content-hash)"
                        : "not a poetry.lock: there is no [metadata] table and no [[package]]",
                    reader.file(), SourcePosition{1, 1}, not_a_lock_hint);
    }
    const toml::table& metadata = reader.as_table(*metadata_node, "[metadata]");
    lock.generated_by = generated_by(text);
    lock.generation = generation_of(reader, metadata, lock.lock_version);
    lock.python_versions = reader.string_or(metadata, "python-versions", "*");
    if (const toml::node* python = metadata.get("python-versions")) {
        lock.python_versions_position = reader.position(*python);
    }
    lock.content_hash = reader.string_or(metadata, "content-hash", "");
    if (const toml::table* extras = reader.table(root, "extras")) {
        lock.extras = read_extras(reader, *extras);
    }
}

void read_entries(const TomlReader& reader, toml::node& packages, std::vector<Package>& out) {
    auto* list = packages.as_array();
    if (list == nullptr) {
        reader.fail(packages, "expected an array of tables for [[package]], found " +
                                  describe_type(packages));
    }
    for (toml::node& item : *list) {
        out.push_back(read_package(reader, reader.as_table(item, "[[package]]")));
        // The model holds copies of everything it needs: free the entry's nodes now, so the
        // model's allocations reuse them and the peak stays that of the parse alone, not
        // that of the whole tree and the complete model together.
        item.as_table()->clear();
    }
}

void read_whole(const TomlReader& reader, std::string_view text, toml::table& root, Lock& lock) {
    root = reader.parse(text, syntax_hint());
    read_root(reader, root, root.contains("package"), text, lock);
    if (toml::node* packages = root.get("package")) {
        if (const auto* list = packages->as_array()) {
            lock.packages.reserve(list->size());
        }
        read_entries(reader, *packages, lock.packages);
    }
}

// Every part is parsed and its entry modelled in the file's order, and the order of the errors
// is the whole-document reading's: that parse reports a syntax error anywhere before any error of
// the model, and checks [metadata] before the entries. So an entry's error waits until every part
// has parsed and [metadata] has been read; later entries are then only parsed.
void read_in_pieces(TomlReader& reader, std::string_view text, const std::vector<LockPiece>& pieces,
                    toml::table& root, Lock& lock) {
    const std::string hint = syntax_hint();
    reader.check_before_parsing(text, hint);
    TomlReader entries = reader;
    lock.packages.reserve(static_cast<std::size_t>(
        std::count_if(pieces.begin(), pieces.end(), [](const LockPiece& p) { return p.package; })));
    std::exception_ptr held;
    for (const LockPiece& piece : pieces) {
        const std::string_view part = text.substr(piece.begin, piece.end - piece.begin);
        if (!piece.package) {
            reader.start_at_line(piece.first_line);
            root = reader.parse_checked(part, hint);
            continue;
        }
        entries.start_at_line(piece.first_line);
        toml::table entry = entries.parse_checked(part, hint);
        toml::node* packages = entry.get("package");
        if (held || packages == nullptr) {
            continue;
        }
        try {
            read_entries(entries, *packages, lock.packages);
        } catch (...) {
            held = std::current_exception();
        }
    }
    read_root(reader, root, true, text, lock);
    if (held) {
        std::rethrow_exception(held);
    }
}

// Older locks keep files in [metadata.files] / [metadata.hashes], keyed by the package name as
// written; matched on the canonical form because spellings drifted between versions.
void read_metadata_files(const TomlReader& reader, const toml::table& metadata, Lock& lock) {
    const toml::table* files = reader.table(metadata, "files");
    const toml::table* hashes = reader.table(metadata, "hashes");
    if (files == nullptr && hashes == nullptr) {
        return;
    }
    std::unordered_map<std::string, const toml::node*> by_name;
    for (const auto& [key, value] : files != nullptr ? *files : *hashes) {
        by_name.emplace(canonicalize_name(key.str()), &value);
    }
    std::unordered_map<std::string, NameFiles> groups;
    for (std::size_t i = 0; i < lock.packages.size(); ++i) {
        Package& pkg = lock.packages[i];
        if (pkg.files_origin == FilesOrigin::package) {
            continue;
        }
        auto it = by_name.find(pkg.canonical_name);
        if (it == by_name.end()) {
            continue;
        }
        const auto* entries = it->second->as_array();
        if (entries == nullptr) {
            reader.fail(*it->second, "expected an array of files for `" + pkg.name + "`, found " +
                                         describe_type(*it->second));
        }
        auto [group, first] = groups.try_emplace(pkg.canonical_name);
        if (first) {
            group->second.files = files != nullptr ? read_file_entries(reader, *entries)
                                                   : read_bare_digests(reader, *entries);
        }
        group->second.packages.push_back(i);
        pkg.files_origin =
            files != nullptr ? FilesOrigin::metadata_files : FilesOrigin::metadata_hashes;
    }
    for (auto& [name, group] : groups) {
        assign_metadata_files(lock, group);
    }
}

// How split_lock takes a table header: its first key decides, and only the spellings Poetry
// writes for an entry and its sub-tables are taken as such.
enum class HeaderKind { entry, entry_part, other, unknown };

HeaderKind header_kind(std::string_view header) {
    const auto is_blank = [](char c) { return c == ' ' || c == '\t'; };
    if (header.starts_with("[[package]]")) {
        std::size_t k = 11;
        while (k < header.size() && is_blank(header[k])) {
            ++k;
        }
        return k == header.size() || header[k] == '#' ? HeaderKind::entry : HeaderKind::unknown;
    }
    if (header.starts_with("[package.") || header.starts_with("[[package.")) {
        return HeaderKind::entry_part;
    }
    std::size_t k = header.starts_with("[[") ? 2 : 1;
    while (k < header.size() && is_blank(header[k])) {
        ++k;
    }
    const std::size_t key = k;
    while (k < header.size() && (std::isalnum(static_cast<unsigned char>(header[k])) != 0 ||
                                 header[k] == '_' || header[k] == '-')) {
        ++k;
    }
    // A quoted first key could spell `package` in any escape, and nothing after `[` is toml++'s
    // error to report.
    if (k == key || header.substr(key, k - key) == "package") {
        return HeaderKind::unknown;
    }
    return HeaderKind::other;
}

} // namespace

std::string_view to_string(LockGeneration generation) {
    switch (generation) {
    case LockGeneration::legacy_hashes:
        return "legacy-hashes";
    case LockGeneration::legacy_files:
        return "legacy-files";
    case LockGeneration::v1_0:
        return "1.0";
    case LockGeneration::v1_1:
        return "1.1";
    case LockGeneration::v2_0:
        return "2.0";
    case LockGeneration::v2_1:
        return "2.1";
    case LockGeneration::pylock:
        return "pylock";
    }
    return "unknown";
}

std::string_view to_string(SourceKind kind) {
    switch (kind) {
    case SourceKind::pypi:
        return "pypi";
    case SourceKind::legacy:
        return "legacy";
    case SourceKind::git:
        return "git";
    case SourceKind::url:
        return "url";
    case SourceKind::file:
        return "file";
    case SourceKind::directory:
        return "directory";
    case SourceKind::unknown:
        break;
    }
    return "unknown";
}

const std::string& Package::marker_for_group(std::string_view group) const {
    static const std::string none;
    if (!markers_by_group) {
        return markers;
    }
    auto it = group_markers.find(group);
    return it == group_markers.end() ? none : it->second;
}

bool FileEntry::has_valid_digest() const {
    const std::size_t expected = digest_length(algorithm);
    return expected != 0 && digest.size() == expected && is_hex(digest);
}

bool Package::in_group(std::string_view group) const {
    return std::find(groups.begin(), groups.end(), group) != groups.end();
}

void Lock::index_packages() {
    index_.clear();
    for (std::size_t i = 0; i < packages.size(); ++i) {
        index_[packages[i].canonical_name].push_back(i);
    }
}

const std::vector<std::size_t>& Lock::find(std::string_view name) const {
    static const std::vector<std::size_t> none;
    // Most lookups already use the canonical spelling; only normalise when that misses.
    auto it = index_.find(name);
    if (it != index_.end()) {
        return it->second;
    }
    it = index_.find(canonicalize_name(name));
    return it == index_.end() ? none : it->second;
}

namespace detail {

std::optional<std::vector<LockPiece>> split_lock(std::string_view text) {
    // toml++ decodes its input 32 bytes at a time, ahead of its parser, and places an invalid
    // sequence by the block it is in: where a part starts changes that place, and can let the
    // sequence's error come before a syntax error earlier in the same block.
    if (!detail::valid_utf8(text)) {
        return std::nullopt;
    }
    // toml++ takes a byte-order mark at the start of a document; the first part starts there.
    constexpr std::string_view bom = "\xEF\xBB\xBF";
    const std::size_t start = text.starts_with(bom) ? bom.size() : 0;
    TomlStatements scan(text, start);
    std::vector<LockPiece> pieces;
    bool entries = false;
    bool rest = false;
    while (true) {
        const TomlStatements::Statement st = scan.next();
        if (st.kind == TomlStatements::Kind::end) {
            break;
        }
        if (st.kind == TomlStatements::Kind::unsure ||
            (st.kind == TomlStatements::Kind::key_value && pieces.empty())) {
            return std::nullopt; // a string the scan cannot follow, or a root key
        }
        if (st.kind == TomlStatements::Kind::key_value) {
            continue;
        }
        // A part must start at a line's start (columns are not shifted), not after a lone
        // carriage return, which the scan passes over as a blank.
        if (st.line != start && text[st.line - 1] != '\n') {
            return std::nullopt;
        }
        std::string_view header = st.header;
        if (header.ends_with('\r') && st.first + header.size() < text.size()) {
            header.remove_suffix(1); // a CRLF line end
        }
        const bool in_entry = !pieces.empty() && pieces.back().package;
        const bool in_rest = !pieces.empty() && !pieces.back().package;
        switch (header_kind(header)) {
        case HeaderKind::unknown:
            return std::nullopt;
        case HeaderKind::entry_part:
            if (!in_entry) {
                return std::nullopt;
            }
            break;
        case HeaderKind::entry:
            if (in_rest && entries) {
                return std::nullopt; // other tables between entries
            }
            pieces.push_back(LockPiece{pieces.empty() ? 0 : st.line, 0, 1, true});
            entries = true;
            break;
        case HeaderKind::other:
            if (in_rest) {
                break;
            }
            if (rest) {
                return std::nullopt; // other tables on both sides of the entries
            }
            pieces.push_back(LockPiece{pieces.empty() ? 0 : st.line, 0, 1, false});
            rest = true;
            break;
        }
    }
    if (!entries) {
        return std::nullopt;
    }
    std::uint32_t line = 1;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        if (i > 0) {
            const auto from = text.begin() + static_cast<std::ptrdiff_t>(pieces[i - 1].begin);
            const auto to = text.begin() + static_cast<std::ptrdiff_t>(pieces[i].begin);
            line += static_cast<std::uint32_t>(std::count(from, to, '\n'));
            pieces[i - 1].end = pieces[i].begin;
        }
        pieces[i].first_line = line;
    }
    pieces.back().end = text.size();
    return pieces;
}

} // namespace detail

Lock parse_lock(std::string_view text, std::string path) {
    TomlReader reader(path, "this does not follow the poetry.lock format; regenerate the lock "
                            "with `poetry lock`");
    refuse_blank(text, path);
    const std::optional<std::vector<LockPiece>> pieces =
        whole_document_only ? std::nullopt : detail::split_lock(text);
    Lock lock;
    // The lock's tables other than [[package]]: [metadata.files] is read from it below.
    toml::table root;
    if (pieces) {
        read_in_pieces(reader, text, *pieces, root, lock);
    } else {
        read_whole(reader, text, root, lock);
    }
    lock.index_packages();
    read_metadata_files(reader, *root.get("metadata")->as_table(), lock);
    lock.path = std::move(path);
    return lock;
}

namespace detail {

Lock parse_lock_whole(std::string_view text, std::string path) {
    struct WholeDocument {
        bool saved = std::exchange(whole_document_only, true);
        ~WholeDocument() { whole_document_only = saved; }
    } whole;
    return parse_lock(text, std::move(path));
}

std::optional<Lock> parse_lock_in_pieces(std::string_view text, std::string path) {
    if (whole_document_only || !split_lock(text)) {
        return std::nullopt;
    }
    return parse_lock(text, std::move(path));
}

} // namespace detail

Lock read_lock(const std::string& path) {
    return parse_lock(detail::read_file(path), path);
}

} // namespace lock2nix
