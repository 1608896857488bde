// Nothing crashes, whatever the input: thousands of mutated locks and pyprojects go through the
// whole pipeline; each must either translate or fail with lock2nix::Error. Run under
// ASan/UBSan (LOCK2NIX_SANITIZE=ON) this also catches memory errors.

#include "lock2nix/lock2nix.hpp"
#include "lock2nix/project/lockfile.hpp"
#include "lock2nix/standards/pep440.hpp"
#include "lock2nix/standards/pep508.hpp"
#include "lock2nix/project/pyproject.hpp"
#include "lock2nix/standards/tags.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <random>

using namespace lock2nix;

namespace {

std::string mutate(std::string text, std::mt19937& rng) {
    static const std::string alphabet = "[]{}=\"'\\,.\n#-_ab01^<>~*|;()$ \t\x01\xff";
    std::uniform_int_distribution<int> kind(0, 3);
    const int edits = std::uniform_int_distribution<int>(1, 4)(rng);
    for (int e = 0; e < edits && !text.empty(); ++e) {
        std::uniform_int_distribution<std::size_t> at(0, text.size() - 1);
        const std::size_t pos = at(rng);
        const char c =
            alphabet[std::uniform_int_distribution<std::size_t>(0, alphabet.size() - 1)(rng)];
        switch (kind(rng)) {
        case 0:
            text[pos] = c;
            break;
        case 1:
            text.insert(pos, 1, c);
            break;
        case 2:
            text.erase(pos, std::min<std::size_t>(text.size() - pos, 1 + rng() % 8));
            break;
        default:
            text.insert(pos, text.substr(at(rng), 1 + rng() % 16));
            break;
        }
    }
    return text;
}

// No network: every git checkout gets the same made-up hash.
struct FixedGitFetcher : OfflineFetcher {
    GitSource git(const std::string& url, const std::string& rev, const std::string&) override {
        return GitSource{url, rev, "sha256-" + std::string(43, 'A') + "=", false, {}};
    }
};

// Parse, plan, resolve, render: Error is the only acceptable failure.
void pipeline(const std::string& lock_text, const std::string& pyproject_text) {
    try {
        const Lock lock = parse_lock(lock_text, "mutant.lock");
        std::optional<Pyproject> pp;
        try {
            pp = parse_pyproject(pyproject_text, "mutant.toml");
        } catch (const Error&) {
        }
        PlanOptions options;
        options.targets = {Target::make("x86_64-linux", "3.11")};
        FixedGitFetcher fetcher;
        const EnvironmentPlan plan = plan_environment(lock, pp ? &*pp : nullptr, options);
        Lock copy = lock;
        const ResolvedSources sources =
            resolve_sources(copy, pp ? &*pp : nullptr, plan, fetcher, GitMode::pure);
        (void)render_nix(lock, pp ? &*pp : nullptr, plan, sources, {});
    } catch (const Error&) {
    }
}

} // namespace

TEST_CASE("mutated locks and pyprojects never crash the pipeline", "[robustness]") {
    const std::string lock =
        test::slurp(test::shared("fixtures/poetry-locks/poetry-own-2.0.1.lock"));
    const std::string pp =
        test::slurp(test::shared("fixtures/poetry-locks/poetry-own-2.0.1.pyproject.toml"));
    const std::string old_lock =
        test::slurp(test::shared("fixtures/poetry-locks/poetry-own-1.1.15.lock"));
    const std::string old_pp =
        test::slurp(test::shared("fixtures/poetry-locks/poetry-own-1.1.15.pyproject.toml"));
    std::mt19937 rng(20261125);
    std::size_t runs = 0;
    for (int i = 0; i < 300; ++i) {
        CHECK_NOTHROW(pipeline(mutate(lock, rng), pp));
        CHECK_NOTHROW(pipeline(lock, mutate(pp, rng)));
        CHECK_NOTHROW(pipeline(mutate(old_lock, rng), old_pp));
        CHECK_NOTHROW(pipeline(old_lock, mutate(old_pp, rng)));
        runs += 4;
    }
    WARN("mutants run through the pipeline: " << runs);
}

TEST_CASE("mutated strings never crash the standards parsers", "[robustness]") {
    std::mt19937 rng(7);
    const std::vector<std::string> seeds = {
        "1.0.post1.dev2+local.7",
        ">=2.7,!=3.0.*,<4 || ^1.2",
        "~=1.4.5",
        "python_version >= \"3.8\" and (sys_platform == 'linux' or extra == \"x\")",
        "requests[security,tests] >= 2.8.1, == 2.8.* ; python_version < \"2.7\"",
        "numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "Foo.Bar-2.0.post1.tar.gz"};
    std::size_t runs = 0;
    for (int i = 0; i < 3000; ++i) {
        for (const auto& seed : seeds) {
            const std::string s = mutate(seed, rng);
            CHECK_NOTHROW(pep440::Version::try_parse(s));
            CHECK_NOTHROW(pep440::SpecifierSet::try_parse(s));
            CHECK_NOTHROW(pep440::Constraint::try_parse(s));
            CHECK_NOTHROW(pep508::Marker::try_parse(s));
            CHECK_NOTHROW(pep508::Requirement::try_parse(s));
            CHECK_NOTHROW(tags::WheelName::try_parse(s));
            CHECK_NOTHROW(tags::SdistName::try_parse(s));
            if (auto m = pep508::Marker::try_parse(s)) {
                try {
                    (void)m->evaluate(Target::make("x86_64-linux", "3.11").marker_environment(),
                                      pep508::Mode::poetry);
                } catch (const Error&) {
                }
            }
            ++runs;
        }
    }
    WARN("mutated strings parsed: " << runs);
}
