// libFuzzer harness: the poetry.lock reader. Any input must parse or throw lock2nix::Error; an
// escaping exception, a crash or a sanitizer report is a finding. And `check`'s scan of
// [metadata] must agree with the full reader on every input the full reader accepts.
#include "lock2nix/error.hpp"
#include "lock2nix/project/lockfile.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::optional<lock2nix::Lock> full;
    try {
        full = lock2nix::parse_lock(text, "poetry.lock");
        for (const auto& p : full->packages) {
            (void)full->find(p.name);
        }
    } catch (const lock2nix::Error&) {
    }
    try {
        const lock2nix::LockStamp stamp = lock2nix::parse_lock_stamp(text, "poetry.lock");
        if (full && (stamp.content_hash != full->content_hash ||
                     stamp.lock_version != full->lock_version)) {
            std::abort(); // the scan read another [metadata] than the reader
        }
    } catch (const lock2nix::Error&) {
        if (full) {
            std::abort(); // the scan refused what the reader accepts
        }
    }
    return 0;
}
