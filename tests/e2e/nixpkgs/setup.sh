# The model's stdenv setup, sourced by every builder of the model and by `nix-shell`.
# Mirrors the parts of nixpkgs' pkgs/stdenv/generic/setup.sh that Python builds rely on:
#  - findInputs: the inputs of a build are nativeBuildInputs, buildInputs and
#    propagatedBuildInputs, closed over each input's nix-support/propagated-build-inputs;
#  - each input's nix-support/setup-hook is sourced once, then every function registered with
#    addEnvHooks is called for every input (this is how python's setup hook builds PYTHONPATH and
#    how autoPatchelfHook gathers `$dep/lib`);
#  - runHook NAME runs the functions in the array NAMEHooks, then the shell string $NAME;
#  - genericBuild runs $phases (default: unpack patch build [preInstallPhases] install fixup
#    [preDistPhases]) and a phase can be replaced by a variable of the same name;
#  - substituteInPlace with --replace-fail / --replace-warn / --replace-quiet / --replace;
#  - fixupPhase writes $out/nix-support/propagated-build-inputs.
# Tools come from the host (/usr/bin, /bin): the model runs with the sandbox off.

export PATH="${PATH:+$PATH:}/usr/bin:/bin"
[ "$PATH" = "/path-not-set:/usr/bin:/bin" ] && export PATH=/usr/bin:/bin
: "${NIX_BUILD_TOP:=${TMPDIR:-/tmp}}"

envHooks=()
declare -A __setupHookDone=()
__allInputs=()
declare -A __inputSeen=()

addEnvHooks() {
    # real signature: addEnvHooks OFFSET FUNC...; the model has one platform.
    shift
    envHooks+=("$@")
}

addToSearchPath() {
    local var=$1 dir=$2
    [ -d "$dir" ] || return 0
    export "$var=${!var:+${!var}:}$dir"
}

runHook() {
    local hookName=$1
    shift
    local hooksVar="${hookName}Hooks[@]"
    local f
    for f in ${!hooksVar+"${!hooksVar}"}; do
        "$f" "$@"
    done
    if [ -n "${!hookName:-}" ]; then
        eval "${!hookName}"
    fi
    return 0
}

__findInputs() {
    local p=$1
    [ -n "$p" ] || return 0
    [ -z "${__inputSeen[$p]:-}" ] || return 0
    __inputSeen[$p]=1
    __allInputs+=("$p")
    if [ -f "$p/nix-support/propagated-build-inputs" ]; then
        local q
        for q in $(cat "$p/nix-support/propagated-build-inputs"); do
            __findInputs "$q"
        done
    fi
}

for __p in ${nativeBuildInputs:-} ${buildInputs:-} ${propagatedBuildInputs:-}; do
    __findInputs "$__p"
done
for __p in "${__allInputs[@]}"; do
    if [ -d "$__p/bin" ]; then
        export PATH="$__p/bin:$PATH"
    fi
    if [ -f "$__p/nix-support/setup-hook" ] && [ -z "${__setupHookDone[$__p]:-}" ]; then
        __setupHookDone[$__p]=1
        source "$__p/nix-support/setup-hook"
    fi
done
for __p in "${__allInputs[@]}"; do
    for __h in ${envHooks[@]+"${envHooks[@]}"}; do
        "$__h" "$__p"
    done
done
unset __p __h

stripHash() {
    # /nix/store/<32 chars>-name -> name
    local base
    base=$(basename "$1")
    if [[ "$base" =~ ^[0-9a-df-np-sv-z]{32}- ]]; then
        echo "${base:33}"
    else
        echo "$base"
    fi
}

substituteInPlace() {
    local file=$1
    shift
    local content
    content=$(cat "$file"; printf x)
    content=${content%x}
    while [ "$#" -gt 0 ]; do
        local mode=$1 pattern=$2 replacement=$3
        shift 3
        case "$mode" in
        --replace-fail | --replace-warn | --replace-quiet | --replace) ;;
        *)
            echo "substituteInPlace: the model supports --replace-fail/--replace-warn/--replace-quiet/--replace, not $mode" >&2
            return 1
            ;;
        esac
        local replaced=${content//"$pattern"/"$replacement"}
        if [ "$replaced" = "$content" ] && [ "$pattern" != "$replacement" ]; then
            case "$mode" in
            --replace-fail)
                echo "substituteStream() in derivation $name: ERROR: pattern $pattern doesn't match anything in file '$file'" >&2
                return 1
                ;;
            --replace-warn | --replace)
                echo "substituteStream() in derivation $name: WARNING: pattern $pattern doesn't match anything in file '$file'" >&2
                ;;
            esac
        fi
        content=$replaced
    done
    printf '%s' "$content" >"$file"
}

unpackPhase() {
    runHook preUnpack
    local s=$src
    if [ -d "$s" ]; then
        cp -r --no-preserve=mode "$s" source
        sourceRoot=source
    else
        mkdir unpack-tmp
        case "$s" in
        *.zip | *.whl) (cd unpack-tmp && /usr/bin/python3 -m zipfile -e "$s" .) ;;
        *) tar -xf "$s" -C unpack-tmp ;;
        esac
        local entries=(unpack-tmp/*)
        if [ "${#entries[@]}" -ne 1 ] || [ ! -d "${entries[0]}" ]; then
            echo "unpacker produced multiple directories" >&2
            return 1
        fi
        mv "${entries[0]}" source
        rmdir unpack-tmp
        sourceRoot=source
    fi
    chmod -R u+w "$sourceRoot"
    cd "$sourceRoot"
    runHook postUnpack
}

# setup.sh's patchPhase: each of `patches` applied with `patch -p1` (patchFlags), compressed
# ones not modelled.
patchPhase() {
    runHook prePatch
    local i
    for i in ${patches:-}; do
        echo "applying patch $i"
        patch ${patchFlags:--p1} <"$i"
    done
    runHook postPatch
}

# setup.sh's configurePhase, for sources without ./configure (every Python build here): the
# hooks only.
configurePhase() {
    runHook preConfigure
    runHook postConfigure
}

buildPhase() {
    runHook preBuild
    runHook postBuild
}

installPhase() {
    runHook preInstall
    mkdir -p "$out"
    runHook postInstall
}

fixupPhase() {
    runHook preFixup
    mkdir -p "$out"
    if [ -n "${propagatedBuildInputs:-}" ]; then
        mkdir -p "$out/nix-support"
        echo $propagatedBuildInputs >"$out/nix-support/propagated-build-inputs"
    fi
    runHook postFixup
}

genericBuild() {
    if [ -n "${buildCommand:-}" ]; then
        eval "$buildCommand"
        return
    fi
    local phase
    for phase in ${phases:-unpackPhase patchPhase configurePhase buildPhase ${preInstallPhases:-} installPhase fixupPhase ${preDistPhases:-}}; do
        echo "@ $phase"
        if [ -n "${!phase:-}" ]; then
            eval "${!phase}"
        else
            "$phase"
        fi
    done
}
