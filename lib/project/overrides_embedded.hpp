#pragma once
// Private: the default override database compiled into the library by tools/embed_overrides.cpp,
// one block of TOML text per `[[package]]` table, sorted by package name.

#include <cstddef>
#include <string_view>

namespace lock2nix::detail {

struct EmbeddedOverride {
    const char* package; ///< canonical name
    const char* file;    ///< e.g. "overrides/seed.toml"
    unsigned first_line; ///< line of the block's header in that file
    const char* text;    ///< the block: its header and its keys
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
