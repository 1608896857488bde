#pragma once
// Poetry's content-hash: sha256 of json.dumps(relevant pyproject content, sort_keys=True),
// in the five generations Poetry has used (reference: poetry-lock-format.md §9).

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace lock2nix {

/// The five algorithm generations.
enum class HashAlgorithm {
    A, ///< Poetry 0.11.5 … 1.1.x: dependencies, dev-dependencies, source, extras (null if absent)
    B, ///< Poetry 1.2.0a2 … 1.2.0b1: dependencies, group, source, extras
    C, ///< Poetry 1.2.0b2 … 1.8.x: the four legacy keys, plus group when present
    D, ///< Poetry 2.0 … 2.2: adds [project] requires-python / dependencies / optional-dependencies
    E, ///< Poetry 2.3 …: adds PEP 735 [dependency-groups]
};

inline constexpr std::array<HashAlgorithm, 5> all_hash_algorithms = {
    HashAlgorithm::A, HashAlgorithm::B, HashAlgorithm::C, HashAlgorithm::D, HashAlgorithm::E};

/// "A" … "E".
char to_char(HashAlgorithm algorithm);
/// The Poetry versions that used an algorithm, for messages ("Poetry 2.3 and later").
std::string_view poetry_versions(HashAlgorithm algorithm);

/// The JSON text hashed by each algorithm, indexed by HashAlgorithm.
using ContentHashInputs = std::array<std::string, 5>;

/// sha256 hex of an algorithm's input.
std::string content_hash(const ContentHashInputs& inputs, HashAlgorithm algorithm);

/// The algorithms a lock of this lock-version may have been written with (`lock_version` as in
/// [metadata]; empty for locks that have none).
std::vector<HashAlgorithm> allowed_hash_algorithms(std::string_view lock_version);

} // namespace lock2nix

namespace lock2nix {

/// Outcome of comparing a lock's recorded content-hash with its pyproject.
struct Freshness {
    bool fresh = false;
    /// The algorithm whose hash matched, when fresh.
    HashAlgorithm algorithm = HashAlgorithm::E;
    /// One line for the user: why it is stale, or which algorithm matched.
    std::string reason;
};

/// Is a lock with this recorded hash and lock-version fresh for a pyproject with these inputs?
/// Fresh when the recorded hash equals the hash of any algorithm the lock's generation allows.
Freshness check_freshness(std::string_view recorded_hash, std::string_view lock_version,
                          const ContentHashInputs& inputs);

} // namespace lock2nix
