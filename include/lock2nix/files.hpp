#pragma once
// Reading inputs whole or not at all, and writing files so that readers never see half of one:
// the Nix output, and lock2nix's caches.

#include <chrono>
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace lock2nix {

/// The whole content of `path`, or an Error naming the file: it cannot be opened, is a
/// directory, a read fails, memory runs out, or a regular file yields another number of bytes
/// than its size (it changed while being read). Pipes and other streams are read to their end.
/// Inputs larger than max_input_size are refused before they are read (docs/limits.md).
std::string read_file(const std::string& path);

/// Whether something is at `path` that a reader should be told about: a file, a directory, or
/// a path that cannot be looked at (a loop of symbolic links, a directory this user may not
/// enter). Only "no such file" (a dangling symlink included) is absent. Unlike
/// std::filesystem::exists this never throws, so an optional input (the pyproject beside the
/// lock) that is a symlink loop or unreadable is reported by read_file instead of ending in an
/// internal error or being skipped silently.
bool path_present(const std::string& path);

/// The largest input file read_file accepts: 64 MiB, ten times the largest real lock seen.
inline constexpr std::size_t max_input_size = std::size_t{64} << 20;

/// Writes `text` to `path` atomically: a temporary file in the same directory, then renamed over
/// `path`, so that on failure nothing at `path` changes and a concurrent reader sees the old or
/// the new content, never a mix. `durable` also flushes the data to disk before the rename (for
/// outputs; caches can do without). A symlink at `path` is followed: its target gets the text.
/// An existing file keeps its permissions. Throws Error, writing nothing, when the target is a
/// directory, device, FIFO or socket, or is the same file as one of `inputs`. `sweep`: first
/// remove the temporaries of this file a killed run left (a scan of the directory); a caller that
/// writes many files into one directory sweeps it once itself and passes false.
void write_file_atomically(const std::string& path, const std::string& text, bool durable = true,
                           const std::vector<std::string>& inputs = {}, bool sweep = true);

/// write_file_atomically of the text `produce` writes to the stream it is given, as it goes (a
/// large text need not be whole in memory). The checks of the target come first; when `produce`
/// throws, the temporary file is removed, nothing at `path` changes, and the exception
/// propagates.
void write_file_atomically(const std::string& path,
                           const std::function<void(std::ostream&)>& produce, bool durable = true,
                           const std::vector<std::string>& inputs = {}, bool sweep = true);

/// Gives `out` the text `produce` writes to the stream it is given, only once `produce` has
/// returned, so that an error leaves `out` untouched (standard output cannot be taken back).
/// Until then the text waits in memory up to `memory_limit` bytes and beyond that in an unnamed
/// temporary file in $TMPDIR (or /tmp), so that a large text is never whole in memory. Where no
/// temporary file can be made or written (a read-only or full /tmp) the text stays in memory.
/// When `produce` throws, nothing reaches `out` and the exception propagates. When `out` fails,
/// the copy stops and `out` keeps its failed state.
void write_when_complete(std::ostream& out, const std::function<void(std::ostream&)>& produce,
                         std::size_t memory_limit = std::size_t{8} << 20);

/// How old a temporary file (`<prefix>XXXXXX`, as mkstemp names them) must be before a later run
/// removes it: far longer than any write takes, so a concurrent run's file is never touched.
inline constexpr std::chrono::minutes stale_temporary_age{30};

/// Removes the temporary files a killed run left in `dir`: regular files of this user named
/// `<prefix>` + 6 letters or digits, or `<prefix>…​.XXXXXX` when `any_stem`, older than
/// stale_temporary_age. Errors are ignored (best effort). Returns how many were removed.
std::size_t remove_stale_temporaries(const std::string& dir, const std::string& prefix,
                                     bool any_stem = false);

} // namespace lock2nix
