// libFuzzer harness: the poetry.lock reader. Any input must parse or throw lock2nix::Error; an
// escaping exception, a crash or a sanitizer report is a finding. parse_lock, which reads a lock
// one [[package]] entry at a time where its scan of the headers allows, must give what the
// whole-document reading gives: the same model, every field and position, or the same error at
// the same position. And `check`'s scan of [metadata] must agree with the full reader on every
// input the full reader accepts.
#include "lock2nix/error.hpp"
#include "lock2nix/project/lockfile.hpp"
#include "project/lock_pieces.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace {

[[noreturn]] void disagree(const std::string& what) {
    std::fprintf(stderr, "the readings in pieces and whole disagree: %s\n", what.c_str());
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::optional<lock2nix::Lock> full;
    std::optional<lock2nix::Error> error;
    try {
        full = lock2nix::parse_lock(text, "poetry.lock");
        for (const auto& p : full->packages) {
            (void)full->find(p.name);
        }
    } catch (const lock2nix::Error& e) {
        error = e;
    }
    try {
        const lock2nix::Lock whole = lock2nix::detail::parse_lock_whole(text, "poetry.lock");
        if (!full) {
            disagree("only the whole reading accepts the text");
        }
        if (const std::string d = lock2nix::detail::lock_difference(whole, *full); !d.empty()) {
            disagree(d);
        }
    } catch (const lock2nix::Error& e) {
        if (full) {
            disagree("only the reading in pieces accepts the text: " + e.describe());
        }
        if (e.describe() != error->describe() || !(e.position() == error->position())) {
            disagree(e.describe() + " | " + error->describe());
        }
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
