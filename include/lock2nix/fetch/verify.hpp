#pragma once
// `lock2nix verify`: download the files a translation would fetch and check each against the
// digest in the lock, streaming through SHA-256.

#include "lock2nix/translate.hpp"

#include <string>
#include <vector>

namespace lock2nix {

/// The check of one file.
struct VerifiedFile {
    std::string package;
    std::string file;
    std::string url;
    std::string expected; ///< "sha256:…" from the lock
    std::string actual;   ///< "sha256:…" of the download (empty when it failed)
    std::string error;    ///< why it could not be checked (may mention settings: render_settings)
    bool ok() const { return error.empty() && expected == actual; }
};

/// Checks every file the emitted file may fetch for the selection of `options` (all its targets,
/// the other of wheel and sdist included), once per URL and digest.
std::vector<VerifiedFile> verify_files(const TranslateOptions& options);

} // namespace lock2nix
