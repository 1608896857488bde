#!/usr/bin/env bash
# Checks the user documentation (README.md, docs/*.md, overrides/ and examples' READMEs) against the repository and the binary:
#   (a) every relative Markdown link points to a file or folder that exists (anchors after a file
#       are not checked; http(s), mailto and pure #anchor links are skipped);
#   (b) every command shown in a ```sh / ```console / ```bash / ```shell block, and every inline
#       `lock2nix ...` span, that starts with `lock2nix` uses a subcommand the binary knows and
#       only long options (--xyz) that `lock2nix SUBCOMMAND --help` (or `lock2nix --help` for the
#       default translate command) mentions; every repository script such a block runs
#       (tools/..., benchmarks/..., tests/..., fuzz/...; build outputs under build/ excepted)
#       exists;
#   (c) no page reads as a development log: issue numbers, sessions, commit ids, work periods,
#       branch names.
# Each problem is printed as FILE:LINE: message; the exit status is 1 when there is any.
#   usage: tests/docs/check-docs.sh LOCK2NIX REPOSITORY_ROOT
set -euo pipefail

if [ "$#" -ne 2 ]; then
    echo "usage: $0 LOCK2NIX REPOSITORY_ROOT" >&2
    exit 2
fi
cli=$1
root=$2
if [ ! -x "$cli" ]; then
    echo "$0: $cli is not an executable lock2nix" >&2
    exit 2
fi
if [ ! -f "$root/README.md" ]; then
    echo "$0: $root has no README.md" >&2
    exit 2
fi
cli=$(cd "$(dirname "$cli")" && pwd)/$(basename "$cli")

