#pragma once
// What the pure core knows about URLs without the network: where PyPI keeps a locked file, which
// packages need their digests completed from an index, and URLs with their credentials removed.

#include "lock2nix/project/lockfile.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lock2nix {

/// The URLs a file is expected at without asking the index: PyPI's conveyor paths
/// (`packages/source/<c>/<name>/<file>`, `packages/<python tag>/<c>/<name>/<file>`), or
/// `<index url>/<file>` for legacy sources. Several when a wheel's python tag is compressed.
std::vector<std::string> predicted_urls(const Package& package, const FileEntry& file);

/// Whether the package comes from PyPI or a legacy (PEP 503) source: an index that lists its files
/// (so their URLs and missing digests can be asked for).
bool from_index(const Package& package);

/// The packages whose lock entry has no usable digests (the oldest locks' bare digests without
/// file names, or `files = []` for an index package): they need hash completion.
std::vector<std::size_t> packages_needing_digests(const Lock& lock);

/// `text` with every `%XY` escape (X and Y hex digits, either case) decoded. A `%` that does not
/// start one is kept as written: a stray `%` is read leniently, as itself, not refused.
std::string percent_decoded(std::string_view text);

/// The URL (or path) without its trailing slashes, so an index URL compares and joins one way.
std::string without_trailing_slash(std::string url);

/// The URL without user:password, for messages and cache keys.
std::string redact_url(const std::string& url);
/// Every `scheme://user:password@` in free text (a command line, a tool's output) without its
/// credentials, for headers and messages.
std::string redact_urls_in(std::string_view text);

} // namespace lock2nix
