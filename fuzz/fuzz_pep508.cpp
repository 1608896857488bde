// libFuzzer harness: PEP 508 markers and requirements. A marker that parses prints to a form
// that parses again and prints the same; evaluation may only fail with lock2nix::Error.
#include "lock2nix/error.hpp"
#include "lock2nix/standards/pep508.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace lock2nix::pep508;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    static const Environment env = [] {
        Environment e;
        e.set(Variable::python_version, "3.11");
        e.set(Variable::python_full_version, "3.11.4");
        e.set(Variable::os_name, "posix");
        e.set(Variable::sys_platform, "linux");
        e.set(Variable::platform_machine, "x86_64");
        e.set(Variable::platform_system, "Linux");
        e.set(Variable::platform_release, "6.1.0");
        e.set(Variable::platform_version, "#1 SMP");
        e.set(Variable::implementation_name, "cpython");
        e.set(Variable::implementation_version, "3.11.4");
        e.set(Variable::platform_python_implementation, "CPython");
        e.extras.insert("test");
        return e;
    }();
    try {
        if (const auto m = Marker::try_parse(text)) {
            const std::string printed = m->str();
            const auto again = Marker::try_parse(printed);
            if (!again || again->str() != printed) {
                std::abort();
            }
            try {
                (void)m->evaluate(env, Mode::poetry);
                (void)m->evaluate(env, Mode::strict);
                (void)m->failing_comparisons(env, Mode::poetry);
            } catch (const lock2nix::Error&) {
            }
        }
        if (const auto r = Requirement::try_parse(text)) {
            (void)r->str();
        }
    } catch (const lock2nix::Error&) {
    }
    return 0;
}
