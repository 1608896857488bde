# The source of a project lock2nix read the pyproject of (the root project, a path dependency):
# only what its build backend packages is copied to the store, so an edit anywhere else (a README
# the metadata does not name, tests, CI files) changes no derivation. `packaged` comes from the
# translation: `paths` taken whole, `patterns` (globs as regular expressions, with the folder
# before their first wildcard and whether they reach below it), or `everything` for a backend
# lock2nix does not read. Version
# control, caches, virtual environments, build outputs and `result` links are never copied.
# lock2nix embeds this file at build time; it is checked by `nix-instantiate --parse`.
root: packaged:
let
  base = toString root;
  startsWith = prefix: s: builtins.substring 0 (builtins.stringLength prefix) s == prefix;
  endsWith =
    suffix: s:
    let
      n = builtins.stringLength s;
      k = builtins.stringLength suffix;
    in
    k <= n && builtins.substring (n - k) k s == suffix;
  # `rel` is `p` or inside it; `p` is inside `rel` (a folder on the way to it).
  within = rel: p: p == "" || rel == p || startsWith (p + "/") rel;
  above = rel: p: startsWith (rel + "/") p;
  # Anywhere: version control and caches. At the top only: environments, build outputs and
  # `result` links (a package may well have a subpackage named `build`).
  never =
    rel: name: type:
    builtins.elem name [
      ".git"
      ".hg"
      ".svn"
      ".jj"
      "__pycache__"
      ".mypy_cache"
      ".pytest_cache"
      ".ruff_cache"
    ]
    || endsWith ".pyc" name
    || (
      rel == name
      && (
        builtins.elem name [
          ".venv"
          "venv"
          ".tox"
          ".nox"
          ".direnv"
          "build"
          "dist"
          "node_modules"
        ]
        || endsWith ".egg-info" name
        || (type == "symlink" && (name == "result" || startsWith "result-" name))
      )
    );
  wanted =
    rel: type:
    packaged.everything
    || builtins.any (p: within rel p || (type == "directory" && above rel p)) packaged.paths
    || builtins.any (
      g:
      if type == "directory" then
        rel == g.folder || (g.deep && within rel g.folder) || above rel g.folder
      else
        builtins.match g.regex rel != null
    ) packaged.patterns;
in
builtins.path {
  path = root;
  name = "source";
  filter =
    path: type:
    let
      rel = builtins.substring (builtins.stringLength base + 1) (-1) (toString path);
    in
    !never rel (baseNameOf path) type && wanted rel type;
}
