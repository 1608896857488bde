// The one translation unit that compiles toml++'s implementation into the library (see the
// lock2nix_toml target in the top-level CMakeLists.txt for why it is not loaded as a shared
// library).
#define TOML_IMPLEMENTATION
#include "tomlplusplus.hpp"
