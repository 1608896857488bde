#include "lock2nix/pipeline.hpp"

namespace lock2nix {

Translation translate_project(Project& project, const PlanOptions& plan_options,
                              const RenderOptions& render, SourceFetcher& fetcher) {
    Lock& lock = project.lock;
    const Pyproject* pp = project.pyproject_or_null();
    Translation out;
    out.notes = complete_digests(lock, pp, fetcher);
    const EnvironmentPlan plan = plan_environment(lock, pp, plan_options);
    const ResolvedSources sources = resolve_sources(lock, pp, plan, fetcher, render.git_mode);
    out.notes.insert(out.notes.end(), sources.notes.begin(), sources.notes.end());
    out.nix = render_nix(lock, pp, plan, sources, render);
    return out;
}

} // namespace lock2nix
