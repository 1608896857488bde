#include "lock2nix/pipeline.hpp"

namespace lock2nix {

Translation translate_project(Project& project, const PlanOptions& plan_options,
                              const RenderOptions& render, SourceFetcher& fetcher) {
    std::vector<std::string> notes =
        complete_digests(project.lock, project.pyproject_or_null(), fetcher);
    Translation out = plan_and_render(project, plan_options, render, fetcher);
    out.notes.insert(out.notes.begin(), notes.begin(), notes.end());
    return out;
}

Translation plan_and_render(Project& project, const PlanOptions& plan_options,
                            const RenderOptions& render, SourceFetcher& fetcher) {
    Lock& lock = project.lock;
    const Pyproject* pp = project.pyproject_or_null();
    Translation out;
    const EnvironmentPlan plan = plan_environment(lock, pp, plan_options);
    const ResolvedSources sources = resolve_sources(lock, pp, plan, fetcher, render.git_mode);
    out.notes = sources.notes;
    out.nix = render_nix(lock, pp, plan, sources, render);
    return out;
}

} // namespace lock2nix
