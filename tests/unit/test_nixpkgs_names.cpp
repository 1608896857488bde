// Every nixpkgs attribute lock2nix writes into a generated file, checked against
// nixpkgs/attributes.toml: the names read from nixpkgs' own files for each supported release. A
// name nixpkgs removed (pytest-runner, cudaPackages_11_8) fails here, not in a user's build.

#include "lock2nix/fetch/sources.hpp"
#include "lock2nix/pipeline.hpp"
#include "lock2nix/project/overrides.hpp"
#include "lock2nix/standards/nixpkgs.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <set>
#include <toml++/toml.h>

using namespace lock2nix;

namespace {

const std::string repo = std::string(LOCK2NIX_TEST_DIR) + "/..";

// Scope ("pkgs" or "python") -> attribute -> releases it exists in.
using KnownNames = std::map<std::string, std::map<std::string, std::set<std::string>>>;

KnownNames known_names() {
    const toml::table root = toml::parse_file(repo + "/nixpkgs/attributes.toml");
    KnownNames out;
    for (const char* scope : {"pkgs", "python"}) {
        const toml::table* table = root[scope].as_table();
        REQUIRE(table != nullptr);
        for (const auto& [name, entry] : *table) {
            std::set<std::string>& releases = out[scope][std::string(name.str())];
            if (const auto* in = entry.as_table()->get_as<toml::array>("in")) {
                for (const auto& r : *in) {
                    releases.insert(r.value_or(std::string()));
                }
            }
        }
    }
    return out;
}

// A name used: where, in which scope.
struct Use {
    std::string scope;
    std::string name;
    std::string where;
};

// Every attribute the entries of `db` name: attribute paths of the input keys and of
// @pkgs.…@ interpolations, and build systems (Python attributes; `poetry` is poetry-core).
std::vector<Use> database_uses(const OverrideDatabase& db) {
    std::vector<Use> out;
    for (const std::string& package : db.package_names()) {
        for (const OverrideEntry& e : db.entries(package)) {
            for (const auto& [key_name, value] : e.settings) {
                const OverrideKey& key = *find_override_key(key_name);
                auto scan_text = [&](const std::string& text) {
                    for (const StringPart& part : split_interpolations(text)) {
                        if (part.kind == StringPart::Kind::pkgs) {
                            out.push_back({"pkgs", part.value, e.where()});
                        }
                    }
                };
                if (const auto* s = std::get_if<std::string>(&value)) {
                    if (key.rule == OverrideItemRule::interpolated) {
                        scan_text(*s);
                    }
                } else if (const auto* t =
                               std::get_if<std::map<std::string, std::string>>(&value)) {
                    for (const auto& [k, v] : *t) {
                        if (key.rule == OverrideItemRule::interpolated) {
                            scan_text(v);
                        }
                    }
                } else if (const auto* list = std::get_if<std::vector<std::string>>(&value)) {
                    for (const std::string& item : *list) {
                        if (key.rule == OverrideItemRule::attribute_path) {
                            out.push_back({"pkgs", item, e.where()});
                        } else if (key.rule == OverrideItemRule::interpolated) {
                            scan_text(item);
                        } else if (key.name == "build-systems") {
                            out.push_back(
                                {"python", item == "poetry" ? "poetry-core" : item, e.where()});
                        }
                    }
                }
            }
        }
    }
    return out;
}

// `pkgs.<path>` and `python.pkgs.<name>` in Nix text, for the fixed parts and emitted files.
std::vector<Use> nix_uses(const std::string& text, const std::string& where) {
    std::vector<Use> out;
    auto ident = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' ||
               c == '\'';
    };
    for (std::size_t at = text.find("pkgs."); at != std::string::npos;
         at = text.find("pkgs.", at + 5)) {
        const bool python = at >= 7 && text.compare(at - 7, 7, "python.") == 0;
        const std::size_t before = python ? at - 7 : at;
        if (before > 0 && (ident(text[before - 1]) || text[before - 1] == '.')) {
            continue;
        }
        std::size_t end = at + 5;
        while (end < text.size() &&
               (ident(text[end]) ||
                (text[end] == '.' && end + 1 < text.size() && ident(text[end + 1]) && !python))) {
            ++end;
        }
        const std::string name = text.substr(at + 5, end - at - 5);
        // The library and the platform are no packages; the interpreters are checked by the
        // target choice against nixpkgs/releases.toml.
        if (name.empty() || name == "lib" || name.starts_with("lib.") ||
            name.starts_with("stdenv.hostPlatform") ||
            (name.starts_with("python3") && name.find('.') == std::string::npos)) {
            continue;
        }
        out.push_back({python ? "python" : "pkgs", name, where});
    }
    return out;
}

// The uses a supported release lacks: "where: pkgs.x (missing in 25.05, 26.05)".
std::vector<std::string> missing(const std::vector<Use>& uses, const KnownNames& known) {
    std::vector<std::string> out;
    std::set<std::string> reported;
    for (const Use& use : uses) {
        const auto& scope = known.at(use.scope);
        const auto it = scope.find(use.name);
        std::string lacking;
        for (const NixpkgsRelease& release : nixpkgs_releases()) {
            if (it == scope.end() || !it->second.contains(release.name)) {
                lacking += (lacking.empty() ? "" : ", ") + release.name;
            }
        }
        const std::string attribute = (use.scope == "pkgs" ? "pkgs." : "python.pkgs.") + use.name;
        if (!lacking.empty() && reported.insert(attribute).second) {
            out.push_back(use.where + ": " + attribute + " (missing in " + lacking + ")");
        }
    }
    return out;
}

} // namespace

