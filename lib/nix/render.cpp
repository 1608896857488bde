#include "lock2nix/nix/render.hpp"

#include "lock2nix/fetch/sources.hpp"
#include "lock2nix/fetch/urls.hpp"
#include "lock2nix/hash.hpp"
#include "lock2nix/nix/writer.hpp"
#include "lock2nix/resolve/graph.hpp"
#include "lock2nix/standards/names.hpp"
#include "lock2nix/standards/pep508.hpp"
#include "lock2nix/standards/tags.hpp"
#include "lock2nix/version.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <ostream>
#include <set>

namespace lock2nix {

namespace {

using nix::Value;

// Derivation names accept a narrow alphabet; anything else becomes '-'.
std::string store_safe(std::string_view s) {
    std::string out;
    for (char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.' || c == '_' ||
                        c == '?' || c == '=';
        out += ok ? c : '-';
    }
    if (out.empty() || out.front() == '.') {
        out.insert(out.begin(), '_');
    }
    return out;
}

Value strings(const std::vector<std::string>& items) {
    std::vector<Value> out;
    out.reserve(items.size());
    for (const auto& s : items) {
        out.push_back(Value::str(s));
    }
    return Value::list(std::move(out));
}

// `python.pkgs.name`.
Value python_package(std::string name) {
    return Value::select(Value::var("python"), {"pkgs", std::move(name)});
}

// `pkgs.a.b` for a path of the override database (identifiers joined by dots, checked when the
// database was read; each is quoted here all the same when it needs it).
Value pkgs_path(std::string_view dotted) {
    std::vector<std::string> path;
    for (std::size_t start = 0;;) {
        const auto dot = dotted.find('.', start);
        path.emplace_back(dotted.substr(start, dot - start));
        if (dot == std::string_view::npos) {
            break;
        }
        start = dot + 1;
    }
    return Value::select(Value::var("pkgs"), std::move(path));
}

// "sha256-…" from a lock file entry; Nix verifies md5, sha1, sha256 and sha512.
std::string sri_of(const Lock& lock, const FileEntry& f) {
    if (!f.has_valid_digest()) {
        throw Error("file `" + f.name + "` has a malformed digest \"" + excerpt(f.hash()) + "\"",
                    lock.path, f.position, "regenerate the lock with `poetry lock`");
    }
    if (f.algorithm != "sha256" && f.algorithm != "sha512" && f.algorithm != "sha1" &&
        f.algorithm != "md5") {
        throw Error("file `" + f.name + "` is pinned by " + f.algorithm +
                        ", which Nix cannot verify",
                    lock.path, f.position,
                    "regenerate the lock against an index that serves sha256 digests");
    }
    return to_sri(f.algorithm, *from_hex(f.digest));
}

// Nix derives a store name from the URL's last part unless told; a URL with `%2B` (every local
// version such as torch's `+cu118`) makes one Nix refuses, so the file is named after the lock's
// file name, made store-safe.
Value fetchurl_value(const Lock& lock, const Package& p, const FileEntry& f,
                     const ResolvedSources& sources) {
    Value args = Value::set_of();
    args.set("name", Value::str(store_safe(f.name)));
    if (auto it = sources.urls.find(f.name); it != sources.urls.end()) {
        args.set("url", Value::str(redact_url(it->second)));
    } else {
        // Credentials in a source URL let lock2nix read the index; they must not be written into
        // the expression (the Nix daemon's netrc gives them at build time).
        auto urls = predicted_urls(p, f);
        for (auto& u : urls) {
            u = redact_url(u);
        }
        if (urls.size() == 1) {
            args.set("url", Value::str(urls.front()));
        } else {
            args.set("urls", strings(urls));
        }
    }
    args.set("hash", Value::str(sri_of(lock, f)));
    return Value::call(Value::var("fetchurl"), std::move(args));
}

// "poetry-core>=1.0" -> python.pkgs.poetry-core. Requirements are canonicalised; names from the
// override database are nixpkgs attribute names already ("cython_0") and kept as written.
// maturin is no Python package in nixpkgs but a program run by rustPlatform.maturinBuildHook,
// which the Rust parts of the build add (set_rust_build): it is left out here.
Value build_systems(const std::vector<std::string>& requirements, bool attribute_names = false) {
    std::vector<Value> out;
    std::set<std::string> seen;
    bool maturin = false;
    for (const auto& r : requirements) {
        const std::string_view written = leading_project_name(r);
        std::string name = attribute_names ? std::string(written) : canonicalize_name(written);
        // The old `poetry.masonry.api` backend lives on as poetry-core (see old_poetry_patch).
        if (name == "poetry") {
            name = "poetry-core";
        }
        if (name == "maturin") {
            maturin = true;
            continue;
        }
        if (!name.empty() && seen.insert(name).second) {
            out.push_back(python_package(std::move(name)));
        }
    }
    if (out.empty() && !maturin) {
        out.push_back(python_package("setuptools"));
    }
    return Value::list(std::move(out));
}

// How sdists (and every other source build) are built. nixpkgs builds `pyproject = true` packages
// with pypaBuildHook (pkgs/development/interpreters/python/hooks/pypa-build-hook.sh:
// `python -m build --no-isolation --outdir dist/ $pypaBuildFlags`), which runs pypa/build's
// check of [build-system] requires (and of the backend's get_requires_for_build_wheel) against the
// build inputs: a pin nixpkgs' versions do not meet (`setuptools>=70`, `Cython<3`,
// `poetry-core>=2`) stops the build with "Missing dependencies", for a reason written in a file
// the user never sees. lock2nix gives every backend the sdist declares by name (read from the
// sdist) and builds with nixpkgs' versions, as poetry2nix did (pip wheel --no-build-isolation
// checks nothing): `--skip-dependency-check`, honoured by the same hook. A backend that really
// needs the newer version then fails in the backend itself, and the package's comment names the
// pin that was not checked. See docs/wheels-and-sdists.md. An override entry's flags follow.
void set_build_flags(Value& args, const std::vector<std::string>& recipe_flags = {}) {
    std::vector<Value> flags{Value::str("--skip-dependency-check")};
    for (const auto& f : recipe_flags) {
        flags.push_back(Value::str(f));
    }
    args.set("pypaBuildFlags", Value::list(std::move(flags)));
}

// The requirements of a declared [build-system] that apply to the target: an entry whose marker
// fails there (`tomli; python_version < "3.11"`) is not a build input.
std::vector<std::string> for_target(const std::vector<std::string>& requirements,
                                    const Target& target) {
    std::vector<std::string> out;
    const pep508::Environment env = target.marker_environment();
    for (const auto& r : requirements) {
        const auto req = pep508::Requirement::try_parse(r);
        if (req && req->marker) {
            try {
                if (!req->marker->evaluate(env, pep508::Mode::poetry)) {
                    continue;
                }
            } catch (const Error&) {
                // a comparison packaging calls undefined: keep the requirement
            }
        }
        out.push_back(r);
    }
    return out;
}

// Quotes for the shell: text from the input must not become code in a build script. Single
// quotes, or double quotes around a single quote when nothing in the text is special there.
std::string shell_quote(std::string_view s) {
    if (s.find('\'') != std::string_view::npos &&
        s.find_first_of("\"$`\\!") == std::string_view::npos) {
        return "\"" + std::string(s) + "\"";
    }
    std::string out = "'";
    for (char ch : s) {
        if (ch == '\'') {
            out += "'\\''";
        } else {
            out += ch;
        }
    }
    return out + "'";
}

// The old Poetry backend (`build-backend = "poetry.masonry.api"`, `requires = ["poetry>=0.12"]`)
// lives on in poetry-core as `poetry.core.masonry.api`: the backend string is rewritten, and so
// is the requirement, so that nothing in the build asks for `poetry` (which is the whole tool,
// not a backend). Empty for any other backend.
std::string old_poetry_patch(const BuildSystem& b) {
    if (b.build_backend != "poetry.masonry.api") {
        return {};
    }
    std::string out = "substituteInPlace pyproject.toml --replace-fail poetry.masonry.api "
                      "poetry.core.masonry.api";
    for (const auto& r : b.requirements) {
        if (requirement_name(r) != "poetry") {
            continue;
        }
        for (const char* quote : {"\"", "'"}) {
            out += " --replace-quiet " + shell_quote(quote + r + quote) + " " +
                   shell_quote(std::string(quote) + "poetry-core" + quote);
        }
    }
    return out;
}

Value project_path(const std::string& rel) {
    // An absolute path in the lock stays absolute (`projectDir + "//etc/x"` would silently
    // point inside the project); `/. + "…"` is a path whatever characters it holds.
    if (rel.starts_with("/")) {
        return Value::parens(Value::plus(Value::raw("/."), Value::str(rel)));
    }
    return Value::plus(Value::var("projectDir"), Value::str("/" + rel));
}

// manylinux wheels run against the libraries of the manylinux policy they name.
std::string manylinux_set(const std::string& best_tag) {
    if (best_tag.find("manylinux1_") != std::string::npos ||
        best_tag.find("manylinux_2_5_") != std::string::npos) {
        return "manylinux1";
    }
    if (best_tag.find("manylinux2010_") != std::string::npos ||
        best_tag.find("manylinux_2_12_") != std::string::npos) {
        return "manylinux2010";
    }
    return "manylinux2014";
}

// A package inside a subdirectory of a checkout: `let checkout = …; in "${checkout}/sub"`.
Value in_subdirectory(Value checkout, const std::string& subdirectory) {
    if (subdirectory.empty()) {
        return checkout;
    }
    Value bindings = Value::set_of();
    bindings.set("checkout", std::move(checkout));
    return Value::let_in(
        std::move(bindings),
        Value::interpolated({Value::var("checkout"), Value::str("/" + subdirectory)}));
}

// A glob of poetry-core's (`*`, `?`, `[...]`, `**` across folders) as a POSIX regular expression
// over a path relative to the project, for builtins.match.
std::string glob_regex(const std::string& glob) {
    std::string out;
    for (std::size_t i = 0; i < glob.size(); ++i) {
        const char c = glob[i];
        if (c == '*' && i + 1 < glob.size() && glob[i + 1] == '*') {
            const bool folder = i + 2 < glob.size() && glob[i + 2] == '/';
            out += folder ? "(.*/)?" : ".*";
            i += folder ? 2 : 1;
        } else if (c == '*') {
            out += "[^/]*";
        } else if (c == '?') {
            out += "[^/]";
        } else if (c == '[' && glob.find(']', i + 1) != std::string::npos) {
            const auto close = glob.find(']', i + 1);
            std::string set = glob.substr(i + 1, close - i - 1);
            if (set.starts_with("!")) {
                set[0] = '^';
            }
            out += "[" + set + "]";
            i = close;
        } else if (c == '^') {
            out += "\\^"; // `[^]` would open a negated set
        } else if (std::string_view(".$+(){}|\\").find(c) != std::string_view::npos) {
            out += std::string("[") + c + "]";
        } else {
            out += c;
        }
    }
    return out;
}

// What projectSource copies of a project (lib/nix/source.nix).
Value packaged_value(const PackagedFiles& packaged) {
    Value v = Value::set_of();
    v.set("everything", Value::boolean(packaged.everything));
    v.set("paths", strings(packaged.paths));
    std::vector<Value> patterns;
    for (const std::string& glob : packaged.globs) {
        Value pattern = Value::set_of();
        const auto wildcard = glob.find_first_of("*?[");
        const auto slash = glob.rfind('/', wildcard);
        pattern.set("folder", Value::str(slash == std::string::npos ? "" : glob.substr(0, slash)));
        // Whether it reaches below that folder (a `/` or `**` after the first wildcard).
        const bool deep = glob.find('/', wildcard) != std::string::npos ||
                          glob.find("**", wildcard) != std::string::npos;
        pattern.set("deep", Value::boolean(deep));
        pattern.set("regex", Value::str(glob_regex(glob)));
        patterns.push_back(std::move(pattern));
    }
    v.set("patterns", Value::list(std::move(patterns)));
    return v;
}

// Everything one renderer call needs, so the helpers take one argument for it.
struct Context {
    const Lock& lock;
    const ResolvedSources& sources;
    const RenderOptions& options;
};

// A package's source, and for a git checkout the build-system lock2nix found in it (or its
// guess), which takes the place of what a recipe or the source declares.
struct Source {
    Value src;
    std::optional<Value> build_system;
};

Value url_source(const Context& c, const Package& p, const Artifact& a) {
    if (!a.file) {
        throw Error("url package `" + p.name + "` has no digest in the lock", c.lock.path,
                    p.position, "regenerate the lock with `poetry lock`");
    }
    Value f = Value::set_of();
    f.set("name", Value::str(store_safe(a.file->name)));
    f.set("url", Value::str(redact_url(p.source->url)));
    f.set("hash", Value::str(sri_of(c.lock, *a.file)));
    return Value::call(Value::var("fetchurl"), std::move(f));
}

Value directory_source(const Context& c, const Package& p, const PlannedPackage& planned) {
    std::string rel = p.source->url;
    if (!p.source->subdirectory.empty()) {
        rel += "/" + p.source->subdirectory;
    }
    // A folder that was not there at translation has no pyproject to read: copied whole.
    const auto local = c.sources.local_pyprojects.find(planned.package);
    if (local == c.sources.local_pyprojects.end()) {
        return Value::call(Value::select(Value::var("lib"), {"cleanSource"}), project_path(rel));
    }
    return Value::call(Value::var("projectSource"),
                       {project_path(rel), packaged_value(packaged_files(local->second))});
}

Source git_source(const Context& c, const Package& p, const PlannedPackage& planned) {
    const std::string rev =
        p.source->resolved_reference.empty() ? p.source->reference : p.source->resolved_reference;
    Value f = Value::set_of();
    f.set("url", Value::str(redact_url(p.source->url)));
    f.set("rev", Value::str(rev));
    if (c.options.git_mode == GitMode::impure) {
        f.set("allRefs", Value::boolean(true));
        Value fetch =
            Value::call(Value::select(Value::var("builtins"), {"fetchGit"}), std::move(f));
        return {in_subdirectory(std::move(fetch), p.source->subdirectory), build_systems({})};
    }
    auto g = c.sources.git.find(planned.package);
    if (g == c.sources.git.end()) {
        throw Error("no fetchgit hash was resolved for `" + p.name + "` (" +
                        redact_url(p.source->url) + ")",
                    c.lock.path, p.position, "resolve the sources before rendering");
    }
    f.set("hash", Value::str(g->second.hash));
    f.set("fetchSubmodules", Value::boolean(g->second.submodules));
    return {
        in_subdirectory(Value::call(Value::var("fetchgit"), std::move(f)), p.source->subdirectory),
        build_systems(g->second.build_requires)};
}

Source source_value(const Context& c, const Package& p, const PlannedPackage& planned,
                    const Artifact& a) {
    switch (a.kind) {
    case ArtifactKind::wheel:
    case ArtifactKind::sdist:
        return {fetchurl_value(c.lock, p, *a.file, c.sources), std::nullopt};
    case ArtifactKind::url:
        return {url_source(c, p, a), std::nullopt};
    case ArtifactKind::file:
        return {project_path(p.source->url), std::nullopt};
    case ArtifactKind::directory:
        return {directory_source(c, p, planned), std::nullopt};
    case ArtifactKind::git:
        return git_source(c, p, planned);
    }
    return {Value::null(), std::nullopt};
}

// A Nix string from literal text and the override database's interpolations: the text escaped,
// each interpolation a validated attribute path (`${pkgs.zlib}`, `${python.sitePackages}`,
// `${final.torch}`). No input text becomes Nix code.
Value interpolated(const std::vector<StringPart>& parts, const TargetPlan& t) {
    std::vector<Value> out;
    out.reserve(parts.size());
    for (const StringPart& part : parts) {
        switch (part.kind) {
        case StringPart::Kind::text:
            out.push_back(Value::str(part.value));
            break;
        case StringPart::Kind::pkgs:
            out.push_back(pkgs_path(part.value));
            break;
        case StringPart::Kind::python: // sitePackages or interpreter
            out.push_back(Value::select(Value::var("python"), {part.value}));
            break;
        case StringPart::Kind::package: {
            const PlannedPackage* q = nullptr;
            for (const PlannedPackage& candidate : t.packages) {
                if (candidate.key == part.value) {
                    q = &candidate;
                }
            }
            if (q == nullptr) { // the planner checked every reference
                throw Error("`@package:" + part.value + "@` names no package of the plan");
            }
            out.push_back(Value::select(Value::var("final"), {q->key}));
            break;
        }
        }
    }
    return Value::interpolated(std::move(out));
}

Value interpolated(std::string_view text, const TargetPlan& t) {
    return interpolated(split_interpolations(text), t);
}

// A shell snippet of lock2nix's own (`before`, literal) followed by the recipe's (interpolated).
Value shell_snippet(const std::string& before, const std::string& recipe, const TargetPlan& t) {
    std::vector<StringPart> parts;
    if (!before.empty()) {
        parts.push_back(StringPart{StringPart::Kind::text, before + (recipe.empty() ? "" : "\n")});
    }
    for (StringPart& part : split_interpolations(recipe)) {
        parts.push_back(std::move(part));
    }
    return interpolated(parts, t);
}

Value package_args(const Context& c, const TargetPlan& t, const PlannedPackage& planned,
                   const Artifact& a, const BuildRecipe& recipe);

// A package with both a fitting wheel and an sdist: both argument sets and the chosen one, which
// environment.nix builds (with the others on passthru.lock2nix, see docs/wheels-and-sdists.md).
// Otherwise the derivation itself.
Value package_value(const Context& c, const TargetPlan& t, const PlannedPackage& planned) {
    if (!planned.artifact) {
        Value v = Value::call(Value::var("throw"), Value::str(planned.unavailable));
        v.comments.push_back("not installable on " + t.target.describe());
        return v;
    }
    Value chosen = package_args(c, t, planned, *planned.artifact, *planned.recipe);
    if (!planned.alternative) {
        std::vector<std::string> comments = std::move(chosen.comments);
        chosen.comments.clear();
        Value v = Value::call(python_package("buildPythonPackage"), std::move(chosen));
        v.comments = std::move(comments);
        return v;
    }
    Value other =
        package_args(c, t, planned, planned.alternative->artifact, *planned.alternative->recipe);
    const bool wheel_chosen = planned.artifact->kind == ArtifactKind::wheel;
    Value choice = Value::set_of();
    choice.set("lock2nixChoice", Value::str(wheel_chosen ? "wheel" : "sdist"));
    Value& wheel = wheel_chosen ? chosen : other;
    Value& sdist = wheel_chosen ? other : chosen;
    choice.set("wheel", std::move(wheel));
    choice.set("sdist", std::move(sdist));
    choice.comments.emplace_back("wheel and sdist both fit: `overrides` can take the other "
                                 "(lock2nix's docs/wheels-and-sdists.md)");
    return choice;
}

// The build-system a source declares, when lock2nix read it: its requirements for this target.
// Returns the postPatch the old Poetry backend needs (empty for any other).
std::string set_declared_build_system(Value& args, const BuildSystem& b, const std::string& from,
                                      const Target& target, std::vector<std::string>& comments) {
    args.set("build-system", build_systems(for_target(b.requirements, target)));
    comments.push_back("build-system: " + from);
    std::string patch = old_poetry_patch(b);
    auto pinned = b.pinned_requirements();
    if (!patch.empty()) { // the old backend's `poetry>=0.12` is rewritten, not unchecked
        std::erase_if(pinned, [](const std::string& r) { return requirement_name(r) == "poetry"; });
    }
    if (!pinned.empty()) {
        std::string list;
        for (const auto& r : pinned) {
            list += (list.empty() ? "" : ", ") + r;
        }
        comments.push_back("versions not checked, nixpkgs' are used: " + list);
    }
    return patch;
}

// The Rust backend of a source build, from what lock2nix read of it (none when it read nothing).
RustBackend source_rust_backend(const Context& c, const PlannedPackage& planned,
                                const Artifact& a) {
    if (a.file) {
        const auto cargo = c.sources.cargo.find(a.file->name);
        if (cargo != c.sources.cargo.end() && cargo->second.backend != RustBackend::none) {
            return cargo->second.backend;
        }
        const auto sdist = c.sources.sdist_build_systems.find(a.file->name);
        if (sdist != c.sources.sdist_build_systems.end()) {
            return rust_backend(sdist->second);
        }
    }
    if (a.kind == ArtifactKind::directory) {
        const auto local = c.sources.local_pyprojects.find(planned.package);
        if (local != c.sources.local_pyprojects.end()) {
            return rust_backend(local->second.build_system);
        }
    }
    if (a.kind == ArtifactKind::git) {
        const auto git = c.sources.git.find(planned.package);
        if (git != c.sources.git.end()) {
            BuildSystem b;
            b.requirements = git->second.build_requires;
            return rust_backend(b);
        }
    }
    return RustBackend::none;
}

// The Rust parts of a source build, as nixpkgs writes them: maturin projects with cargoSetupHook
// and maturinBuildHook (which brings maturin, cargo and rustc; pydantic-core, orjson),
// setuptools-rust ones with cargoSetupHook, cargo and rustc (tiktoken); the crates from the
// sdist's Cargo.lock through importCargoLock, its text in the file's `cargoLocks` (rendered once
// for every target), `cargoRoot` where it is not at the top. Where the crates cannot be vendored,
// `cargoDeps` throws why when the derivation is made: the build stops at evaluation with the
// reason, not in cargo without network. Adds the native inputs to `native`.
void set_rust_build(Value& args, const Context& c, const Artifact& a, RustBackend backend,
                    std::vector<std::string>& comments, std::vector<std::string>& native) {
    const auto found = a.file ? c.sources.cargo.find(a.file->name) : c.sources.cargo.end();
    const CargoVendoring* v = found != c.sources.cargo.end() ? &found->second : nullptr;
    const std::string name(rust_backend_name(backend));
    if (v == nullptr) {
        if (backend == RustBackend::maturin) {
            native.emplace_back("rustPlatform.maturinBuildHook");
        }
        if (backend != RustBackend::none) {
            comments.push_back("Rust (" + name +
                               "): lock2nix vendors crates from an sdist's Cargo.lock only; give "
                               "this source's `cargoDeps` in `overrides`");
        }
        return;
    }
    if (v->problem.empty()) {
        Value import = Value::set_of();
        import.set("lockFileContents", Value::select(Value::var("cargoLocks"), {a.file->name}));
        if (!v->output_hashes.empty()) {
            Value hashes = Value::set_of();
            for (const auto& [crate, hash] : v->output_hashes) {
                hashes.set(crate, Value::str(hash));
            }
            import.set("outputHashes", std::move(hashes));
        }
        args.set("cargoDeps",
                 Value::call(pkgs_path("rustPlatform.importCargoLock"), std::move(import)));
        if (!v->directory.empty()) {
            args.set("cargoRoot", Value::str(v->directory));
        }
        comments.push_back("Rust (" + name + "): the crates of the sdist's " +
                           (v->directory.empty() ? std::string() : v->directory + "/") +
                           "Cargo.lock, fetched by the checksums it records");
    } else {
        // A value that throws only where a derivation is made of it (coerced to a string), not
        // where the arguments are evaluated strictly: the sdist's arguments stay in the wheel's
        // passthru, and evaluating those must not fail.
        Value unavailable = Value::set_of();
        unavailable.set("__toString", Value::lambda({"_"}, Value::call(Value::var("throw"),
                                                                       Value::str(v->problem))));
        args.set("cargoDeps", std::move(unavailable));
        comments.push_back("Rust: its crates cannot be vendored from the lock: " +
                           v->problem.substr(0, v->problem.find('\n')));
    }
    native.emplace_back("rustPlatform.cargoSetupHook");
    if (backend == RustBackend::maturin) {
        native.emplace_back("rustPlatform.maturinBuildHook");
    } else if (backend == RustBackend::setuptools_rust) {
        native.emplace_back("cargo");
        native.emplace_back("rustc");
    }
}

// A source build: `pyproject`, its build-system (the override database's, then a git checkout's,
// then what the source declares, then a guess), its build flags and its Rust parts (their native
// inputs in `native`). Returns the postPatch lock2nix needs.
std::string set_source_build(Value& args, const Context& c, const TargetPlan& t,
                             const PlannedPackage& planned, const Artifact& a,
                             const BuildRecipe& recipe, std::optional<Value> git_build_system,
                             std::vector<std::string>& comments, std::vector<std::string>& native) {
    std::string patch;
    args.set("pyproject", Value::boolean(true));
    const FileEntry* file = a.file ? &*a.file : nullptr;
    const auto local = c.sources.local_pyprojects.find(planned.package);
    const auto sdist = file != nullptr ? c.sources.sdist_build_systems.find(file->name)
                                       : c.sources.sdist_build_systems.end();
    const RustBackend rust = source_rust_backend(c, planned, a);
    if (!recipe.build_systems.empty()) {
        std::vector<std::string> names = recipe.build_systems;
        // The database's backends for a setuptools-rust sdist, its plugin included.
        if (rust == RustBackend::setuptools_rust &&
            std::find(names.begin(), names.end(), "setuptools-rust") == names.end()) {
            names.emplace_back("setuptools-rust");
        }
        args.set("build-system", build_systems(names, true));
    } else if (git_build_system) {
        args.set("build-system", std::move(*git_build_system));
    } else if (local != c.sources.local_pyprojects.end()) {
        patch = set_declared_build_system(args, local->second.build_system, "its pyproject.toml",
                                          t.target, comments);
    } else if (sdist != c.sources.sdist_build_systems.end()) {
        const BuildSystem& b = sdist->second;
        patch =
            set_declared_build_system(args, b,
                                      b.present ? "the sdist's pyproject.toml"
                                                : "the sdist declares none: setuptools (PEP 517)",
                                      t.target, comments);
    } else {
        args.set("build-system", build_systems({}));
        if (&a != &*planned.artifact) {
            // Only the chosen artifact's sdist is read at translation.
            comments.emplace_back("build-system: a guess (setuptools) for the sdist not "
                                  "chosen; an override entry with dist = \"sdist\" and "
                                  "build-systems names it");
        } else if (a.kind == ArtifactKind::sdist || a.kind == ArtifactKind::url) {
            comments.emplace_back("build-system: a guess (setuptools); lock2nix could not "
                                  "read the sdist (offline, nothing cached)");
        }
    }
    set_build_flags(args, recipe.pypa_build_flags);
    set_rust_build(args, c, a, rust, comments, native);
    return patch;
}

// The runtime dependencies: the plan's edges, then the recipe's extra ones (the locked package
// when there is one, else nixpkgs').
Value dependencies(const Context& c, const TargetPlan& t, const PlannedPackage& planned,
                   const BuildRecipe& recipe) {
    std::vector<Value> deps;
    std::set<std::string> names;
    for (std::size_t dep : planned.dependencies) {
        deps.push_back(Value::select(Value::var("final"), {t.find(dep)->key}));
        names.insert(c.lock.packages[dep].canonical_name);
    }
    for (const auto& extra_dep : recipe.dependencies) {
        std::string name = canonicalize_name(extra_dep);
        if (!names.insert(name).second) {
            continue;
        }
        const bool locked = std::any_of(t.packages.begin(), t.packages.end(),
                                        [&](const PlannedPackage& q) { return q.key == name; });
        deps.push_back(locked ? Value::select(Value::var("final"), {std::move(name)})
                              : python_package(std::move(name)));
    }
    return Value::list(std::move(deps));
}

// `pkgs.…` paths as a list, each once.
Value pkgs_paths(const std::vector<std::string>& first, const std::vector<std::string>& then) {
    std::vector<std::string> seen;
    std::vector<Value> out;
    for (const auto* paths : {&first, &then}) {
        for (const auto& path : *paths) {
            if (std::find(seen.begin(), seen.end(), path) == seen.end()) {
                seen.push_back(path);
                out.push_back(pkgs_path(path));
            }
        }
    }
    return Value::list(std::move(out));
}

// Native tools and libraries: autoPatchelfHook, the C++ runtime and the manylinux policy's
// libraries for a binary Linux wheel, then the recipe's, then a Rust build's hooks (`rust`).
void set_inputs(Value& args, const TargetPlan& t, const Artifact& a, bool wheel,
                const BuildRecipe& recipe, const std::vector<std::string>& rust = {}) {
    std::vector<std::string> native;
    std::vector<std::string> inputs;
    std::string manylinux;
    if (wheel && a.platform_wheel && t.target.os == Target::Os::Linux) {
        native.emplace_back("autoPatchelfHook");
        inputs.emplace_back("stdenv.cc.cc.lib");
        manylinux = manylinux_set(a.best_tag);
    }
    std::vector<std::string> then = recipe.native_build_inputs;
    then.insert(then.end(), rust.begin(), rust.end());
    if (Value list = pkgs_paths(native, then); !list.empty()) {
        args.set("nativeBuildInputs", std::move(list));
    }
    if (Value list = pkgs_paths(inputs, recipe.build_inputs); !list.empty() || !manylinux.empty()) {
        args.set("buildInputs",
                 manylinux.empty()
                     ? std::move(list)
                     : Value::concat(std::move(list),
                                     Value::select(Value::var("pkgs"),
                                                   {"pythonManylinuxPackages", manylinux})));
    }
    if (Value list = pkgs_paths({}, recipe.propagated_build_inputs); !list.empty()) {
        args.set("propagatedBuildInputs", std::move(list));
    }
    if (!recipe.auto_patchelf_ignore_missing.empty()) {
        args.set("autoPatchelfIgnoreMissingDeps", strings(recipe.auto_patchelf_ignore_missing));
    }
}

// A project's patches stay files of the project; the others are carried in this file.
Value patch_files(const std::vector<PatchFile>& patches) {
    std::vector<Value> files;
    files.reserve(patches.size());
    for (const PatchFile& f : patches) {
        files.push_back(f.project_path.empty()
                            ? Value::call(Value::select(Value::var("pkgs"), {"writeText"}),
                                          {Value::str(store_safe(f.name)), Value::str(f.content)})
                            : project_path(f.project_path));
    }
    return Value::list(std::move(files));
}

// The recipe's settings up to the build: env, patches, postPatch (`patch`, lock2nix's own,
// first), preConfigure, the configure switches and preBuild.
void set_build_hooks(Value& args, const TargetPlan& t, const BuildRecipe& recipe,
                     const std::string& patch) {
    if (!recipe.env.empty()) {
        Value e = Value::set_of();
        for (const auto& [k, v] : recipe.env) {
            e.set(k, interpolated(v, t));
        }
        args.set("env", std::move(e));
    }
    if (!recipe.patches.empty()) {
        args.set("patches", patch_files(recipe.patches));
    }
    if (!patch.empty() || !recipe.post_patch.empty()) {
        args.set("postPatch", shell_snippet(patch, recipe.post_patch, t));
    }
    if (!recipe.pre_configure.empty()) {
        args.set("preConfigure", interpolated(recipe.pre_configure, t));
    }
    if (recipe.dont_use_cmake_configure) {
        args.set("dontUseCmakeConfigure", Value::boolean(true));
    }
    if (recipe.dont_use_meson_configure) {
        args.set("dontUseMesonConfigure", Value::boolean(true));
    }
    if (!recipe.pre_build.empty()) {
        args.set("preBuild", interpolated(recipe.pre_build, t));
    }
}

// postInstall: remove-files (each path quoted for the shell, under the installed
// site-packages), then the recipe's own.
std::vector<StringPart> post_install(const BuildRecipe& recipe) {
    std::vector<StringPart> install;
    for (const auto& path : recipe.remove_files) {
        install.push_back(StringPart{StringPart::Kind::text, "rm -rf -- \"$out/"});
        install.push_back(StringPart{StringPart::Kind::python, "sitePackages"});
        install.push_back(StringPart{StringPart::Kind::text, "\"/" + shell_quote(path) + "\n"});
    }
    for (StringPart& part : split_interpolations(recipe.post_install)) {
        install.push_back(std::move(part));
    }
    return install;
}

// autoPatchelfHook searches only its inputs' lib/ directories: a library in another package's
// site-packages (nvidia/cublas/lib, torch/lib) is added by path.
std::vector<StringPart> search_paths(const BuildRecipe& recipe) {
    std::vector<StringPart> fixup;
    for (const PackagePath& ref : recipe.auto_patchelf_search_paths) {
        fixup.push_back(StringPart{StringPart::Kind::text, "addAutoPatchelfSearchPath \""});
        fixup.push_back(StringPart{StringPart::Kind::package, ref.package});
        fixup.push_back(StringPart{StringPart::Kind::text, "/"});
        fixup.push_back(StringPart{StringPart::Kind::python, "sitePackages"});
        fixup.push_back(StringPart{StringPart::Kind::text, "\"/" + shell_quote(ref.subdir) + "\n"});
    }
    return fixup;
}

// The recipe's settings from the install on: postInstall, makeWrapperArgs, preFixup, postFixup,
// dontStrip.
void set_install_hooks(Value& args, const TargetPlan& t, const BuildRecipe& recipe) {
    if (const auto install = post_install(recipe); !install.empty()) {
        args.set("postInstall", interpolated(install, t));
    }
    if (!recipe.make_wrapper_args.empty()) {
        std::vector<Value> wrapper;
        for (const auto& arg : recipe.make_wrapper_args) {
            wrapper.push_back(interpolated(arg, t));
        }
        args.set("makeWrapperArgs", Value::list(std::move(wrapper)));
    }
    if (!recipe.auto_patchelf_search_paths.empty()) {
        args.set("preFixup", interpolated(search_paths(recipe), t));
    }
    if (!recipe.post_fixup.empty()) {
        args.set("postFixup", interpolated(recipe.post_fixup, t));
    }
    if (recipe.dont_strip) {
        args.set("dontStrip", Value::boolean(true));
    }
}

Value package_args(const Context& c, const TargetPlan& t, const PlannedPackage& planned,
                   const Artifact& a, const BuildRecipe& recipe) {
    const Package& p = c.lock.packages[planned.package];
    Value args = Value::set_of();
    args.set("pname", Value::str(store_safe(p.canonical_name)));
    args.set("version", Value::str(store_safe(p.version)));
    bool wheel = a.kind == ArtifactKind::wheel;
    if ((a.kind == ArtifactKind::file || a.kind == ArtifactKind::url) && a.file) {
        wheel = tags::classify(a.file->name) == tags::FileKind::wheel;
    }
    Source source = source_value(c, p, planned, a);
    std::vector<std::string> comments;
    std::string patch; // postPatch lock2nix needs, before the override database's
    std::vector<std::string> rust_inputs;
    if (wheel) {
        args.set("format", Value::str("wheel"));
    } else {
        patch = set_source_build(args, c, t, planned, a, recipe, std::move(source.build_system),
                                 comments, rust_inputs);
    }
    args.set("src", std::move(source.src));
    args.set("dependencies", dependencies(c, t, planned, recipe));
    set_inputs(args, t, a, wheel, recipe, rust_inputs);
    set_build_hooks(args, t, recipe, patch);
    set_install_hooks(args, t, recipe);
    if (planned.in_cycle || !c.options.dependencies_known) {
        // Its cycle siblings are propagated together by its dependants, not by itself; a lock
        // without edges leaves every package's requirements to the environment.
        args.set("dontCheckRuntimeDeps", Value::boolean(true));
    }
    args.comments.push_back(a.reason);
    for (auto& line : comments) {
        args.comments.push_back(std::move(line));
    }
    if (p.files_origin == FilesOrigin::index) {
        args.comments.emplace_back(
            "digest from the package index: the lock lists none for this package");
    }
    return args;
}

// An editable install (mkPythonEditablePackage, nixpkgs' editable.nix) of a project whose folder
// is `root` (a Nix string, expanded again by Python at run time, so "$REPO_ROOT" works):
// its packages' folder (Poetry's `from`, for src layouts), console scripts, and file scripts
// (linked from the folder, so edits show). `pp` may be null (a path dependency whose folder is
// not there at translation): then the folder itself is the root.
Value editable_value(const std::string& pname, const std::string& version, Value root,
                     const Pyproject* pp, const std::vector<std::string>& dependency_keys) {
    Value e = Value::set_of();
    e.set("pname", Value::str(pname));
    e.set("version", Value::str(version));
    Value scripts = Value::set_of();
    Value files = Value::set_of();
    std::string from;
    if (pp != nullptr) {
        for (const PackageInclude& inc : pp->poetry.packages) {
            if (!inc.from.empty()) {
                from = "/" + inc.from;
                break;
            }
        }
        auto all_scripts = pp->poetry.scripts;
        all_scripts.insert(pp->project.scripts.begin(), pp->project.scripts.end());
        for (const auto& [name, target] : all_scripts) {
            scripts.set(name, Value::str(target));
        }
        for (const auto& [name, path] : pp->poetry.file_scripts) {
            files.set(name, Value::str(path));
        }
    }
    e.set("packagesRoot", from.empty() ? root : Value::plus(root, Value::str(from)));
    e.set("root", std::move(root));
    e.set("scripts", std::move(scripts));
    e.set("fileScripts", std::move(files));
    e.set("dependencies", strings(dependency_keys));
    return e;
}

// A path dependency's folder, as the editable root: relative to the project's editable root, or
// the absolute path the lock names.
Value path_root(const std::string& path) {
    if (path.starts_with("/")) {
        return Value::str(path);
    }
    return Value::plus(Value::var("editableRoot"), Value::str("/" + path));
}

Value target_value(const Context& c, const TargetPlan& t) {
    Value v = Value::set_of();
    v.set("system", Value::str(t.target.system));
    v.set("python", Value::str(t.target.python_version()));
    v.set("defaultGroups", strings(t.selection.groups));
    v.set("defaultExtras", strings(t.selection.extras));
    v.set("allGroups", strings(t.selection.all_groups));
    v.set("allExtras", strings(t.selection.all_extras));
    v.set("sumExact", Value::boolean(t.coverage.sum_exact));
    if (!t.coverage.sum_exact) {
        std::vector<std::string> checked;
        for (const SelectionKey& key : t.coverage.checked) {
            checked.push_back(key.text());
        }
        v.set("checkedSelections", strings(checked));
        Value corrections = Value::set_of();
        for (const auto& [key, indices] : t.coverage.corrections) {
            std::vector<std::string> keys;
            for (std::size_t i : indices) {
                // A package the database disables is in no environment.
                if (const PlannedPackage* planned = t.find(i)) {
                    keys.push_back(planned->key);
                }
            }
            corrections.set(key.text(), strings(keys));
        }
        v.set("corrections", std::move(corrections));
    }
    // Membership and the packages are made per package as they are written: a large lock's
    // per-package trees never all exist at once.
    Value membership =
        Value::generated_set(t.packages.size(), [&t](std::size_t k) -> Value::Member {
            const PlannedPackage& planned = t.packages[k];
            Value m = Value::set_of();
            m.set("groups", strings({planned.groups.begin(), planned.groups.end()}));
            Value ex = Value::set_of();
            for (const auto& [e, gs] : planned.extra_groups) {
                ex.set(e, strings({gs.begin(), gs.end()}));
            }
            m.set("extras", std::move(ex));
            return {planned.key, std::move(m)};
        });
    Value packages =
        Value::generated_set(t.packages.size(), [&c, &t](std::size_t k) -> Value::Member {
            return {t.packages[k].key, package_value(c, t, t.packages[k])};
        });
    Value unavailable = Value::set_of();
    Value develop = Value::set_of();
    for (const PlannedPackage& planned : t.packages) {
        const Package& p = c.lock.packages[planned.package];
        if (!planned.artifact) {
            unavailable.set(planned.key, Value::str(planned.unavailable));
        }
        if (planned.in_default && p.source_kind() == SourceKind::directory &&
            p.develop.value_or(false)) {
            std::vector<std::string> keys;
            for (std::size_t dep : planned.dependencies) {
                keys.push_back(t.find(dep)->key);
            }
            auto local = c.sources.local_pyprojects.find(planned.package);
            develop.set(
                planned.key,
                editable_value(
                    store_safe(p.canonical_name), store_safe(p.version), path_root(p.source->url),
                    local == c.sources.local_pyprojects.end() ? nullptr : &local->second, keys));
        }
    }
    v.set("membership", std::move(membership));
    v.set("unavailable", std::move(unavailable));
    v.set("develop", std::move(develop));
    v.set("packages", Value::lambda({"final"}, std::move(packages)));
    return v;
}

// The root project as a package (app), as an editable install (devShell), and the names of its
// scripts (the image's entry point, `scripts`); the template adds the source and dependencies.
Value project_value(const Pyproject& pp) {
    const std::string pname = store_safe(canonicalize_name(pp.project_name()));
    const std::string version =
        store_safe(pp.project_version().empty() ? "0" : pp.project_version());
    Value package = Value::set_of();
    package.set("pname", Value::str(pname));
    package.set("version", Value::str(version));
    package.set("pyproject", Value::boolean(true));
    package.set("build-system", build_systems(pp.build_system.requirements));
    set_build_flags(package);
    if (const std::string patch = old_poetry_patch(pp.build_system); !patch.empty()) {
        package.set("postPatch", Value::str(patch));
    }
    std::vector<std::string> scripts;
    for (const auto& [name, target] : pp.poetry.scripts) {
        scripts.push_back(name);
    }
    for (const auto& [name, target] : pp.poetry.file_scripts) {
        scripts.push_back(name);
    }
    for (const auto& [name, target] : pp.project.scripts) {
        scripts.push_back(name);
    }
    std::sort(scripts.begin(), scripts.end());
    scripts.erase(std::unique(scripts.begin(), scripts.end()), scripts.end());
    package.set("lock2nixPackaged", packaged_value(packaged_files(pp)));
    Value editable = editable_value(pname, version, Value::var("editableRoot"), &pp, {});
    Value project = Value::set_of();
    project.set("package", std::move(package));
    project.set("editable", std::move(editable));
    project.set("scripts", strings(scripts));
    return project;
}

// The comment block the file opens with: what it was made from, for whom, and how to make it
// again (`lock2nix check --nix` reads it back).
std::string header(const Lock& lock, const std::string& target_list, const RenderOptions& options) {
    std::string out = nix::comment_line("Generated by lock2nix " LOCK2NIX_VERSION " from " +
                                        options.lock_name + ". Do not edit: regenerate it.");
    // A pylock records no digest of the pyproject it was locked from.
    out += nix::comment_line("lock content-hash: " +
                             (lock.content_hash.empty() ? "none" : lock.content_hash));
    if (!options.lock_digest.empty()) {
        out += nix::comment_line("lock file sha256: " + options.lock_digest);
    }
    for (const auto& [label, digest] : options.inputs) {
        out += nix::comment_line("input " + label + ": " + digest);
    }
    out += nix::comment_line("targets: " + target_list);
    if (!options.nixpkgs_release.empty()) {
        out += nix::comment_line("nixpkgs: " + options.nixpkgs_release);
    }
    if (!options.python_reason.empty()) {
        out += nix::comment_line("python: " + options.python_reason);
    }
    out += nix::comment_line("regenerate: " + redact_urls_in(options.command));
    return out;
}

// The file's function: every argument has a default, so `nix-build python-env.nix -A env` works.
// A nixpkgs without the interpreter (`attribute`) gets null for `python`, and the refusal of
// python_or_refusal.
Value file_function(const RenderOptions& options, const std::string& attribute, Value body) {
    Value project_dir = options.project_dir == "."
                            ? Value::raw("./.")
                            : Value::plus(Value::raw("./."), Value::str("/" + options.project_dir));
    return Value::lambda_with_defaults(
        {{"pkgs", Value::call(Value::var("import"), {Value::raw("<nixpkgs>"), Value::set_of()})},
         {"lib", Value::select(Value::var("pkgs"), {"lib"})},
         {"python", Value::select_or(Value::var("pkgs"), {attribute}, Value::null())},
         {"overrides", Value::parens(Value::lambda({"final", "prev"}, Value::set_of()))},
         {"projectDir", std::move(project_dir)},
         {"editableRoot", Value::call(Value::select(Value::var("builtins"), {"toString"}),
                                      Value::var("projectDir"))}},
        std::move(body));
}

// The interpreter, or a refusal naming the release the file was made for (rather than Nix's
// "attribute missing" at the file's first line).
Value python_or_refusal(const RenderOptions& options, const std::string& attribute) {
    const std::string release = options.nixpkgs_release.empty()
                                    ? std::string("a nixpkgs")
                                    : "nixpkgs " + options.nixpkgs_release;
    return Value::if_then_else(
        Value::not_equal(Value::var("python"), Value::null()), Value::var("python"),
        Value::call(Value::var("throw"),
                    Value::str("python-env.nix was generated by lock2nix for " + release +
                               ", which has " + attribute +
                               "; this nixpkgs has none. Regenerate it with --nixpkgs naming the "
                               "release you use (`lock2nix releases` lists them), or pass "
                               "`python`")));
}

// The let bindings: the fetchers and the fixed parts, the same in every file.
Value fixed_bindings() {
    Value let = Value::set_of();
    let.inherit(Value::var("pkgs"), {"fetchurl", "fetchgit"});
    Value source = Value::embedded(source_template);
    source.comments.emplace_back(
        "A project's folder as its build backend packages it (the same in every file).");
    let.set("projectSource", std::move(source));
    Value environment = Value::embedded(environment_template);
    environment.comments.emplace_back(
        "The same in every file lock2nix writes: applied below to what it decided for this lock.");
    let.set("environment", std::move(environment));
    return let;
}

// The Cargo.lock files of the Rust sdists, byte for byte (cargoSetupHook compares the vendored
// copy with the sdist's), a string line by line so that the file stays readable; once per file,
// whichever targets build it.
Value cargo_locks(const Context& c) {
    Value locks = Value::set_of();
    for (const auto& [file, v] : c.sources.cargo) {
        if (!v.problem.empty()) {
            continue;
        }
        std::vector<Value> lines;
        for (std::size_t start = 0; start < v.lock_text.size();) {
            const auto end = v.lock_text.find('\n', start);
            const auto next = end == std::string::npos ? v.lock_text.size() : end + 1;
            lines.push_back(Value::str(v.lock_text.substr(start, next - start)));
            start = next;
        }
        locks.set(file, Value::call(Value::select(Value::var("builtins"), {"concatStringsSep"}),
                                    {Value::str(""), Value::list(std::move(lines))}));
    }
    return locks;
}

// The fixed bindings, and the Cargo.lock files when there are any.
Value bindings(const Context& c) {
    Value let = fixed_bindings();
    if (Value locks = cargo_locks(c); !locks.empty()) {
        locks.comments.emplace_back(
            "The Cargo.lock of each Rust sdist: rustPlatform.importCargoLock "
            "fetches the crates it pins by their checksums.");
        let.set("cargoLocks", std::move(locks));
    }
    return let;
}

} // namespace

namespace {

// The file after its header: the function, the fixed bindings and what was decided per target,
// the per-package members made as they are written.
Value file_value(const Context& c, const Pyproject* pp, const EnvironmentPlan& plan,
                 const std::string& target_list) {
    const std::string attribute = plan.targets.front().target.nix_python_attribute();
    Value generated = Value::set_of();
    generated.inherit({"pkgs", "lib", "overrides", "projectDir", "projectSource"});
    generated.set("python", python_or_refusal(c.options, attribute));
    generated.set("generatedFor", Value::str(target_list));
    generated.set("lockName", Value::str(c.options.lock_name));
    generated.set("project",
                  pp != nullptr && pp->describes_package() ? project_value(*pp) : Value::null());
    Value targets = Value::set_of();
    for (const TargetPlan& t : plan.targets) {
        targets.set(target_key(t.target), target_value(c, t));
    }
    generated.set("targets", std::move(targets));
    return file_function(
        c.options, attribute,
        Value::let_in(bindings(c), Value::call(Value::var("environment"), std::move(generated))));
}

std::string target_list(const EnvironmentPlan& plan) {
    if (plan.targets.empty()) {
        throw Error("no target to render", {}, {}, "plan at least one target");
    }
    std::string out;
    for (const auto& t : plan.targets) {
        out += (out.empty() ? "" : ", ") + target_key(t.target);
    }
    return out;
}

} // namespace

std::string render_nix(const Lock& lock, const Pyproject* pp, const EnvironmentPlan& plan,
                       const ResolvedSources& sources, const RenderOptions& options) {
    const std::string targets = target_list(plan);
    const Context c{lock, sources, options};
    std::string out = header(lock, targets, options);
    nix::render_to(out, file_value(c, pp, plan, targets));
    out += "\n";
    return out;
}

void render_nix(std::ostream& out, const Lock& lock, const Pyproject* pp,
                const EnvironmentPlan& plan, const ResolvedSources& sources,
                const RenderOptions& options) {
    const std::string targets = target_list(plan);
    const Context c{lock, sources, options};
    out.exceptions(std::ios_base::badbit | std::ios_base::failbit);
    out << header(lock, targets, options);
    nix::render_to(out, file_value(c, pp, plan, targets));
    out << "\n";
}

} // namespace lock2nix
