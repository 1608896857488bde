#pragma once
// The typed model of a PEP 751 lock file (pylock.toml, pylock.NAME.toml): a flat list of every
// package that may be installed, each with its marker and concrete files, with the source position
// of everything a later step may complain about. It is a model of its own, not a poetry.lock
// `Lock`: docs/pylock.md says why.

#include "lock2nix/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lock2nix {

/// The lock formats lock2nix reads.
enum class LockFormat {
    poetry, ///< poetry.lock, every generation
    pylock, ///< PEP 751 pylock.toml
};

/// "poetry.lock", "pylock.toml".
std::string_view to_string(LockFormat format);

/// For a file name that the specification allows for a lock ("pylock.toml", "pylock.dev.toml"):
/// the name between the dots ("" for pylock.toml, "dev"); nullopt for any other file name.
std::optional<std::string> pylock_name_part(std::string_view file_name);

/// The format of a lock: by its file name when the name is one a format prescribes, else by its
/// content (a top-level `lock-version` beside `created-by` or `[[packages]]` is a pylock); anything
/// else is taken for a poetry.lock, whose reader refuses what is no lock at all.
LockFormat detect_lock_format(const std::string& path, std::string_view text);

/// One digest of a file: `algorithm = "hex"` in a `hashes` table.
struct PylockHash {
    std::string algorithm; ///< lower-case, as the specification asks writers to spell it
    std::string value;     ///< as written
};

/// A file of a package: one of its wheels, its sdist, or its archive.
struct PylockFile {
    /// The file name: `name` as written, else the last component of `path` or of `url`'s path
    /// (percent-decoded: `torch-2.11.0%2Bcu128-...whl` names `torch-2.11.0+cu128-...whl`).
    std::string name;
    bool name_written = false; ///< false when `name` was derived from the path or URL
    std::string url;           ///< empty when absent
    std::string path; ///< relative to the lock's directory when relative; empty when absent
    std::optional<std::uint64_t> size;
    std::string upload_time; ///< as written (a TOML date-time, RFC 3339); empty when absent
    std::vector<PylockHash> hashes;
    std::string subdirectory; ///< archives only
    SourcePosition position;

    /// The digest for `algorithm` ("sha256"), or null.
    const PylockHash* hash(std::string_view algorithm) const;
};

/// `[packages.vcs]`: a source tree in a version control system.
struct PylockVcs {
    std::string type; ///< "git", "hg", "svn", "bzr"
    std::string url;
    std::string path;
    std::string requested_revision; ///< informational only: never used to check out
    std::string commit_id;
    std::string subdirectory;
    SourcePosition position;
};

/// `[packages.directory]`: a local source tree.
struct PylockDirectory {
    std::string path;
    bool editable = false;
    std::string subdirectory;
    SourcePosition position;
};

/// Where an entry's code comes from.
enum class PylockSourceKind {
    distributions, ///< sdist and/or wheels
    vcs,
    directory,
    archive,
    none, ///< no source: an entry the specification makes an installer refuse
};

/// "distributions", "vcs", "directory", "archive", "none".
std::string_view to_string(PylockSourceKind kind);

/// A defect of one entry that the specification makes an installer refuse when it would install
/// that entry (its source not "specified appropriately": conflicting or missing sources, a file
/// without digests). Kept with the entry rather than thrown by the reader, so that a lock whose
/// only faulty entries are for other platforms still serves the targets it can.
struct PylockProblem {
    std::string message;
    std::string hint;
    SourcePosition position;
};

/// One `[[packages]]` entry. Several entries may share a name; the markers must leave at most one.
struct PylockPackage {
    std::string name;    ///< normalised (the specification requires it; the reader checks it)
    std::string version; ///< empty when absent (source trees)
    std::string marker;  ///< PEP 508 marker as written; empty = always
    SourcePosition marker_position;
    std::string requires_python; ///< PEP 440 specifiers as written; empty when absent
    SourcePosition requires_python_position;
    std::string index; ///< base URL of the simple index the files came from; empty when absent
    /// `dependencies` names, for display only: the specification forbids installing by them.
    std::vector<std::string> dependencies;
    std::optional<PylockVcs> vcs;
    std::optional<PylockDirectory> directory;
    std::optional<PylockFile> archive;
    std::optional<PylockFile> sdist;
    std::vector<PylockFile> wheels;
    std::vector<PylockProblem> problems; ///< empty for a sound entry
    SourcePosition position;

    /// The entry's source; `none` when it has none, vcs/directory/archive in that order of
    /// precedence when it has several (a problem is recorded for that).
    PylockSourceKind source_kind() const;
};

/// A whole pylock.toml.
struct Pylock {
    std::string path;      ///< the file it was read from, for messages
    std::string name_part; ///< "dev" for pylock.dev.toml; empty for pylock.toml and other names
    std::string lock_version;
    std::string created_by;
    std::string requires_python; ///< empty when absent
    SourcePosition requires_python_position;
    std::vector<std::string> environments; ///< markers as written; empty when absent
    std::vector<SourcePosition> environment_positions;
    std::vector<std::string> extras;            ///< normalised
    std::vector<std::string> dependency_groups; ///< normalised
    std::vector<std::string> default_groups;    ///< normalised
    /// True when `extras` or `dependency-groups` was written: the lock is multi-use (it may
    /// serve several selections), even with both empty.
    bool multi_use = false;
    std::vector<PylockPackage> packages;

    /// Indices into `packages` of the entries with this name (any spelling).
    std::vector<std::size_t> find(std::string_view name) const;
};

/// Parses pylock.toml text; `path` is used in messages (and its file name for `name_part`).
/// Throws Error (file:line:column, what was expected, a hint) for what no installer may accept:
/// malformed TOML, a wrong type, a missing required key, an unsupported lock-version, a name that
/// is not normalised, a marker or specifier that does not parse. Defects of single entries'
/// sources are recorded in PylockPackage::problems instead.
Pylock parse_pylock(std::string_view text, std::string path);

/// Reads and parses a pylock file.
Pylock read_pylock(const std::string& path);

} // namespace lock2nix
