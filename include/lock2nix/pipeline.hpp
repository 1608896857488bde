#pragma once
// The pipeline from text to text, with the outside world behind a SourceFetcher: parse
// (project.hpp) → plan (plan.hpp) → resolve (sources.hpp) → render (render.hpp). The file-based
// `translate()` (translate.hpp) runs the same steps with the package index and git.

#include "lock2nix/fetch/sources.hpp"
#include "lock2nix/nix/render.hpp"
#include "lock2nix/project/project.hpp"
#include "lock2nix/resolve/plan.hpp"

#include <iosfwd>
#include <string>
#include <vector>

namespace lock2nix {

/// The Nix file's text and the remarks made on the way.
struct Translation {
    std::string nix;
    std::vector<std::string>
        notes; ///< e.g. which digests came from the index (may mention settings: render_settings)
    std::vector<std::string> warnings; ///< e.g. compiled packages built from source
};

/// Completes digests, plans, resolves sources and renders. With an OfflineFetcher nothing leaves
/// the process: PyPI files get their predictable URLs and git sources need GitMode::impure.
/// `project.lock` receives digests the fetcher completes. Throws Error.
Translation translate_project(Project& project, const PlanOptions& plan,
                              const RenderOptions& render, SourceFetcher& fetcher);

/// translate_project's steps after the digests are complete: plan, resolve, render. Its notes
/// are those of resolving the sources. With `sink`, the file is written there as it is rendered
/// and Translation::nix stays empty.
Translation plan_and_render(Project& project, const PlanOptions& plan, const RenderOptions& render,
                            SourceFetcher& fetcher, std::ostream* sink = nullptr);

} // namespace lock2nix
