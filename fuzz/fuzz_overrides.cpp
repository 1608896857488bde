// libFuzzer harness: the override file reader, then resolving an entry from what it read. What
// the reader accepts as an attribute path (an input key's items, an @pkgs.…@ interpolation) is
// written bare into the generated file, so every segment must be a Nix identifier that is not a
// keyword: anything else aborts.
#include "lock2nix/error.hpp"
#include "lock2nix/nix/writer.hpp"
#include "lock2nix/project/overrides.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace {

void require_attribute_path(std::string_view path) {
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = path.find('.', start);
        if (!lock2nix::nix::is_identifier(path.substr(start, dot - start))) {
            std::abort();
        }
        if (dot == std::string_view::npos) {
            return;
        }
        start = dot + 1;
    }
}

void require_interpolations(const std::string& text) {
    for (const lock2nix::StringPart& part : lock2nix::split_interpolations(text)) {
        if (part.kind == lock2nix::StringPart::Kind::pkgs ||
            part.kind == lock2nix::StringPart::Kind::python) {
            require_attribute_path(part.value);
        }
    }
}

void check_entry(const lock2nix::OverrideEntry& entry) {
    for (const auto& [key_name, value] : entry.settings) {
        const lock2nix::OverrideKey* key = lock2nix::find_override_key(key_name);
        if (key == nullptr) {
            std::abort(); // the reader refuses unknown keys
        }
        if (const auto* list = std::get_if<std::vector<std::string>>(&value)) {
            for (const std::string& item : *list) {
                if (key->rule == lock2nix::OverrideItemRule::attribute_path) {
                    require_attribute_path(item);
                } else if (key->rule == lock2nix::OverrideItemRule::interpolated) {
                    require_interpolations(item);
                }
            }
        } else if (key->rule == lock2nix::OverrideItemRule::interpolated) {
            if (const auto* s = std::get_if<std::string>(&value)) {
                require_interpolations(*s);
            } else if (const auto* t = std::get_if<std::map<std::string, std::string>>(&value)) {
                for (const auto& [name, text] : *t) {
                    require_interpolations(text);
                }
            }
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        lock2nix::OverrideDatabase db;
        db.add_file(text, "overrides.toml", lock2nix::OverrideLayer::user);
        for (const std::string& package : db.package_names()) {
            for (const lock2nix::OverrideEntry& entry : db.entries(package)) {
                check_entry(entry);
            }
        }
        (void)db.resolve("numpy", "1.26.0");
    } catch (const lock2nix::Error&) {
    }
    return 0;
}
