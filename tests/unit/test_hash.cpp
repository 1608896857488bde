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

TEST_CASE("hex digits in either case", "[hash]") {
    CHECK(hex_digit_value('0') == 0);
    CHECK(hex_digit_value('9') == 9);
    CHECK(hex_digit_value('a') == 10);
    CHECK(hex_digit_value('F') == 15);
    CHECK(hex_digit_value('g') == -1);
    CHECK(hex_digit_value('%') == -1);
    CHECK(hex_digit_value('\0') == -1);
    CHECK(*from_hex("aB0f") == Digest{0xab, 0x0f});
}
