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
#include <set>

namespace lock2nix {

namespace {

using nix::Value;

// Text for a comment line: control characters (newlines above all) become spaces, so nothing
// from the input can end the comment and start code.
std::string comment_text(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            c = ' ';
        }
    }
    return out;
}

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
    return Value::apply("fetchurl", std::move(args));
}

// "poetry-core>=1.0" -> python.pkgs.poetry-core. Requirements are canonicalised; names from the
// override database are nixpkgs attribute names already ("cython_0") and kept as written.
Value build_systems(const std::vector<std::string>& requirements, bool attribute_names = false) {
    std::vector<Value> out;
    std::set<std::string> seen;
    for (const auto& r : requirements) {
        const std::string_view written = leading_project_name(r);
        std::string name = attribute_names ? std::string(written) : canonicalize_name(written);
        // The old `poetry.masonry.api` backend lives on as poetry-core (see old_poetry_patch).
        if (name == "poetry") {
            name = "poetry-core";
        }
        if (!name.empty() && seen.insert(name).second) {
            out.push_back(Value::raw(nix::select("python.pkgs", name)));
        }
    }
    if (out.empty()) {
        out.push_back(Value::raw("python.pkgs.setuptools"));
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
// pin that was not checked. See docs/wheels-and-sdists.md.
void set_build_flags(Value& args) {
    args.set("pypaBuildFlags", Value::list({Value::str("--skip-dependency-check")}));
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
        if (canonicalize_name(leading_project_name(r)) != "poetry") {
            continue;
        }
        for (const char* quote : {"\"", "'"}) {
            out += " --replace-quiet " + shell_quote(quote + r + quote) + " " +
                   shell_quote(std::string(quote) + "poetry-core" + quote);
        }
    }
    return out;
}

std::string project_path(const std::string& rel) {
    // An absolute path in the lock stays absolute (`projectDir + "//etc/x"` would silently
    // point inside the project); `/. + "…"` is a path whatever characters it holds.
    if (rel.starts_with("/")) {
        return "(/. + " + nix::string_literal(rel) + ")";
    }
    return "projectDir + " + nix::string_literal("/" + rel);
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
    // The literal's opening quote is replaced by the interpolation; its escaping stays.
    return Value::let_in(
        {{"checkout", std::move(checkout)}},
        Value::raw("\"${checkout}/" + nix::string_literal(subdirectory).substr(1)));
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
    v.set("everything", Value::raw(packaged.everything ? "true" : "false"));
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
        pattern.set("deep", Value::raw(deep ? "true" : "false"));
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

Value source_value(const Context& c, const Package& p, const PlannedPackage& planned,
                   const Artifact& a, Value& args) {
    switch (a.kind) {
    case ArtifactKind::wheel:
    case ArtifactKind::sdist:
        return fetchurl_value(c.lock, p, *a.file, c.sources);
    case ArtifactKind::url: {
        if (!a.file) {
            throw Error("url package `" + p.name + "` has no digest in the lock", c.lock.path,
                        p.position, "regenerate the lock with `poetry lock`");
        }
        Value f = Value::set_of();
        f.set("name", Value::str(store_safe(a.file->name)));
        f.set("url", Value::str(redact_url(p.source->url)));
        f.set("hash", Value::str(sri_of(c.lock, *a.file)));
        return Value::apply("fetchurl", std::move(f));
    }
    case ArtifactKind::file:
        return Value::raw(project_path(p.source->url));
    case ArtifactKind::directory: {
        std::string rel = p.source->url;
        if (!p.source->subdirectory.empty()) {
            rel += "/" + p.source->subdirectory;
        }
        // A folder that was not there at translation has no pyproject to read: copied whole.
        const auto local = c.sources.local_pyprojects.find(planned.package);
        if (local == c.sources.local_pyprojects.end()) {
            return Value::raw("lib.cleanSource (" + project_path(rel) + ")");
        }
        return Value::apply("projectSource (" + project_path(rel) + ")",
                            packaged_value(packaged_files(local->second)));
    }
    case ArtifactKind::git: {
        const std::string rev = p.source->resolved_reference.empty() ? p.source->reference
                                                                     : p.source->resolved_reference;
        Value f = Value::set_of();
        f.set("url", Value::str(redact_url(p.source->url)));
        f.set("rev", Value::str(rev));
        if (c.options.git_mode == GitMode::impure) {
            f.set("allRefs", Value::raw("true"));
            Value fetch = Value::apply("builtins.fetchGit", std::move(f));
            args.set("build-system", build_systems({}));
            return in_subdirectory(std::move(fetch), p.source->subdirectory);
        }
        auto g = c.sources.git.find(planned.package);
        if (g == c.sources.git.end()) {
            throw Error("no fetchgit hash was resolved for `" + p.name + "` (" +
                            redact_url(p.source->url) + ")",
                        c.lock.path, p.position, "resolve the sources before rendering");
        }
        f.set("hash", Value::str(g->second.hash));
        f.set("fetchSubmodules", Value::raw(g->second.submodules ? "true" : "false"));
        args.set("build-system", build_systems(g->second.build_requires));
        return in_subdirectory(Value::apply("fetchgit", std::move(f)), p.source->subdirectory);
    }
    }
    return Value::raw("null");
}

// A Nix string from literal text and the override database's interpolations: the text escaped,
// each interpolation a validated attribute path (`${pkgs.zlib}`, `${python.sitePackages}`,
// `${final.torch}`). No input text becomes Nix code.
Value interpolated(const std::vector<StringPart>& parts, const TargetPlan& t) {
    std::string out = "\"";
    for (const StringPart& part : parts) {
        switch (part.kind) {
        case StringPart::Kind::text: {
            std::string lit = nix::string_literal(part.value);
            lit = lit.substr(1, lit.size() - 2);
            // A `$` right before an interpolation would make `$${`, which Nix reads as text.
            if (!lit.empty() && lit.back() == '$') {
                lit.back() = '\\';
                lit += '$';
            }
            out += lit;
            break;
        }
        case StringPart::Kind::pkgs:
            out += "${pkgs." + part.value + "}"; // validated: identifiers joined by dots
            break;
        case StringPart::Kind::python:
            out += "${python." + part.value + "}"; // sitePackages or interpreter
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
            out += "${" + nix::select("final", q->key) + "}";
            break;
        }
        }
    }
    return Value::raw(out + "\"");
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
        Value v = Value::raw("throw " + nix::string_literal(planned.unavailable));
        v.comments.push_back("not installable on " + t.target.describe());
        return v;
    }
    Value chosen = package_args(c, t, planned, *planned.artifact, planned.recipe);
    if (!planned.alternative) {
        std::vector<std::string> comments = std::move(chosen.comments);
        chosen.comments.clear();
        Value v = Value::apply("python.pkgs.buildPythonPackage", std::move(chosen));
        v.comments = std::move(comments);
        return v;
    }
    Value other =
        package_args(c, t, planned, planned.alternative->artifact, planned.alternative->recipe);
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
    Value extra = Value::set_of(); // build-system set by git sources
    Value src = source_value(c, p, planned, a, extra);
    std::vector<std::string> comments;
    std::string patch; // postPatch lock2nix needs, before the override database's
    if (wheel) {
        args.set("format", Value::str("wheel"));
    } else {
        args.set("pyproject", Value::raw("true"));
        // What the source declares, when lock2nix read it: its requirements for this target.
        auto declared = [&](const BuildSystem& b, const std::string& from) {
            const auto& requirements = b.requirements;
            args.set("build-system", build_systems(for_target(requirements, t.target)));
            comments.push_back("build-system: " + from);
            patch = old_poetry_patch(b);
            auto pinned = b.pinned_requirements();
            if (!patch.empty()) { // the old backend's `poetry>=0.12` is rewritten, not unchecked
                std::erase_if(pinned, [](const std::string& r) {
                    return canonicalize_name(leading_project_name(r)) == "poetry";
                });
            }
            if (!pinned.empty()) {
                std::string list;
                for (const auto& r : pinned) {
                    list += (list.empty() ? "" : ", ") + r;
                }
                comments.push_back("versions not checked, nixpkgs' are used: " + list);
            }
        };
        const FileEntry* file = a.file ? &*a.file : nullptr;
        const auto local = c.sources.local_pyprojects.find(planned.package);
        const auto sdist = file != nullptr ? c.sources.sdist_build_systems.find(file->name)
                                           : c.sources.sdist_build_systems.end();
        if (!recipe.build_systems.empty()) {
            args.set("build-system", build_systems(recipe.build_systems, true));
        } else if (!extra.attrs.empty()) {
            for (auto& [k, v] : extra.attrs) {
                args.set(k, std::move(v));
            }
        } else if (local != c.sources.local_pyprojects.end()) {
            declared(local->second.build_system, "its pyproject.toml");
        } else if (sdist != c.sources.sdist_build_systems.end()) {
            const BuildSystem& b = sdist->second;
            declared(b, b.present ? "the sdist's pyproject.toml"
                                  : "the sdist declares none: setuptools (PEP 517)");
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
        set_build_flags(args);
        if (!recipe.pypa_build_flags.empty()) {
            std::vector<Value> flags{Value::str("--skip-dependency-check")};
            for (const auto& f : recipe.pypa_build_flags) {
                flags.push_back(Value::str(f));
            }
            for (auto& [name, value] : args.attrs) {
                if (name == "pypaBuildFlags") {
                    value = Value::list(std::move(flags));
                    break;
                }
            }
        }
    }
    args.set("src", std::move(src));
    std::vector<Value> deps;
    std::set<std::string> names;
    for (std::size_t dep : planned.dependencies) {
        deps.push_back(Value::raw(nix::select("final", t.find(dep)->key)));
        names.insert(c.lock.packages[dep].canonical_name);
    }
    // Extra runtime dependencies: the locked package when there is one, else nixpkgs'.
    for (const auto& extra_dep : recipe.dependencies) {
        const std::string name = canonicalize_name(extra_dep);
        if (!names.insert(name).second) {
            continue;
        }
        const bool locked = std::any_of(t.packages.begin(), t.packages.end(),
                                        [&](const PlannedPackage& q) { return q.key == name; });
        deps.push_back(Value::raw(nix::select(locked ? "final" : "python.pkgs", name)));
    }
    args.set("dependencies", Value::list(std::move(deps)));
    std::vector<Value> native;
    std::vector<Value> inputs;
    std::string manylinux;
    if (wheel && a.wheel && t.target.os == Target::Os::Linux) {
        const bool binary = std::any_of(a.wheel->tags.begin(), a.wheel->tags.end(),
                                        [](const tags::Tag& tag) { return tag.platform != "any"; });
        if (binary) {
            native.push_back(Value::raw("pkgs.autoPatchelfHook"));
            inputs.push_back(Value::raw("pkgs.stdenv.cc.cc.lib"));
            manylinux = manylinux_set(a.best_tag);
        }
    }
    auto attr_paths = [](std::vector<Value>& into, const std::vector<std::string>& paths) {
        for (const auto& path : paths) {
            // Validated as identifiers joined by dots when the database was read.
            Value v = Value::raw("pkgs." + path);
            if (std::none_of(into.begin(), into.end(),
                             [&](const Value& x) { return x.text == v.text; })) {
                into.push_back(std::move(v));
            }
        }
    };
    attr_paths(native, recipe.native_build_inputs);
    attr_paths(inputs, recipe.build_inputs);
    if (!native.empty()) {
        args.set("nativeBuildInputs", Value::list(std::move(native)));
    }
    if (!inputs.empty() || !manylinux.empty()) {
        Value list = Value::list(std::move(inputs));
        args.set("buildInputs", manylinux.empty()
                                    ? std::move(list)
                                    : Value::raw(nix::render(list, 5) +
                                                 " ++ pkgs.pythonManylinuxPackages." + manylinux));
    }
    std::vector<Value> propagated;
    attr_paths(propagated, recipe.propagated_build_inputs);
    if (!propagated.empty()) {
        args.set("propagatedBuildInputs", Value::list(std::move(propagated)));
    }
    if (!recipe.auto_patchelf_ignore_missing.empty()) {
        args.set("autoPatchelfIgnoreMissingDeps", strings(recipe.auto_patchelf_ignore_missing));
    }
    if (!recipe.env.empty()) {
        Value e = Value::set_of();
        for (const auto& [k, v] : recipe.env) {
            e.set(k, interpolated(v, t));
        }
        args.set("env", std::move(e));
    }
    if (!recipe.patches.empty()) {
        // A project's patches stay files of the project; the others are carried in this file.
        std::vector<Value> files;
        for (const PatchFile& f : recipe.patches) {
            files.push_back(Value::raw(f.project_path.empty()
                                           ? "(pkgs.writeText " +
                                                 nix::string_literal(store_safe(f.name)) + " " +
                                                 nix::string_literal(f.content) + ")"
                                           : "(" + project_path(f.project_path) + ")"));
        }
        args.set("patches", Value::list(std::move(files)));
    }
    if (!patch.empty() || !recipe.post_patch.empty()) {
        args.set("postPatch", shell_snippet(patch, recipe.post_patch, t));
    }
    if (!recipe.pre_configure.empty()) {
        args.set("preConfigure", interpolated(recipe.pre_configure, t));
    }
    if (recipe.dont_use_cmake_configure) {
        args.set("dontUseCmakeConfigure", Value::raw("true"));
    }
    if (recipe.dont_use_meson_configure) {
        args.set("dontUseMesonConfigure", Value::raw("true"));
    }
    if (!recipe.pre_build.empty()) {
        args.set("preBuild", interpolated(recipe.pre_build, t));
    }
    // remove-files: each path quoted for the shell, under the installed site-packages.
    std::vector<StringPart> install;
    for (const auto& path : recipe.remove_files) {
        install.push_back(StringPart{StringPart::Kind::text, "rm -rf -- \"$out/"});
        install.push_back(StringPart{StringPart::Kind::python, "sitePackages"});
        install.push_back(StringPart{StringPart::Kind::text, "\"/" + shell_quote(path) + "\n"});
    }
    for (StringPart& part : split_interpolations(recipe.post_install)) {
        install.push_back(std::move(part));
    }
    if (!install.empty()) {
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
        // autoPatchelfHook searches only its inputs' lib/ directories: a library in another
        // package's site-packages (nvidia/cublas/lib, torch/lib) is added by path.
        std::vector<StringPart> fixup;
        for (const PackagePath& ref : recipe.auto_patchelf_search_paths) {
            fixup.push_back(StringPart{StringPart::Kind::text, "addAutoPatchelfSearchPath \""});
            fixup.push_back(StringPart{StringPart::Kind::package, ref.package});
            fixup.push_back(StringPart{StringPart::Kind::text, "/"});
            fixup.push_back(StringPart{StringPart::Kind::python, "sitePackages"});
            fixup.push_back(
                StringPart{StringPart::Kind::text, "\"/" + shell_quote(ref.subdir) + "\n"});
        }
        args.set("preFixup", interpolated(fixup, t));
    }
    if (!recipe.post_fixup.empty()) {
        args.set("postFixup", interpolated(recipe.post_fixup, t));
    }
    if (recipe.dont_strip) {
        args.set("dontStrip", Value::raw("true"));
    }
    if (planned.in_cycle) {
        // Its cycle siblings are propagated together by its dependants, not by itself.
        args.set("dontCheckRuntimeDeps", Value::raw("true"));
    }
    args.comments.push_back(comment_text(a.reason));
    for (const auto& line : comments) {
        args.comments.push_back(comment_text(line));
    }
    if (p.files_origin == FilesOrigin::index) {
        args.comments.emplace_back(
            "digest from the package index: the lock lists none for this package");
    }
    return args;
}

// An editable install (mkPythonEditablePackage, nixpkgs' editable.nix) of a project whose folder
// is `root` (Nix code for a string, expanded again by Python at run time, so "$REPO_ROOT" works):
// its packages' folder (Poetry's `from`, for src layouts), console scripts, and file scripts
// (linked from the folder, so edits show). `pp` may be null (a path dependency whose folder is
// not there at translation): then the folder itself is the root.
Value editable_value(const std::string& pname, const std::string& version, std::string root,
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
    e.set("packagesRoot",
          Value::raw(from.empty() ? root : root + " + " + nix::string_literal(from)));
    e.set("root", Value::raw(std::move(root)));
    e.set("scripts", std::move(scripts));
    e.set("fileScripts", std::move(files));
    e.set("dependencies", strings(dependency_keys));
    return e;
}

// A path dependency's folder, as the editable root: relative to the project's editable root, or
// the absolute path the lock names.
std::string path_root(const std::string& path) {
    if (path.starts_with("/")) {
        return nix::string_literal(path);
    }
    return "editableRoot + " + nix::string_literal("/" + path);
}

// Members of a target's per-package sets (membership, packages) sit this deep in the file:
// `let … in environment { targets = { "<target>" = { packages = final: { <here> }; }; }; }`
// (render_nix).
constexpr int package_member_depth = 4;

// What render_nix gathers while it renders the per-package members.
struct Pieces {
    // Adds up the rendered text, so that render_nix can size the file's buffer once (doubling
    // it at the end left up to twice the file allocated, and set a large file's peak).
    std::size_t text_size = 0;
    // Each member is rendered here and copied out at its size: a string grown on its own keeps
    // up to twice its text allocated, and every member's text is alive at the end together with
    // the file's buffer.
    std::string scratch;
};

// A per-package member rendered to its text at once: kept whole, the file's value tree would
// hold every package's nodes until the end, several times the size of the text, at the peak of
// memory. Raw text renders verbatim, so the file is byte for byte what the whole tree renders to.
Value prerendered(Value v, Pieces& pieces) {
    std::string& scratch = pieces.scratch;
    scratch.clear();
    nix::render_to(scratch, v, package_member_depth);
    Value out = Value::raw(scratch);
    out.comments = std::move(v.comments);
    pieces.text_size += out.text.size();
    // The comments are written above the member, a line each (indentation, "# ", newline); a
    // bound without them falls short for files with many packages.
    for (const auto& comment : out.comments) {
        pieces.text_size += comment.size() + 64;
    }
    return out;
}

Value target_value(const Context& c, const TargetPlan& t, Pieces& pieces) {
    Value v = Value::set_of();
    v.set("system", Value::str(t.target.system));
    v.set("python", Value::str(t.target.python_version()));
    v.set("defaultGroups", strings(t.selection.groups));
    v.set("defaultExtras", strings(t.selection.extras));
    v.set("allGroups", strings(t.selection.all_groups));
    v.set("allExtras", strings(t.selection.all_extras));
    Value membership = Value::set_of();
    Value unavailable = Value::set_of();
    Value develop = Value::set_of();
    Value packages = Value::set_of();
    for (const PlannedPackage& planned : t.packages) {
        const Package& p = c.lock.packages[planned.package];
        Value m = Value::set_of();
        m.set("groups", strings({planned.groups.begin(), planned.groups.end()}));
        Value ex = Value::set_of();
        for (const auto& [e, gs] : planned.extra_groups) {
            ex.set(e, strings({gs.begin(), gs.end()}));
        }
        m.set("extras", std::move(ex));
        membership.set(planned.key, prerendered(std::move(m), pieces));
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
        packages.set(planned.key, prerendered(package_value(c, t, planned), pieces));
    }
    v.set("membership", std::move(membership));
    v.set("unavailable", std::move(unavailable));
    v.set("develop", std::move(develop));
    v.set("packages", Value::lambda("final", std::move(packages)));
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
    package.set("pyproject", Value::raw("true"));
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
    Value editable = editable_value(pname, version, "editableRoot", &pp, {});
    Value project = Value::set_of();
    project.set("package", std::move(package));
    project.set("editable", std::move(editable));
    project.set("scripts", strings(scripts));
    return project;
}

// A fixed part without its opening comment (written for lock2nix's readers), indented to sit as a
// let binding's value.
std::string indented_template(std::string_view text) {
    std::string out;
    while (text.starts_with("#")) {
        const auto end = text.find('\n');
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    }
    while (!text.empty()) {
        const auto end = text.find('\n');
        const std::string_view line = text.substr(0, end);
        out += '\n';
        if (!line.empty()) {
            out += "    ";
            out += line;
        }
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    }
    return out;
}

} // namespace

