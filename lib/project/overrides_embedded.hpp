#pragma once
// Private: the default override database compiled into the library by tools/embed_overrides.cpp,
// one block of TOML text per `[[package]]` table, sorted by package name.

#include <cstddef>

namespace lock2nix::detail {

struct EmbeddedOverride {
    const char* package; ///< canonical name
    const char* file;    ///< e.g. "overrides/seed.toml"
    unsigned first_line; ///< line of the block's header in that file
    const char* text;    ///< the block: its header and its keys
};

extern const EmbeddedOverride embedded_overrides[];
extern const std::size_t embedded_override_count;

} // namespace lock2nix::detail
