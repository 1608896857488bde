#pragma once
// Digests and their spellings: SHA-256 through OpenSSL, hex, Nix's base-32 and SRI strings.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lock2nix {

/// Raw digest bytes.
using Digest = std::vector<std::uint8_t>;

/// Incremental SHA-256, for streaming files and NAR serialisations through it.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(std::string_view bytes);
    /// Finishes the digest; the object must not be updated afterwards.
    Digest finish();

private:
    struct State;
    std::unique_ptr<State> state_;
};

/// SHA-256 of `bytes` as lower-case hex.
std::string sha256_hex(std::string_view bytes);

/// Lower-case hex of a digest.
std::string to_hex(const Digest& digest);
/// Parses hex (either case); nullopt when not hex or of odd length.
std::optional<Digest> from_hex(std::string_view hex);
/// The value of one hex digit (either case), or -1 when `c` is not one.
int hex_digit_value(char c);

/// Nix's base-32 alphabet and byte order (as `nix-hash --base32` prints).
std::string to_nix_base32(const Digest& digest);
/// Base64 with padding.
std::string to_base64(const Digest& digest);
/// An SRI string such as "sha256-<base64>"; `algorithm` is "sha256", "sha384" or "sha512".
std::string to_sri(std::string_view algorithm, const Digest& digest);

} // namespace lock2nix

#include <filesystem>

namespace lock2nix {

/// SHA-256 of the NAR serialisation of `path` (what `nix-hash --type sha256 DIR` prints).
/// With `skip_git`, entries named `.git` are left out at every level, as fetchgit leaves them.
Digest nar_sha256(const std::filesystem::path& path, bool skip_git = false);

} // namespace lock2nix
