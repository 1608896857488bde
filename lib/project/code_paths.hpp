#pragma once
// Paths from a project that the emitted file writes into code rather than into a Nix string: the
// editable root goes into the `.pth` line nixpkgs' mkPythonEditablePackage writes (Python source,
// inside shell quotes at build time), and a file script's path into a shell wrapper. Escaping for
// two languages at once is fragile, so such paths are held to characters that mean nothing in
// either, and anything else is refused where it is read.

#include <string>
#include <string_view>

namespace lock2nix::detail {

/// Where a path may point.
enum class PathScope {
    inside_project, ///< relative, no `..` component: Poetry's `from`, a file script's reference
    anywhere,       ///< also absolute or `..` (a path dependency's folder in the lock)
};

/// True for a name usable as one file in a folder: not empty, `.` or `..`, without `/`, `\` or
/// control characters (a file name in a lock, a script in bin/).
bool is_plain_file_name(std::string_view name);

/// True when `path` is absolute or has a `..` component: it can point outside the folder it is
/// read from, whatever characters it holds.
bool leaves_folder(std::string_view path);

/// What is wrong with `path` as a path written into code; empty when nothing is. Refused: the
/// empty path, `"`, `'`, `\`, `` ` ``, `$` and control characters; and for `inside_project`,
/// absolute paths and `..` components.
std::string code_path_problem(std::string_view path, PathScope scope);

} // namespace lock2nix::detail
