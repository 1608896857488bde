#include "lock2nix/project/overrides.hpp"
#include "lock2nix/translate.hpp"
#include "support.hpp"
#include "tomlplusplus.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>

using namespace lock2nix;

TEST_CASE("every default entry is valid", "[overrides]") {
    const auto db = OverrideDatabase::with_defaults();
    CHECK(db.default_package_count() >= 8343);
    // Walk the generated database through its source: every package it names parses and
    // resolves without error at a typical version.
    std::ifstream in(std::string(LOCK2NIX_TEST_DIR) + "/../overrides/build-systems.toml");
    std::string line;
    std::size_t packages = 0;
    while (std::getline(in, line)) {
        if (line.starts_with("[[")) {
            const std::string name = line.substr(2, line.size() - 4);
            CHECK_NOTHROW(db.resolve(name, "1.0"));
            ++packages;
        }
    }
    CHECK(packages >= 8343);
}

TEST_CASE("entries match by name and PEP 440 version range", "[overrides]") {
    const auto db = OverrideDatabase::with_defaults();
    CHECK(BuildRecipe::from(db.resolve("attrs", "22.2.0")).build_systems ==
          std::vector<std::string>{"setuptools"});
    CHECK(BuildRecipe::from(db.resolve("attrs", "23.1.0")).build_systems ==
          std::vector<std::string>{"hatch-fancy-pypi-readme", "hatch-vcs", "hatchling"});
    // Ranges are PEP 440 specifier sets: "<23.1.0" admits no pre-release of 23.1.0 and
    // ">=23.1.0" starts after them, so 23.1.0rc1 matches neither entry.
    CHECK(BuildRecipe::from(db.resolve("Attrs", "23.1.0rc1")).build_systems.empty());
    CHECK(BuildRecipe::from(db.resolve("Attrs", "23.0.0rc1")).build_systems ==
          std::vector<std::string>{"setuptools"});
    // No default forces an sdist on everyone: torch installs from its wheel unless a
    // project says otherwise, and keeps the facts every torch wheel needs.
    CHECK(BuildRecipe::from(db.resolve("torch", "2.1.0")).prefer_wheel == std::nullopt);
    CHECK(BuildRecipe::from(db.resolve("torch", "2.1.0")).dont_strip);
    CHECK(BuildRecipe::from(db.resolve("typing", "3.7.4.3")).disabled);
    CHECK(db.resolve("no-such-package-anywhere", "1.0").empty());
}

TEST_CASE("layers: project entries beat defaults, --overrides files beat both", "[overrides]") {
    auto db = OverrideDatabase::with_defaults();
    const auto dir = std::filesystem::temp_directory_path() / "lock2nix-overrides-test";
    std::filesystem::create_directories(dir);
    {
        std::ofstream(dir / "pyproject.toml")
            << "[tool.lock2nix.overrides.torch]\nprefer-wheel = true\n"
               "post-install = \"echo project\"\n";
        std::ofstream(dir / "user.toml")
            << "[[torch]]\nversions = \">=2\"\npost-install = \"echo user\"\n";
    }
    db.add_pyproject((dir / "pyproject.toml").string());
    db.add_path((dir / "user.toml").string(), OverrideLayer::user);
    const Recipe r = db.resolve("torch", "2.1.0");
    CHECK(BuildRecipe::from(r).prefer_wheel == true);
    CHECK(r.origins.at("prefer-wheel").layer == OverrideLayer::project);
    CHECK(BuildRecipe::from(r).post_install == "echo user");
    CHECK(r.origins.at("post-install").layer == OverrideLayer::user);
    CHECK(BuildRecipe::from(r).build_systems ==
          std::vector<std::string>{"setuptools"}); // from the defaults
    CHECK(BuildRecipe::from(db.resolve("torch", "1.13.0")).post_install ==
          "echo project"); // outside >=2
    std::filesystem::remove_all(dir);
}