files=("$root/README.md" "$root/overrides/README.md")
for f in "$root"/examples/*/README.md; do
    if [ -f "$f" ]; then files+=("$f"); fi
done
if [ -d "$root/docs" ]; then
    while IFS= read -r f; do files+=("$f"); done < <(find "$root/docs" -name '*.md' -type f | LC_ALL=C sort)
fi

exec python3 - "$cli" "$root" "${files[@]}" <<'PYTHON'
import os
import re
import shlex
import subprocess
import sys

cli, root, files = sys.argv[1], sys.argv[2], sys.argv[3:]
problems = []


def report(path, line, message):
    problems.append(f"{os.path.relpath(path, root)}:{line}: {message}")


# --- what the binary knows ------------------------------------------------------------------------
def help_text(*args):
    r = subprocess.run([cli, *args], capture_output=True, text=True, timeout=60)
    return r.stdout + r.stderr


main_help = help_text("--help")
subcommands = set()
in_commands = False
for line in main_help.splitlines():
    if line.startswith("commands:"):
        in_commands = True
        continue
    if in_commands:
        if not line.strip():
            break
        m = re.match(r"^  ([a-z][a-z0-9-]*)\b", line)
        if m:
            subcommands.add(m.group(1))
if not subcommands:
    print(f"{cli} --help lists no commands (expected a `commands:` section)", file=sys.stderr)
    sys.exit(2)

OPTION = re.compile(r"--[a-z][a-z0-9-]*")
options_cache = {}


def known_options(subcommand):
    if subcommand not in options_cache:
        text = main_help if subcommand is None else help_text(subcommand, "--help")
        options_cache[subcommand] = set(OPTION.findall(text)) | {"--help"}
    return options_cache[subcommand]


def looks_like_path(word):
    # The default command takes the lock: a path, a file name or a placeholder such as LOCK.
    return "/" in word or "." in word or word.isupper() or word.startswith(("$", "~", "<"))


def check_lock2nix_command(path, lineno, words):
    """words[0] is lock2nix (or a path ending in /lock2nix)."""
    args = words[1:]
    subcommand = None
    if args and not args[0].startswith("-"):
        first = args[0]
        if first in subcommands:
            subcommand = first
        elif re.fullmatch(r"[A-Z][A-Z_]*", first) and first not in ("LOCK",):
            return  # a placeholder such as CMD: nothing to check
        elif not looks_like_path(first):
            report(path, lineno, f"`lock2nix {first}`: {os.path.basename(cli)} has no subcommand "
                                 f"`{first}` (it knows: {', '.join(sorted(subcommands))})")
            return
    known = known_options(subcommand)
    where = f"lock2nix {subcommand} --help" if subcommand else "lock2nix --help"
    for w in args:
        # An option, bare or in a usage line's brackets: --xyz, --xyz=VALUE, [--xyz].
        m = OPTION.match(w.lstrip("["))
        if not m:
            continue
        if m.group(0) not in known:
            report(path, lineno, f"option {m.group(0)} is not in `{where}`")


SCRIPT_DIRS = ("tools/", "benchmarks/", "tests/", "fuzz/")
RUNNERS = {"python3", "python", "bash", "sh", "sudo", "env", "exec", "time", "nice"}
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


CONTROL = {"&&", "||", ";", "|", "&", "(", ")"}


def simple_commands(command):
    """The simple commands of one shell line, as word lists: comments dropped, split at
    control operators (a && b | c; d) and command substitutions."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars="();&|")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        tokens = list(lexer)
    except ValueError:  # an unbalanced quote: take the words as they are
        tokens = command.split("#", 1)[0].split()
    words = []
    for token in tokens:
        if token in CONTROL or token == "$":
            if words:
                yield words
            words = []
        else:
            words.append(token)
    if words:
        yield words


def check_shell_command(path, lineno, command):
    for words in simple_commands(command):
        # Leading environment assignments and runners (python3 X.py, bash X.sh, ...).
        while words and (ASSIGNMENT.match(words[0]) or words[0] in RUNNERS):
            words = words[1:]
        if not words:
            continue
        head = words[0]
        if head == "lock2nix" or head.endswith("/lock2nix"):
            check_lock2nix_command(path, lineno, words)
            continue
        script = head[2:] if head.startswith("./") else head
        if script.startswith(SCRIPT_DIRS):
            if not os.path.exists(os.path.join(root, script)):
                report(path, lineno, f"the script {script} does not exist")


# --- the pages --------------------------------------------------------------------------------
FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*([A-Za-z0-9_+-]*)")
SHELL_LANGS = {"sh", "console", "bash", "shell", "shell-session"}
LINK = re.compile(r"(?<!\!)\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?")
REFDEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(\s|$)")
INLINE_CODE = re.compile(r"(`+)(.+?)\1")
HISTORY = re.compile(
    r"\bissues? ?#?[0-9]+"            # issue 16, issue #11
    r"|(?<![\w/&#])#[0-9]{1,5}\b"     # a bare #11
    r"|\bsessions?\b"                 # a work session
    r"|\bwork ?periods?\b"
    r"|\bcommit [0-9a-f]{7,40}\b"     # commit 3191c41
    r"|`(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,12}`"  # a short commit id in code
    r"|\bbranch(?:es)? `",            # branch `perf`
    re.IGNORECASE)


def check_link(path, lineno, target):
    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith("#"):
        return  # http(s), mailto, ... and anchors in the same page
    target = target.split("#", 1)[0].split("?", 1)[0]
    if not target:
        return
    base = root if target.startswith("/") else os.path.dirname(path)
    resolved = os.path.normpath(os.path.join(base, target.lstrip("/")))
    if not os.path.exists(resolved):
        report(path, lineno, f"the link {target} points to nothing "
                             f"({os.path.relpath(resolved, root)} does not exist)")


for path in files:
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    fence = None          # the fence string while inside a code block
    lang = ""
    pending = ""          # a shell command continued with a trailing backslash
    pending_line = 0
    for lineno, line in enumerate(lines, 1):
        for m in HISTORY.finditer(line):
            report(path, lineno, f"reads as history: \"{m.group(0)}\" (describe what the tool "
                                 f"does, not how it got there)")
        fm = FENCE.match(line)
        if fence is not None:
            if fm and fm.group(2).startswith(fence[0]) and len(fm.group(2)) >= len(fence) \
                    and not fm.group(3):
                fence = None
                if pending:
                    check_shell_command(path, pending_line, pending)
                    pending = ""
                continue
            if lang in SHELL_LANGS:
                text = line
                if lang in ("console", "shell-session"):
                    if not text.lstrip().startswith(("$ ", "# ")):
                        continue  # output, not a command
                    text = text.lstrip()[2:]
                elif text.lstrip().startswith("$ "):
                    text = text.lstrip()[2:]
                if not pending:
                    pending_line = lineno
                if text.rstrip().endswith("\\"):
                    pending += text.rstrip()[:-1] + " "
                    continue
                pending += text
                check_shell_command(path, pending_line, pending)
                pending = ""
            continue
        if fm:
            fence = fm.group(2)
            lang = fm.group(3).lower()
            continue
        # Prose: links (outside inline code) and inline `lock2nix ...` commands.
        prose = INLINE_CODE.sub(lambda m: " " * len(m.group(0)), line)
        for m in LINK.finditer(prose):
            check_link(path, lineno, m.group(1))
        for m in IMAGE.finditer(prose):
            check_link(path, lineno, m.group(1))
        m = REFDEF.match(prose)
        if m:
            check_link(path, lineno, m.group(1))
        for m in INLINE_CODE.finditer(line):
            code = m.group(2).strip()
            if code.startswith("lock2nix "):
                try:
                    words = shlex.split(code)
                except ValueError:
                    words = code.split()
                check_lock2nix_command(path, lineno, words)
    if fence is not None:
        report(path, len(lines), "a code block is never closed")

for p in problems:
    print(p)
sys.stdout.flush()
if problems:
    print(f"check-docs: {len(problems)} problem(s) in {len(files)} file(s)", file=sys.stderr)
    sys.exit(1)
print(f"check-docs: {len(files)} file(s) fine")
PYTHON
