# The evaluation-time work poetry2nix does for `mkPoetryEnv` before any build, restated for the
# benchmark benchmarks/eval_vs_poetry2nix.py. Written for this benchmark from the study
# /work/shared/reference/poetry2nix.md (sections 2.1-2.7) and poetry2nix's documented behaviour;
# no poetry2nix code is copied. Per evaluation it does what poetry2nix does:
#
#   1. builtins.fromTOML of poetry.lock and pyproject.toml (poetry2nix's readTOML);
#   2. per [[package]]: the name normalised (PEP 503), `python-versions` checked against the
#      interpreter (Poetry's constraint syntax: `||`, commas, ^ ~ ~= == != < <= > >=, wildcards,
#      PEP 440 ordering), a package-level `marker` evaluated when present; incompatible packages
#      become null;
#   3. per package: the lock's files filtered by version and extension (regular expressions, as
#      mk-poetry-dep.nix), wheel file names parsed and their tags checked against the interpreter
#      and platform (python tag, ABI tag incl. abi3, manylinux/PEP 600 vs the glibc version,
#      linux_<arch>, any), the best wheel taken (preferWheels = true, as lock2nix prefers
#      wheels) else the sdist;
#   4. per dependency edge: `python` constraint and PEP 508 `markers` parsed and evaluated (with
#      every extra of the package enabled, as poetry2nix does), targets looked up by normalised
#      name; the package a buildPythonPackage call with fetch arguments (predicted PyPI URL), hooks,
#      manylinux inputs and propagatedBuildInputs;
#   5. the root's dependencies of the selected groups (extras: the optional ones named), and
#      python.withPackages of them.
#
# It is a LOWER BOUND of poetry2nix's cost: it leaves out the default overrides (overrides/
# default.nix and the 28,000-line build-systems.json applied to every package), the nixpkgs package
# set it overlays (python.override with packageOverrides, the nulling overlays) and callPackage;
# markers are scanned character by character as poetry2nix's parser does, but its parsing of the
# environment's and the literals' versions is a single regular expression here. Directory, file, git and url sources are taken as they are, not fetched
# or read (poetry2nix reads a directory dependency's pyproject and fetches git/url at evaluation).
{
  pkgs,
  python,
  lockFile,
  pyprojectFile,
  groups ? [ "main" ],
  extras ? [ ],
  preferWheels ? true,
  # The platform poetry2nix reads from stdenv (x86_64-linux, glibc).
  machine ? "x86_64",
  glibcVersion ? "2.40",
  pythonFullVersion ? "${python.pythonVersion}.0",
}:
let
  inherit (builtins)
    all any attrNames concatStringsSep elem elemAt filter foldl' head isAttrs isList isString
    length listToAttrs map match replaceStrings split stringLength substring tail
    ;

  # ---- strings -------------------------------------------------------------------------------
  upper = [ "A" "B" "C" "D" "E" "F" "G" "H" "I" "J" "K" "L" "M" "N" "O" "P" "Q" "R" "S" "T" "U" "V" "W" "X" "Y" "Z" ];
  lower = [ "a" "b" "c" "d" "e" "f" "g" "h" "i" "j" "k" "l" "m" "n" "o" "p" "q" "r" "s" "t" "u" "v" "w" "x" "y" "z" ];
  toLower = replaceStrings upper lower;
  hasSuffix = suf: s: let n = stringLength s; k = stringLength suf; in k <= n && substring (n - k) k s == suf;
  hasPrefix = pre: s: substring 0 (stringLength pre) s == pre;
  escapeRegex = replaceStrings [ "\\" "." "+" "*" "?" "(" ")" "[" "]" "{" "}" "|" "^" "$" ] [ "\\\\" "\\." "\\+" "\\*" "\\?" "\\(" "\\)" "\\[" "\\]" "\\{" "\\}" "\\|" "\\^" "\\$" ];
  hasInfix = needle: s: match ".*${escapeRegex needle}.*" s != null;
  splitOn = sep: s: filter isString (split (escapeRegex sep) s);
  trim = s: let m = match "[ \t\n]*(.*[^ \t\n])[ \t\n]*" s; in if m == null then "" else head m;
  toInt = s: let m = match "0*([0-9]+)" s; in if m == null then 0 else builtins.fromJSON (head m);

  # PEP 503
  normalizePackageName = name: toLower (concatStringsSep "-" (filter isString (split "[-_.]+" name)));

  # ---- PEP 440 versions ----------------------------------------------------------------------
  parseVersion =
    v:
    let
      m = match "v?([0-9]+(\\.[0-9]+)*)(\\.\\*)?[-_.]?((a|b|c|rc|alpha|beta|pre|preview)[-_.]?([0-9]*))?[-_.]?((post|rev|r)[-_.]?([0-9]*))?[-_.]?(dev[-_.]?([0-9]*))?(\\+[a-z0-9.]*)?" (toLower (trim v));
      preRank = { a = 0; alpha = 0; b = 1; beta = 1; c = 2; rc = 2; pre = 2; preview = 2; };
    in
    if m == null then
      throw "not a PEP 440 version: ${v}"
    else
      {
        release = map toInt (splitOn "." (elemAt m 0));
        wildcard = elemAt m 2 != null;
        pre = if elemAt m 4 == null then null else [ preRank.${elemAt m 4} (toInt (elemAt m 5)) ];
        post = if elemAt m 7 == null then null else toInt (elemAt m 8);
        dev = if elemAt m 9 == null then null else toInt (elemAt m 10);
      };
  # Lists of integers, compared element by element; the shorter is padded with zeros.
  compareInts =
    a: b:
    let
      n = if length a > length b then length a else length b;
      at = l: i: if i < length l then elemAt l i else 0;
      go = i: if i == n then 0 else if at a i < at b i then -1 else if at a i > at b i then 1 else go (i + 1);
    in
    go 0;
  # The PEP 440 order: dev releases of a release, pre-releases, the release, post-releases.
  sortKey =
    v:
    [
      (if v.pre != null then elemAt v.pre 0 else if v.dev != null && v.post == null then -1 else 3)
      (if v.pre != null then elemAt v.pre 1 else 0)
      (if v.post != null then v.post else -1)
      (if v.dev != null then v.dev else 1000000000)
    ];
  compareVersions =
    a: b:
    let
      r = compareInts a.release b.release;
    in
    if r != 0 then r else compareInts (sortKey a) (sortKey b);
  # `==`/`!=` with a trailing `.*`: a prefix of the release.
  prefixMatch =
    v: spec:
    let
      n = length spec.release;
      at = l: i: if i < length l then elemAt l i else 0;
    in
    all (i: at v.release i == elemAt spec.release i) (builtins.genList (i: i) n);
  compareOp =
    op: v: spec:
    if op == "==" || op == "===" then
      (if spec.wildcard then prefixMatch v spec else compareVersions v spec == 0)
    else if op == "!=" then
      (if spec.wildcard then !prefixMatch v spec else compareVersions v spec != 0)
    else if op == "<" then compareVersions v spec < 0
    else if op == "<=" then compareVersions v spec <= 0
    else if op == ">" then compareVersions v spec > 0
    else if op == ">=" then compareVersions v spec >= 0
    else throw "unknown version operator ${op}";
  bump =
    release: i:
    builtins.genList (j: if j < i then elemAt release j else if j == i then elemAt release j + 1 else 0) (i + 1);
  # One Poetry condition (`^3.8`, `~3.8`, `~=3.8`, `>=3.8`, `3.8.*`, `*`) as a test of a version.
  satisfiesCondition =
    v: cond:
    let
      m = match "(\\^|~=|~|===|==|!=|<=|>=|<|>)?[ ]*(.*)" (trim cond);
      op = elemAt m 0;
      spec = parseVersion (elemAt m 1);
      r = spec.release;
      n = length r;
      firstNonZero = let go = i: if i >= n - 1 || elemAt r i != 0 then i else go (i + 1); in go 0;
      upper = release: { inherit release; wildcard = false; pre = null; post = null; dev = 0; };
    in
    if elemAt m 1 == "*" || elemAt m 1 == "" then true
    else if op == "^" then compareOp ">=" v spec && compareVersions v (upper (bump r firstNonZero)) < 0
    else if op == "~" then compareOp ">=" v spec && compareVersions v (upper (bump r (if n > 1 then 1 else 0))) < 0
    else if op == "~=" then compareOp ">=" v spec && compareVersions v (upper (bump r (if n > 1 then n - 2 else 0))) < 0
    else if op == null then compareOp "==" v spec
    else compareOp op v spec;
  # Poetry's `python-versions`: alternatives joined by `||`, conditions by commas.
  checkPythonVersions =
    constraint:
    let
      v = parseVersion pythonFullVersion;
    in
    constraint == "" || constraint == "*"
    || any (alt: all (c: trim c == "" || satisfiesCondition v c) (splitOn "," alt)) (splitOn "||" constraint);

  # ---- PEP 508 markers -----------------------------------------------------------------------
  environ = {
    os_name = "posix";
    sys_platform = "linux";
    platform_machine = machine;
    platform_system = "Linux";
    platform_python_implementation = "CPython";
    implementation_name = "cpython";
    implementation_version = pythonFullVersion;
    python_version = python.pythonVersion;
    python_full_version = pythonFullVersion;
    platform_release = "";
    platform_version = "";
  };
  versionVariables = [ "python_version" "python_full_version" "implementation_version" ];
  # Markers are parsed the way poetry2nix's parser (pyproject.nix pep508.nix) works: one fold step
  # per character, carrying the scanner's state, collects the tokens; parentheses group them into
  # nested lists; a list is split at its first `or`, else its first `and`, else its comparison.
  opChars = [ "=" ">" "<" "!" "~" "^" ];
  tokenize =
    s:
    let
      chars = builtins.genList (i: substring i 1 s) (stringLength s);
      flush = st: if st.cur == "" then st // { kind = null; } else st // { tokens = st.tokens ++ [ st.cur ]; cur = ""; kind = null; };
      step =
        st: c:
        if st.kind == "string" then
          (if c == st.quote then flush (st // { cur = st.cur + c; }) else st // { cur = st.cur + c; })
        else if c == "\"" || c == "'" then
          flush st // { kind = "string"; quote = c; cur = c; }
        else if c == " " then
          flush st
        else if c == "(" || c == ")" then
          let f = flush st; in f // { tokens = f.tokens ++ [ c ]; }
        else if elem c opChars then
          (if st.kind == "op" then st // { cur = st.cur + c; } else flush st // { kind = "op"; cur = c; })
        else if st.kind == "word" then
          st // { cur = st.cur + c; }
        else
          flush st // { kind = "word"; cur = c; };
    in
    (flush (foldl' step { tokens = [ ]; cur = ""; kind = null; quote = null; } chars)).tokens;
  # Nested lists for parenthesised groups: returns the list and the index after it.
  groupTokens =
    tokens: i: acc:
    if i == length tokens then { list = acc; next = i; }
    else
      let
        t = elemAt tokens i;
      in
      if t == "(" then (let g = groupTokens tokens (i + 1) [ ]; in groupTokens tokens g.next (acc ++ [ g.list ]))
      else if t == ")" then { list = acc; next = i + 1; }
      else groupTokens tokens (i + 1) (acc ++ [ t ]);
  indexOf =
    pred: list:
    foldl' (found: i: if found >= 0 then found else if pred (elemAt list i) then i else -1) (-1) (builtins.genList (i: i) (length list));
  sublist = from: to: list: builtins.genList (i: elemAt list (from + i)) (to - from);
  isComparison = t: isString t && elem t [ "===" "==" "!=" "<=" ">=" "~=" "<" ">" "in" ];
  reduceTokens =
    value:
    if isList value then
      (
        if length value == 1 then reduceTokens (head value)
        else
          let
            n = length value;
            orIdx = indexOf (t: t == "or") value;
            andIdx = indexOf (t: t == "and") value;
            cmpIdx = indexOf isComparison value;
            isNotIn = cmpIdx > 0 && elemAt value cmpIdx == "in" && elemAt value (cmpIdx - 1) == "not";
            leaf = t: if hasPrefix "\"" t || hasPrefix "'" t then { lit = substring 1 (stringLength t - 2) t; } else { var = t; };
          in
          if orIdx > 0 then { or = [ (reduceTokens (sublist 0 orIdx value)) (reduceTokens (sublist (orIdx + 1) n value)) ]; }
          else if andIdx > 0 then { and = [ (reduceTokens (sublist 0 andIdx value)) (reduceTokens (sublist (andIdx + 1) n value)) ]; }
          else if isNotIn then { lhs = leaf (elemAt value (cmpIdx - 2)); op = "not in"; rhs = leaf (elemAt value (cmpIdx + 1)); }
          else if cmpIdx > 0 then { lhs = leaf (elemAt value (cmpIdx - 1)); op = elemAt value cmpIdx; rhs = leaf (elemAt value (cmpIdx + 1)); }
          else throw "marker: cannot parse ${builtins.toJSON value}"
      )
    else throw "marker: a lone token ${value}";
  parseMarkers = s: reduceTokens (groupTokens (tokenize s) 0 [ ]).list;
  evalMarkers =
    extraNames: node:
    if node ? or then any (evalMarkers extraNames) node.or
    else if node ? and then all (evalMarkers extraNames) node.and
    else
      let
        side = x: if x ? lit then x.lit else environ.${x.var} or (if x.var == "extra" then null else throw "marker: unknown variable ${x.var}");
        isExtra = (node.lhs.var or "") == "extra" || (node.rhs.var or "") == "extra";
        other = if (node.lhs.var or "") == "extra" then node.rhs.lit else node.lhs.lit;
        isVersion = any (x: elem (x.var or "") versionVariables) [ node.lhs node.rhs ];
        l = side node.lhs;
        r = side node.rhs;
      in
      if isExtra then
        (if node.op == "==" then elem (normalizePackageName other) extraNames
         else if node.op == "!=" then !elem (normalizePackageName other) extraNames
         else throw "marker: extra ${node.op}")
      else if node.op == "in" then hasInfix l r
      else if node.op == "not in" then !hasInfix l r
      else if isVersion && node.op != "===" then
        satisfiesCondition (parseVersion l) "${node.op}${r}"
      else if node.op == "==" || node.op == "===" then l == r
      else if node.op == "!=" then l != r
      else if node.op == "<" then l < r
      else if node.op == "<=" then l <= r
      else if node.op == ">" then l > r
      else if node.op == ">=" then l >= r
      else throw "marker: operator ${node.op}";

  # ---- wheels (PEP 425, PEP 600) ---------------------------------------------------------------
  pyMajor = head (splitOn "." python.pythonVersion);
  pyMinor = elemAt (splitOn "." python.pythonVersion) 1;
  pyNodot = "${pyMajor}${pyMinor}";
  glibc = parseVersion glibcVersion;
  legacyManylinux = { manylinux1 = "2.5"; manylinux2010 = "2.12"; manylinux2014 = "2.17"; };
  parseWheelFileName =
    file:
    let
      m = match "([^-]+)-([^-]+)(-([0-9][^-]*))?-([^-]+)-([^-]+)-([^-]+)\\.whl" file;
    in
    if m == null then null
    else
      {
        inherit file;
        pythonTags = splitOn "." (elemAt m 4);
        abiTags = splitOn "." (elemAt m 5);
        platformTags = splitOn "." (elemAt m 6);
      };
  # The interpreter's tag version: "3" or "311" -> the number to rank by and whether it fits.
  pythonTagFits =
    t:
    let
      m = match "(py|cp)([0-9])([0-9]*)" t;
    in
    m != null && elemAt m 1 == pyMajor && (elemAt m 2 == "" || toInt (elemAt m 2) <= toInt pyMinor);
  pythonTagRank = t: let m = match "(py|cp)([0-9]+)" t; in if m == null then 0 else toInt (elemAt m 1);
  abiTagFits = t: t == "none" || t == "abi3" || t == "cp${pyNodot}";
  platformTagFits =
    t:
    let
      pep600 = match "manylinux_([0-9]+)_([0-9]+)_(.*)" t;
      legacy = match "(manylinux1|manylinux2010|manylinux2014)_(.*)" t;
    in
    if t == "any" then true
    else if pep600 != null then
      elemAt pep600 2 == machine && compareVersions (parseVersion "${elemAt pep600 0}.${elemAt pep600 1}") glibc <= 0
    else if legacy != null then
      elemAt legacy 1 == machine && compareVersions (parseVersion legacyManylinux.${elemAt legacy 0}) glibc <= 0
    else if hasPrefix "linux_" t then t == "linux_${machine}"
    else false; # musllinux (glibc stdenv), macosx, win
  isWheelCompatible =
    w: any pythonTagFits w.pythonTags && any abiTagFits w.abiTags && any platformTagFits w.platformTags;
  selectWheel =
    files:
    let
      wheels = filter (w: w != null && isWheelCompatible w) (map (f: let w = parseWheelFileName f.file; in if w == null then null else w // { entry = f; }) files);
      rank = w: foldl' (a: t: let r = pythonTagRank t; in if r > a then r else a) 0 w.pythonTags;
    in
    map (w: w.entry) (builtins.sort (a: b: rank a > rank b) wheels);

  # ---- the lock --------------------------------------------------------------------------------
  lock = builtins.fromTOML (builtins.readFile lockFile);
  pyProject = builtins.fromTOML (builtins.readFile pyprojectFile);
  # Lock 1.1 and older: [metadata.files], re-keyed by normalised name.
  lockFiles = builtins.listToAttrs (
    map (name: { name = normalizePackageName name; value = lock.metadata.files.${name}; }) (attrNames (lock.metadata.files or { }))
  );
  supportedExtensions = [ "egg" "tar" "tar\\.bz2" "tar\\.gz" "tar\\.lz" "tar\\.lzma" "tar\\.xz" "tbz" "tgz" "tlz" "txz" "whl" "zip" ];
  supportedRegex = "^.*\\.(" + concatStringsSep "|" supportedExtensions + ")$";
  isCompatiblePackage =
    p:
    if p ? marker then evalMarkers [ ] (parseMarkers p.marker)
    else checkPythonVersions (p.python-versions or "");
  packagesInLock = lock.package;
  compatible = filter isCompatiblePackage packagesInLock;
  incompatible = filter (p: !isCompatiblePackage p) packagesInLock;

  hooks = {
    # Stand-ins for poetry2nix's hooks (setup-hook derivations in poetry2nix).
    poetry2nixFixupHook = { __stubHook = "poetry2nixFixupHook"; };
    poetry2nixPythonRequiresPatchHook = { __stubHook = "poetry2nixPythonRequiresPatchHook"; };
    removePathDependenciesHook = { __stubHook = "removePathDependenciesHook"; };
    removeGitDependenciesHook = { __stubHook = "removeGitDependenciesHook"; };
    removeWheelUrlDependenciesHook = { __stubHook = "removeWheelUrlDependenciesHook"; };
    pipBuildHook = { __stubHook = "pipBuildHook"; };
    wheelUnpackHook = { __stubHook = "wheelUnpackHook"; };
    pypaInstallHook = { __stubHook = "pypaInstallHook"; };
  };
  manylinuxDeps =
    f:
    let
      ml = pkgs.pythonManylinuxPackages;
    in
    if hasInfix "manylinux1" f then { pkg = ml.manylinux1; str = "1"; }
    else if hasInfix "manylinux2010" f then { pkg = ml.manylinux2010; str = "2010"; }
    else if hasInfix "manylinux2014" f then { pkg = ml.manylinux2014; str = "2014"; }
    else if hasInfix "manylinux_" f then { pkg = ml.manylinux2014; str = "pep600"; }
    else { pkg = [ ]; str = null; };

  mkPoetryDep =
    set: p:
    let
      pname = normalizePackageName p.name;
      inherit (p) version;
      files = p.files or lockFiles.${pname} or [ ];
      matchesVersion = fname: match ("^.*" + replaceStrings [ "." "+" ] [ "\\." "\\+" ] version + ".*$") fname != null;
      isEggFile = f: hasSuffix ".egg" f.file;
      fileCandidates = filter (
        f: matchesVersion f.file && match supportedRegex f.file != null
          && (!hasSuffix ".egg" f.file || hasSuffix "py${python.pythonVersion}.egg" f.file)
      ) files;
      binaryDist = let w = selectWheel fileCandidates; in if w == [ ] then [ ] else [ (head w) ];
      sourceDist = filter (f: !hasSuffix ".whl" f.file && !isEggFile f) fileCandidates;
      eggs = filter isEggFile fileCandidates;
      preferWheel = preferWheels && pname != "wheel";
      entries = (if preferWheel then binaryDist ++ sourceDist else sourceDist ++ binaryDist) ++ eggs;
      source = p.source or null;
      # Directory, file, git and url sources (poetry2nix: cleanPythonSources of the path with its
      # own pyproject's build-system, builtins.fetchGit, builtins.fetchurl) are not fetched here.
      isLocalOrVcs = source != null && source.type != "legacy";
      entry =
        if isLocalOrVcs then { file = baseNameOf source.url; hash = p.source.resolved_reference or ""; }
        else if length entries > 0 then head entries
        else throw "Missing suitable source/wheel file entry for ${p.name}";
      format =
        if isLocalOrVcs then (if source.type == "url" && hasSuffix ".whl" source.url then "wheel" else "pyproject")
        else if isEggFile entry then "egg" else if hasSuffix ".whl" entry.file then "wheel" else "pyproject";
      kind =
        if format == "egg" then python.pythonVersion
        else if format == "pyproject" then "source"
        else elemAt (splitOn "-" entry.file) 2;
      predictedURL = "https://files.pythonhosted.org/packages/${kind}/${toLower (substring 0 1 entry.file)}/${pname}/${entry.file}";
      extraNames = map normalizePackageName (attrNames (p.extras or { }));
      # Every dependency edge: its python constraint and markers, all the package's extras on;
      # a list (multiple-constraint dependency) is always kept.
      keep =
        spec:
        !isAttrs spec
        || (checkPythonVersions (spec.python or "")
          && (let m = spec.markers or ""; in m == "" || evalMarkers extraNames (parseMarkers m)));
      deps = filter (n: keep p.dependencies.${n}) (attrNames (p.dependencies or { }));
      ml = manylinuxDeps entry.file;
    in
    python.pkgs.buildPythonPackage {
      inherit pname version;
      format = if format == "wheel" then "wheel" else "pyproject";
      doCheck = false;
      dontStrip = format == "wheel";
      nativeBuildInputs =
        [ hooks.poetry2nixFixupHook hooks.poetry2nixPythonRequiresPatchHook ]
        ++ (if ml.str != null then [ pkgs.autoPatchelfHook ] else [ ])
        ++ (if format == "wheel" then [ hooks.wheelUnpackHook hooks.pypaInstallHook ] else [ ])
        ++ (if format == "pyproject" then [
          hooks.removePathDependenciesHook hooks.removeGitDependenciesHook
          hooks.removeWheelUrlDependenciesHook hooks.pipBuildHook
        ] else [ ]);
      buildInputs = ml.pkg;
      propagatedBuildInputs = filter (d: d != null) (map (n: set.${normalizePackageName n} or null) deps);
      src = if isLocalOrVcs then { inherit (source) type url; } else {
        # fetchFromPypi: a fixed-output derivation fetching the predicted URL.
        name = entry.file;
        inherit pname version predictedURL;
        inherit (entry) file;
        isWheel = hasSuffix "whl" entry.file;
        outputHashMode = "flat";
        outputHashAlgo = "sha256";
        outputHash = entry.hash;
      };
      meta.broken = !checkPythonVersions (p.python-versions or "");
      passthru = { preferWheel = preferWheel; };
    };

  # The package set: compatible packages built, incompatible ones null; the later entry of a
  # repeated name wins (listToAttrs over the reversed list).
  packageSet =
    let
      self =
        listToAttrs (map (p: { name = normalizePackageName p.name; value = null; }) incompatible)
        // listToAttrs (map (p: { name = normalizePackageName p.name; value = mkPoetryDep self p; }) (builtins.genList (i: elemAt compatible (length compatible - 1 - i)) (length compatible)));
    in
    self;

  # ---- the root --------------------------------------------------------------------------------
  poetry = pyProject.tool.poetry;
  groupDeps = { main.dependencies = poetry.dependencies or { }; } // (poetry.group or { });
  optionalNames = builtins.concatLists (map (e: poetry.extras.${e} or [ ]) extras);
  rootDeps =
    builtins.concatLists (
      map (
        g:
        let
          ds = groupDeps.${g}.dependencies or { };
          wanted = n: n != "python" && (g != "main" || !(ds.${n}.optional or false) || elem n optionalNames);
          fits = n: let s = ds.${n}; in !isAttrs s || checkPythonVersions (s.python or "");
        in
        filter (n: wanted n && fits n) (attrNames ds)
      ) groups
      ++ (if elem "dev" groups then [ (attrNames (poetry.dev-dependencies or { })) ] else [ ])
    );
  rootPackages = filter (d: d != null) (map (n: packageSet.${normalizePackageName n} or null) rootDeps);
in
{
  packages = packageSet;
  env = python.withPackages (_: rootPackages);
  # For checking the restatement: a marker evaluated with these extras enabled, a constraint.
  evalMarker = extraNames: s: evalMarkers extraNames (parseMarkers s);
  inherit checkPythonVersions;
}
