#pragma once
// The SourceFetcher of the command line, over the network: the package index, git, sdists.
// (The pure core, lock2nix::core, has the interface and OfflineFetcher; this is lock2nix.)

#include "lock2nix/fetch/index.hpp"
#include "lock2nix/fetch/locate.hpp"
#include "lock2nix/fetch/sources.hpp"

#include <filesystem>

namespace lock2nix {

/// The fetcher of the command line: the package index through `client` (PyPI at `where`, legacy
/// sources at their URLs), git checkouts cloned once and cached, project files read from disk.
/// Each index page is requested once in the fetcher's life (one run): a package located again
/// is answered from the files read the first time.
/// Sdists are downloaded through `client` (honouring --offline and --refresh), with the
/// credentials of the source on their host (those of the lock last located); what each declares
/// (and a Rust sdist's Cargo.lock) is cached under `build_cache` (default:
/// cache_directory()/build-systems) by the sdist's sha256,
/// so an sdist is downloaded once, and later runs (--offline too) need no network for it.
class IndexFetcher : public SourceFetcher {
public:
    IndexFetcher(IndexClient& client, LocateOptions where, std::filesystem::path lock_dir,
                 std::filesystem::path build_cache = {});

    Located locate(Lock& lock, const Pyproject* pyproject,
                   const std::vector<std::size_t>& packages) override;
    GitSource git(const std::string& url, const std::string& rev,
                  const std::string& subdirectory) override;
    std::optional<std::string> project_file(const std::string& relative_path) override;
    std::optional<SdistFacts> sdist_facts(const FileEntry& file,
                                          const std::vector<std::string>& urls) override;

private:
    IndexClient& client_;
    LocateOptions where_;
    std::filesystem::path lock_dir_;
    std::filesystem::path build_cache_;
    IndexPages pages_;
    SourceCredentials credentials_;
};

} // namespace lock2nix
