// The lock2nix command line: subcommands over the library's pipeline.
//
// Exit codes: 0 success; 1 a negative answer (stale lock); 2 bad input or usage.

#include "cli_options.hpp"
#include "lock2nix/error.hpp"
#include "lock2nix/fetch/index.hpp"
#include "lock2nix/fetch/index_fetcher.hpp"
#include "lock2nix/fetch/verify.hpp"
#include "lock2nix/files.hpp"
#include "lock2nix/project/content_hash.hpp"
#include "lock2nix/project/lockfile.hpp"
#include "lock2nix/project/model_json.hpp"
#include "lock2nix/project/pylock.hpp"
#include "lock2nix/project/pyproject.hpp"
#include "lock2nix/resolve/plan.hpp"
#include "lock2nix/standards/names.hpp"
#include "lock2nix/translate.hpp"
#include "lock2nix/version.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <malloc.h>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace {

// The library names settings in its own words (lock2nix::Setting); here they are flags.
std::string cli_flag(lock2nix::Setting setting) {
    using lock2nix::Setting;
    switch (setting) {
    case Setting::systems:
        return "--system";
    case Setting::pythons:
        return "--python";
    case Setting::macos:
        return "--macos";
    case Setting::pyproject:
        return "--pyproject";
    case Setting::offline:
        return "--offline";
    case Setting::impure_git:
        return "--impure-git";
    case Setting::ca_certificates:
        return "--cacert FILE";
    case Setting::override_files:
        return "--overrides";
    case Setting::only_groups:
        return "--only";
    case Setting::with_groups:
        return "--with";
    case Setting::without_groups:
        return "--without";
    case Setting::concurrency:
        return "--concurrency";
    case Setting::nixpkgs:
        return "--nixpkgs";
    case Setting::project_root:
        return "--project-root DIR";
    case Setting::allow_outside_project:
        return "--allow-outside-project";
    }
    return lock2nix::library_setting_name(setting);
}

// A line from the library (a note, a download's error) as the CLI prints it.
std::string cli_text(std::string_view text) {
    return lock2nix::printable(lock2nix::render_settings(text, cli_flag));
}

using lock2nix::cli::Options;
using lock2nix::cli::OptionSpec;
using lock2nix::cli::UsageError;

constexpr int exit_ok = 0;
constexpr int exit_negative = 1;
constexpr int exit_bad_input = 2;

const char* const usage_text = R"(usage: lock2nix LOCK [selection] [--impure-git] [-o FILE]
       lock2nix <command> [options]

  lock2nix poetry.lock > python-env.nix
      translate the lock into a Nix file that builds the environment; with several
      --system/--python the file serves each of those targets and refuses others.
      -o FILE writes atomically (nothing is written when anything fails).

commands:
  inspect [LOCK] [--json]        print the model of a poetry.lock or pylock.toml (or a
                                 pyproject.toml)
  check [--lock LOCK] [--pyproject PYPROJECT] [--nix FILE]
                                 exit 0 when the lock is fresh for its pyproject (and FILE,
                                 a generated Nix file, for the lock), 1 when stale
  plan [LOCK] [selection] [--json]
                                 what installs for a target: packages, files, reasons,
                                 dependency edges, cycles and build order
  explain NAME [LOCK] [selection]
                                 why a package is in or out for a target
  verify [LOCK] [selection] [--index-url URL]
                                 download the files the translation would fetch and check
                                 each digest; exit 1 on any mismatch
  overrides show NAME[==VERSION] [--pyproject F] [--overrides F]
                                 the override database's entries for a package and the
                                 effective settings, with the layer each key came from
  releases                       the nixpkgs releases lock2nix targets (--nixpkgs), their
                                 interpreters, glibc and macOS
  help                           this text
  version                        the version of lock2nix

LOCK defaults to ./poetry.lock; PYPROJECT defaults to the pyproject.toml beside LOCK.

