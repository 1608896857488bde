// The lock2nix command line: subcommands over the library's pipeline.
//
// Exit codes: 0 success; 1 a negative answer (stale lock); 2 bad input or usage.

#include "cli_options.hpp"
#include "lock2nix/content_hash.hpp"
#include "lock2nix/error.hpp"
#include "lock2nix/lockfile.hpp"
#include "lock2nix/model_json.hpp"
#include "lock2nix/pyproject.hpp"

#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace {

using lock2nix::cli::Options;
using lock2nix::cli::OptionSpec;
using lock2nix::cli::UsageError;

constexpr int exit_ok = 0;
constexpr int exit_negative = 1;
constexpr int exit_bad_input = 2;

const char* const usage_text = R"(usage: lock2nix <command> [options]

commands:
  inspect [LOCK] [--json]        print the model of a poetry.lock (or a pyproject.toml)
  check [--lock LOCK] [--pyproject PYPROJECT]
                                 exit 0 when the lock is fresh for its pyproject, 1 when stale
  help                           this text
  version                        the version of lock2nix

LOCK defaults to ./poetry.lock; PYPROJECT defaults to the pyproject.toml beside LOCK.
)";

std::string sibling_pyproject(const std::string& lock_path) {
    const std::filesystem::path dir = std::filesystem::path(lock_path).parent_path();
    return (dir / "pyproject.toml").string();
}

bool looks_like_pyproject(const std::string& path) {
    return std::filesystem::path(path).filename().string().ends_with("pyproject.toml");
}

int cmd_inspect(const std::vector<std::string>& args) {
    const Options opts(args, OptionSpec{.flags = {"--json"}});
    if (opts.positionals().size() > 1) {
        throw UsageError("inspect takes one file");
    }
    const std::string path = opts.positionals().empty() ? "poetry.lock" : opts.positionals()[0];
    if (looks_like_pyproject(path)) {
        const auto pyproject = lock2nix::read_pyproject(path);
        std::cout << lock2nix::to_json(pyproject).dump(2) << '\n';
        return exit_ok;
    }
    const auto lock = lock2nix::read_lock(path);
    if (opts.flag("--json")) {
        std::cout << lock2nix::to_json(lock).dump(2) << '\n';
        return exit_ok;
    }
    std::cout << lock.path << ": lock-version "
              << (lock.lock_version.empty() ? "(none)" : lock.lock_version) << " ("
              << lock2nix::to_string(lock.generation) << "), " << lock.packages.size()
              << " packages, python " << lock.python_versions << '\n';
    for (const auto& p : lock.packages) {
        std::cout << "  " << p.name << ' ' << p.version;
        if (p.source) {
            std::cout << " [" << lock2nix::to_string(p.source->kind) << ' ' << p.source->url << ']';
        }
        std::cout << " (" << p.files.size() << " files)\n";
    }
    return exit_ok;
}

int cmd_check(const std::vector<std::string>& args) {
    const Options opts(args, OptionSpec{.values = {"--lock", "--pyproject"}});
    if (!opts.positionals().empty()) {
        throw UsageError("check takes no positional arguments; use --lock and --pyproject");
    }
    const std::string lock_path = opts.value("--lock", "poetry.lock");
    const std::string pyproject_path = opts.value("--pyproject", sibling_pyproject(lock_path));
    const auto lock = lock2nix::read_lock(lock_path);
    const auto pyproject = lock2nix::read_pyproject(pyproject_path);
    const auto result =
        lock2nix::check_freshness(lock.content_hash, lock.lock_version, pyproject.content_hash_inputs);
    if (result.fresh) {
        std::cout << lock_path << ": " << result.reason << '\n';
        return exit_ok;
    }
    std::cerr << lock_path << ": " << result.reason << '\n';
    return exit_negative;
}

int run(const std::vector<std::string>& argv) {
    if (argv.empty()) {
        std::cerr << usage_text;
        return exit_bad_input;
    }
    const std::string& command = argv.front();
    const std::vector<std::string> rest(argv.begin() + 1, argv.end());
    const std::map<std::string, std::function<int(const std::vector<std::string>&)>> commands{
        {"inspect", cmd_inspect},
        {"check", cmd_check},
    };
    if (command == "help" || command == "--help" || command == "-h") {
        std::cout << usage_text;
        return exit_ok;
    }
    if (command == "version" || command == "--version") {
        std::cout << "lock2nix " << LOCK2NIX_VERSION << '\n';
        return exit_ok;
    }
    auto it = commands.find(command);
    if (it == commands.end()) {
        throw UsageError("unknown command `" + command + "`");
    }
    return it->second(rest);
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        return run(args);
    } catch (const UsageError& e) {
        std::cerr << "lock2nix: " << e.what() << "\n\n" << usage_text;
        return exit_bad_input;
    } catch (const lock2nix::Error& e) {
        std::cerr << e.describe() << '\n';
        return exit_bad_input;
    } catch (const std::bad_alloc&) {
        std::cerr << "lock2nix: error: out of memory\n";
        return exit_bad_input;
    } catch (const std::exception& e) {
        std::cerr << "lock2nix: internal error: " << e.what()
                  << "\n  hint: please report this with the input that caused it\n";
        return exit_bad_input;
    }
}
