# A sketch: the seed project's setup built from lock2nix's python-env.nix.
# Regenerate python-env.nix with `lock2nix poetry.lock --nixpkgs 25.05 -o python-env.nix`: the
# project's onnxruntime-gpu (< 1.19) and torch use CUDA 11.8, which nixpkgs removed in 25.11.
#
# python-env.nix returns packages, env, mkEnv, devShell, mkDevShell, image, mkImage, python,
# unavailable (and app, mkApp, scripts for a package-mode project); see the top-level README.
{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";

  outputs =
    { self, nixpkgs }:
    let
      system = "x86_64-linux";
      pkgs = import nixpkgs {
        inherit system;
        # The shell puts CUDA 11.8 and cuDNN (both unfree) on the library path for
        # onnxruntime-gpu's CUDA provider and torch.
        config.allowUnfree = true;
      };
      lib = pkgs.lib;
      cuda = pkgs.cudaPackages_11_8;

      project = import ./python-env.nix {
        inherit pkgs;
        python = pkgs.python311;
        projectDir = ./.;
        # Room for a project's own fixes. The default database already writes libsndfile's store
        # path into soundfile.py; this earlier edit of the source is kept as an example, and the
        # database's edit leaves the file it produces as it is:
        overrides = final: prev: {
          soundfile = prev.soundfile.overridePythonAttrs (old: {
            postPatch = (old.postPatch or "") + ''
              substituteInPlace soundfile.py \
                --replace-fail "_find_library('sndfile')" "'${pkgs.libsndfile.out}/lib/libsndfile.so'"
            '';
          });
        };
      };

      # What the seed's shell exported: the driver's libcuda (NixOS), the CUDA 11.8 runtime and
      # cuDNN, for onnxruntime-gpu's CUDA provider and for torch.
      cudaLibraryPath = "/run/opengl-driver/lib:" + lib.makeLibraryPath [
        cuda.cudatoolkit
        cuda.cudnn
      ];
      shellHook = ''
        export LD_LIBRARY_PATH=${cudaLibraryPath}''${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
      '';
    in
    {
      packages.${system} = {
        default = project.env;
        env = project.env;

        # The environment as a container image (`nix build .#image && ./result | docker load`),
        # with the CUDA libraries the seed's container found through LD_LIBRARY_PATH.
        image = project.mkImage {
          name = "seed-speech";
          config.Env = [ "LD_LIBRARY_PATH=${cudaLibraryPath}" ];
        };
      };

      # The locked environment with the project editable, and the seed's CUDA library path.
      devShells.${system}.default = project.mkDevShell { inherit shellHook; };
    };
}
