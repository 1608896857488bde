#include "project/code_paths.hpp"

#include <algorithm>

namespace lock2nix::detail {

namespace {

bool is_control(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
}

} // namespace

bool is_plain_file_name(std::string_view name) {
    return !name.empty() && name != "." && name != ".." &&
           name.find_first_of("/\\") == std::string_view::npos &&
           std::none_of(name.begin(), name.end(), is_control);
}

bool leaves_folder(std::string_view path) {
    if (path.starts_with("/")) {
        return true;
    }
    std::string_view rest = path;
    while (!rest.empty()) {
        const auto slash = rest.find('/');
        if (rest.substr(0, slash) == "..") {
            return true;
        }
        rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    }
    return false;
}

std::string code_path_problem(std::string_view path, PathScope scope) {
    if (path.empty()) {
        return "is empty";
    }
    for (const char c : path) {
        if (is_control(c)) {
            return "holds a control character";
        }
        if (c == '"' || c == '\'' || c == '\\' || c == '`' || c == '$') {
            return std::string("holds `") + c +
                   "`, which a path written into Python and shell code cannot carry safely";
        }
    }
    if (scope == PathScope::inside_project && leaves_folder(path)) {
        return path.front() == '/' ? "is absolute, not a path inside the project"
                                   : "leaves the project through `..`";
    }
    return {};
}

} // namespace lock2nix::detail