TEST_CASE("the default override database names only attributes every release has",
          "[overrides][nixpkgs-names]") {
    const auto uses = database_uses(OverrideDatabase::with_defaults());
    CHECK(uses.size() > 100);
    const auto lacking = missing(uses, known_names());
    for (const std::string& m : lacking) {
        UNSCOPED_INFO(m);
    }
    CHECK(lacking.empty());
}

TEST_CASE("the fixed Nix parts and the emitted files name only attributes every release has",
          "[nixpkgs-names]") {
    std::vector<Use> uses;
    for (const char* file : {"lib/nix/environment.nix", "lib/nix/source.nix",
                             "tests/golden/demo.nix", "templates/default/python-env.nix"}) {
        const auto found = nix_uses(test::slurp(repo + "/" + file), file);
        uses.insert(uses.end(), found.begin(), found.end());
    }
    CHECK(uses.size() > 20);
    const auto lacking = missing(uses, known_names());
    for (const std::string& m : lacking) {
        UNSCOPED_INFO(m);
    }
    CHECK(lacking.empty());
}

TEST_CASE("a removed nixpkgs name in an override entry is found", "[overrides][nixpkgs-names]") {
    OverrideDatabase db;
    db.add_file("[[rfc3986-validator]]\nbuild-systems = [\"pytest-runner\", \"setuptools\"]\n"
                "[[onnxruntime-gpu]]\nbuild-inputs = [\"cudaPackages_11_8.cudnn\", \"zlib\"]\n"
                "post-fixup = \"ln -s @pkgs.xorg.libxcb@/lib x && @pkgs.noSuchThing.lib@\"\n",
                "planted.toml", OverrideLayer::user);
    const auto lacking = missing(database_uses(db), known_names());
    REQUIRE(lacking.size() == 3);
    CHECK_THAT(lacking[0], Catch::Contains("planted.toml:3:1: pkgs.cudaPackages_11_8.cudnn") &&
                               Catch::Contains("26.05"));
    CHECK_THAT(lacking[1], Catch::Contains("pkgs.noSuchThing.lib (missing in 25.05, 25.11, "
                                           "26.05, unstable)"));
    CHECK_THAT(lacking[2], Catch::Contains("planted.toml:1:1: python.pkgs.pytest-runner"));
    const auto in_nix = missing(nix_uses("{ a = pkgs.autoPatchelfHook; b = x.pkgs.y; "
                                         "c = python.pkgs.pytest-runner; d = pkgs.lib.id; }",
                                         "t.nix"),
                                known_names());
    REQUIRE(in_nix.size() == 1);
    CHECK_THAT(in_nix[0], Catch::Contains("python.pkgs.pytest-runner"));
}

TEST_CASE("the Rust parts of emitted files name only attributes every release has",
          "[nixpkgs-names][cargo]") {
    // A maturin sdist and a setuptools-rust one, their Cargo.lock read: every name their source
    // builds use (importCargoLock, the hooks, cargo, rustc, setuptools-rust).
    const std::string lock_text =
        "version = 3\n\n[[package]]\nname = \"itoa\"\nversion = \"1.0.9\"\n"
        "source = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"" +
        std::string(64, 'a') + "\"\n";
    OfflineFetcher fetcher;
    for (const auto& [file, backend] :
         {std::pair{"m-1.0.tar.gz", "maturin"}, std::pair{"s-1.0.tar.gz", "setuptools-rust"}}) {
        SdistFacts f;
        f.build_system.present = true;
        f.build_system.requirements = {"setuptools", backend};
        f.rust = rust_backend(f.build_system);
        f.cargo_lock = SdistCargoLock{"", lock_text};
        fetcher.sdists[file] = f;
    }
    std::string lock;
    for (const char* name : {"m", "s"}) {
        lock += std::string("[[package]]\nname = \"") + name +
                "\"\nversion = \"1.0\"\ndescription = \"\"\noptional = false\n"
                "python-versions = \"*\"\ngroups = [\"main\"]\nfiles = [{file = \"" +
                name + "-1.0.tar.gz\", hash = \"sha256:" + std::string(64, '1') + "\"}]\n\n";
    }
    lock += "[metadata]\nlock-version = \"2.1\"\npython-versions = \"*\"\ncontent-hash = \"0\"\n";
    Project project = parse_project(lock, std::nullopt);
    PlanOptions plan;
    plan.targets = {Target::make("x86_64-linux", "3.12")};
    const std::string nix = translate_project(project, plan, RenderOptions{}, fetcher).nix;
    const auto uses = nix_uses(nix, "rust sdists");
    std::set<std::string> names;
    for (const Use& use : uses) {
        names.insert(use.scope + ":" + use.name);
    }
    CHECK(names.contains("pkgs:rustPlatform.importCargoLock"));
    CHECK(names.contains("pkgs:rustPlatform.maturinBuildHook"));
    CHECK(names.contains("pkgs:cargo"));
    CHECK(names.contains("python:setuptools-rust"));
    const auto lacking = missing(uses, known_names());
    for (const std::string& m : lacking) {
        UNSCOPED_INFO(m);
    }
    CHECK(lacking.empty());
}
