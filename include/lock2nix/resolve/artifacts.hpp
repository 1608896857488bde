#pragma once
// Which file each selected package installs from: the best compatible wheel for the target by
// tag ranking, else the sdist (or the package's own source for git, path and URL packages), with
// policy knobs to prefer sdists globally or per package.

#include "lock2nix/project/lockfile.hpp"
#include "lock2nix/resolve/select.hpp"
#include "lock2nix/standards/tags.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace lock2nix {

/// Wheel-or-sdist policy.
struct ArtifactPolicy {
    bool prefer_sdists = false;           ///< build every package from source when possible
    std::set<std::string> sdist_packages; ///< canonical names built from source
    std::set<std::string> wheel_packages; ///< canonical names installed from wheels
};

/// What a package is built from.
enum class ArtifactKind { wheel, sdist, git, directory, file, url };

std::string_view to_string(ArtifactKind kind);

/// The chosen file of one package.
struct Artifact {
    std::size_t package = 0;
    ArtifactKind kind = ArtifactKind::sdist;
    std::optional<FileEntry> file; ///< the lock's file entry (name and digest), if any
    bool platform_wheel = false;   ///< a wheel with a platform tag other than `any` (binary)
    std::string best_tag;          ///< the wheel tag that ranked best
    std::string reason;            ///< one line: why this file
};

/// Chooses the artifact of every selected package. Throws Error naming the package, the target
/// and the files that exist when a package has nothing usable.
std::vector<Artifact> choose_artifacts(const Lock& lock, const Selection& selection,
                                       const ArtifactPolicy& policy);

/// The artifact for one package (used by the above and by explanations).
Artifact choose_artifact(const Lock& lock, std::size_t package, const Target& target,
                         const tags::TagRanking& ranking, const ArtifactPolicy& policy);

/// A package's artifact and, for a package from an index, the other of wheel and sdist when
/// one fits the target too (the emitted package carries both).
struct ArtifactChoice {
    Artifact chosen;
    std::optional<Artifact> alternative;
};

/// choose_artifact and the alternative from one look at the package's files; throws Error as
/// choose_artifact does.
ArtifactChoice choose_artifact_and_alternative(const Lock& lock, std::size_t package,
                                               const Target& target,
                                               const tags::TagRanking& ranking,
                                               const ArtifactPolicy& policy);

/// What an index package's files offer one target, without choosing between them.
struct FileOffer {
    bool from_index =
        true;           ///< false for git, folder and archive packages: built from source
                        ///< (a wheel at a URL or a path is judged by its tags, as from an index)
    bool wheel = false; ///< a wheel of its version fits the target
    bool sdist = false; ///< it has an sdist of its version

    bool usable() const { return !from_index || wheel || sdist; }
};

/// One look at a package's files for `ranking`'s target.
FileOffer file_offer(const Lock& lock, std::size_t package, const tags::TagRanking& ranking);

/// Whether a package publishes wheels of its version tied to an interpreter's ABI or to a
/// platform: a compiled package, whose sdist needs a compiler and often system libraries.
bool publishes_binary_wheels(const Package& package);

/// Where a package's wheels of its version run, for messages: "CPython 3.8–3.12 on x86_64-linux,
/// win_amd64"; empty when it has none.
std::string wheel_coverage(const Package& package);

} // namespace lock2nix
