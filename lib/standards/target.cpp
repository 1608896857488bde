#include "lock2nix/standards/target.hpp"

#include <charconv>

namespace lock2nix {

namespace {

bool parse_int(std::string_view s, int& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && out >= 0;
}

} // namespace

const std::vector<std::string>& known_systems() {
    static const std::vector<std::string> systems = {"x86_64-linux", "aarch64-linux",
                                                     "x86_64-darwin", "aarch64-darwin"};
    return systems;
}

Target Target::make(std::string_view system, std::string_view python,
                    const NixpkgsRelease& release) {
    Target t;
    const auto dash = system.find('-');
    const std::string_view cpu = system.substr(0, dash);
    const std::string_view kernel = dash == std::string_view::npos ? "" : system.substr(dash + 1);
    if ((cpu != "x86_64" && cpu != "aarch64") || (kernel != "linux" && kernel != "darwin")) {
        std::string known;
        for (const auto& s : known_systems()) {
            known += (known.empty() ? "" : ", ") + s;
        }
        throw Error("unknown Nix system \"" + std::string(system) + "\"", {}, {},
                    "use one of " + known);
    }
    t.system = std::string(system);
    t.cpu = std::string(cpu);
    t.os = kernel == "linux" ? Os::Linux : Os::Darwin;
    t.libc = t.os == Os::Linux ? Libc::glibc : Libc::none;
    t.libc_major = release.glibc_major;
    t.libc_minor = release.glibc_minor;
    t.macos_major = release.macos_major;
    t.macos_minor = release.macos_minor;

    const auto bad_python = [&] {
        return Error("invalid Python version \"" + std::string(python) + "\"", {}, {},
                     "give the interpreter's version as MAJOR.MINOR, e.g. 3.11 (or 3.11.9)");
    };
    const auto dot1 = python.find('.');
    if (dot1 == std::string_view::npos) {
        throw bad_python();
    }
    const auto dot2 = python.find('.', dot1 + 1);
    if (!parse_int(python.substr(0, dot1), t.python_major) ||
        !parse_int(python.substr(dot1 + 1, dot2 == std::string_view::npos ? std::string_view::npos
                                                                          : dot2 - dot1 - 1),
                   t.python_minor) ||
        t.python_major != 3) {
        throw bad_python();
    }
    if (dot2 != std::string_view::npos) {
        if (!parse_int(python.substr(dot2 + 1), t.python_micro)) {
            throw bad_python();
        }
    } else if (const NixpkgsPython* p = release.python(t.python_version())) {
        t.python_micro = p->patch;
    }
    return t;
}

void Target::set_platform_version(std::string_view kind, std::string_view version) {
    const auto dot = version.find('.');
    int major = 0;
    int minor = 0;
    if (dot == std::string_view::npos || !parse_int(version.substr(0, dot), major) ||
        !parse_int(version.substr(dot + 1), minor)) {
        throw Error("invalid " + std::string(kind) + " version \"" + std::string(version) + "\"",
                    {}, {}, "give it as MAJOR.MINOR, e.g. 2.40 for glibc or 14.0 for macOS");
    }
    if (kind == "macos") {
        if (os != Os::Darwin) {
            throw Error(mention(Setting::macos) + " applies to darwin systems, not " + system);
        }
        macos_major = major;
        macos_minor = minor;
        return;
    }
    if (os != Os::Linux) {
        throw Error("--" + std::string(kind) + " applies to linux systems, not " + system);
    }
    libc = kind == "musl" ? Libc::musl : Libc::glibc;
    libc_major = major;
    libc_minor = minor;
}

std::string Target::python_version() const {
    return std::to_string(python_major) + "." + std::to_string(python_minor);
}

std::string Target::python_full_version() const {
    return python_version() + "." + std::to_string(python_micro);
}

std::string Target::nix_python_attribute() const {
    return "python" + std::to_string(python_major) + std::to_string(python_minor);
}

std::string Target::platform_machine() const {
    if (os == Os::Darwin && cpu == "aarch64") {
        return "arm64";
    }
    return cpu;
}

std::string Target::describe() const {
    return system + "/cpython" + python_version();
}

pep508::Environment Target::marker_environment() const {
    using pep508::Variable;
    pep508::Environment env;
    env.set(Variable::implementation_name, "cpython");
    env.set(Variable::implementation_version, python_full_version());
    env.set(Variable::os_name, "posix");
    env.set(Variable::platform_machine, platform_machine());
    env.set(Variable::platform_python_implementation, "CPython");
    env.set(Variable::platform_system, os == Os::Linux ? "Linux" : "Darwin");
    env.set(Variable::python_full_version, python_full_version());
    env.set(Variable::python_version, python_version());
    env.set(Variable::sys_platform, os == Os::Linux ? "linux" : "darwin");
    return env;
}

} // namespace lock2nix
