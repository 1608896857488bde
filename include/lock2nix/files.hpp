#pragma once
// Reading inputs whole or not at all, and writing files so that readers never see half of one:
// the Nix output, and lock2nix's caches.

#include <string>
#include <vector>

namespace lock2nix {

/// The whole content of `path`, or an Error naming the file: it cannot be opened, is a
/// directory, a read fails, memory runs out, or a regular file yields another number of bytes
/// than its size (it changed while being read). Pipes and other streams are read to their end.
std::string read_file(const std::string& path);

/// Writes `text` to `path` atomically: a temporary file in the same directory, then renamed over
/// `path`, so that on failure nothing at `path` changes and a concurrent reader sees the old or
/// the new content, never a mix. `durable` also flushes the data to disk before the rename (for
/// outputs; caches can do without). A symlink at `path` is followed: its target gets the text.
/// An existing file keeps its permissions. Throws Error, writing nothing, when the target is a
/// directory, device, FIFO or socket, or is the same file as one of `inputs`.
void write_file_atomically(const std::string& path, const std::string& text, bool durable = true,
                           const std::vector<std::string>& inputs = {});

} // namespace lock2nix