selection options (plan, explain):
  --system S           Nix system: x86_64-linux, aarch64-linux, x86_64-darwin, aarch64-darwin
                       (default: this machine's)
  --python X.Y[.Z]     Python version (default: of the release's interpreters that the lock
                       and the project allow, the one that installs every package and builds
                       the fewest compiled packages from source, newest on a tie; or the
                       .python-version beside the project when it names such a one)
  --nixpkgs RELEASE    the nixpkgs release the file is for: its interpreters, glibc and macOS
                       (default: the current stable; `lock2nix releases` lists them)
  --glibc X.Y          glibc the Linux target runs (default: the release's)
  --musl X.Y           a musl target instead (pkgsMusl: 1.2)
  --macos X.Y          macOS the Darwin target runs (default: the release's oldest supported)
  --with G, --without G, --only G
                       dependency groups, as `poetry install` takes them (repeatable, or
                       comma-separated); default: every non-optional group
  --extras E           root extras (repeatable, or comma-separated); --all-extras for all
  --prefer-sdists      build every package from its sdist when the lock has one
  --sdist PKG, --wheel PKG
                       build PKG from its sdist / install PKG from a wheel
  --pyproject FILE     the project's pyproject.toml (default: beside LOCK)

translation options:
  --overrides FILE     an override file (repeatable; later files win)
  --no-default-overrides
                       leave lock2nix's own override database out
  --impure-git         builtins.fetchGit without a hash instead of fetchgit
  --project-root DIR   the folder path dependencies must stay inside (default: the git
                       repository holding the lock, else the lock's folder)
  --allow-outside-project
                       let path dependencies point outside it (Nix copies them into the store)
  --offline            no network: the index cache and predictable URLs only
  --refresh            ignore the index cache (and refill it)
  --index-url URL      PyPI's base URL (default $LOCK2NIX_INDEX_URL, else https://pypi.org)
  --cacert FILE        a CA bundle for a private index's certificate
  --concurrency N      parallel index requests and downloads (default 8)
  --quiet              no progress line and no notes on stderr
)";

// Each command's own help: what `lock2nix CMD --help` prints, and what a usage error in CMD
// shows instead of the whole usage (which buries the one line that matters).
const char* const selection_help = R"(
selection options:
  --system S, --python X.Y[.Z], --nixpkgs RELEASE, --glibc X.Y, --musl X.Y, --macos X.Y
  --with G, --without G, --only G, --extras E, --all-extras
  --prefer-sdists, --sdist PKG, --wheel PKG, --pyproject FILE
index and override options:
  --overrides FILE, --no-default-overrides, --offline, --refresh, --index-url URL,
  --cacert FILE, --concurrency N, --quiet
(`lock2nix help` describes each option)
)";

std::string command_help(const std::string& command) {
    if (command == "inspect") {
        return "usage: lock2nix inspect [LOCK | PYPROJECT] [--json]\n"
               "  print the model of a poetry.lock or a PEP 751 pylock.toml (format told by the\n"
               "  file name, else by its content), or of a pyproject.toml\n";
    }
    if (command == "check") {
        return "usage: lock2nix check [LOCK] [--lock LOCK] [--pyproject PYPROJECT] [--nix FILE]\n"
               "  exit 0 when the lock is fresh for its pyproject (and FILE, a generated Nix\n"
               "  file, for the lock), 1 when stale. Freshness compares digests: it does not\n"
               "  depend on a target, so it takes no selection options.\n";
    }
    if (command == "plan") {
        return std::string("usage: lock2nix plan [LOCK] [selection] [--json]\n"
                           "  what installs for one target: packages, files, reasons, edges,\n"
                           "  cycles and build order\n") +
               selection_help;
    }
    if (command == "explain") {
        return std::string("usage: lock2nix explain NAME [LOCK] [selection]\n"
                           "  why a package is in or out for one target\n") +
               selection_help;
    }
    if (command == "verify") {
        return std::string(
                   "usage: lock2nix verify [LOCK] [selection]\n"
                   "  download the files the translation would fetch and check each\n"
                   "  digest; exit 1 on any mismatch (--system and --python may repeat)\n") +
               selection_help;
    }
    if (command == "overrides") {
        return "usage: lock2nix overrides show NAME[==VERSION] [--pyproject F] [--overrides F]\n"
               "                               [--no-default-overrides]\n"
               "  the override database's entries for a package and the effective settings\n"
               "       lock2nix overrides keys\n"
               "  the keys an entry may hold, as the Markdown table of the documentation\n";
    }
    return usage_text;
}

std::string sibling_pyproject(const std::string& lock_path) {
    const std::filesystem::path dir = std::filesystem::path(lock_path).parent_path();
    return (dir / "pyproject.toml").string();
}

std::string join_list(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) {
        out += (out.empty() ? "" : ", ") + s;
    }
    return out;
}

bool looks_like_pyproject(const std::string& path) {
    return std::filesystem::path(path).filename().string().ends_with("pyproject.toml");
}

int inspect_pylock(const lock2nix::Pylock& lock, bool as_json) {
    if (as_json) {
        std::cout << lock2nix::model_json(lock) << '\n';
        return exit_ok;
    }
    std::cout << lock.path << ": pylock.toml lock-version " << lock.lock_version << ", created by "
              << lock.created_by << ", " << lock.packages.size() << " packages";
    if (!lock.requires_python.empty()) {
        std::cout << ", python " << lock.requires_python;
    }
    std::cout << '\n';
    if (lock.multi_use) {
        std::cout << "  extras: " << join_list(lock.extras)
                  << "; dependency groups: " << join_list(lock.dependency_groups)
                  << "; default groups: " << join_list(lock.default_groups) << '\n';
    } else {
        std::cout << "  single-use (no extras or dependency groups listed)\n";
    }
    for (const auto& env : lock.environments) {
        std::cout << "  environment: " << env << '\n';
    }
    for (const auto& p : lock.packages) {
        std::cout << "  " << p.name << (p.version.empty() ? "" : " " + p.version) << " ["
                  << lock2nix::to_string(p.source_kind());
        if (p.source_kind() == lock2nix::PylockSourceKind::distributions) {
            std::cout << ": " << p.wheels.size() << " wheels" << (p.sdist ? ", sdist" : "");
        }
        std::cout << ']';
        if (!p.marker.empty()) {
            std::cout << " ; " << p.marker;
        }
        std::cout << '\n';
        for (const auto& problem : p.problems) {
            std::cout << "    problem (line " << problem.position.line << "): " << problem.message
                      << '\n';
        }
    }
    return exit_ok;
}

int cmd_inspect(const std::vector<std::string>& args) {
    const Options opts(args, OptionSpec{.flags = {"--json"}});
    if (opts.positionals().size() > 1) {
        throw UsageError("inspect takes one file");
    }
    const std::string path = opts.positionals().empty() ? "poetry.lock" : opts.positionals()[0];
    if (looks_like_pyproject(path)) {
        const auto pyproject = lock2nix::read_pyproject(path);
        std::cout << lock2nix::model_json(pyproject) << '\n';
        return exit_ok;
    }
    const std::string text = lock2nix::read_file(path);
    if (lock2nix::detect_lock_format(path, text) == lock2nix::LockFormat::pylock) {
        return inspect_pylock(lock2nix::parse_pylock(text, path), opts.flag("--json"));
    }
    const auto lock = lock2nix::parse_lock(text, path);
    if (opts.flag("--json")) {
        std::cout << lock2nix::model_json(lock) << '\n';
        return exit_ok;
    }
    std::cout << lock.path << ": lock-version "
              << (lock.lock_version.empty() ? "(none)" : lock.lock_version) << " ("
              << lock2nix::to_string(lock.generation) << "), " << lock.packages.size()
              << " packages, python " << lock.python_versions << '\n';
    for (const auto& p : lock.packages) {
        std::cout << "  " << p.name << ' ' << p.version;
        if (p.source) {
            std::cout << " [" << lock2nix::to_string(p.source->kind) << ' ' << p.source->url << ']';
        }
        std::cout << " (" << p.files.size() << " files)\n";
    }
    return exit_ok;
}

int cmd_check(const std::vector<std::string>& args) {
    const Options opts(args, OptionSpec{.values = {"--lock", "--pyproject", "--nix"}});
    if (opts.positionals().size() > 1 || (opts.positionals().size() == 1 && opts.has("--lock"))) {
        throw UsageError("check takes one lock file, as LOCK or --lock LOCK");
    }
    const std::string lock_path =
        opts.positionals().empty() ? opts.value("--lock", "poetry.lock") : opts.positionals()[0];
    const std::string pyproject_path = opts.value("--pyproject", sibling_pyproject(lock_path));
    const std::string text = lock2nix::read_file(lock_path);
    if (lock2nix::detect_lock_format(lock_path, text) == lock2nix::LockFormat::pylock) {
        // Read in full: a file that does not follow the specification is refused here too.
        lock2nix::parse_pylock(text, lock_path);
        std::cout << lock_path
                  << ": a pylock records no digest of the pyproject it was locked from, so "
                     "whether it is stale against it cannot be told\n";
    } else {
        // Only [metadata] is needed: parse_lock_stamp skips modelling the packages.
        const auto lock = lock2nix::parse_lock_stamp(text, lock_path);
        const auto result =
            lock2nix::check_freshness(lock.content_hash, lock.lock_version,
                                      lock2nix::read_content_hash_inputs(pyproject_path));
        if (!result.fresh) {
            std::cerr << lock_path << ": " << result.reason << '\n';
            return exit_negative;
        }
        std::cout << lock_path << ": " << result.reason << '\n';
    }
    if (opts.has("--nix")) {
        // The Nix file records the digests of what it was made from.
        const std::string nix_path = opts.value("--nix");
        const auto nix = lock2nix::nix_file_freshness(nix_path, lock_path, pyproject_path);
        if (!nix.fresh) {
            std::cerr << nix_path << ": " << nix.reason << '\n';
            return exit_negative;
        }
        std::cout << nix_path << ": " << nix.reason << '\n';
    }
    return exit_ok;
}

// Splits repeated and comma-separated option values: `--with a,b --with c`.
std::vector<std::string> list_option(const Options& opts, const std::string& name) {
    std::vector<std::string> out;
    for (const std::string& value : opts.all(name)) {
        std::size_t start = 0;
        while (start <= value.size()) {
            auto comma = value.find(',', start);
            if (comma == std::string::npos) {
                comma = value.size();
            }
            if (comma > start) {
                out.push_back(value.substr(start, comma - start));
            }
            start = comma + 1;
        }
    }
    return out;
}

const OptionSpec selection_spec{
    .flags = {"--json", "--all-extras", "--prefer-sdists"},
    .values = {"--system", "--python", "--nixpkgs", "--pyproject", "--macos", "--glibc", "--musl"},
    .repeatable = {"--with", "--without", "--only", "--extras", "--sdist", "--wheel"},
};

// plan, explain and verify plan exactly as the translation does: the same override database,
// and digests completed through the index where the lock lacks them.
OptionSpec plan_spec() {
    OptionSpec spec = selection_spec;
    spec.flags.insert("--no-default-overrides");
    spec.flags.insert("--offline");
    spec.flags.insert("--refresh");
    spec.flags.insert("--quiet");
    spec.values.insert("--index-url");
    spec.values.insert("--cacert");
    spec.values.insert("--concurrency");
    spec.repeatable.insert("--overrides");
    return spec;
}

OptionSpec translate_spec() {
    OptionSpec spec = plan_spec();
    spec.flags.insert("--impure-git");
    spec.flags.insert("--allow-outside-project");
    spec.values.insert("--project-root");
    spec.values.insert("--output");
    spec.repeatable.insert("--system");
    spec.repeatable.insert("--python");
    spec.values.erase("--system");
    spec.values.erase("--python");
    spec.short_names['o'] = "--output";
    return spec;
}

lock2nix::TranslateOptions translate_options(const Options& opts) {
    lock2nix::TranslateOptions t;
    t.pyproject_path = opts.value("--pyproject");
    t.systems = list_option(opts, "--system");
    t.pythons = list_option(opts, "--python");
    t.nixpkgs = opts.value("--nixpkgs");
    t.glibc = opts.value("--glibc");
    t.musl = opts.value("--musl");
    t.macos = opts.value("--macos");
    t.request.with = list_option(opts, "--with");
    t.request.without = list_option(opts, "--without");
    t.request.only = list_option(opts, "--only");
    t.request.extras = list_option(opts, "--extras");
    t.request.all_extras = opts.flag("--all-extras");
    t.policy.prefer_sdists = opts.flag("--prefer-sdists");
    for (const auto& n : list_option(opts, "--sdist")) {
        t.policy.sdist_packages.insert(lock2nix::canonicalize_name(n));
    }
    for (const auto& n : list_option(opts, "--wheel")) {
        t.policy.wheel_packages.insert(lock2nix::canonicalize_name(n));
    }
    t.git_mode = opts.flag("--impure-git") ? lock2nix::GitMode::impure : lock2nix::GitMode::pure;
    t.override_files = opts.all("--overrides");
    t.default_overrides = !opts.flag("--no-default-overrides");
    t.index.offline = opts.flag("--offline");
    t.index.refresh = opts.flag("--refresh");
    t.index.progress = !opts.flag("--quiet");
    t.index.cacert = opts.value("--cacert");
    if (opts.has("--concurrency")) {
        try {
            t.index.concurrency = std::stoi(opts.value("--concurrency"));
        } catch (const std::exception&) {
            throw UsageError("--concurrency takes a number");
        }
    }
    t.index_url = opts.value("--index-url");
    return t;
}

// The lock, its pyproject (when there is one) and the plan of the one target that the selection
// options ask for.
struct Planned {
    lock2nix::Project project;
    lock2nix::TargetPlan plan;
    lock2nix::TargetChoice choice;
    const lock2nix::Lock& lock() const { return project.lock; }
};

Planned plan_from(const Options& opts, const std::string& lock_path) {
    Planned out{lock2nix::load_project(lock_path, opts.value("--pyproject")), {}, {}};
    lock2nix::TranslateOptions t = translate_options(opts);
    // A platform version for the other OS is a mistake worth saying (a translation, with its
    // several systems, applies each to the systems of its OS).
    lock2nix::Target probe = lock2nix::Target::make(
        t.systems.empty() ? lock2nix::host_system() : t.systems.front(), "3.11");
    for (const char* kind : {"macos", "glibc", "musl"}) {
        if (opts.has(std::string("--") + kind)) {
            probe.set_platform_version(kind, opts.value(std::string("--") + kind));
        }
    }
    const lock2nix::OverrideDatabase overrides =
        lock2nix::load_overrides(t.default_overrides, out.project.pyproject_path, t.override_files);
    lock2nix::IndexClient client(t.index);
    lock2nix::IndexFetcher fetcher(client, lock2nix::LocateOptions{lock2nix::pypi_url(t)},
                                   out.project.lock_dir);
    // --system and --python take one value here: one target.
    out.plan = std::move(
        lock2nix::plan_for(out.project, t, overrides, fetcher, &out.choice).targets.front());
    for (const auto& w : out.choice.warnings) {
        std::cerr << "warning: " << cli_text(w) << '\n';
    }
    return out;
}

int cmd_plan(const std::vector<std::string>& args) {
    const Options opts(args, plan_spec());
    if (opts.positionals().size() > 1) {
        throw UsageError("plan takes one lock file");
    }
    const std::string lock_path =
        opts.positionals().empty() ? "poetry.lock" : opts.positionals()[0];
    const Planned p = plan_from(opts, lock_path);
    if (!p.choice.python_reason.empty() && opts.flag("--json") && !opts.flag("--quiet")) {
        std::cerr << "note: " << cli_text(p.choice.python_reason) << '\n';
    }
    if (opts.flag("--json")) {
        lock2nix::write_json(std::cout, p.lock(), p.plan);
        std::cout << '\n';
        return exit_ok;
    }
    const auto& sel = p.plan.selection;
    std::cout << "target " << sel.target.describe() << ", groups " << join_list(sel.groups)
              << ", extras " << (sel.extras.empty() ? "none" : join_list(sel.extras)) << '\n';
    std::cout << "nixpkgs " << p.choice.release->name << "; "
              << (p.choice.python_reason.empty()
                      ? "Python " + sel.target.python_version() + " as named"
                      : cli_text(p.choice.python_reason))
              << '\n';
    std::size_t others = 0;
    for (std::size_t i : p.plan.graph.order) {
        const lock2nix::PlannedPackage& planned = *p.plan.find(i);
        if (!planned.in_default) {
            ++others;
            continue;
        }
        const auto& pkg = p.lock().packages[i];
        std::cout << "  " << pkg.canonical_name << ' ' << pkg.version << "  "
                  << planned.artifact->reason << '\n';
    }
    for (const auto& cycle : p.plan.graph.cycles) {
        std::cout << "  cycle:";
        for (std::size_t i : cycle) {
            std::cout << ' ' << p.lock().packages[i].canonical_name;
        }
        std::cout << '\n';
    }
    std::cout << sel.packages.size() << " packages in, " << sel.excluded.size() << " out";
    if (others > 0) {
        std::cout << " (" << others << " more for other groups and extras, through mkEnv)";
    }
    std::cout << '\n';
    for (const auto& w : sel.warnings) {
        std::cerr << "warning: " << lock2nix::printable(w) << '\n';
    }
    return exit_ok;
}

int cmd_explain(const std::vector<std::string>& args) {
    OptionSpec spec = plan_spec();
    spec.flags.erase("--json"); // explain's answer is prose
    const Options opts(args, spec);
    if (opts.positionals().empty() || opts.positionals().size() > 2) {
        throw UsageError("explain takes a package name and optionally a lock file");
    }
    const std::string lock_path =
        opts.positionals().size() > 1 ? opts.positionals()[1] : "poetry.lock";
    const Planned p = plan_from(opts, lock_path);
    std::cout << lock2nix::explain(p.lock(), p.plan.selection, opts.positionals()[0]);
    // What the emitted file does with it, from the same plan.
    for (std::size_t i : p.lock().find(opts.positionals()[0])) {
        const auto& pkg = p.lock().packages[i];
        if (const lock2nix::PlannedPackage* planned = p.plan.find(i)) {
            std::cout << pkg.canonical_name << ' ' << pkg.version << ": "
                      << (planned->artifact ? "built from " + planned->artifact->reason
                                            : "not installable: " + planned->unavailable)
                      << '\n';
        } else if (p.plan.selection.contains(i)) {
            std::cout << pkg.canonical_name << ' ' << pkg.version
                      << ": left out of the file by the override database (disabled)\n";
        }
    }
    if (p.lock().find(opts.positionals()[0]).empty()) {
        return exit_negative;
    }
    return exit_ok;
}

std::string shell_quote(const std::string& s) {
    if (!s.empty() &&
        s.find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=,+:@") ==
            std::string::npos) {
        return s;
    }
    std::string out = "'";
    for (char c : s) {
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return out + "'";
}

int cmd_verify(const std::vector<std::string>& args) {
    // The translation's options without those about the file it writes (-o, --impure-git).
    OptionSpec spec = translate_spec();
    spec.flags.erase("--impure-git");
    spec.flags.erase("--json");
    spec.values.erase("--output");
    spec.short_names.erase('o');
    const Options opts(args, spec);
    if (opts.positionals().size() > 1) {
        throw UsageError("verify takes one lock file");
    }
    lock2nix::TranslateOptions t = translate_options(opts);
    t.lock_path = opts.positionals().empty() ? "poetry.lock" : opts.positionals()[0];
    int bad = 0;
    for (const auto& v : lock2nix::verify_files(t)) {
        // File names come from the lock and URLs may carry a source's credentials: printed
        // escaped and without them.
        const std::string file = lock2nix::printable(v.file);
        if (v.ok()) {
            std::cout << "ok        " << file << '\n';
        } else if (!v.error.empty()) {
            std::cout << "ERROR     " << file << " (" << lock2nix::printable(v.package)
                      << "): " << cli_text(lock2nix::redact_urls_in(v.error)) << '\n';
            ++bad;
        } else {
            std::cout << "MISMATCH  " << file << " (" << lock2nix::printable(v.package)
                      << "): the lock says " << v.expected << ", "
                      << lock2nix::printable(lock2nix::redact_url(v.url)) << " has " << v.actual
                      << '\n';
            ++bad;
        }
    }
    if (bad > 0) {
        std::cerr << bad << " file" << (bad == 1 ? "" : "s") << " failed verification\n";
        return exit_negative;
    }
    return exit_ok;
}

int cmd_translate(const std::vector<std::string>& args) {
    const Options opts(args, translate_spec());
    if (opts.positionals().size() != 1) {
        throw UsageError("give one lock file to translate");
    }
    lock2nix::TranslateOptions t = translate_options(opts);
    t.lock_path = opts.positionals()[0];
    t.output_path = opts.value("--output");
    t.project_root = opts.value("--project-root");
    t.allow_outside_project = opts.flag("--allow-outside-project");
    std::string command = "lock2nix";
    for (const auto& a : args) {
        command += " " + shell_quote(a);
    }
    t.command = command;
    lock2nix::Translation translation;
    if (t.output_path.empty() || t.output_path == "-") {
        // Standard output cannot be taken back: the file reaches it once it is complete.
        lock2nix::write_when_complete(std::cout, [&](std::ostream& out) {
            t.output_stream = &out;
            translation = lock2nix::translate(t);
        });
    } else {
        // Never over an input: the lock, the pyproject, an overrides file (-o poetry.lock is a
        // typo away). The file is written as it is rendered, into a temporary renamed at the end.
        const auto beside = std::filesystem::path(t.lock_path).parent_path() / "pyproject.toml";
        std::vector<std::string> inputs{t.lock_path, t.pyproject_path, beside.string()};
        inputs.insert(inputs.end(), t.override_files.begin(), t.override_files.end());
        lock2nix::write_file_atomically(
            t.output_path,
            [&](std::ostream& out) {
                t.output_stream = &out;
                translation = lock2nix::translate(t);
            },
            true, inputs);
    }
    for (const auto& w : translation.warnings) {
        std::cerr << "warning: " << cli_text(w) << '\n';
    }
    if (!opts.flag("--quiet")) {
        for (const auto& n : translation.notes) {
            std::cerr << "note: " << cli_text(n) << '\n';
        }
    }
    return exit_ok;
}

std::string describe_value(const lock2nix::OverrideValue& v) {
    if (const auto* b = std::get_if<bool>(&v)) {
        return *b ? "true" : "false";
    }
    if (const auto* s = std::get_if<std::string>(&v)) {
        return "\"" + *s + "\"";
    }
    if (const auto* l = std::get_if<std::vector<std::string>>(&v)) {
        std::string out = "[";
        for (std::size_t i = 0; i < l->size(); ++i) {
            out += (i ? ", \"" : "\"") + (*l)[i] + "\"";
        }
        return out + "]";
    }
    if (const auto* patches = std::get_if<std::vector<lock2nix::PatchFile>>(&v)) {
        std::string out = "[";
        for (std::size_t i = 0; i < patches->size(); ++i) {
            const auto& p = (*patches)[i];
            out += std::string(i ? ", \"" : "\"") +
                   (p.project_path.empty() ? p.name : p.project_path) + "\"";
        }
        return out + "]";
    }
    if (const auto* paths = std::get_if<std::vector<lock2nix::PackagePath>>(&v)) {
        std::string out = "[";
        for (std::size_t i = 0; i < paths->size(); ++i) {
            const auto& p = (*paths)[i];
            out += std::string(i ? ", " : "") + "{ package = \"" + p.package + "\", subdir = \"" +
                   p.subdir + "\"" + (p.optional ? ", optional = true" : "") + " }";
        }
        return out + "]";
    }
    std::string out = "{";
    for (const auto& [k, s] : std::get<std::map<std::string, std::string>>(v)) {
        out += (out.size() > 1 ? ", " : " ") + k + " = \"" + s + "\"";
    }
    return out + " }";
}

// `lock2nix overrides show NAME[==VERSION]`: the effective entry and where each key came from.
int cmd_overrides(const std::vector<std::string>& args) {
    const Options opts(args, OptionSpec{.flags = {"--no-default-overrides"},
                                        .values = {"--pyproject"},
                                        .repeatable = {"--overrides"}});
    if (opts.positionals().size() == 1 && opts.positionals()[0] == "keys") {
        std::cout << lock2nix::override_keys_markdown();
        return exit_ok;
    }
    if (opts.positionals().size() != 2 || opts.positionals()[0] != "show") {
        throw UsageError("usage: lock2nix overrides show NAME[==VERSION] [--pyproject F] "
                         "[--overrides F], or lock2nix overrides keys");
    }
    const std::string query = opts.positionals()[1];
    const auto eq = query.find("==");
    const std::string name = query.substr(0, eq);
    const std::string version = eq == std::string::npos ? std::string() : query.substr(eq + 2);
    const auto db = lock2nix::load_overrides(!opts.flag("--no-default-overrides"),
                                             opts.value("--pyproject", "pyproject.toml"),
                                             opts.all("--overrides"));
    const auto entries = db.entries(name);
    std::cout << lock2nix::canonicalize_name(name) << (version.empty() ? "" : " " + version) << ": "
              << entries.size() << (entries.size() == 1 ? " entry" : " entries") << '\n';
    const auto parsed = lock2nix::pep440::Version::try_parse(version);
    for (const auto& e : entries) {
        const bool applies =
            version.empty() || !e.versions || (parsed && e.versions->contains(*parsed, true));
        std::cout << "  [" << lock2nix::to_string(e.layer) << "] " << e.where()
                  << (e.versions_text.empty() ? "" : " versions " + e.versions_text)
                  << (e.dist ? " dist " + std::string(lock2nix::to_string(*e.dist)) : "")
                  << (applies ? "" : " (not for " + version + ")") << '\n';
        if (!e.why.empty()) {
            // Continuation lines of a multi-line reason stay under the first.
            std::string why = e.why;
            while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) {
                why.pop_back();
            }
            for (std::size_t at = why.find('\n'); at != std::string::npos;
                 at = why.find('\n', at + 10)) {
                why.replace(at, 1, "\n         ");
            }
            std::cout << "    why: " << why << '\n';
        }
    }
    if (version.empty()) {
        return entries.empty() ? exit_negative : exit_ok;
    }
    // With `dist` entries the settings differ by artifact: one block for each.
    const bool by_dist =
        std::any_of(entries.begin(), entries.end(), [](const auto& e) { return e.dist; });
    bool any = false;
    auto show = [&](std::optional<lock2nix::Dist> dist) {
        const auto recipe = db.resolve(name, version, dist);
        std::cout << "effective for " << version
                  << (dist ? " (" + std::string(lock2nix::to_string(*dist)) + ")" : "") << ":\n";
        for (const auto& [key, value] : recipe.settings) {
            std::cout << "  " << key << " = " << describe_value(value) << "    # "
                      << recipe.origins.at(key).describe() << '\n';
        }
        any = any || !recipe.empty();
    };
    if (by_dist) {
        show(lock2nix::Dist::wheel);
        show(lock2nix::Dist::sdist);
    } else {
        show(std::nullopt);
    }
    return any ? exit_ok : exit_negative;
}

int cmd_releases(const std::vector<std::string>& args) {
    if (!args.empty()) {
        throw UsageError("releases takes no arguments");
    }
    for (const lock2nix::NixpkgsRelease& r : lock2nix::nixpkgs_releases()) {
        std::cout << r.name << (&r == &lock2nix::default_nixpkgs_release() ? " (default)" : "")
                  << ": " << r.description << "\n  python";
        for (auto it = r.pythons.rbegin(); it != r.pythons.rend(); ++it) {
            std::cout << ' ' << it->full;
        }
        std::cout << "\n  glibc " << r.glibc_major << '.' << r.glibc_minor << ", macOS "
                  << r.macos_major << '.' << r.macos_minor << '\n';
    }
    return exit_ok;
}

// The subcommand being run, for usage errors (empty for the translation itself).
std::string current_command;

int run(const std::vector<std::string>& argv) {
    if (argv.empty()) {
        std::cerr << usage_text;
        return exit_bad_input;
    }
    const std::string& command = argv.front();
    const std::vector<std::string> rest(argv.begin() + 1, argv.end());
    const std::map<std::string, std::function<int(const std::vector<std::string>&)>> commands{
        {"inspect", cmd_inspect},   {"check", cmd_check},         {"plan", cmd_plan},
        {"explain", cmd_explain},   {"overrides", cmd_overrides}, {"verify", cmd_verify},
        {"releases", cmd_releases},
    };
    if (command == "help" || command == "--help" || command == "-h") {
        std::cout << usage_text;
        return exit_ok;
    }
    if (command == "version" || command == "--version") {
        std::cout << "lock2nix " << LOCK2NIX_VERSION << '\n';
        return exit_ok;
    }
    auto it = commands.find(command);
    if (it != commands.end()) {
        current_command = command;
        if (std::find(rest.begin(), rest.end(), "--help") != rest.end() ||
            std::find(rest.begin(), rest.end(), "-h") != rest.end()) {
            std::cout << command_help(command);
            return exit_ok;
        }
    }
    if (it == commands.end()) {
        // path_present, not std::filesystem::exists: that throws on a symlink loop, which
        // ended in "internal error" instead of read_file's message naming the file.
        if (command.starts_with("-") || command.ends_with(".lock") ||
            lock2nix::path_present(command)) {
            return cmd_translate(argv);
        }
        throw UsageError("unknown command `" + command + "` (and no such lock file)");
    }
    return it->second(rest);
}

} // namespace

