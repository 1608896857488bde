#include "lock2nix/emit.hpp"

#include "lock2nix/graph.hpp"
#include "lock2nix/hash.hpp"
#include "lock2nix/locate.hpp"
#include "lock2nix/names.hpp"
#include "lock2nix/nix.hpp"
#include "lock2nix/tags.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#ifndef LOCK2NIX_VERSION
#define LOCK2NIX_VERSION "0"
#endif

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
        throw Error("file `" + f.name + "` has a malformed digest \"" + f.hash() + "\"", lock.path,
                    f.position, "regenerate the lock with `poetry lock`");
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

Value fetchurl_value(const Lock& lock, const Package& p, const FileEntry& f,
                     const EmitOptions& options) {
    Value args = Value::set_of();
    if (auto it = options.exact_urls.find(f.name); it != options.exact_urls.end()) {
        args.set("url", Value::str(it->second));
    } else {
        const auto urls = predicted_urls(p, f);
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
        // The old `poetry.masonry.api` backend lives on as poetry-core (see project_outputs).
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

// The build-system requirements of a path dependency, read from its own pyproject.toml.
std::vector<std::string> local_build_system(const EmitOptions& options, const std::string& rel) {
    const auto path = std::filesystem::path(options.lock_dir) / rel / "pyproject.toml";
    if (!std::filesystem::exists(path)) {
        return {};
    }
    try {
        return read_pyproject(path.string()).build_system.requirements;
    } catch (const Error&) {
        return {};
    }
}

std::string project_path(const std::string& rel) {
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

struct TargetData {
    Target target;
    std::map<std::size_t, Recipe> recipes;
    Selection defaults;
    std::vector<std::size_t> packages;
    std::map<std::size_t, std::string> keys;
    BuildGraph graph;
    std::map<std::size_t, Artifact> artifacts;
    std::map<std::size_t, std::string> unavailable;
    std::map<std::size_t, std::set<std::string>> groups;
    std::map<std::size_t, std::map<std::string, std::set<std::string>>> extra_groups;
};

TargetData collect(const Lock& lock, const Pyproject* pp, const Target& target,
                   const EmitOptions& options) {
    TargetData d;
    d.target = target;
    SelectionCache cache;
    d.defaults = select_packages(lock, pp, target, options.request, &cache);
    std::set<std::size_t> all(d.defaults.packages.begin(), d.defaults.packages.end());
    std::set<std::pair<std::size_t, std::size_t>> edges;
    for (const Edge& e : d.defaults.edges) {
        edges.emplace(e.from, e.to);
    }
    // mkEnv can ask for any group and extra: record, per package, the groups (and group+extra
    // pairs) that select it on this target.
    std::vector<std::string> extras{""};
    extras.insert(extras.end(), d.defaults.all_extras.begin(), d.defaults.all_extras.end());
    cache.sets_only = true;
    auto add_edges = [&](const InstallRequest& req) {
        try {
            for (const Edge& edge : select_packages(lock, pp, target, req, &cache).edges) {
                edges.emplace(edge.from, edge.to);
            }
        } catch (const Error&) {
            // a combination the lock cannot serve; the default request already succeeded
        }
    };
    if (lock.has_locked_groups()) {
        // 2.1 locks say per package which groups and markers select it: read that directly,
        // then walk once per extra (and once without) over every group for the edges.
        for (auto& [i, m] : locked_membership(lock, target, d.defaults.all_extras, &cache)) {
            all.insert(i);
            d.groups[i] = m.groups;
            for (auto& [e, gs] : m.extra_groups) {
                d.extra_groups[i][e] = gs;
            }
        }
        for (const auto& e : extras) {
            InstallRequest req;
            req.only = d.defaults.all_groups;
            if (!e.empty()) {
                req.extras = {e};
            }
            add_edges(req);
        }
    } else {
        // Older locks: membership is whatever the walk reaches, one group and extra at a time.
        // Root extras only act through root requirements that name them: a group without such
        // requirements gives the same walk for every extra, so it is walked once.
        auto extras_matter = [&](const std::string& g) {
            if (!cache.roots) {
                return true;
            }
            return std::any_of(
                cache.roots->begin(), cache.roots->end(), [&](const RootRequirement& r) {
                    return r.group == g &&
                           (!r.root_extras.empty() || r.markers.find("extra") != std::string::npos);
                });
        };
        for (const auto& g : d.defaults.all_groups) {
            const bool per_extra = extras_matter(g);
            for (const auto& e : extras) {
                if (!e.empty() && !per_extra) {
                    break;
                }
                InstallRequest req;
                req.only = {g};
                if (!e.empty()) {
                    req.extras = {e};
                }
                Selection s;
                try {
                    s = select_packages(lock, pp, target, req, &cache);
                } catch (const Error&) {
                    continue;
                }
                for (std::size_t i : s.packages) {
                    all.insert(i);
                    if (e.empty()) {
                        d.groups[i].insert(g);
                    } else if (!d.groups[i].contains(g)) {
                        d.extra_groups[i][e].insert(g);
                    }
                }
                for (const Edge& edge : s.edges) {
                    edges.emplace(edge.from, edge.to);
                }
            }
        }
    }
    // The override database speaks first: disabled packages leave the set (and every edge to
    // them), and each package's recipe is kept for the artifact policy and the derivation.
    ArtifactPolicy policy = options.policy;
    if (options.overrides != nullptr) {
        for (auto it = all.begin(); it != all.end();) {
            const Package& p = lock.packages[*it];
            Recipe r = options.overrides->resolve(p.canonical_name, p.version);
            if (r.flag("disabled")) {
                d.groups.erase(*it);
                d.extra_groups.erase(*it);
                it = all.erase(it);
                continue;
            }
            // Per-package choices on the command line beat the database; the database beats
            // the global --prefer-sdists.
            if (auto wheel = r.maybe_flag("prefer-wheel")) {
                if (*wheel && !options.policy.sdist_packages.contains(p.canonical_name)) {
                    policy.wheel_packages.insert(p.canonical_name);
                } else if (!*wheel && !options.policy.wheel_packages.contains(p.canonical_name)) {
                    policy.sdist_packages.insert(p.canonical_name);
                }
            }
            if (!r.empty()) {
                d.recipes.emplace(*it, std::move(r));
            }
            ++it;
        }
    }
    // Attribute names: the canonical name; a second locked version of the same name (selected
    // only by another group or extra) gets "name@version".
    std::map<std::string, std::size_t> taken;
    auto claim = [&](std::size_t i) {
        const Package& p = lock.packages[i];
        std::string key = p.canonical_name;
        if (taken.contains(key)) {
            key = p.canonical_name + "@" + p.version;
        }
        taken[key] = i;
        d.keys[i] = key;
    };
    for (std::size_t i : d.defaults.packages) {
        if (all.contains(i)) {
            claim(i);
        }
    }
    for (std::size_t i : all) {
        if (!d.keys.contains(i)) {
            claim(i);
        }
    }
    for (const auto& [key, i] : taken) {
        d.packages.push_back(i);
    }
    Selection everything;
    everything.target = target;
    everything.packages = d.packages;
    for (const auto& [from, to] : edges) {
        if (all.contains(from) && all.contains(to)) {
            everything.edges.push_back(Edge{from, to, {}});
        }
    }
    d.graph = build_graph(lock, everything);
    const tags::TagRanking ranking(target);
    std::set<std::size_t> defaults;
    for (std::size_t i : d.defaults.packages) {
        if (all.contains(i)) {
            defaults.insert(i);
        }
    }
    for (std::size_t i : d.packages) {
        try {
            d.artifacts.emplace(i, choose_artifact(lock, i, target, ranking, policy));
        } catch (const Error& e) {
            if (defaults.contains(i)) {
                throw;
            }
            d.unavailable[i] = e.message();
        }
    }
    // A package that needs an unavailable one is unavailable too (build order: needs first).
    for (std::size_t i : d.graph.order) {
        if (d.unavailable.contains(i)) {
            continue;
        }
        for (std::size_t dep : d.graph.dependencies.at(i)) {
            if (auto it = d.unavailable.find(dep); it != d.unavailable.end()) {
                if (defaults.contains(i)) {
                    throw Error(lock.packages[i].name + " needs " + lock.packages[dep].name + ": " +
                                it->second);
                }
                d.unavailable[i] =
                    lock.packages[i].name + " needs " + lock.packages[dep].name + ": " + it->second;
                break;
            }
        }
    }
    return d;
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

Value source_value(const Lock& lock, const Package& p, const Artifact& a,
                   const EmitOptions& options, Value& args) {
    switch (a.kind) {
    case ArtifactKind::wheel:
    case ArtifactKind::sdist:
        return fetchurl_value(lock, p, *a.file, options);
    case ArtifactKind::url: {
        if (!a.file) {
            throw Error("url package `" + p.name + "` has no digest in the lock", lock.path,
                        p.position, "regenerate the lock with `poetry lock`");
        }
        Value f = Value::set_of();
        f.set("url", Value::str(p.source->url));
        f.set("hash", Value::str(sri_of(lock, *a.file)));
        return Value::apply("fetchurl", std::move(f));
    }
    case ArtifactKind::file:
        return Value::raw(project_path(p.source->url));
    case ArtifactKind::directory: {
        std::string rel = p.source->url;
        if (!p.source->subdirectory.empty()) {
            rel += "/" + p.source->subdirectory;
        }
        return Value::raw("lib.cleanSource (" + project_path(rel) + ")");
    }
    case ArtifactKind::git: {
        const std::string rev = p.source->resolved_reference.empty() ? p.source->reference
                                                                     : p.source->resolved_reference;
        Value f = Value::set_of();
        f.set("url", Value::str(p.source->url));
        f.set("rev", Value::str(rev));
        std::vector<std::string> backend;
        if (options.git_mode == GitMode::impure) {
            f.set("allRefs", Value::raw("true"));
            Value fetch = Value::apply("builtins.fetchGit", std::move(f));
            args.set("build-system", build_systems({}));
            return in_subdirectory(std::move(fetch), p.source->subdirectory);
        }
        const GitSource g = options.git_hasher
                                ? options.git_hasher(p.source->url, rev, p.source->subdirectory)
                                : hash_git_source(p.source->url, rev, p.source->subdirectory);
        f.set("hash", Value::str(g.hash));
        f.set("fetchSubmodules", Value::raw(g.submodules ? "true" : "false"));
        args.set("build-system", build_systems(g.build_requires));
        return in_subdirectory(Value::apply("fetchgit", std::move(f)), p.source->subdirectory);
    }
    }
    return Value::raw("null");
}

Value package_value(const Lock& lock, const TargetData& d, std::size_t i,
                    const EmitOptions& options) {
    const Package& p = lock.packages[i];
    if (auto it = d.unavailable.find(i); it != d.unavailable.end()) {
        Value v = Value::raw("throw " + nix::string_literal(it->second));
        v.comments.push_back("not installable on " + d.target.describe());
        return v;
    }
    const Artifact& a = d.artifacts.at(i);
    static const Recipe no_recipe;
    const Recipe& recipe = d.recipes.contains(i) ? d.recipes.at(i) : no_recipe;
    Value args = Value::set_of();
    args.set("pname", Value::str(store_safe(p.canonical_name)));
    args.set("version", Value::str(store_safe(p.version)));
    bool wheel = a.kind == ArtifactKind::wheel;
    if ((a.kind == ArtifactKind::file || a.kind == ArtifactKind::url) && a.file) {
        wheel = tags::classify(a.file->name) == tags::FileKind::wheel;
    }
    Value extra = Value::set_of(); // build-system set by git sources
    Value src = source_value(lock, p, a, options, extra);
    if (wheel) {
        args.set("format", Value::str("wheel"));
    } else {
        args.set("pyproject", Value::raw("true"));
        if (!recipe.list("build-systems").empty()) {
            args.set("build-system", build_systems(recipe.list("build-systems"), true));
        } else if (!extra.attrs.empty()) {
            for (auto& [k, v] : extra.attrs) {
                args.set(k, std::move(v));
            }
        } else if (a.kind == ArtifactKind::directory) {
            args.set("build-system", build_systems(local_build_system(options, p.source->url)));
        } else {
            args.set("build-system", build_systems({}));
        }
    }
    args.set("src", std::move(src));
    std::vector<Value> deps;
    std::set<std::string> names;
    const auto removed = recipe.list("remove-dependencies");
    for (std::size_t dep : d.graph.dependencies.at(i)) {
        const std::string& name = lock.packages[dep].canonical_name;
        if (std::find(removed.begin(), removed.end(), name) == removed.end() &&
            d.keys.contains(dep)) {
            deps.push_back(Value::raw(nix::select("final", d.keys.at(dep))));
            names.insert(name);
        }
    }
    // Extra runtime dependencies: the locked package when there is one, else nixpkgs'.
    for (const auto& extra_dep : recipe.list("dependencies")) {
        const std::string name = canonicalize_name(extra_dep);
        if (!names.insert(name).second) {
            continue;
        }
        const bool locked = std::any_of(d.keys.begin(), d.keys.end(),
                                        [&](const auto& k) { return k.second == name; });
        deps.push_back(Value::raw(nix::select(locked ? "final" : "python.pkgs", name)));
    }
    args.set("dependencies", Value::list(std::move(deps)));
    std::vector<Value> native;
    std::vector<Value> inputs;
    std::string manylinux;
    if (wheel && a.wheel && d.target.os == Target::Os::linux) {
        const bool binary = std::any_of(a.wheel->tags.begin(), a.wheel->tags.end(),
                                        [](const tags::Tag& t) { return t.platform != "any"; });
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
    attr_paths(native, recipe.list("native-build-inputs"));
    attr_paths(inputs, recipe.list("build-inputs"));
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
    attr_paths(propagated, recipe.list("propagated-build-inputs"));
    if (!propagated.empty()) {
        args.set("propagatedBuildInputs", Value::list(std::move(propagated)));
    }
    if (const auto ignore = recipe.list("auto-patchelf-ignore-missing"); !ignore.empty()) {
        args.set("autoPatchelfIgnoreMissingDeps", strings(ignore));
    }
    if (const auto env = recipe.table("env"); !env.empty()) {
        Value e = Value::set_of();
        for (const auto& [k, v] : env) {
            e.set(k, Value::str(v));
        }
        args.set("env", std::move(e));
    }
    if (const auto text = recipe.text("post-patch"); !text.empty()) {
        args.set("postPatch", Value::str(text));
    }
    if (const auto text = recipe.text("post-install"); !text.empty()) {
        args.set("postInstall", Value::str(text));
    }
    if (recipe.flag("dont-strip")) {
        args.set("dontStrip", Value::raw("true"));
    }
    if (d.graph.in_cycle.contains(i)) {
        // Its cycle siblings are propagated together by its dependants, not by itself.
        args.set("dontCheckRuntimeDeps", Value::raw("true"));
    }
    Value v = Value::apply("python.pkgs.buildPythonPackage", std::move(args));
    v.comments.push_back(comment_text(a.reason));
    if (p.files_origin == FilesOrigin::index) {
        v.comments.emplace_back(
            "digest from the package index: the lock lists none for this package");
    }
    return v;
}

Value target_value(const Lock& lock, const TargetData& d, const EmitOptions& options) {
    Value t = Value::set_of();
    t.set("system", Value::str(d.target.system));
    t.set("python", Value::str(d.target.python_version()));
    t.set("defaultGroups", strings(d.defaults.groups));
    t.set("defaultExtras", strings(d.defaults.extras));
    t.set("allGroups", strings(d.defaults.all_groups));
    t.set("allExtras", strings(d.defaults.all_extras));
    Value membership = Value::set_of();
    for (std::size_t i : d.packages) {
        Value m = Value::set_of();
        const auto g = d.groups.contains(i) ? d.groups.at(i) : std::set<std::string>{};
        m.set("groups", strings({g.begin(), g.end()}));
        Value ex = Value::set_of();
        if (auto it = d.extra_groups.find(i); it != d.extra_groups.end()) {
            for (const auto& [e, gs] : it->second) {
                ex.set(e, strings({gs.begin(), gs.end()}));
            }
        }
        m.set("extras", std::move(ex));
        membership.set(d.keys.at(i), std::move(m));
    }
    t.set("membership", std::move(membership));
    Value unavailable = Value::set_of();
    for (const auto& [i, why] : d.unavailable) {
        unavailable.set(d.keys.at(i), Value::str(why));
    }
    t.set("unavailable", std::move(unavailable));
    Value develop = Value::set_of();
    for (std::size_t i : d.defaults.packages) {
        const Package& p = lock.packages[i];
        if (d.keys.contains(i) && p.source_kind() == SourceKind::directory &&
            p.develop.value_or(false)) {
            Value e = Value::set_of();
            e.set("pname", Value::str(store_safe(p.canonical_name)));
            e.set("version", Value::str(store_safe(p.version)));
            e.set("path", Value::str(p.source->url));
            develop.set(d.keys.at(i), std::move(e));
        }
    }
    t.set("develop", std::move(develop));
    Value packages = Value::set_of();
    for (std::size_t i : d.packages) {
        packages.set(d.keys.at(i), package_value(lock, d, i, options));
    }
    t.set("packages", Value::lambda("final", std::move(packages)));
    return t;
}

std::string target_key(const Target& t) {
    return t.system + " python" + t.python_version();
}

// The root project as a package (app) and as an editable install (devShell).
void project_outputs(const Pyproject& pp, Value& out,
                     std::vector<std::pair<std::string, Value>>& let) {
    Value app = Value::set_of();
    app.set("pname", Value::str(store_safe(canonicalize_name(pp.project_name()))));
    app.set("version",
            Value::str(store_safe(pp.project_version().empty() ? "0" : pp.project_version())));
    app.set("pyproject", Value::raw("true"));
    app.set("src", Value::raw("lib.cleanSource projectDir"));
    app.set("build-system", build_systems(pp.build_system.requirements));
    app.set("dependencies", Value::raw("packagesFor [ \"main\" ] target.defaultExtras"));
    if (pp.build_system.build_backend == "poetry.masonry.api") {
        app.set("postPatch", Value::str("substituteInPlace pyproject.toml --replace-fail "
                                        "poetry.masonry.api poetry.core.masonry.api"));
    }
    let.emplace_back("app", Value::apply("python.pkgs.buildPythonPackage", std::move(app)));

    std::string from;
    for (const PackageInclude& inc : pp.poetry.packages) {
        if (!inc.from.empty()) {
            from = "/" + inc.from;
            break;
        }
    }
    Value editable = Value::set_of();
    editable.set("pname", Value::str(store_safe(canonicalize_name(pp.project_name()))));
    editable.set("version",
                 Value::str(store_safe(pp.project_version().empty() ? "0" : pp.project_version())));
    editable.set("root", Value::raw("editableRoot + " + nix::string_literal(from)));
    Value scripts = Value::set_of();
    auto all_scripts = pp.poetry.scripts;
    all_scripts.insert(pp.project.scripts.begin(), pp.project.scripts.end());
    for (const auto& [name, target] : all_scripts) {
        scripts.set(name, Value::str(target));
    }
    editable.set("scripts", std::move(scripts));
    let.emplace_back("editable",
                     Value::apply("python.pkgs.mkPythonEditablePackage", std::move(editable)));
    out.set("inherit app", Value::raw(""));
}

} // namespace

std::string emit_nix(const Lock& lock, const Pyproject* pp, const EmitOptions& options) {
    if (options.targets.empty()) {
        throw Error("no target to emit for", {}, {}, "pass --system and --python");
    }
    std::vector<Target> targets = options.targets;
    std::sort(targets.begin(), targets.end(),
              [](const Target& a, const Target& b) { return target_key(a) < target_key(b); });
    targets.erase(std::unique(targets.begin(), targets.end(),
                              [](const Target& a, const Target& b) {
                                  return target_key(a) == target_key(b);
                              }),
                  targets.end());

    std::string out;
    out += "# Generated by lock2nix " LOCK2NIX_VERSION " from " + comment_text(options.lock_name) +
           ". Do not edit: regenerate it.\n";
    out += "# lock content-hash: " + comment_text(lock.content_hash) + "\n";
    if (!options.lock_digest.empty()) {
        out += "# lock file sha256: " + options.lock_digest + "\n";
    }
    std::string target_list;
    for (const auto& t : targets) {
        target_list += (target_list.empty() ? "" : ", ") + target_key(t);
    }
    out += "# targets: " + comment_text(target_list) + "\n";
    out += "# regenerate: " + comment_text(options.command) + "\n";
    out += "{\n";
    out += "  pkgs ? import <nixpkgs> { },\n";
    out += "  lib ? pkgs.lib,\n";
    out += "  python ? pkgs." + options.targets.front().nix_python_attribute() + ",\n";
    out += "  overrides ? (final: prev: { }),\n";
    out += "  projectDir ? ./" +
           (options.project_dir == "."
                ? std::string(".")
                : std::string(".") + " + " + nix::string_literal("/" + options.project_dir)) +
           ",\n";
    out += "  editableRoot ? builtins.toString projectDir,\n";
    out += "}:\n\n";

    std::vector<std::pair<std::string, Value>> let;
    let.emplace_back("inherit (pkgs) fetchurl fetchgit", Value::raw(""));
    let.emplace_back("fix", Value::raw("f: let x = f x; in x"));
    let.emplace_back(
        "targetName",
        Value::raw("\"${pkgs.stdenv.hostPlatform.system} python${python.pythonVersion}\""));
    Value target_set = Value::set_of();
    EmitOptions with_urls = options;
    std::set<std::size_t> located;
    for (const Target& t : targets) {
        const TargetData d = collect(lock, pp, t, options);
        if (options.locate) {
            std::vector<std::size_t> ask;
            for (std::size_t i : d.packages) {
                if (located.insert(i).second) {
                    ask.push_back(i);
                }
            }
            if (!ask.empty()) {
                for (auto& [file, url] : options.locate(ask)) {
                    with_urls.exact_urls[file] = url;
                }
            }
        }
        target_set.set(target_key(t), target_value(lock, d, with_urls));
    }
    let.emplace_back("targets", std::move(target_set));
    const std::string refusal_head =
        "python-env.nix was generated by lock2nix for " + target_list + ", not for ";
    const std::string refusal_tail = ". Regenerate it for this system and Python with: lock2nix " +
                                     options.lock_name + " --system ";
    let.emplace_back("target", Value::raw("targets.${targetName} or (throw (" +
                                          nix::string_literal(refusal_head) + " + targetName + " +
                                          nix::string_literal(refusal_tail) +
                                          " + pkgs.stdenv.hostPlatform.system + \" --python \" + "
                                          "python.pythonVersion))"));
    let.emplace_back(
        "packages",
        Value::raw(
            "fix (final: let prev = target.packages final; in prev // overrides final prev)"));
    let.emplace_back(
        "checkNames",
        Value::raw("kind: known: names: builtins.all (n: builtins.elem n known || throw "
                   "\"unknown ${kind} ${n}; this lock has: ${builtins.concatStringsSep \", \" "
                   "known}\") names"));
    let.emplace_back(
        "isSelected",
        Value::raw(
            "\n    groups: extras: name:\n    let\n      m = target.membership.${name};\n    in\n"
            "    builtins.any (g: builtins.elem g groups) m.groups\n"
            "    || builtins.any (e: builtins.any (g: builtins.elem g groups) (m.extras.${e} or [ "
            "])) extras"));
    let.emplace_back(
        "namesFor",
        Value::raw(
            "\n    groups: extras:\n    assert checkNames \"group\" target.allGroups groups;\n"
            "    assert checkNames \"extra\" target.allExtras extras;\n"
            "    builtins.filter (isSelected groups extras) (builtins.attrNames "
            "target.membership)"));
    let.emplace_back(
        "packagesFor",
        Value::raw("groups: extras: map (name: packages.${name}) (namesFor groups extras)"));
    // Path dependencies with `develop = true` are installed editable in the devShell.
    let.emplace_back(
        "editables",
        Value::raw(
            "builtins.attrValues (\n    builtins.mapAttrs (\n      name: d:\n"
            "      python.pkgs.mkPythonEditablePackage {\n        inherit (d) pname version;\n"
            "        root = editableRoot + \"/\" + d.path;\n      }\n    ) target.develop\n  )"));
    let.emplace_back("mkEnv", Value::raw("\n    {\n      groups ? target.defaultGroups,\n      "
                                         "extras ? target.defaultExtras,\n    }:\n"
                                         "    python.withPackages (_: packagesFor groups extras)"));
    Value result = Value::set_of();
    result.set("inherit packages mkEnv python", Value::raw(""));
    result.set("unavailable", Value::raw("target.unavailable"));
    result.set("env", Value::raw("mkEnv { }"));
    const bool root_package = pp != nullptr && pp->describes_package();
    if (root_package) {
        project_outputs(*pp, result, let);
    }
    Value shell = Value::set_of();
    shell.set(
        "packages",
        Value::list({Value::raw(
            "(python.withPackages (\n          _:\n          map (name: packages.${name}) (\n"
            "            builtins.filter (name: !(target.develop ? ${name})) (\n"
            "              namesFor target.defaultGroups target.defaultExtras\n            )\n"
            "          )\n          ++ editables" +
            std::string(root_package ? "\n          ++ [ editable ]" : "") + "\n        ))")}));
    result.set("devShell", Value::apply("pkgs.mkShell", std::move(shell)));
    out += nix::render(Value::let_in(std::move(let), std::move(result)));
    out += "\n";
    return out;
}

} // namespace lock2nix
