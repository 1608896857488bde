#pragma once
// A dependency as Poetry writes it, in a lock's [package.dependencies] or a pyproject's
// [tool.poetry.dependencies]: a name and one or more constraints (several when the
// requirement differs by environment).

#include "lock2nix/error.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lock2nix {

/// The keys of a constraint that few dependencies write: environment restrictions given as
/// keys instead of markers, and where a path, file, url or git dependency comes from.
struct ConstraintDetails {
    std::string python;   ///< `python` key (older locks, pyprojects): a python_version range
    std::string platform; ///< `platform` key (pyprojects): a sys_platform value
    std::string path;     ///< directory or file, relative to the declaring file's directory
    std::string file;
    std::string url;
    std::string git;
    std::string branch;
    std::string tag;
    std::string rev;
    std::string subdirectory;
    std::string source; ///< name of a [[tool.poetry.source]] to take it from

    /// True when no key is set.
    bool empty() const {
        return python.empty() && platform.empty() && path.empty() && file.empty() && url.empty() &&
               git.empty() && branch.empty() && tag.empty() && rev.empty() &&
               subdirectory.empty() && source.empty();
    }

    friend bool operator==(const ConstraintDetails&, const ConstraintDetails&) = default;
};

/// One constraint for a dependency. Strings are kept as written (Poetry or PEP 440 constraint
/// syntax, PEP 508 markers) and parsed by the modules that decide with them.
struct DependencyConstraint {
    std::string version; ///< version constraint; empty for path/url/git dependencies
    std::string markers; ///< PEP 508 marker; empty means "always"
    std::vector<std::string> extras;
    bool optional = false;
    bool allow_prereleases = false;
    std::optional<bool> develop;
    SourcePosition position;

    /// The rarely written keys, all empty when none was written.
    const ConstraintDetails& details() const { return details_ ? *details_ : no_details(); }

    /// Replaces the rarely written keys; all empty takes no allocation.
    void set_details(ConstraintDetails details) {
        details_ = details.empty() ? nullptr
                                   : std::make_shared<const ConstraintDetails>(std::move(details));
    }

    /// `python` key (older locks, pyprojects): a python_version range.
    const std::string& python() const { return details().python; }
    /// `platform` key (pyprojects): a sys_platform value.
    const std::string& platform() const { return details().platform; }
    /// Directory or file, relative to the declaring file's directory.
    const std::string& path() const { return details().path; }
    /// `file` key.
    const std::string& file() const { return details().file; }
    /// `url` key.
    const std::string& url() const { return details().url; }
    /// `git` key: the repository.
    const std::string& git() const { return details().git; }
    /// `branch` key of a git dependency.
    const std::string& branch() const { return details().branch; }
    /// `tag` key of a git dependency.
    const std::string& tag() const { return details().tag; }
    /// `rev` key of a git dependency.
    const std::string& rev() const { return details().rev; }
    /// `subdirectory` key of a git or url dependency.
    const std::string& subdirectory() const { return details().subdirectory; }
    /// Name of a [[tool.poetry.source]] to take it from.
    const std::string& source() const { return details().source; }

    /// True for path, file, url and git dependencies.
    bool is_direct_reference() const {
        return details_ && (!details_->path.empty() || !details_->file.empty() ||
                            !details_->url.empty() || !details_->git.empty());
    }

private:
    static const ConstraintDetails& no_details() {
        static const ConstraintDetails none;
        return none;
    }

    // Nearly every constraint of a lock has none of these keys, and eleven strings inline took
    // most of a constraint's size. Shared between copies: it is never changed in place.
    std::shared_ptr<const ConstraintDetails> details_;
};

/// A named dependency with its constraints in the order they were written.
struct Dependency {
    std::string name;           ///< as written (PyYAML, typing_extensions, ...)
    std::string canonical_name; ///< PEP 503 normal form, used for every lookup
    std::vector<DependencyConstraint> constraints;
    SourcePosition position;
};

} // namespace lock2nix
