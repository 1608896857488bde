// libFuzzer harness: paths the emitted file writes into code (editable roots, file scripts). What
// code_path_problem accepts must be unable to end the `.pth` line's Python string, the shell
// quotes around it at build time, or a wrapper's heredoc, and must stay inside the project when
// asked to.
#include "project/code_paths.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

// The line nixpkgs' mkPythonEditablePackage echoes into the `.pth` file (editable.nix), with the
// shell's single quotes around it.
std::string pth_line(std::string_view root) {
    return "echo 'import os.path, sys; sys.path.insert(0, os.path.expandvars(\"" +
           std::string(root) + "\"))'";
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view path(reinterpret_cast<const char*>(data), size);
    using lock2nix::detail::code_path_problem;
    using lock2nix::detail::PathScope;
    for (const PathScope scope : {PathScope::anywhere, PathScope::inside_project}) {
        if (!code_path_problem(path, scope).empty()) {
            continue;
        }
        // Accepted: the Python string and the shell quotes close only where the line closes them,
        // and no character can start a new line, an expansion or a substitution.
        const std::string line = pth_line(path);
        std::size_t quotes = 0;
        std::size_t doubles = 0;
        for (const char c : line) {
            quotes += c == '\'';
            doubles += c == '"';
            if (c == '\\' || c == '`' || c == '$' || static_cast<unsigned char>(c) < 0x20) {
                std::abort();
            }
        }
        if (quotes != 2 || doubles != 2 || path.empty()) {
            std::abort();
        }
        if (scope == PathScope::inside_project) {
            // Relative, and no `..` component anywhere.
            if (path.front() == '/') {
                std::abort();
            }
            const std::string wrapped = "/" + std::string(path) + "/";
            if (wrapped.find("/../") != std::string::npos) {
                std::abort();
            }
        }
    }
    return 0;
}
