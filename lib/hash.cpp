#include "lock2nix/hash.hpp"

#include <algorithm>
#include <array>
#include <openssl/evp.h>
#include <stdexcept>

namespace lock2nix {

struct Sha256::State {
    EVP_MD_CTX* ctx = nullptr;
};

Sha256::Sha256() : state_(std::make_unique<State>()) {
    state_->ctx = EVP_MD_CTX_new();
    if (state_->ctx == nullptr || EVP_DigestInit_ex(state_->ctx, EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("OpenSSL could not initialise SHA-256");
    }
}

Sha256::~Sha256() {
    EVP_MD_CTX_free(state_->ctx);
}

void Sha256::update(std::string_view bytes) {
    EVP_DigestUpdate(state_->ctx, bytes.data(), bytes.size());
}

Digest Sha256::finish() {
    Digest out(EVP_MAX_MD_SIZE);
    unsigned int size = 0;
    EVP_DigestFinal_ex(state_->ctx, out.data(), &size);
    out.resize(size);
    return out;
}

namespace {

// SHA-256 (FIPS 180-4) for the one-shot digests of small inputs: a translation hashes only the
// lock and its few inputs, and loading libcrypto for them cost 3.4 MB of resident pages (a fifth
// of the peak on the largest corpus lock) and its relocations (issue 16). Large inputs keep
// OpenSSL's faster code.
constexpr std::size_t builtin_limit = std::size_t{16} << 20;

constexpr std::array<std::uint32_t, 64> round_constants = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

constexpr std::uint32_t rotr(std::uint32_t x, int n) {
    return (x >> n) | (x << (32 - n));
}

void compress(std::array<std::uint32_t, 8>& h, const unsigned char* block) {
    std::array<std::uint32_t, 64> w{};
    for (std::size_t t = 0; t < 16; ++t) {
        w[t] = (std::uint32_t{block[4 * t]} << 24) | (std::uint32_t{block[4 * t + 1]} << 16) |
               (std::uint32_t{block[4 * t + 2]} << 8) | std::uint32_t{block[4 * t + 3]};
    }
    for (std::size_t t = 16; t < 64; ++t) {
        const std::uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
        const std::uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    std::uint32_t a = h[0];
    std::uint32_t b = h[1];
    std::uint32_t c = h[2];
    std::uint32_t d = h[3];
    std::uint32_t e = h[4];
    std::uint32_t f = h[5];
    std::uint32_t g = h[6];
    std::uint32_t k = h[7];
    for (std::size_t t = 0; t < 64; ++t) {
        const std::uint32_t t1 = k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) +
                                 ((e & f) ^ (~e & g)) + round_constants[t] + w[t];
        const std::uint32_t t2 =
            (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        k = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += k;
}

// The incremental form: whole blocks straight from the input, the rest buffered.
class BuiltinSha256 {
public:
    void update(std::string_view bytes) {
        const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
        std::size_t n = bytes.size();
        total_ += n;
        if (buffered_ > 0) {
            const std::size_t take = std::min(n, buffer_.size() - buffered_);
            std::copy(data, data + take, buffer_.begin() + static_cast<std::ptrdiff_t>(buffered_));
            buffered_ += take;
            data += take;
            n -= take;
            if (buffered_ < buffer_.size()) {
                return;
            }
            compress(h_, buffer_.data());
            buffered_ = 0;
        }
        for (; n >= 64; data += 64, n -= 64) {
            compress(h_, data);
        }
        std::copy(data, data + n, buffer_.begin());
        buffered_ = n;
    }

    Digest finish() {
        // The 0x80 marker and the length in bits (big-endian) in one or two blocks.
        std::array<unsigned char, 128> tail{};
        std::copy(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(buffered_),
                  tail.begin());
        tail[buffered_] = 0x80;
        const std::size_t blocks = buffered_ + 1 + 8 <= 64 ? 1 : 2;
        const std::uint64_t bits = total_ * 8;
        for (std::size_t i = 0; i < 8; ++i) {
            tail[blocks * 64 - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
        }
        for (std::size_t b = 0; b < blocks; ++b) {
            compress(h_, tail.data() + 64 * b);
        }
        Digest out(32);
        for (std::size_t i = 0; i < 8; ++i) {
            for (std::size_t j = 0; j < 4; ++j) {
                out[4 * i + j] = static_cast<std::uint8_t>(h_[i] >> (24 - 8 * j));
            }
        }
        return out;
    }

private:
    std::array<std::uint32_t, 8> h_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    std::array<unsigned char, 64> buffer_{};
    std::size_t buffered_ = 0;
    std::uint64_t total_ = 0;
};

} // namespace

std::string sha256_hex(std::string_view bytes) {
    if (bytes.size() <= builtin_limit) {
        BuiltinSha256 hasher;
        hasher.update(bytes);
        return to_hex(hasher.finish());
    }
    Sha256 hasher;
    hasher.update(bytes);
    return to_hex(hasher.finish());
}

std::string sha256_hex_of_parts(const std::vector<std::string_view>& parts) {
    BuiltinSha256 hasher;
    for (std::string_view part : parts) {
        hasher.update(part);
    }
    return to_hex(hasher.finish());
}

std::string to_hex(const Digest& digest) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(digest.size() * 2);
    for (std::uint8_t b : digest) {
        out += digits[b >> 4];
        out += digits[b & 0xf];
    }
    return out;
}

std::optional<Digest> from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0) {
        return std::nullopt;
    }
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    };
    Digest out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        int hi = nibble(hex[i]);
        int lo = nibble(hex[i + 1]);
        if (hi < 0 || lo < 0) {
            return std::nullopt;
        }
        out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
    }
    return out;
}

