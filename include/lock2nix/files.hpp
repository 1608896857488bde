#pragma once
// Writing files so that readers never see half of one: the Nix output, and lock2nix's caches.

#include <string>

namespace lock2nix {

/// Writes `text` to `path` atomically: a temporary file in the same directory, then renamed over
/// `path`, so that on failure nothing at `path` changes and a concurrent reader sees the old or
/// the new content, never a mix. `durable` also flushes the data to disk before the rename (for
/// outputs; caches can do without). Throws Error.
void write_file_atomically(const std::string& path, const std::string& text, bool durable = true);

} // namespace lock2nix
