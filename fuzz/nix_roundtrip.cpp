// For fuzz/nix-roundtrip.sh: prints one Nix expression that checks every input file read
// back through the writer: as a string literal, as the name of an attribute in a set and as a
// selected attribute. It evaluates to the list of the files for which Nix read something else
// (strings compared by sha256; Nix strings hold any byte but NUL), so an empty list means every
// round trip held. Files with a NUL are left out: the writer refuses them.
#include "lock2nix/files.hpp"
#include "lock2nix/hash.hpp"
#include "lock2nix/nix/writer.hpp"

#include <iostream>
#include <string>

int main(int argc, char** argv) {
    using namespace lock2nix;
    std::cout << "builtins.map (x: x.n) (builtins.filter (x: builtins.hashString \"sha256\" x.s "
                 "!= x.w || builtins.stringLength x.s != x.l || x.a != [ x.s ] || !x.b) [\n";
    for (int i = 1; i < argc; ++i) {
        const std::string text = read_file(argv[i]);
        if (text.find('\0') != std::string::npos) {
            continue;
        }
        // The names the emitted file gives packages, overrides and their keys take this path.
        // `a`: the name Nix reads from the writer's attribute name. `b`: the writer's selection
        // of a set keyed by the literal (checked by `s`); `or false` lists a miss instead of
        // stopping the whole evaluation.
        const std::string lit = nix::string_literal(text);
        std::cout << "{ n = " << nix::string_literal(argv[i]) << "; s = " << lit << "; w = \""
                  << sha256_hex(text) << "\"; l = " << text.size() << "; a = builtins.attrNames { "
                  << nix::attribute_name(text)
                  << " = null; }; b = " << nix::select("{ " + lit + " = true; }", text)
                  << " or false; }\n";
    }
    std::cout << "])\n";
    return 0;
}
