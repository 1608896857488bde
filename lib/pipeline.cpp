#include "lock2nix/pipeline.hpp"

#include <set>

namespace lock2nix {

PylockAsLock adopt_pylock(Project& project, const std::vector<Target>& targets,
                          const InstallRequest& request) {
    PylockAsLock adopted =
        pylock_as_lock(*project.pylock, targets, pylock_groups(*project.pylock, request));
    project.lock = std::move(adopted.lock);
    return adopted;
}

Translation translate_project(Project& project, const PlanOptions& plan_options,
                              const RenderOptions& render, SourceFetcher& fetcher) {
    if (project.pylock) {
        PylockAsLock adopted = adopt_pylock(project, plan_options.targets, plan_options.request);
        KnownUrlsFetcher known_urls(fetcher, std::move(adopted.urls));
        PlanOptions plan = plan_options;
        plan.request = {};
        RenderOptions pylock_render = render;
        pylock_render.dependencies_known = false;
        return plan_and_render(project, plan, pylock_render, known_urls);
    }
    std::vector<std::string> notes =
        complete_digests(project.lock, project.pyproject_or_null(), fetcher);
    Translation out = plan_and_render(project, plan_options, render, fetcher);
    out.notes.insert(out.notes.begin(), notes.begin(), notes.end());
    return out;
}

Translation plan_and_render(Project& project, const PlanOptions& plan_options,
                            const RenderOptions& render, SourceFetcher& fetcher,
                            std::ostream* sink) {
    Lock& lock = project.lock;
    const Pyproject* pp = project.pyproject_or_null();
    Translation out;
    const EnvironmentPlan plan = plan_environment(lock, pp, plan_options);
    const ResolvedSources sources = resolve_sources(lock, pp, plan, fetcher, render.git_mode);
    out.notes = sources.notes;
    if (sink != nullptr) {
        render_nix(*sink, lock, pp, plan, sources, render);
    } else {
        out.nix = render_nix(lock, pp, plan, sources, render);
    }
    // Nix verifies md5 and sha1 too, but a collision can be made for either: the file is used,
    // and the package named.
    std::set<std::string> weak;
    for (const TargetPlan& t : plan.targets) {
        for (const PlannedPackage& planned : t.packages) {
            for (const Artifact* a :
                 {planned.artifact ? &*planned.artifact : nullptr,
                  planned.alternative ? &planned.alternative->artifact : nullptr}) {
                if (a != nullptr && a->file &&
                    (a->file->algorithm == "md5" || a->file->algorithm == "sha1")) {
                    const Package& p = lock.packages[planned.package];
                    weak.insert("`" + p.name + "` " + p.version + ": " + a->file->name +
                                " is pinned by " + a->file->algorithm + " only");
                }
            }
        }
    }
    for (const std::string& w : weak) {
        out.warnings.push_back(w + ", a digest for which collisions can be made; Nix checks it, "
                                   "but regenerate the lock against an index that serves sha256 "
                                   "to be sure of the file");
    }
    return out;
}

} // namespace lock2nix