std::string to_nix_base32(const Digest& digest) {
    // Nix omits e, o, u and t, and emits the most significant 5-bit group first while reading
    // the bytes little-endian; this is libutil's printHash32.
    static constexpr char alphabet[] = "0123456789abcdfghijklmnpqrsvwxyz";
    const std::size_t len = (digest.size() * 8 - 1) / 5 + 1;
    std::string out;
    out.reserve(len);
    for (std::size_t n = len; n-- > 0;) {
        const std::size_t b = n * 5;
        const std::size_t i = b / 8;
        const std::size_t j = b % 8;
        unsigned c = static_cast<unsigned>(digest[i]) >> j;
        if (i + 1 < digest.size()) {
            c |= static_cast<unsigned>(digest[i + 1]) << (8 - j);
        }
        out += alphabet[c & 0x1f];
    }
    return out;
}

// Written here rather than through libcrypto's EVP_EncodeBlock: the renderer spells every
// file's digest this way, and that alone loaded libcrypto into every translation (issue 16).
std::string to_base64(const Digest& digest) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve(4 * ((digest.size() + 2) / 3));
    for (std::size_t i = 0; i < digest.size(); i += 3) {
        const std::size_t n = std::min<std::size_t>(3, digest.size() - i);
        std::uint32_t v = std::uint32_t{digest[i]} << 16;
        if (n > 1) {
            v |= std::uint32_t{digest[i + 1]} << 8;
        }
        if (n > 2) {
            v |= digest[i + 2];
        }
        out += alphabet[(v >> 18) & 0x3f];
        out += alphabet[(v >> 12) & 0x3f];
        out += n > 1 ? alphabet[(v >> 6) & 0x3f] : '=';
        out += n > 2 ? alphabet[v & 0x3f] : '=';
    }
    return out;
}

std::string to_sri(std::string_view algorithm, const Digest& digest) {
    return std::string(algorithm) + "-" + to_base64(digest);
}

} // namespace lock2nix

#include "lock2nix/error.hpp"

#include <algorithm>
#include <fstream>
#include <sys/stat.h>

namespace lock2nix {

namespace {

// NAR strings: 64-bit little-endian length, the bytes, zero padding to a multiple of 8.
void nar_string(Sha256& h, std::string_view s) {
    char len[8];
    std::uint64_t n = s.size();
    for (char& b : len) {
        b = static_cast<char>(n & 0xff);
        n >>= 8;
    }
    h.update(std::string_view(len, 8));
    h.update(s);
    static constexpr char zeros[8] = {};
    if (const std::size_t rem = s.size() % 8; rem != 0) {
        h.update(std::string_view(zeros, 8 - rem));
    }
}

void nar_node(Sha256& h, const std::filesystem::path& path, bool skip_git) {
    struct stat st {};
    if (lstat(path.c_str(), &st) != 0) {
        throw Error("cannot read " + path.string() + " while hashing it");
    }
    nar_string(h, "(");
    if (S_ISLNK(st.st_mode)) {
        nar_string(h, "type");
        nar_string(h, "symlink");
        nar_string(h, "target");
        nar_string(h, std::filesystem::read_symlink(path).string());
    } else if (S_ISDIR(st.st_mode)) {
        nar_string(h, "type");
        nar_string(h, "directory");
        std::vector<std::string> names;
        for (const auto& e : std::filesystem::directory_iterator(path)) {
            const std::string name = e.path().filename().string();
            if (!(skip_git && name == ".git")) {
                names.push_back(name);
            }
        }
        std::sort(names.begin(), names.end());
        for (const auto& name : names) {
            nar_string(h, "entry");
            nar_string(h, "(");
            nar_string(h, "name");
            nar_string(h, name);
            nar_string(h, "node");
            nar_node(h, path / name, skip_git);
            nar_string(h, ")");
        }
    } else if (S_ISREG(st.st_mode)) {
        nar_string(h, "type");
        nar_string(h, "regular");
        if ((st.st_mode & S_IXUSR) != 0) {
            nar_string(h, "executable");
            nar_string(h, "");
        }
        nar_string(h, "contents");
        std::ifstream in(path, std::ios::binary);
        const auto size = static_cast<std::uint64_t>(st.st_size);
        char len[8];
        std::uint64_t n = size;
        for (char& b : len) {
            b = static_cast<char>(n & 0xff);
            n >>= 8;
        }
        h.update(std::string_view(len, 8));
        std::vector<char> buf(1 << 16);
        std::uint64_t done = 0;
        while (in && done < size) {
            in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
            const auto got = static_cast<std::size_t>(in.gcount());
            h.update(std::string_view(buf.data(), got));
            done += got;
        }
        if (done != size) {
            throw Error("cannot read " + path.string() + " while hashing it");
        }
        static constexpr char zeros[8] = {};
        if (const std::size_t rem = size % 8; rem != 0) {
            h.update(std::string_view(zeros, 8 - rem));
        }
    } else {
        throw Error(path.string() +
                    " is neither a file, a directory nor a symlink; Nix cannot store it");
    }
    nar_string(h, ")");
}

} // namespace

Digest nar_sha256(const std::filesystem::path& path, bool skip_git) {
    Sha256 h;
    nar_string(h, "nix-archive-1");
    nar_node(h, path, skip_git);
    return h.finish();
}

} // namespace lock2nix
