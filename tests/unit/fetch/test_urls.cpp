#include "lock2nix/fetch/urls.hpp"

#include <catch2/catch.hpp>

using namespace lock2nix;

TEST_CASE("percent escapes decode, and a stray percent sign stays as written", "[urls]") {
    CHECK(percent_decoded("torch-2.11.0%2Bcu128-cp312-cp312-linux_x86_64.whl") ==
          "torch-2.11.0+cu128-cp312-cp312-linux_x86_64.whl");
    CHECK(percent_decoded("%2b%2B%3a%3A") == "++::");
    CHECK(percent_decoded("al%40ice") == "al@ice");
    CHECK(percent_decoded("a%2") == "a%2");
    CHECK(percent_decoded("a%") == "a%");
    CHECK(percent_decoded("%zz%41") == "%zzA");
    CHECK(percent_decoded("%4g") == "%4g");
    CHECK(percent_decoded("100%%41") == "100%A");
    CHECK(percent_decoded("") == "");
}
