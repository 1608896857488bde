#pragma once
// Private: the default override database compiled into the library by tools/embed_overrides.cpp,
// one block of TOML text per `[[package]]` table, sorted by package name.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lock2nix::detail {

/// Every string of the table below, each ended by a NUL (offsets, not pointers: a table of
/// pointers costs one relocation per pointer at every process start).
extern const char embedded_override_strings[];

struct EmbeddedOverride {
    std::uint32_t package_at; ///< canonical name
    std::uint32_t file_at;    ///< e.g. "overrides/seed.toml"
    std::uint32_t first_line; ///< line of the block's header in that file
    std::uint32_t text_at;    ///< the block: its header and its keys

    const char* package() const { return embedded_override_strings + package_at; }
    const char* file() const { return embedded_override_strings + file_at; }
    const char* text() const { return embedded_override_strings + text_at; }
};

extern const EmbeddedOverride embedded_overrides[];
extern const std::size_t embedded_override_count;

/// A patch file of the defaults (overrides/patches/*), named as entries name it.
struct EmbeddedPatch {
    const char* name; ///< "patches/<file>", relative to overrides/
    const char* text;
    std::size_t size;
};

extern const EmbeddedPatch embedded_patches[];
extern const std::size_t embedded_patch_count;

/// The embedded patch named `name`, or null.
const EmbeddedPatch* embedded_patch(std::string_view name);

} // namespace lock2nix::detail
