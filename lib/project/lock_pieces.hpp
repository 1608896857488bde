#pragma once
// Private: how parse_lock reads a lock one [[package]] entry at a time, and the whole-document
// reading it must agree with, for the tests and the fuzz harness that check that they do.
//
// toml++'s tree of a lock takes about eight times the text's size: a whole lock's tree would be
// the peak of reading it. Parsed one entry at a time, the peak is the text, the model and one
// entry's tree.

#include "lock2nix/project/lockfile.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lock2nix::detail {

/// A part of a lock's text that toml++ parses alone: one [[package]] entry with its sub-tables
/// ([package.dependencies], [[package.files]], …), or the rest of the lock ([metadata],
/// [metadata.files], [extras], …). Parts start at a line's start and follow each other.
struct LockPiece {
    std::size_t begin = 0;
    std::size_t end = 0;
    std::uint32_t first_line = 1; ///< the file's line on which the part starts
    bool package = false;
};

/// The parts of a lock, when a scan of its headers shows that parsing them one at a time reads
/// what the whole-document parse reads: comments and blank lines before the first header, then
/// [[package]] entries and the rest as one run of other tables, before or after the entries. A
/// root key, a header the scan cannot classify (quoted, spaced or dotted spellings of `package`),
/// a [package.x] table outside an entry, other tables on both sides of the entries, a string the
/// scan cannot follow, or no [[package]] at all: nothing, and the whole document is parsed.
std::optional<std::vector<LockPiece>> split_lock(std::string_view text);

/// parse_lock through one toml++ parse of the whole text.
Lock parse_lock_whole(std::string_view text, std::string path);

/// parse_lock through the parts of split_lock; nothing when there are none.
std::optional<Lock> parse_lock_in_pieces(std::string_view text, std::string path);

/// The first difference between two models of a lock, every field and position included, as
/// the path of the field ("packages[3].files[1].position"); empty when they are equal.
inline std::string lock_difference(const Lock& a, const Lock& b) {
    std::string out;
    auto same = [&out](const std::string& what, const auto& x, const auto& y) {
        if (out.empty() && !(x == y)) {
            out = what;
        }
        return out.empty();
    };
    auto constraint = [&](const std::string& at, const DependencyConstraint& x,
                          const DependencyConstraint& y) {
        same(at + ".version", x.version, y.version);
        same(at + ".python", x.python(), y.python());
        same(at + ".platform", x.platform(), y.platform());
        same(at + ".markers", x.markers, y.markers);
        same(at + ".extras", x.extras, y.extras);
        same(at + ".optional", x.optional, y.optional);
        same(at + ".allow_prereleases", x.allow_prereleases, y.allow_prereleases);
        same(at + ".develop", x.develop, y.develop);
        same(at + ".path", x.path(), y.path());
        same(at + ".file", x.file(), y.file());
        same(at + ".url", x.url(), y.url());
        same(at + ".git", x.git(), y.git());
        same(at + ".branch", x.branch(), y.branch());
        same(at + ".tag", x.tag(), y.tag());
        same(at + ".rev", x.rev(), y.rev());
        same(at + ".subdirectory", x.subdirectory(), y.subdirectory());
        same(at + ".source", x.source(), y.source());
        same(at + ".position", x.position, y.position);
    };
    auto files = [&](const std::string& at, const std::vector<FileEntry>& x,
                     const std::vector<FileEntry>& y) {
        if (!same(at + ".size", x.size(), y.size())) {
            return;
        }
        for (std::size_t i = 0; i < x.size() && out.empty(); ++i) {
            const std::string f = at + "[" + std::to_string(i) + "]";
            same(f + ".name", x[i].name, y[i].name);
            same(f + ".algorithm", x[i].algorithm, y[i].algorithm);
            same(f + ".digest", x[i].digest, y[i].digest);
            same(f + ".position", x[i].position, y[i].position);
        }
    };
    auto package = [&](const std::string& at, const Package& x, const Package& y) {
        same(at + ".name", x.name, y.name);
        same(at + ".canonical_name", x.canonical_name, y.canonical_name);
        same(at + ".version", x.version, y.version);
        same(at + ".description", x.description, y.description);
        same(at + ".category", x.category, y.category);
        same(at + ".optional", x.optional, y.optional);
        same(at + ".python_versions", x.python_versions, y.python_versions);
        same(at + ".groups", x.groups, y.groups);
        same(at + ".markers", x.markers, y.markers);
        same(at + ".group_markers", x.group_markers, y.group_markers);
        same(at + ".markers_by_group", x.markers_by_group, y.markers_by_group);
        same(at + ".legacy_marker", x.legacy_marker, y.legacy_marker);
        files(at + ".files", x.files, y.files);
        same(at + ".files_origin", x.files_origin, y.files_origin);
        if (same(at + ".dependencies.size", x.dependencies.size(), y.dependencies.size())) {
            for (std::size_t i = 0; i < x.dependencies.size() && out.empty(); ++i) {
                const Dependency& dx = x.dependencies[i];
                const Dependency& dy = y.dependencies[i];
                const std::string d = at + ".dependencies[" + std::to_string(i) + "]";
                same(d + ".name", dx.name, dy.name);
                same(d + ".canonical_name", dx.canonical_name, dy.canonical_name);
                same(d + ".position", dx.position, dy.position);
                if (same(d + ".constraints.size", dx.constraints.size(), dy.constraints.size())) {
                    for (std::size_t k = 0; k < dx.constraints.size(); ++k) {
                        constraint(d + ".constraints[" + std::to_string(k) + "]", dx.constraints[k],
                                   dy.constraints[k]);
                    }
                }
            }
        }
        same(at + ".extras", x.extras, y.extras);
        if (same(at + ".source", x.source.has_value(), y.source.has_value()) && x.source) {
            same(at + ".source.kind", x.source->kind, y.source->kind);
            same(at + ".source.type", x.source->type, y.source->type);
            same(at + ".source.url", x.source->url, y.source->url);
            same(at + ".source.reference", x.source->reference, y.source->reference);
            same(at + ".source.resolved_reference", x.source->resolved_reference,
                 y.source->resolved_reference);
            same(at + ".source.subdirectory", x.source->subdirectory, y.source->subdirectory);
            same(at + ".source.position", x.source->position, y.source->position);
        }
        same(at + ".develop", x.develop, y.develop);
        same(at + ".position", x.position, y.position);
    };
    same("path", a.path, b.path);
    same("generation", a.generation, b.generation);
    same("lock_version", a.lock_version, b.lock_version);
    same("generated_by", a.generated_by, b.generated_by);
    same("python_versions", a.python_versions, b.python_versions);
    same("python_versions_position", a.python_versions_position, b.python_versions_position);
    same("content_hash", a.content_hash, b.content_hash);
    same("extras", a.extras, b.extras);
    if (same("packages.size", a.packages.size(), b.packages.size())) {
        for (std::size_t i = 0; i < a.packages.size() && out.empty(); ++i) {
            const std::string at = "packages[" + std::to_string(i) + "]";
            package(at, a.packages[i], b.packages[i]);
            same(at + " found by name", a.find(a.packages[i].name), b.find(a.packages[i].name));
        }
    }
    return out;
}

} // namespace lock2nix::detail
