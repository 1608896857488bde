#pragma once
// The renderer: a plan and its resolved sources turned into one plain Nix file that builds the
// locked environment with nixpkgs' Python builders. A pure function: it reads no file, asks no
// network and decides nothing the plan did not decide; the file only picks the target it is
// evaluated for and refuses any other. Its fixed part is lib/nix/environment.nix, embedded.

#include "lock2nix/fetch/sources.hpp"
#include "lock2nix/project/lockfile.hpp"
#include "lock2nix/project/pyproject.hpp"
#include "lock2nix/resolve/plan.hpp"

#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lock2nix {

/// What the file records and how it refers to the project.
struct RenderOptions {
    GitMode git_mode = GitMode::pure;
    /// The project directory relative to the emitted file ("." when they sit together).
    std::string project_dir = ".";
    /// The command line that regenerates the file, for its header.
    std::string command;
    /// sha256 (hex) of the lock file's bytes, recorded in the header so `lock2nix check --nix`
    /// can tell when the file is stale against the lock.
    std::string lock_digest;
    /// The lock file's name as the user gave it, for messages in the file.
    std::string lock_name = "poetry.lock";
    /// Other inputs the file depends on (label → sha256), recorded in the header as
    /// `# input LABEL: DIGEST` for `lock2nix check --nix`.
    std::vector<std::pair<std::string, std::string>> inputs;
    /// The nixpkgs release the file is for ("25.11"), named in its header and its refusals.
    std::string nixpkgs_release;
    /// Why lock2nix chose the target Python, for the header; empty when the user named it.
    std::string python_reason;
    /// False for a lock without a dependency graph (a pylock): no package gets dependencies
    /// of its own and nixpkgs' runtime-dependency check is off in every build; an environment
    /// holds the whole selected set, so what each package needs is beside it.
    bool dependencies_known = true;
};

/// Renders the Nix file. Throws Error for a digest Nix cannot verify or a url package without
/// one (both at the lock's position).
std::string render_nix(const Lock& lock, const Pyproject* pyproject, const EnvironmentPlan& plan,
                       const ResolvedSources& sources, const RenderOptions& options);

/// render_nix written to `out` as it is rendered: the per-package members are made, written and
/// dropped one at a time. Throws as render_nix does, and std::ios_base::failure when `out` fails.
void render_nix(std::ostream& out, const Lock& lock, const Pyproject* pyproject,
                const EnvironmentPlan& plan, const ResolvedSources& sources,
                const RenderOptions& options);

/// The fixed Nix part of every emitted file (lib/nix/environment.nix).
std::string_view environment_template();

/// The fixed function that filters a project's folder to what its build backend packages
/// (lib/nix/source.nix), bound as `projectSource` in every emitted file.
std::string_view source_template();

} // namespace lock2nix
