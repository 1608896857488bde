{
  description = "lock2nix: a Poetry project (poetry.lock + pyproject.toml) as one plain Nix file";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";

  outputs =
    { self, nixpkgs }:
    let
      inherit (nixpkgs) lib;
      # package.nix: lock2nix loads libcurl by its Linux name (see meta.platforms there).
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forAllSystems = f: lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});

      # The freshness check of a user's project, as a derivation that builds only when
      #   - the lock is fresh for pyproject.toml (Poetry's content-hash), and
      #   - the generated Nix file (unless nixFile = null) was generated from this lock.
      # Give `src` (the project directory: ./. or a flake's self) or the three files.
      mkFreshnessCheck =
        {
          pkgs,
          src ? null,
          lock ? fileIn src "poetry.lock",
          pyproject ? fileIn src "pyproject.toml",
          nixFile ? fileIn src "python-env.nix",
          lock2nix ?
            self.packages.${pkgs.stdenv.hostPlatform.system}.default
              or (throw "lock2nix.lib.mkFreshnessCheck: lock2nix has no package for ${pkgs.stdenv.hostPlatform.system} (only ${builtins.concatStringsSep ", " systems}); pass `lock2nix`"),
          name ? "lock-fresh",
        }:
        # On failure lock2nix's message names the stale file (by its store path,
        # <hash>-poetry.lock, ...) and the command that fixes it; on success the output records
        # what was found fresh.
        pkgs.runCommand name { } ''
          ${lock2nix}/bin/lock2nix check \
            --lock ${lib.escapeShellArg "${lock}"} \
            --pyproject ${lib.escapeShellArg "${pyproject}"} \
            ${lib.optionalString (nixFile != null) "--nix ${lib.escapeShellArg "${nixFile}"}"} \
            >$out
        '';
      fileIn =
        src: file:
        if src == null then
          throw "lock2nix.lib.mkFreshnessCheck: give `src` (the project directory), or `lock`, `pyproject` and `nixFile`"
        else if builtins.isPath src then
          src + "/${file}"
        else
          "${src}/${file}";
    in
    {
      packages = forAllSystems (pkgs: {
        lock2nix = pkgs.callPackage ./package.nix { };
        default = self.packages.${pkgs.stdenv.hostPlatform.system}.lock2nix;
      });

      apps = forAllSystems (pkgs: {
        default = {
          type = "app";
          program = lib.getExe self.packages.${pkgs.stdenv.hostPlatform.system}.default;
          meta.description = "lock2nix: poetry.lock to Nix, and the freshness check";
        };
      });

      overlays.default = final: prev: { lock2nix = final.callPackage ./package.nix { }; };

      checks = forAllSystems (
        pkgs:
        let
          system = pkgs.stdenv.hostPlatform.system;
        in
        {
          package = self.packages.${system}.default;
          # The template ships a python-env.nix: it must stay fresh for its lock.
          template-lock-fresh = mkFreshnessCheck {
            inherit pkgs;
            src = ./templates/default;
            name = "template-lock-fresh";
          };
          # The example project has no generated file: only its lock is checked.
          demo-lock-fresh = mkFreshnessCheck {
            inherit pkgs;
            src = ./examples/demo;
            nixFile = null;
            name = "demo-lock-fresh";
          };
        }
      );

      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell { inputsFrom = [ self.packages.${pkgs.stdenv.hostPlatform.system}.default ]; };
      });

      lib = { inherit mkFreshnessCheck; };

      templates.default = {
        path = ./templates/default;
        description = "A Poetry project built with lock2nix, with a lock-freshness check";
      };
    };
}
