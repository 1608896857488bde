# The model's fetchgit builder (pkgs/build-support/fetchgit/nix-prefetch-git, reduced): clone,
# check out the revision, fetch submodules when asked, then drop every .git so that the NAR hash
# covers the files only.
set -eu -o pipefail
export PATH=/usr/bin:/bin HOME=$TMPDIR GIT_CONFIG_NOSYSTEM=1
git -c advice.detachedHead=false clone -q --no-checkout "$url" "$out"
cd "$out"
git -c advice.detachedHead=false checkout -q "$rev"
if [ -n "$fetchSubmodules" ]; then
    git -c protocol.file.allow=always submodule -q update --init --recursive
fi
find "$out" -name .git -prune -exec rm -rf {} +
