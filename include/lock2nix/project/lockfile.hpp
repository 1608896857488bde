#pragma once
// The typed model of poetry.lock, for every generation Poetry has written (no lock-version,
// 1.0, 1.1, 2.0, 2.1), with the source position of everything a later step may complain about.

#include "lock2nix/error.hpp"
#include "lock2nix/project/dependency.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lock2nix {

/// Lock-file generations (reference: poetry-lock-format.md §1.1).
enum class LockGeneration {
    legacy_hashes, ///< no lock-version, [metadata.hashes] with bare digests (Poetry 0.x)
    legacy_files,  ///< no lock-version, [metadata.files] (Poetry 1.0.0b2 … 1.0.9)
    v1_0,          ///< "1.0" (Poetry 1.0.10)
    v1_1,          ///< "1.1" (Poetry 1.1 … 1.2): dependency `markers`, [metadata.files]
    v2_0,          ///< "2.0" (Poetry 1.3 … 1.8): per-package `files`
    v2_1,          ///< "2.1" (Poetry 2.x): per-package `groups` and `markers`
    /// A PEP 751 pylock's entries (pylock_as_lock): read as 2.1, whose per-package markers
    /// carry where the pylock's own selection installs each entry.
    pylock,
};

/// "legacy-hashes", "legacy-files", "1.0", "1.1", "2.0", "2.1", "pylock".
std::string_view to_string(LockGeneration generation);

/// One distribution file of a package and its digest.
struct FileEntry {
    std::string name;      ///< file name; empty for the oldest locks, which stored bare digests
    std::string algorithm; ///< "sha256" normally; legacy indexes may give sha384, sha512, md5
    std::string digest;    ///< lower-case hex
    SourcePosition position;

    /// "algorithm:hex", as Poetry writes it.
    std::string hash() const { return algorithm + ":" + digest; }
    /// True when the digest is hex of the right length for a known algorithm.
    bool has_valid_digest() const;
};

/// Hex length of a digest: 64 for "sha256", 0 for an unknown algorithm.
std::size_t digest_length(std::string_view algorithm);

/// Where a package comes from (`[package.source]`; none means PyPI).
enum class SourceKind { pypi, legacy, git, url, file, directory, unknown };

/// "pypi", "legacy", "git", "url", "file", "directory", "unknown".
std::string_view to_string(SourceKind kind);

struct PackageSource {
    SourceKind kind = SourceKind::pypi;
    std::string type;      ///< as written
    std::string url;       ///< index URL, repository URL, archive URL, or path relative to the lock
    std::string reference; ///< legacy: source name; git: requested branch/tag/rev
    std::string resolved_reference; ///< git: full commit (1.0.x locks put it in `reference`)
    std::string subdirectory;
    SourcePosition position;
};

/// Where a package's file list was read from.
enum class FilesOrigin {
    package,         ///< `files` of the [[package]] (lock 2.0+)
    metadata_files,  ///< [metadata.files] (locks before 2.0)
    metadata_hashes, ///< [metadata.hashes], bare digests (Poetry 0.x)
    index,           ///< completed from the package index: the lock had no usable digests
    none,
};

/// One `[[package]]` entry. Several entries may share a name (different versions or sources).
struct Package {
    std::string name;           ///< as written ("PyYAML", "backports.functools-lru-cache")
    std::string canonical_name; ///< PEP 503 normal form
    std::string version;
    std::string description;
    std::string category; ///< "main" / "dev" in locks written before Poetry 1.5; else empty
    bool optional = false;
    std::string python_versions = "*";
    std::vector<std::string> groups; ///< 2.1 only; canonical group names
    /// 2.1 `markers`: the one marker for every group (string form); empty when absent.
    std::string markers;
    /// 2.1 `markers` table form: group → marker. Groups missing here have no marker.
    std::map<std::string, std::string, std::less<>> group_markers;
    bool markers_by_group = false; ///< true when `markers` was written as a table
    std::string legacy_marker;     ///< package-level `marker` of locks before 1.1
    std::vector<FileEntry> files;
    FilesOrigin files_origin = FilesOrigin::none;
    std::vector<Dependency> dependencies;
    /// The package's own extras: extra name (canonical) → requirement strings as written.
    std::map<std::string, std::vector<std::string>> extras;
    std::optional<PackageSource> source;
    std::optional<bool> develop;
    SourcePosition position;

    SourceKind source_kind() const { return source ? source->kind : SourceKind::pypi; }
    /// The marker under which this package is needed by `group` (2.1 locks); empty = always.
    /// A reference into the package (or to an empty string): the planner asks per package and
    /// group, and a copy each time was an allocation each time.
    const std::string& marker_for_group(std::string_view group) const;
    bool in_group(std::string_view group) const;
};

/// A whole poetry.lock.
struct Lock {
    std::string path; ///< the file it was read from, for messages
    LockGeneration generation = LockGeneration::v2_1;
    std::string lock_version; ///< as written; empty when absent
    std::string generated_by; ///< Poetry version from the "@generated by Poetry X" comment
    std::string python_versions;
    SourcePosition python_versions_position; ///< of [metadata] python-versions, when written
    std::string content_hash;
    /// Root extras: canonical extra name → dependency names as written.
    std::map<std::string, std::vector<std::string>> extras;
    std::vector<Package> packages;

    /// Indices into `packages` of the entries with this name (any spelling).
    const std::vector<std::size_t>& find(std::string_view name) const;

    /// True when per-package `groups`/`markers` decide what installs (lock-version ≥ 2.1, and
    /// a pylock's entries).
    bool has_locked_groups() const {
        return generation == LockGeneration::v2_1 || generation == LockGeneration::pylock;
    }

    /// Rebuilds the lookup `find` uses from `packages`: for a lock assembled from another
    /// format's entries rather than read by parse_lock.
    void index_packages();

private:
    friend Lock parse_lock(std::string_view, std::string);
    // Looked up by string_view without building a std::string per lookup (the selector asks
    // once per dependency edge).
    struct NameHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    std::unordered_map<std::string, std::vector<std::size_t>, NameHash, std::equal_to<>> index_;
};

/// Parses poetry.lock text; `path` is used in messages and as the base of relative paths.
/// Throws Error (file:line:column, what was expected, a hint) on anything it cannot read.
Lock parse_lock(std::string_view text, std::string path);

/// Reads and parses a poetry.lock file.
Lock read_lock(const std::string& path);

/// The two [metadata] keys `lock2nix check` compares, as read_lock would give them.
struct LockStamp {
    std::string lock_version; ///< as written; empty when absent
    std::string content_hash; ///< empty when absent
    bool fast = false;        ///< read from the [metadata] table alone (else: the whole lock)
};

/// Lock-version and content-hash of poetry.lock text without modelling the lock: a scan finds
/// the one plain [metadata] table and only it is parsed; anything unusual (a root key, a quoted
/// or repeated header, an unterminated string, a table the full reader would reject) parses the
/// whole text with parse_lock instead. On any text parse_lock accepts the answer is parse_lock's
/// (fuzz.lock checks it); a fault the scan does not look at (a bad value in a package) is not
/// reported, and errors raised are parse_lock's.
LockStamp parse_lock_stamp(std::string_view text, const std::string& path);

/// parse_lock_stamp of a file.
LockStamp read_lock_stamp(const std::string& path);

} // namespace lock2nix
