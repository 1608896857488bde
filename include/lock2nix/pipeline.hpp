#pragma once
// The pipeline from text to text, with the outside world behind a SourceFetcher: parse
// (project.hpp) → plan (plan.hpp) → resolve (sources.hpp) → render (render.hpp). The file-based
// `translate()` (translate.hpp) runs the same steps with the package index and git.

#include "lock2nix/fetch/sources.hpp"
#include "lock2nix/nix/render.hpp"
#include "lock2nix/project/project.hpp"
#include "lock2nix/resolve/plan.hpp"
#include "lock2nix/resolve/pylock_as_lock.hpp"

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
/// `project.lock` receives digests the fetcher completes. A pylock project is adopted first for
/// `plan.targets` and `plan.request` (adopt_pylock); its files are fetched from the URLs it gives
/// and its packages' runtime dependencies are not checked (it has no graph). Throws Error.
Translation translate_project(Project& project, const PlanOptions& plan,
                              const RenderOptions& render, SourceFetcher& fetcher);

/// translate_project's steps after the digests are complete: plan, resolve, render. Its notes
/// are those of resolving the sources. With `sink`, the file is written there as it is rendered
/// and Translation::nix stays empty.
Translation plan_and_render(Project& project, const PlanOptions& plan, const RenderOptions& render,
                            SourceFetcher& fetcher, std::ostream* sink = nullptr);

/// A pylock project's entries as its Lock for `targets`, the groups and extras of `request`
/// applied by the specification's selection (pylock_as_lock): `project.lock` is replaced, and the
/// files' URLs and the per-target selections are returned. Plan the result with an empty
/// request. Throws Error where an installer must refuse the pylock.
PylockAsLock adopt_pylock(Project& project, const std::vector<Target>& targets,
                          const InstallRequest& request);

} // namespace lock2nix
