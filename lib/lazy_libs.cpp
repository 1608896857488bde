// libarchive and libcrypto, loaded with dlopen on first use instead of linked, for start-up time.
//
// Linked, they are loaded into every run: libarchive brings libxml2, ICU, nettle, acl, lzma,
// zstd, lz4, bz2 and z; libcrypto alone has ~17k relocations. Resolving and relocating those
// twelve libraries was most of `lock2nix version`'s 5 ms against /bin/true's 0.7 ms, while only a
// translation that reads an sdist needs libarchive and only hashing needs libcrypto.
//
// The functions lib/fetch/sdist.cpp and lib/hash.cpp call are defined here under their own names
// (the headers declare them extern "C"), so those files call them as if linked: each definition
// forwards to the symbol dlsym found in the library, loaded once, on the first call.
//
// Where OpenSSL's static archive is available (LOCK2NIX_STATIC_CRYPTO, see lib/CMakeLists.txt)
// the few SHA-256 functions are linked from it instead and nothing of libcrypto is loaded: even
// loaded lazily it costs `check` 1 ms of relocations on every run.

#include "lock2nix/error.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>
#ifndef LOCK2NIX_STATIC_CRYPTO
// hash.cpp uses the low-level SHA-256 calls on purpose (see there); they are deprecated in
// OpenSSL 3, but kept.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/sha.h>
#endif
#include <string>

namespace lock2nix::detail {
namespace {

void* open_library(const char* soname, const char* what, const std::string& hint) {
    void* lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
        throw Error(std::string("cannot load ") + soname + ", which " + what +
                        " needs: " + dlerror(),
                    {}, {}, hint);
    }
    return lib; // stays loaded for the life of the process
}

template <class F>
void bind(void* lib, const char* soname, const char* name, F& out) {
    void* symbol = dlsym(lib, name);
    if (symbol == nullptr) {
        throw Error(std::string(soname) + " lacks " + name);
    }
    out = reinterpret_cast<F>(symbol);
}

#define LOCK2NIX_FN(name) decltype(&::name) name
#define LOCK2NIX_BIND(name) bind(lib, soname, #name, api.name)

struct ArchiveApi {
    LOCK2NIX_FN(archive_read_new);
    LOCK2NIX_FN(archive_read_free);
    LOCK2NIX_FN(archive_read_support_filter_gzip);
    LOCK2NIX_FN(archive_read_support_filter_bzip2);
    LOCK2NIX_FN(archive_read_support_filter_xz);
    LOCK2NIX_FN(archive_read_support_format_tar);
    LOCK2NIX_FN(archive_read_support_format_zip);
    LOCK2NIX_FN(archive_read_open_filename);
    LOCK2NIX_FN(archive_read_open_memory);
    LOCK2NIX_FN(archive_read_next_header);
    LOCK2NIX_FN(archive_read_data);
    LOCK2NIX_FN(archive_error_string);
    LOCK2NIX_FN(archive_entry_pathname);
    LOCK2NIX_FN(archive_entry_filetype);
    LOCK2NIX_FN(archive_entry_size);
    LOCK2NIX_FN(archive_entry_size_is_set);
};

const ArchiveApi& archive_api() {
    static const ArchiveApi loaded = [] {
        const char* soname = "libarchive.so.13";
        void* lib = open_library(soname, "reading an sdist's pyproject.toml",
                                 "install libarchive13, or translate offline (" +
                                     mention(Setting::offline) + ")");
        ArchiveApi api{};
        LOCK2NIX_BIND(archive_read_new);
        LOCK2NIX_BIND(archive_read_free);
        LOCK2NIX_BIND(archive_read_support_filter_gzip);
        LOCK2NIX_BIND(archive_read_support_filter_bzip2);
        LOCK2NIX_BIND(archive_read_support_filter_xz);
        LOCK2NIX_BIND(archive_read_support_format_tar);
        LOCK2NIX_BIND(archive_read_support_format_zip);
        LOCK2NIX_BIND(archive_read_open_filename);
        LOCK2NIX_BIND(archive_read_open_memory);
        LOCK2NIX_BIND(archive_read_next_header);
        LOCK2NIX_BIND(archive_read_data);
        LOCK2NIX_BIND(archive_error_string);
        LOCK2NIX_BIND(archive_entry_pathname);
        LOCK2NIX_BIND(archive_entry_filetype);
        LOCK2NIX_BIND(archive_entry_size);
        LOCK2NIX_BIND(archive_entry_size_is_set);
        return api;
    }();
    return loaded;
}

#ifndef LOCK2NIX_STATIC_CRYPTO
struct CryptoApi {
    LOCK2NIX_FN(SHA256_Init);
    LOCK2NIX_FN(SHA256_Update);
    LOCK2NIX_FN(SHA256_Final);
    LOCK2NIX_FN(EVP_EncodeBlock);
};

const CryptoApi& crypto_api() {
    static const CryptoApi loaded = [] {
        const char* soname = "libcrypto.so.3";
        void* lib = open_library(soname, "hashing", "install libssl3 (OpenSSL 3)");
        CryptoApi api{};
        LOCK2NIX_BIND(SHA256_Init);
        LOCK2NIX_BIND(SHA256_Update);
        LOCK2NIX_BIND(SHA256_Final);
        LOCK2NIX_BIND(EVP_EncodeBlock);
        return api;
    }();
    return loaded;
}
#endif

#undef LOCK2NIX_BIND
#undef LOCK2NIX_FN

} // namespace
} // namespace lock2nix::detail

