#include "lock2nix/project/model_json.hpp"

#include <nlohmann/json.hpp>

namespace lock2nix {

namespace {

using json = nlohmann::ordered_json;

void put(json& j, const char* key, const std::string& value) {
    if (!value.empty()) {
        j[key] = value;
    }
}

json position(SourcePosition pos) {
    return json{{"line", pos.line}, {"column", pos.column}};
}

json constraint_json(const DependencyConstraint& c) {
    json j = json::object();
    put(j, "version", c.version);
    put(j, "python", c.python());
    put(j, "platform", c.platform());
    put(j, "markers", c.markers);
    if (!c.extras.empty()) {
        j["extras"] = c.extras;
    }
    if (c.optional) {
        j["optional"] = true;
    }
    if (c.allow_prereleases) {
        j["allow_prereleases"] = true;
    }
    if (c.develop) {
        j["develop"] = *c.develop;
    }
    put(j, "path", c.path());
    put(j, "file", c.file());
    put(j, "url", c.url());
    put(j, "git", c.git());
    put(j, "branch", c.branch());
    put(j, "tag", c.tag());
    put(j, "rev", c.rev());
    put(j, "subdirectory", c.subdirectory());
    put(j, "source", c.source());
    return j;
}

json dependencies_json(const std::vector<Dependency>& deps) {
    json out = json::array();
    for (const Dependency& d : deps) {
        json j{{"name", d.name}, {"canonical_name", d.canonical_name}};
        json cs = json::array();
        for (const DependencyConstraint& c : d.constraints) {
            cs.push_back(constraint_json(c));
        }
        j["constraints"] = std::move(cs);
        out.push_back(std::move(j));
    }
    return out;
}

std::string_view files_origin(FilesOrigin origin) {
    switch (origin) {
    case FilesOrigin::package:
        return "package";
    case FilesOrigin::metadata_files:
        return "metadata.files";
    case FilesOrigin::metadata_hashes:
        return "metadata.hashes";
    case FilesOrigin::index:
        return "index";
    case FilesOrigin::none:
        break;
    }
    return "none";
}

json package_json(const Package& p) {
    json j{{"name", p.name},         {"canonical_name", p.canonical_name},
           {"version", p.version},   {"description", p.description},
           {"optional", p.optional}, {"python_versions", p.python_versions}};
    put(j, "category", p.category);
    if (!p.groups.empty()) {
        j["groups"] = p.groups;
    }
    if (p.markers_by_group) {
        j["markers"] = p.group_markers;
    } else {
        put(j, "markers", p.markers);
    }
    put(j, "marker", p.legacy_marker);
    if (p.develop) {
        j["develop"] = *p.develop;
    }
    json files = json::array();
    for (const FileEntry& f : p.files) {
        json fj = json::object();
        put(fj, "file", f.name);
        fj["hash"] = f.hash();
        files.push_back(std::move(fj));
    }
    j["files"] = std::move(files);
    j["files_origin"] = files_origin(p.files_origin);
    if (p.source) {
        json s{{"type", to_string(p.source->kind)}, {"url", p.source->url}};
        put(s, "reference", p.source->reference);
        put(s, "resolved_reference", p.source->resolved_reference);
        put(s, "subdirectory", p.source->subdirectory);
        if (p.source->kind == SourceKind::unknown) {
            s["type_as_written"] = p.source->type;
        }
        j["source"] = std::move(s);
    }
    if (!p.dependencies.empty()) {
        j["dependencies"] = dependencies_json(p.dependencies);
    }
    if (!p.extras.empty()) {
        j["extras"] = p.extras;
    }
    j["position"] = position(p.position);
    return j;
}

json lock_json(const Lock& lock) {
    json j{{"file", lock.path}, {"generation", to_string(lock.generation)}};
    j["lock_version"] = lock.lock_version.empty() ? json(nullptr) : json(lock.lock_version);
    j["generated_by"] = lock.generated_by.empty() ? json(nullptr) : json(lock.generated_by);
    j["python_versions"] = lock.python_versions;
    j["content_hash"] = lock.content_hash;
    j["extras"] = json(lock.extras);
    json packages = json::array();
    for (const Package& p : lock.packages) {
        packages.push_back(package_json(p));
    }
    j["packages"] = std::move(packages);
    return j;
}

json pyproject_json(const Pyproject& pp) {
    json j{{"file", pp.path}, {"name", pp.project_name()}, {"version", pp.project_version()}};
    j["python"] = pp.python_constraint();
    j["describes_package"] = pp.describes_package();
    if (pp.poetry.present) {
        json p = json::object();
        put(p, "description", pp.poetry.description);
        p["dependencies"] = dependencies_json(pp.poetry.dependencies);
        json groups = json::array();
        for (const DependencyGroup& g : pp.poetry.groups) {
            groups.push_back(json{{"name", g.name},
                                  {"optional", g.optional},
                                  {"include_groups", g.include_groups},
                                  {"dependencies", dependencies_json(g.dependencies)}});
        }
        p["groups"] = std::move(groups);
        p["extras"] = json(pp.poetry.extras);
        json sources = json::array();
        for (const IndexSource& s : pp.poetry.sources) {
            sources.push_back(json{{"name", s.name}, {"url", s.url}, {"priority", s.priority}});
        }
        p["sources"] = std::move(sources);
        p["scripts"] = json(pp.poetry.scripts);
        json packages = json::array();
        for (const PackageInclude& inc : pp.poetry.packages) {
            json ij{{"include", inc.include}};
            put(ij, "from", inc.from);
            if (!inc.formats.empty()) {
                ij["format"] = inc.formats;
            }
            packages.push_back(std::move(ij));
        }
        p["packages"] = std::move(packages);
        p["plugins"] = json(pp.poetry.plugins);
        p["package_mode"] = pp.poetry.package_mode;
        j["tool_poetry"] = std::move(p);
    }
    if (pp.project.present) {
        json p{{"name", pp.project.name}, {"version", pp.project.version}};
        put(p, "requires_python", pp.project.requires_python);
        p["dependencies"] = pp.project.dependencies;
        p["optional_dependencies"] = json(pp.project.optional_dependencies);
        p["scripts"] = json(pp.project.scripts);
        p["gui_scripts"] = json(pp.project.gui_scripts);
        p["dynamic"] = pp.project.dynamic;
        j["project"] = std::move(p);
    }
    if (!pp.dependency_groups.empty()) {
        json groups = json::object();
        for (const auto& [name, items] : pp.dependency_groups) {
            json list = json::array();
            for (const DependencyGroupItem& item : items) {
                list.push_back(item.include_group.empty()
                                   ? json(item.requirement)
                                   : json{{"include-group", item.include_group}});
            }
            groups[name] = std::move(list);
        }
        j["dependency_groups"] = std::move(groups);
    }
    if (pp.build_system.present) {
        j["build_system"] = json{{"requires", pp.build_system.requirements},
                                 {"build_backend", pp.build_system.build_backend}};
    }
    json hashes = json::object();
    for (HashAlgorithm a : all_hash_algorithms) {
        hashes[std::string(1, to_char(a))] = content_hash(pp.content_hash_inputs, a);
    }
    j["content_hashes"] = std::move(hashes);
    return j;
}

json pylock_file_json(const PylockFile& f) {
    json j = json::object();
    j["name"] = f.name;
    put(j, "url", f.url);
    put(j, "path", f.path);
    if (f.size) {
        j["size"] = *f.size;
    }
    put(j, "upload_time", f.upload_time);
    json hashes = json::object();
    for (const auto& h : f.hashes) {
        hashes[h.algorithm] = h.value;
    }
    j["hashes"] = std::move(hashes);
    put(j, "subdirectory", f.subdirectory);
    j["position"] = position(f.position);
    return j;
}

json pylock_json(const Pylock& lock) {
    json j = json::object();
    j["format"] = std::string(to_string(LockFormat::pylock));
    j["path"] = lock.path;
    put(j, "name", lock.name_part);
    j["lock_version"] = lock.lock_version;
    j["created_by"] = lock.created_by;
    put(j, "requires_python", lock.requires_python);
    if (!lock.environments.empty()) {
        j["environments"] = lock.environments;
    }
    j["multi_use"] = lock.multi_use;
    j["extras"] = lock.extras;
    j["dependency_groups"] = lock.dependency_groups;
    j["default_groups"] = lock.default_groups;
    json packages = json::array();
    for (const PylockPackage& p : lock.packages) {
        json pj = json::object();
        pj["name"] = p.name;
        put(pj, "version", p.version);
        put(pj, "marker", p.marker);
        put(pj, "requires_python", p.requires_python);
        put(pj, "index", p.index);
        pj["source"] = std::string(to_string(p.source_kind()));
        if (p.vcs) {
            json v = json::object();
            v["type"] = p.vcs->type;
            put(v, "url", p.vcs->url);
            put(v, "path", p.vcs->path);
            put(v, "requested_revision", p.vcs->requested_revision);
            v["commit_id"] = p.vcs->commit_id;
            put(v, "subdirectory", p.vcs->subdirectory);
            pj["vcs"] = std::move(v);
        }
        if (p.directory) {
            json d = json::object();
            d["path"] = p.directory->path;
            d["editable"] = p.directory->editable;
            put(d, "subdirectory", p.directory->subdirectory);
            pj["directory"] = std::move(d);
        }
        if (p.archive) {
            pj["archive"] = pylock_file_json(*p.archive);
        }
        if (p.sdist) {
            pj["sdist"] = pylock_file_json(*p.sdist);
        }
        if (!p.wheels.empty()) {
            json wheels = json::array();
            for (const auto& w : p.wheels) {
                wheels.push_back(pylock_file_json(w));
            }
            pj["wheels"] = std::move(wheels);
        }
        if (!p.dependencies.empty()) {
            pj["dependencies"] = p.dependencies;
        }
        if (!p.problems.empty()) {
            json problems = json::array();
            for (const auto& problem : p.problems) {
                problems.push_back(json{{"message", problem.message},
                                        {"hint", problem.hint},
                                        {"position", position(problem.position)}});
            }
            pj["problems"] = std::move(problems);
        }
        pj["position"] = position(p.position);
        packages.push_back(std::move(pj));
    }
    j["packages"] = std::move(packages);
    return j;
}

} // namespace

std::string model_json(const Lock& lock) {
    return lock_json(lock).dump(2);
}

std::string model_json(const Pylock& lock) {
    return pylock_json(lock).dump(2);
}

std::string model_json(const Pyproject& pyproject) {
    return pyproject_json(pyproject).dump(2);
}

} // namespace lock2nix
