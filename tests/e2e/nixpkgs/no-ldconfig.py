"""nixpkgs builds CPython with no-ldconfig.patch (pkgs/development/interpreters/python/cpython/
default.nix, `noldconfigPatch`; the patch's hunk replaces the body of ctypes/util.py's
_findSoname_ldconfig with `return None`): find_library does not read ldconfig's cache, which on
NixOS lists none of the store's libraries. The model runs the host's interpreter and standard
library, whose ldconfig cache lists the host's /usr/lib, so `find_library` would find libraries
that no build input gave. The model's interpreters and environments import this module from a
.pth file in their site-packages; it makes _findSoname_ldconfig return None when ctypes.util is
first imported (not at start-up: most programs never import it)."""
import sys


class _WithoutLdconfig:
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name != "ctypes.util":
            return None
        for finder in sys.meta_path:
            if finder is cls or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        exec_module = spec.loader.exec_module

        def exec_then_patch(module):
            exec_module(module)
            # Only the Linux branch of ctypes/util.py defines it, as only it asks ldconfig.
            if hasattr(module, "_findSoname_ldconfig"):
                module._findSoname_ldconfig = lambda name: None

        spec.loader.exec_module = exec_then_patch
        return spec


sys.meta_path.insert(0, _WithoutLdconfig)
