// A consumer of the installed library that includes only the umbrella header: lock and pyproject
// text in, Nix text out, without the network (the pipeline of README's library section).
//   consumer LOCK PYPROJECT   prints the Nix file for x86_64-linux / Python 3.11
#include <fstream>
#include <iostream>
#include <iterator>
#include <lock2nix/lock2nix.hpp>
#include <string>

namespace {

std::string slurp(const char* path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: consumer LOCK PYPROJECT\n";
        return 2;
    }
    try {
        lock2nix::Project project = lock2nix::parse_project(slurp(argv[1]), slurp(argv[2]));
        lock2nix::PlanOptions plan;
        plan.targets = {lock2nix::Target::make("x86_64-linux", "3.11")};
        const auto overrides = lock2nix::OverrideDatabase::with_defaults();
        plan.overrides = &overrides;
        lock2nix::OfflineFetcher fetcher;
        const lock2nix::Translation t =
            lock2nix::translate_project(project, plan, lock2nix::RenderOptions{}, fetcher);
        std::cout << t.nix;
        std::cerr << "lock2nix " << lock2nix::version << '\n';
        return 0;
    } catch (const lock2nix::Error& e) {
        std::cerr << e.describe() << '\n';
        return 2;
    }
}
