#include "lock2nix/hash.hpp"

// OpenSSL's low-level SHA-256 rather than EVP: EVP_sha256 starts OpenSSL 3's provider machinery
// (configuration, algorithm registry), about 1 ms per process, which is most of what `check`
// costs with it. These calls are deprecated in OpenSSL 3 but kept, and run the same CPU-specific
// code.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdexcept>

namespace lock2nix {

struct Sha256::State {
    SHA256_CTX ctx{};
};

Sha256::Sha256() : state_(std::make_unique<State>()) {
    if (SHA256_Init(&state_->ctx) != 1) {
        throw std::runtime_error("OpenSSL could not initialise SHA-256");
    }
}

Sha256::~Sha256() = default;

void Sha256::update(std::string_view bytes) {
    SHA256_Update(&state_->ctx, bytes.data(), bytes.size());
}

Digest Sha256::finish() {
    Digest out(SHA256_DIGEST_LENGTH);
    SHA256_Final(out.data(), &state_->ctx);
    return out;
}

std::string sha256_hex(std::string_view bytes) {
    Sha256 hasher;
    hasher.update(bytes);
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

int hex_digit_value(char c) {
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
}

std::optional<Digest> from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0) {
        return std::nullopt;
    }
    Digest out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        int hi = hex_digit_value(hex[i]);
        int lo = hex_digit_value(hex[i + 1]);
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

std::string to_base64(const Digest& digest) {
    std::string out(4 * ((digest.size() + 2) / 3), '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), digest.data(),
                                  static_cast<int>(digest.size()));
    out.resize(static_cast<std::size_t>(n));
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
