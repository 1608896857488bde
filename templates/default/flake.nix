{
  description = "hello-nix: a Poetry project built with Nix through lock2nix";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-26.05";
    lock2nix = {
      url = "github:lock2nix/lock2nix";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };

  outputs =
    {
      self,
      nixpkgs,
      lock2nix,
    }:
    let
      # python-env.nix serves exactly these systems and Python 3.12 (its header says so, with the
      # command that regenerates it after poetry.lock, or this list, changed).
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
      projectFor =
        pkgs:
        import ./python-env.nix {
          inherit pkgs;
          python = pkgs.python312;
          projectDir = ./.;
          # The devShell installs the project editable from the checkout, not from the store copy:
          # Python expands the variable at run time (the devShell sets it).
          editableRoot = "$REPO_ROOT";
        };
    in
    {
      packages = forAllSystems (
        pkgs:
        let
          project = projectFor pkgs;
        in
        {
          default = project.app; # the project, with its `hello` script
          env = project.env; # python3.12 with the locked dependencies
          image = project.image; # `nix build .#image && ./result | docker load`
        }
      );

      apps = forAllSystems (pkgs: {
        default = {
          type = "app";
          program = "${self.packages.${pkgs.stdenv.hostPlatform.system}.default}/bin/hello";
          meta.description = "Say hello";
        };
      });

      # The locked environment with the project editable (from $REPO_ROOT, which the shell sets to
      # the repository's top), plus the tools to update the lock and python-env.nix.
      devShells = forAllSystems (pkgs: {
        default = (projectFor pkgs).mkDevShell {
          packages = [
            lock2nix.packages.${pkgs.stdenv.hostPlatform.system}.default
            pkgs.poetry
          ];
        };
      });

      # `nix flake check` fails when poetry.lock is stale for pyproject.toml, or python-env.nix
      # for poetry.lock.
      checks = forAllSystems (pkgs: {
        lock-fresh = lock2nix.lib.mkFreshnessCheck {
          inherit pkgs;
          src = ./.;
        };
      });
    };
}