TEST_CASE("lists combine inside a layer, contradicting flags name both entries", "[overrides]") {
    OverrideDatabase db;
    db.add_file("[[x]]\nbuild-inputs = [\"zlib\"]\n[[x]]\nversions = \">=1\"\nbuild-inputs = "
                "[\"openssl\", \"zlib\"]\n"
                "[[y]]\ndont-strip = true\n[[y]]\nversions = \"<2\"\ndont-strip = false\n",
                "o.toml", OverrideLayer::user);
    CHECK(BuildRecipe::from(db.resolve("x", "1.5")).build_inputs ==
          std::vector<std::string>{"zlib", "openssl"});
    CHECK(BuildRecipe::from(db.resolve("y", "3.0")).dont_strip);
    try {
        db.resolve("y", "1.0");
        FAIL("expected a contradiction");
    } catch (const Error& e) {
        const std::string msg = e.what();
        CHECK(msg.find("o.toml:6:1") != std::string::npos); // the two [[y]] entries
        CHECK(msg.find("o.toml:8:1") != std::string::npos);
    }
}

TEST_CASE("bad override files are errors with a position", "[overrides]") {
    OverrideDatabase db;
    CHECK_THROWS_AS(db.add_file("[[x]]\nnope = 1\n", "a.toml", OverrideLayer::user), Error);
    try {
        db.add_file("[[x]]\nbuild-inputs = [\"ok\", \"not ok\"]\n", "b.toml", OverrideLayer::user);
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.position() == SourcePosition{2, 23});
    }
}

TEST_CASE("the documented key tables are the one the schema generates", "[overrides]") {
    // Regenerate with tools/sync-override-keys.py.
    const std::string table = override_keys_markdown();
    for (const char* doc : {"/../overrides/README.md", "/../docs/overrides.md"}) {
        INFO(doc);
        const std::string text = test::slurp(std::string(LOCK2NIX_TEST_DIR) + doc);
        const std::string begin = "<!-- override-keys:begin -->\n";
        const auto from = text.find(begin);
        const auto to = text.find("<!-- override-keys:end -->");
        REQUIRE(from != std::string::npos);
        REQUIRE(to != std::string::npos);
        CHECK(text.substr(from + begin.size(), to - from - begin.size()) == table);
    }
    for (const OverrideKey& key : override_schema()) {
        INFO(key.name);
        CHECK(table.find("| `" + std::string(key.name) + "` |") != std::string::npos);
        CHECK(find_override_key(key.name) == &key);
    }
}

TEST_CASE("every setting of the schema reaches its BuildRecipe member", "[overrides]") {
    // One entry setting every key with a value of its kind; the typed view must carry each, so
    // a field declared with the wrong member or kind fails here.
    std::string entry = "[[pkg]]\n";
    for (const OverrideKey& key : override_schema()) {
        const std::string name(key.name);
        switch (key.kind) {
        case OverrideKeyKind::flag:
            entry += name + " = true\n";
            break;
        case OverrideKeyKind::string:
            entry += name + " = \"echo " + name + "\"\n";
            break;
        case OverrideKeyKind::list:
            entry += name + " = [\"" +
                     (key.rule == OverrideItemRule::relative_path ? "a/b" : "x1") + "\"]\n";
            break;
        case OverrideKeyKind::table:
            entry += name + " = { K = \"v\" }\n";
            break;
        case OverrideKeyKind::package_paths:
            entry += name + " = [{ package = \"dep\", subdir = \"d\" }]\n";
            break;
        default:
            break;
        }
    }
    OverrideDatabase db;
    db.add_file(entry, "all.toml", OverrideLayer::user);
    const Recipe recipe = db.resolve("pkg", "1.0");
    const BuildRecipe typed = BuildRecipe::from(recipe);
    const BuildRecipe none;
    for (const OverrideKey& key : override_schema()) {
        INFO(key.name);
        const bool setting = !std::holds_alternative<std::monostate>(key.field);
        CHECK(setting == (key.kind != OverrideKeyKind::versions &&
                          key.kind != OverrideKeyKind::dist && key.kind != OverrideKeyKind::why));
        if (!setting || key.kind == OverrideKeyKind::patches) {
            continue;
        }
        CHECK(recipe.settings.contains(key.name));
        std::visit(
            [&](auto member) {
                if constexpr (!std::is_same_v<decltype(member), std::monostate>) {
                    CHECK_FALSE(typed.*member == none.*member);
                }
            },
            key.field);
    }
}

