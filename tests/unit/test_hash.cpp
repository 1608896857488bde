#include "lock2nix/hash.hpp"

#include <catch2/catch.hpp>

using namespace lock2nix;

TEST_CASE("sha256 of known inputs", "[hash]") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    Sha256 streamed;
    streamed.update("a");
    streamed.update("bc");
    CHECK(to_hex(streamed.finish()) ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("Nix base-32 and SRI spellings", "[hash]") {
    // `nix-hash --type sha256 --to-base32` of sha256("") and its SRI form, as Nix prints them.
    const auto digest =
        *from_hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(to_nix_base32(digest) == "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73");
    CHECK(to_sri("sha256", digest) == "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    CHECK_FALSE(from_hex("abc").has_value());
    CHECK_FALSE(from_hex("zz").has_value());
}

TEST_CASE("one-shot SHA-256 and base64 agree with OpenSSL at every tail length", "[hash]") {
    std::string text;
    for (std::size_t n = 0; n < 300; ++n) {
        Sha256 reference;
        reference.update(text);
        const Digest expected = reference.finish();
        INFO("length " << n);
        CHECK(sha256_hex(text) == to_hex(expected));
        text += static_cast<char>('a' + n * 7 % 26);
    }
    // Split anywhere, the parts hash as their concatenation.
    for (std::size_t cut = 0; cut <= text.size(); cut += 37) {
        const std::string_view all(text);
        CHECK(sha256_hex_of_parts({all.substr(0, cut), "", all.substr(cut)}) == sha256_hex(text));
    }
    std::string large(3'000'001, 'x');
    Sha256 reference;
    reference.update(large);
    CHECK(sha256_hex(large) == to_hex(reference.finish()));
    CHECK(to_base64({}) == "");
    CHECK(to_base64({0x66}) == "Zg==");
    CHECK(to_base64({0x66, 0x6f}) == "Zm8=");
    CHECK(to_base64({0x66, 0x6f, 0x6f}) == "Zm9v");
    CHECK(to_base64({0xff, 0xfe, 0xfd, 0x00}) == "//79AA==");
}