std::string render_nix(const Lock& lock, const Pyproject* pp, const EnvironmentPlan& plan,
                       const ResolvedSources& sources, const RenderOptions& options) {
    if (plan.targets.empty()) {
        throw Error("no target to render", {}, {}, "plan at least one target");
    }
    const Context c{lock, sources, options};
    std::string target_list;
    for (const auto& t : plan.targets) {
        target_list += (target_list.empty() ? "" : ", ") + target_key(t.target);
    }
    std::string out;
    out += "# Generated by lock2nix " LOCK2NIX_VERSION " from " + comment_text(options.lock_name) +
           ". Do not edit: regenerate it.\n";
    out += "# lock content-hash: " + comment_text(lock.content_hash) + "\n";
    if (!options.lock_digest.empty()) {
        out += "# lock file sha256: " + comment_text(options.lock_digest) + "\n";
    }
    for (const auto& [label, digest] : options.inputs) {
        out += "# input " + comment_text(label) + ": " + comment_text(digest) + "\n";
    }
    out += "# targets: " + comment_text(target_list) + "\n";
    if (!options.nixpkgs_release.empty()) {
        out += "# nixpkgs: " + comment_text(options.nixpkgs_release) + "\n";
    }
    if (!options.python_reason.empty()) {
        out += "# python: " + comment_text(options.python_reason) + "\n";
    }
    out += "# regenerate: " + comment_text(redact_urls_in(options.command)) + "\n";
    out += "{\n";
    out += "  pkgs ? import <nixpkgs> { },\n";
    out += "  lib ? pkgs.lib,\n";
    // A nixpkgs without the interpreter gets null here, and the refusal below.
    const std::string attribute = plan.targets.front().target.nix_python_attribute();
    out += "  python ? pkgs." + attribute + " or null,\n";
    out += "  overrides ? (final: prev: { }),\n";
    out += "  projectDir ? ./" +
           (options.project_dir == "."
                ? std::string(".")
                : std::string(".") + " + " + nix::string_literal("/" + options.project_dir)) +
           ",\n";
    out += "  editableRoot ? builtins.toString projectDir,\n";
    out += "}:\n\n";

    Value let = Value::set_of();
    let.inherit({"fetchurl", "fetchgit"}, "pkgs");
    Value source = Value::raw(indented_template(source_template()));
    source.comments.emplace_back(
        "A project's folder as its build backend packages it (the same in every file).");
    let.set("projectSource", std::move(source));
    Value environment = Value::raw(indented_template(environment_template()));
    environment.comments.emplace_back(
        "The same in every file lock2nix writes: applied below to what it decided for this lock.");
    let.set("environment", std::move(environment));

    Value generated = Value::set_of();
    generated.inherit({"pkgs", "lib", "overrides", "projectDir", "projectSource"});
    // The interpreter, or a refusal naming the release the file was made for (rather than Nix's
    // "attribute missing" at the file's first line).
    generated.set(
        "python",
        Value::raw("if python != null then python else throw " +
                   nix::string_literal(
                       "python-env.nix was generated by lock2nix for " +
                       (options.nixpkgs_release.empty() ? std::string("a nixpkgs")
                                                        : "nixpkgs " + options.nixpkgs_release) +
                       ", which has " + attribute + "; this nixpkgs has none. Regenerate it " +
                       "with --nixpkgs naming the release you use (`lock2nix releases` lists " +
                       "them), or pass `python`")));
    generated.set("generatedFor", Value::str(target_list));
    generated.set("lockName", Value::str(options.lock_name));
    generated.set("project", pp != nullptr && pp->describes_package() ? project_value(*pp)
                                                                      : Value::raw("null"));
    Value targets = Value::set_of();
    Pieces pieces;
    std::size_t members = 0;
    for (const TargetPlan& t : plan.targets) {
        targets.set(target_key(t.target), target_value(c, t, pieces));
        members += 2 * t.packages.size();
    }
    generated.set("targets", std::move(targets));
    // The pre-rendered members, a line around each, the template with its indentation and the
    // rest of the file: an upper bound, so the buffer is allocated once.
    out.reserve(out.size() + pieces.text_size + members * 64 +
                2 * (environment_template().size() + source_template().size()) +
                (std::size_t{64} << 10));
    nix::render_to(out, Value::let_in(std::move(let.attrs),
                                      Value::apply("environment", std::move(generated))));
    out += "\n";
    return out;
}

} // namespace lock2nix
