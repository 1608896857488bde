#pragma once
// What an sdist says about how it builds: the `[build-system]` of the pyproject.toml at the root
// of its archive (or, with only setup.py / setup.cfg, PEP 517's fallback: setuptools). Read from
// the archive with libarchive, without extracting anything; hostile archives (names escaping the
// root, several roots, oversized or non-regular pyproject.toml, not an archive at all) are
// refused with an Error naming the file.

#include "lock2nix/project/pyproject.hpp"

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace lock2nix {

/// The largest pyproject.toml lock2nix reads from an sdist (real ones are a few KiB).
inline constexpr std::size_t max_sdist_pyproject_size = std::size_t{1024} * 1024;

/// Reads the build system an sdist declares: its root pyproject.toml's `[build-system]`
/// (`present` set), or `present` unset when it has none (no pyproject.toml, or one without that
/// table: setuptools, as pip and pypa/build assume). `display_name` names the file in errors.
/// Understands .tar.gz, .tar.bz2, .tar.xz, .tar and .zip. Throws Error.
BuildSystem read_sdist_build_system(const std::filesystem::path& archive,
                                    const std::string& display_name);

/// The same for an archive held in memory.
BuildSystem read_sdist_build_system_from_memory(std::string_view bytes,
                                                const std::string& display_name);

/// The `[build-system]` table of a pyproject.toml's text (`present` unset without one). `file`
/// names it in errors. Throws Error for bad TOML or wrong types.
BuildSystem parse_build_system(std::string_view pyproject_text, const std::string& file);

} // namespace lock2nix
