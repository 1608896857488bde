#pragma once
// Private: running a program without a shell (arguments are never interpreted), with its
// output captured.

#include <filesystem>
#include <string>
#include <vector>

namespace lock2nix::detail {

struct ProcessResult {
    int exit_code = -1;
    std::string output; ///< stdout and stderr, interleaved
};

/// Runs argv[0] (looked up in PATH) with the arguments in `cwd`. Returns exit code 127 when the
/// program cannot be started.
ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::filesystem::path& cwd = {});

} // namespace lock2nix::detail