TEST_CASE("every hand-written default entry says why", "[overrides]") {
    // build-systems.toml is generated from poetry2nix's data (its entries carry no reason of their
    // own) and is exempt; every other file under overrides/ is written by hand.
    namespace fs = std::filesystem;
    const auto db = OverrideDatabase::with_defaults();
    std::size_t files = 0;
    std::size_t entries = 0;
    for (const auto& f : fs::directory_iterator(std::string(LOCK2NIX_TEST_DIR) + "/../overrides")) {
        const std::string file = f.path().filename().string();
        if (f.path().extension() != ".toml" || file == "build-systems.toml") {
            continue;
        }
        ++files;
        const toml::table root = toml::parse_file(f.path().string());
        for (const auto& [name, value] : root) {
            // Through the compiled-in database: the entries of this file for this package, each
            // with its reason (the embedding keeps `why` with its entry).
            std::size_t written = 0;
            if (const auto* list = value.as_array()) {
                written = list->size();
            } else {
                written = 1;
            }
            std::size_t found = 0;
            for (const OverrideEntry& e : db.entries(std::string(name.str()))) {
                if (e.file != "overrides/" + file) {
                    continue;
                }
                ++found;
                ++entries;
                INFO(e.where() << " (" << name.str() << ")");
                CHECK(e.why.size() >= 20); // a sentence, not a placeholder
            }
            INFO(file << ": " << name.str());
            CHECK(found == written);
        }
    }
    CHECK(files >= 2); // seed.toml and at least one themed file
    CHECK(entries >= 50);
}

TEST_CASE("`why` documents an entry and is no setting", "[overrides]") {
    OverrideDatabase db;
    db.add_file("[[x]]\nwhy = \"links zlib\"\nbuild-inputs = [\"zlib\"]\n"
                "[[x]]\nversions = \">=2\"\nwhy = \"links openssl from 2.0 on\"\n"
                "build-inputs = [\"openssl\"]\n",
                "o.toml", OverrideLayer::user);
    // Two reasons for one package do not contradict each other (unlike two strings of a key).
    const Recipe r = db.resolve("x", "2.1");
    CHECK(BuildRecipe::from(r).build_inputs == std::vector<std::string>{"zlib", "openssl"});
    CHECK_FALSE(r.settings.contains("why"));
    const auto entries = db.entries("x");
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].why == "links zlib");
    CHECK(entries[1].why == "links openssl from 2.0 on");
    CHECK_THROWS_AS(db.add_file("[[y]]\nwhy = true\n", "b.toml", OverrideLayer::user), Error);
    CHECK_THROWS_AS(db.add_file("[[y]]\nwhy = \"  \"\n", "c.toml", OverrideLayer::user), Error);
}

TEST_CASE("string values split at validated store-path interpolations", "[overrides]") {
    const auto parts = split_interpolations("cp @pkgs.zlib.dev@/x $out/@python.sitePackages@ "
                                            "\"$@\" a@b.c @package:Torch_Vision@");
    REQUIRE(parts.size() == 6);
    CHECK(parts[0].value == "cp ");
    CHECK((parts[1].kind == StringPart::Kind::pkgs && parts[1].value == "zlib.dev"));
    CHECK((parts[3].kind == StringPart::Kind::python && parts[3].value == "sitePackages"));
    // `"$@"` and `a@b.c` are text: only the three prefixes open an interpolation.
    CHECK(parts[4].value == " \"$@\" a@b.c ");
    CHECK((parts[5].kind == StringPart::Kind::package && parts[5].value == "torch-vision"));
    CHECK_THROWS_AS(split_interpolations("@pkgs.zlib"), Error);
    CHECK_THROWS_AS(split_interpolations("@pkgs.${x}@"), Error);
    CHECK_THROWS_AS(split_interpolations("@python.out@"), Error);
}