int main(int argc, char** argv) {
    // glibc's fastbins hand freed small chunks back unmerged and merge them all, in
    // malloc_consolidate, whenever a large block is asked for: with the millions of small nodes
    // of a large lock that was 15% of a translation at 100k packages and grew faster than the
    // lock. Without fastbins, frees merge at once; 20% less CPU at 10k packages.
    mallopt(M_MXFAST, 0);
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        const int code = run(args);
        // stdio reports a full disk or a closed descriptor behind stdout only when it flushes:
        // without this, `lock2nix poetry.lock > /dev/full` said nothing and exited 0.
        errno = 0;
        std::cout.flush();
        if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0 || !std::cout) {
            const int err = errno;
            std::cerr << "lock2nix: error: cannot write to standard output"
                      << (err != 0 ? std::string(": ") + std::strerror(err) : std::string())
                      << "\n  hint: check the disk or pipe it goes to, or write with -o FILE\n";
            return exit_bad_input;
        }
        return code;
    } catch (const UsageError& e) {
        if (current_command.empty()) {
            std::cerr << "lock2nix: " << e.what() << "\n\n" << usage_text;
        } else {
            std::cerr << "lock2nix " << current_command << ": " << e.what() << "\n\n"
                      << command_help(current_command) << "(`lock2nix " << current_command
                      << " --help` shows this; `lock2nix help` lists every command)\n";
        }
        return exit_bad_input;
    } catch (const lock2nix::Error& e) {
        std::cerr << e.describe(cli_flag) << '\n';
        return exit_bad_input;
    } catch (const std::bad_alloc&) {
        std::cerr << "lock2nix: error: out of memory\n";
        return exit_bad_input;
    } catch (const std::exception& e) {
        std::cerr << "lock2nix: internal error: " << e.what()
                  << "\n  hint: please report this with the input that caused it\n";
        return exit_bad_input;
    }
}
