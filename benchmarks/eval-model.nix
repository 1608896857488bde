# The nixpkgs both sides of benchmarks/eval_vs_poetry2nix.py evaluate against: tests/nix/stub-nixpkgs.nix
# (its checks included), with one change: python.pkgs.buildPythonPackage and python.withPackages
# keep their arguments in `inputs`, without passthru and meta, as a derivation does. Instantiating
# a derivation turns every argument into a string, and every package among them into its store
# path, which instantiates that package first; `builtins.deepSeq` of an environment's `inputs` does
# the same work here (every package of the closure, its src, its inputs), without the cost of
# nixpkgs' own mkDerivation, which both sides would pay alike. passthru is no builder input: it
# stays behind a function, which deepSeq does not enter. fetchurl records its arguments too, without
# the stub's argument checks (a test's): lock2nix's files call it for every src, while poetry2nix
# fetches through its own fetchFromPypi (a stdenvNoCC.mkDerivation), which the restatement writes as
# the attribute set of its arguments; both fetches then cost the same here.
{
  stub ? ../tests/nix/stub-nixpkgs.nix,
}:
let
  base = import stub { };
  wrapPython =
    python:
    let
      buildPythonPackage =
        args:
        let
          checked = python.pkgs.buildPythonPackage args;
        in
        builtins.seq checked {
          __stubPackage = true;
          inherit (checked) outPath name pname version;
          inputs = removeAttrs args [ "passthru" "meta" ];
          passthru = _: args.passthru or { };
        };
      pythonPackages = python.pkgs // {
        inherit buildPythonPackage;
      };
    in
    python
    // {
      pkgs = pythonPackages;
      withPackages =
        f:
        let
          selected = f pythonPackages;
        in
        python.withPackages (_: selected) // { inputs = selected; };
    };
in
base
// {
  fetchurl = args: { __stubFetch = true; inputs = args; };
  python311 = wrapPython base.python311;
  python312 = wrapPython base.python312;
}
