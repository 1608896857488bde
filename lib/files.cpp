#include "lock2nix/files.hpp"

#include "lock2nix/error.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace lock2nix {

void write_file_atomically(const std::string& path, const std::string& text, bool durable) {
    namespace fs = std::filesystem;
    const fs::path target = fs::absolute(path);
    std::string tmp =
        (target.parent_path() / ("." + target.filename().string() + ".XXXXXX")).string();
    const int fd = mkstemp(tmp.data());
    if (fd < 0) {
        throw Error(std::string("cannot create a file next to the output: ") + std::strerror(errno),
                    path, {}, "check that the directory exists and is writable");
    }
    std::size_t written = 0;
    while (written < text.size()) {
        const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
        if (n <= 0) {
            const int err = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            throw Error(std::string("cannot write the output: ") + std::strerror(err), path);
        }
        written += static_cast<std::size_t>(n);
    }
    fchmod(fd, 0644);
    if ((durable && ::fsync(fd) != 0) || ::close(fd) != 0) {
        ::unlink(tmp.c_str());
        throw Error("cannot flush the output to disk", path);
    }
    if (std::rename(tmp.c_str(), target.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw Error(std::string("cannot replace the output: ") + std::strerror(err), path);
    }
}

} // namespace lock2nix