using lock2nix::detail::archive_api;

extern "C" {

archive* archive_read_new(void) {
    return archive_api().archive_read_new();
}
int archive_read_free(archive* a) {
    return archive_api().archive_read_free(a);
}
int archive_read_support_filter_gzip(archive* a) {
    return archive_api().archive_read_support_filter_gzip(a);
}
int archive_read_support_filter_bzip2(archive* a) {
    return archive_api().archive_read_support_filter_bzip2(a);
}
int archive_read_support_filter_xz(archive* a) {
    return archive_api().archive_read_support_filter_xz(a);
}
int archive_read_support_format_tar(archive* a) {
    return archive_api().archive_read_support_format_tar(a);
}
int archive_read_support_format_zip(archive* a) {
    return archive_api().archive_read_support_format_zip(a);
}
int archive_read_open_filename(archive* a, const char* filename, size_t block_size) {
    return archive_api().archive_read_open_filename(a, filename, block_size);
}
int archive_read_open_memory(archive* a, const void* buffer, size_t size) {
    return archive_api().archive_read_open_memory(a, buffer, size);
}
int archive_read_next_header(archive* a, archive_entry** entry) {
    return archive_api().archive_read_next_header(a, entry);
}
la_ssize_t archive_read_data(archive* a, void* buffer, size_t size) {
    return archive_api().archive_read_data(a, buffer, size);
}
const char* archive_error_string(archive* a) {
    return archive_api().archive_error_string(a);
}
const char* archive_entry_pathname(archive_entry* e) {
    return archive_api().archive_entry_pathname(e);
}
__LA_MODE_T archive_entry_filetype(archive_entry* e) {
    return archive_api().archive_entry_filetype(e);
}
la_int64_t archive_entry_size(archive_entry* e) {
    return archive_api().archive_entry_size(e);
}
int archive_entry_size_is_set(archive_entry* e) {
    return archive_api().archive_entry_size_is_set(e);
}

#ifndef LOCK2NIX_STATIC_CRYPTO
using lock2nix::detail::crypto_api;

int SHA256_Init(SHA256_CTX* c) {
    return crypto_api().SHA256_Init(c);
}
int SHA256_Update(SHA256_CTX* c, const void* data, size_t len) {
    return crypto_api().SHA256_Update(c, data, len);
}
int SHA256_Final(unsigned char* md, SHA256_CTX* c) {
    return crypto_api().SHA256_Final(md, c);
}
int EVP_EncodeBlock(unsigned char* t, const unsigned char* f, int n) {
    return crypto_api().EVP_EncodeBlock(t, f, n);
}
#endif

} // extern "C"
