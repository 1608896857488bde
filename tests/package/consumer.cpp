// Reads a lock through the installed library and prints its generation and package count.
#include <lock2nix/project/lockfile.hpp>
#include <lock2nix/standards/pep440.hpp>

#include <iostream>

int main(int argc, char** argv) {
    if (argc != 2) {
        return 2;
    }
    try {
        const auto lock = lock2nix::read_lock(argv[1]);
        std::cout << lock2nix::to_string(lock.generation) << ' ' << lock.packages.size() << '\n';
        return lock2nix::pep440::Version::parse("1.0") < lock2nix::pep440::Version::parse("1.0.post1") ? 0 : 1;
    } catch (const lock2nix::Error& e) {
        std::cerr << e.describe() << '\n';
        return 2;
    }
}
