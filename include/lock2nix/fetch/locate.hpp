#pragma once
// Where each locked file is downloaded from, asked of the package index the way Poetry asks it:
// PyPI's JSON API for PyPI packages, the simple API of the source for `legacy` ones. A file is
// accepted only when the index's sha256 is one of the lock's digests for that package; locks that
// carry no usable digests get theirs from the index (hash completion).

#include "lock2nix/fetch/fetched.hpp"
#include "lock2nix/fetch/index.hpp"
#include "lock2nix/fetch/urls.hpp"
#include "lock2nix/project/lockfile.hpp"
#include "lock2nix/project/pyproject.hpp"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace lock2nix {

/// Where PyPI is (--index-url / LOCK2NIX_INDEX_URL point it elsewhere).
struct LocateOptions {
    std::string pypi_url = "https://pypi.org";
};

/// The index pages a run has read, parsed (by request: URL, Accept, user). A run asks twice for
/// the same packages (hash completion before planning, then the URLs of what was planned); with
/// these kept, each page is requested once per run. The files alone are kept, not the pages: a
/// JSON API page carries the project's whole description.
struct IndexPages {
    std::map<std::string, std::vector<IndexFile>> files;
};

/// Asks the index about `packages` (indices into lock.packages) and returns exact URLs. Packages
/// without usable digests in the lock get the index's files and digests written into `lock`
/// (noted in the result). Pages already in `pages` are not asked again; those read are added.
/// Throws Error on a digest mismatch (naming file, both digests and the index) and when the
/// index cannot be reached after retries.
Located locate_files(Lock& lock, const Pyproject* pyproject,
                     const std::vector<std::size_t>& packages, IndexClient& client,
                     const LocateOptions& options, IndexPages* pages = nullptr);

/// The credentials of the sources a project configures (the pyproject's [[tool.poetry.source]]
/// and the lock's legacy sources: Poetry's POETRY_HTTP_BASIC_<NAME>_* variables, else the
/// user:password of the source's URL), for downloading files. A file URL read from an index page,
/// or from the cache, carries no credentials, yet a private index wants them for its files too.
class SourceCredentials {
public:
    SourceCredentials() = default;
    SourceCredentials(const Lock& lock, const Pyproject* pyproject);
    /// The user and password to send with a download of `url`: those of a configured source on
    /// the same scheme, host and port (the one whose path is the longest prefix of the URL's
    /// path, else the first), or empty ones. Never another host's: a file on a CDN gets none.
    std::pair<std::string, std::string> for_url(const std::string& url) const;

private:
    struct Source {
        std::string origin; ///< scheme://host:port
        std::string path;
        std::string username, password;
    };
    std::vector<Source> sources_;
};

} // namespace lock2nix
