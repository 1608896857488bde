#!/usr/bin/env python3
"""usage: plan-matches-file.py WORK

The one planner: in every folder WORK/*/ that holds a translation (python-env.nix) and the plan for
the same lock and target (plan.json, from `lock2nix plan --json`), the two must agree:
  - every fetchurl of the file names its file (`name = "<file>"`, store-safe), and the plan's
    artifacts with a file of kind wheel, sdist or url, with the alternatives it lets Nix choose,
    are exactly the files the file can fetch;
  - each package with an alternative is built from the kind (wheel or sdist) the file chooses;
  - where the folder also holds evaluated.json, what Nix evaluated from the file
    ({"packages": [attribute names], "env": [pnames in env]}), the file's packages are the plan's
    packages by attribute, and its env holds exactly the plan's default packages by name.
Exits 1 when any folder disagrees."""
import glob, json, os, re, sys


def store_safe(n):
    n = re.sub(r"[^A-Za-z0-9+\-._?=]", "-", n)
    return "_" + n if n.startswith(".") or not n else n


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def sample(items):
    return sorted(items)[:5]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    failed = compared = files = sets = 0
    for plan_path in sorted(glob.glob(os.path.join(sys.argv[1], "*", "plan.json"))):
        here = os.path.dirname(plan_path)
        name = os.path.basename(here)
        if not os.path.exists(os.path.join(here, "python-env.nix")):
            continue
        bad = 0
        plan = json.load(open(plan_path))
        planned = {store_safe(p[k]["file"]) for p in plan["packages"]
                   for k in ("artifact", "alternative")
                   if k in p and "file" in p[k] and p[k]["kind"] in ("wheel", "sdist", "url")}
        text = open(os.path.join(here, "python-env.nix")).read()
        fetched = set(re.findall(r'fetchurl \{\n\s*name = "((?:[^"\\]|\\.)*)";', text))
        choices = dict(re.findall(r'\n\s*"?([^\s"=]+)"? = \{\n\s*lock2nixChoice = "(wheel|sdist)";',
                                  text))
        for p in plan["packages"]:
            if "alternative" in p and choices.get(p["attribute"]) != p["artifact"]["kind"]:
                bad += 1
                print(f"FAIL {name}: {p['attribute']}: the plan builds the "
                      f"{p['artifact']['kind']}, the file chooses {choices.get(p['attribute'])}")
        compared += 1
        files += len(planned)
        if planned != fetched:
            bad += 1
            print(f"FAIL {name}: plan and file disagree: only in plan {sample(planned - fetched)}, "
                  f"only in the file {sample(fetched - planned)}")
        evaluated_path = os.path.join(here, "evaluated.json")
        if os.path.exists(evaluated_path):
            sets += 1
            bad += compare_sets(name, plan, json.load(open(evaluated_path)))
        failed += bad > 0
    print(f"plan --json and the file agree on {compared - failed} of {compared} locks ({files} files"
          + (f", {sets} package sets" if sets else "") + ")")
    sys.exit(1 if failed else 0)


def compare_sets(name, plan, evaluated):
    """The package sets of plan and file; returns the number of disagreements."""
    bad = 0
    # A package the plan has no file for is in the file's `unavailable`, not its packages.
    unavailable = {p["attribute"] for p in plan["packages"] if "artifact" not in p}
    want_attrs = {p["attribute"] for p in plan["packages"]} - unavailable
    got_attrs = set(evaluated["packages"])
    if want_attrs != got_attrs:
        bad += 1
        print(f"FAIL {name}: the file's packages are not the plan's: only in plan "
              f"{sample(want_attrs - got_attrs)}, only in the file {sample(got_attrs - want_attrs)}")
    want_env = {canonical(p["name"]) for p in plan["packages"]
                if p.get("default") is True and p["attribute"] not in unavailable}
    got_env = {canonical(n) for n in evaluated["env"]}
    if len(evaluated["env"]) != len(got_env) or want_env != got_env:
        bad += 1
        print(f"FAIL {name}: env holds other packages than the plan's default ones: only in "
              f"plan {sample(want_env - got_env)}, only in env {sample(got_env - want_env)}, "
              f"{len(evaluated['env'])} entries for {len(got_env)} names")
    return bad


main()
