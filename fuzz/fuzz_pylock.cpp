// libFuzzer harness: the PEP 751 pylock.toml reader, the format detection in front of it, the
// model as `inspect --json` prints it, and the specification's selection as translation runs it
// (pylock_groups, then pylock_as_lock, which runs select_pylock per target) for two targets that
// differ in every marker variable a lock commonly tests, with the lock's default selection and
// with every group and extra it lists. Any input must parse or throw lock2nix::Error, and every
// lock the reader accepts must be selected or refused with lock2nix::Error; an escaping
// exception, a crash or a sanitizer report is a finding. What is selected must also hold
// together: every entry chosen or skipped exactly once per target, at most one chosen entry per
// name, and one Lock package per entry.
#include "lock2nix/error.hpp"
#include "lock2nix/project/model_json.hpp"
#include "lock2nix/project/pylock.hpp"
#include "lock2nix/resolve/pylock_as_lock.hpp"
#include "lock2nix/resolve/pylock_select.hpp"
#include "lock2nix/standards/target.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace {

[[noreturn]] void broken(const char* what) {
    std::fprintf(stderr, "the selection does not hold together: %s\n", what);
    std::abort();
}

const std::vector<lock2nix::Target>& targets() {
    static const std::vector<lock2nix::Target> all = {
        lock2nix::Target::make("x86_64-linux", "3.12"),
        lock2nix::Target::make("aarch64-darwin", "3.9"),
    };
    return all;
}

void check(const lock2nix::Pylock& lock, const lock2nix::PylockAsLock& made) {
    if (made.lock.packages.size() != lock.packages.size() ||
        made.selections.size() != targets().size()) {
        broken("one Lock package per entry and one selection per target");
    }
    for (const lock2nix::PylockSelection& s : made.selections) {
        std::vector<int> seen(lock.packages.size(), 0);
        std::set<std::string> names;
        for (const std::size_t i : s.chosen) {
            if (i >= seen.size() || !names.insert(lock.packages[i].name).second) {
                broken("a chosen entry out of range, or two of one name");
            }
            ++seen[i];
        }
        for (const lock2nix::PylockSkip& skip : s.skipped) {
            if (skip.index >= seen.size()) {
                broken("a skipped entry out of range");
            }
            ++seen[skip.index];
        }
        for (const int n : seen) {
            if (n != 1) {
                broken("an entry neither chosen nor skipped, or both");
            }
        }
    }
}

void select(const lock2nix::Pylock& lock, const lock2nix::InstallRequest& request) {
    try {
        const lock2nix::PylockGroups groups = lock2nix::pylock_groups(lock, request);
        check(lock, lock2nix::pylock_as_lock(lock, targets(), groups));
    } catch (const lock2nix::Error&) {
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)lock2nix::detect_lock_format("lock.toml", text);
    lock2nix::Pylock lock;
    try {
        lock = lock2nix::parse_pylock(text, "pylock.toml");
    } catch (const lock2nix::Error&) {
        return 0;
    }
    (void)lock2nix::model_json(lock);
    for (const lock2nix::PylockPackage& p : lock.packages) {
        (void)p.source_kind();
        (void)lock.find(p.name);
    }
    select(lock, {});
    lock2nix::InstallRequest everything;
    everything.with = lock.dependency_groups;
    everything.all_extras = true;
    select(lock, everything);
    return 0;
}
