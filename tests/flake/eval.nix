# lock2nix's flake and its template, evaluated against the model of nixpkgs (model/nixpkgs.nix)
# the way `nix flake check` would call them, with `self` the fixpoint of the outputs.
#   root      the checkout (flake.nix, package.nix, templates/)
#   template  the template project to evaluate (a temporary copy when a test edits it)
#   cli       a lock2nix binary (the one CMake built): the `lock2nix` package the freshness
#             checks run, so that they can really be built here
# run.sh evaluates the package; build-package.sh (opt-in, minutes) builds it: `-A package`.
{
  root ? toString ../..,
  template ? root + "/templates/default",
  cli ? null,
  system ? "x86_64-linux",
}:
let
  nixpkgs = import ./model/nixpkgs.nix { };
  inherit (nixpkgs) lib;
  pkgs = nixpkgs.legacyPackages.${system};
  rootPath = /. + root;
  templatePath = /. + template;

  # The flake exactly as written.
  flake = let self = (import (rootPath + "/flake.nix")).outputs { inherit self nixpkgs; }; in self;

  # The binary CMake built, as a package (its hash in the derivation: a new build is a new package).
  prebuilt =
    assert cli != null || throw "eval.nix: pass --argstr cli PATH-TO-lock2nix";
    builtins.derivation {
      inherit system cli;
      PATH = "/usr/bin:/bin";
      name = "lock2nix-prebuilt";
      cliHash = builtins.hashFile "sha256" cli;
      builder = "/bin/sh";
      args = [
        "-c"
        "mkdir -p $out/bin && ln -s \"$cli\" $out/bin/lock2nix"
      ];
    }
    // {
      meta.mainProgram = "lock2nix";
    };
  # The same flake, with its package replaced by the prebuilt binary (every output that refers
  # to self.packages follows).
  flakeWithPrebuilt =
    let
      outputs = (import (rootPath + "/flake.nix")).outputs {
        self = flakeWithPrebuilt;
        inherit nixpkgs;
      };
    in
    outputs
    // {
      packages = outputs.packages // {
        ${system} = outputs.packages.${system} // {
          default = prebuilt;
          lock2nix = prebuilt;
        };
      };
    };

  # The template's flake, with lock2nix's flake as its `lock2nix` input.
  templateFlakeWith =
    lock2nix:
    let
      self = (import (templatePath + "/flake.nix")).outputs { inherit self nixpkgs lock2nix; };
    in
    self;
  templateFlake = templateFlakeWith flake;

  # Every value, forced: derivations as their .drv path, functions as a marker.
  deep =
    v:
    if lib.isDerivation v then
      v.drvPath
    else if builtins.isAttrs v then
      builtins.mapAttrs (_: deep) v
    else if builtins.isList v then
      map deep v
    else if builtins.isFunction v then
      "<function>"
    else if builtins.isPath v then
      toString v
    else
      v;
  names = map (p: p.pname or p.name);

  # The overlay on the model: final is the fixpoint of nixpkgs with the overlay applied.
  overlaid = let final = pkgs // flake.overlays.default final pkgs; in final;
in
{
  inherit
    flake
    flakeWithPrebuilt
    templateFlake
    pkgs
    deep
    names
    overlaid
    prebuilt
    ;
  package = flake.packages.${system}.default;
  # The template's own check, running the prebuilt binary.
  templateCheck = (templateFlakeWith flakeWithPrebuilt).checks.${system}.lock-fresh;
  # The helper called directly, on the template's files.
  freshnessCheck = args: flakeWithPrebuilt.lib.mkFreshnessCheck ({ inherit pkgs; } // args);
  templateDir = templatePath;
}