TEST_CASE("`dist` limits an entry to the wheel or the sdist", "[overrides]") {
    OverrideDatabase db;
    db.add_file(R"([[lxml]]
build-inputs = ["zlib"]
[[lxml]]
dist = "sdist"
native-build-inputs = ["pkg-config"]
build-inputs = ["libxml2"]
[[lxml]]
dist = "wheel"
post-install = "true"
)",
                "d.toml", OverrideLayer::user);
    CHECK(BuildRecipe::from(db.resolve("lxml", "5.0")).build_inputs ==
          std::vector<std::string>{"zlib"});
    CHECK(BuildRecipe::from(db.resolve("lxml", "5.0", Dist::sdist)).build_inputs ==
          std::vector<std::string>{"zlib", "libxml2"});
    CHECK(BuildRecipe::from(db.resolve("lxml", "5.0", Dist::sdist)).post_install.empty());
    CHECK(BuildRecipe::from(db.resolve("lxml", "5.0", Dist::wheel)).native_build_inputs.empty());
    CHECK(BuildRecipe::from(db.resolve("lxml", "5.0", Dist::wheel)).post_install == "true");
    // What chooses the artifact cannot depend on it.
    CHECK_THROWS_AS(
        db.add_file("[[x]]\ndist = \"wheel\"\ndisabled = true\n", "e.toml", OverrideLayer::user),
        Error);
}

TEST_CASE("the wider vocabulary reaches the typed recipe", "[overrides]") {
    const auto dir = std::filesystem::temp_directory_path() / "lock2nix-vocab-test";
    std::filesystem::create_directories(dir / "p");
    std::ofstream(dir / "p" / "fix.patch") << "--- a/x\n+++ b/x\n";
    OverrideDatabase db;
    db.add_file(R"([[torchvision]]
patches = ["p/fix.patch"]
pre-configure = "a"
pre-build = "b"
post-fixup = "c"
make-wrapper-args = ["--set", "X", "@pkgs.hello@"]
remove-files = ["torchvision/stray"]
auto-patchelf-search-paths = [{ package = "Torch", subdir = "torch/lib" }]
dont-use-cmake-configure = true
pypa-build-flags = ["-Cbuild-dir=build"]
[[torchvision]]
auto-patchelf-search-paths = [{ package = "nvidia-cublas-cu12", subdir = "nvidia/cublas/lib", optional = true }]
)",
                (dir / "o.toml").string(), OverrideLayer::user);
    const BuildRecipe r = BuildRecipe::from(db.resolve("torchvision", "0.20"));
    REQUIRE(r.patches.size() == 1);
    CHECK(r.patches[0].name == "fix.patch");
    CHECK(r.patches[0].content == "--- a/x\n+++ b/x\n");
    CHECK(r.patches[0].project_path.empty());
    CHECK(r.pre_configure == "a");
    CHECK(r.pre_build == "b");
    CHECK(r.post_fixup == "c");
    CHECK(r.make_wrapper_args.size() == 3);
    CHECK(r.remove_files == std::vector<std::string>{"torchvision/stray"});
    CHECK(r.auto_patchelf_search_paths ==
          std::vector<PackagePath>{{"torch", "torch/lib", false},
                                   {"nvidia-cublas-cu12", "nvidia/cublas/lib", true}});
    CHECK(r.dont_use_cmake_configure);
    CHECK(r.pypa_build_flags == std::vector<std::string>{"-Cbuild-dir=build"});
    std::filesystem::remove_all(dir);
}
