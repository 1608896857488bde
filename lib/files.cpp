#include "lock2nix/files.hpp"

#include "lock2nix/error.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <filesystem>
#include <new>
#include <ostream>
#include <streambuf>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

namespace lock2nix {

namespace {

struct FileDescriptor {
    int fd;
    explicit FileDescriptor(int f) : fd(f) {}
    ~FileDescriptor() {
        if (fd >= 0) {
            ::close(fd);
        }
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
};

// What to do about a file that would not open, by the reason.
std::string open_hint(int err) {
    switch (err) {
    case ELOOP:
        return "the path is a loop of symbolic links (`ls -l` each link on it); point it at the "
               "real file";
    case EACCES:
    case EPERM:
        return "this user (uid " + std::to_string(::geteuid()) +
               ") may not read it: check its permissions and those of the directories above it";
    case ENOENT:
    case ENOTDIR:
        return "check the path";
    default:
        return "check the path and that this user may read it";
    }
}

} // namespace

bool path_present(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 || (errno != ENOENT && errno != ENOTDIR);
}

std::string read_file(const std::string& path) {
    // Plain read(2) instead of `stream << rdbuf()`: that one turns a failed allocation or a read
    // error into a quiet failbit on the *output* stream and returns what it had so far, which a
    // lock with a large comment turned into a valid-looking lock missing its last packages.
    const FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (file.fd < 0) {
        const int err = errno;
        throw Error(std::string("cannot open the file: ") + std::strerror(err), path, {},
                    open_hint(err), ErrorKind::filesystem);
    }
    struct stat st {};
    if (::fstat(file.fd, &st) != 0) {
        throw Error(std::string("cannot read the file: ") + std::strerror(errno), path, {}, {},
                    ErrorKind::filesystem);
    }
    if (S_ISDIR(st.st_mode)) {
        throw Error("this is a directory, not a file", path, {},
                    "name the file inside it, e.g. " +
                        (std::filesystem::path(path) / "poetry.lock").string());
    }
    const bool regular = S_ISREG(st.st_mode);
    const auto too_large = [&](std::size_t size) {
        return Error("the file is too large: " + std::to_string(size) + " bytes" +
                         (regular ? "" : " read so far") + ", lock2nix reads files up to " +
                         std::to_string(max_input_size >> 20) + " MiB",
                     path, {}, "check that this is the file you meant (real locks are a few MB)");
    };
    if (regular && static_cast<std::uint64_t>(st.st_size) > max_input_size) {
        throw too_large(static_cast<std::size_t>(st.st_size)); // not read: said from its size
    }
    // Pseudo-files (/proc, /sys) report a size of 0 or a page; only a real size is a promise.
    const bool sized = regular && st.st_size > 0;
    std::string text;
    std::size_t used = 0;
    try {
        // Read straight into the string: through a chunk and `append`, a lock is copied twice,
        // and the copy into fresh pages costs a tenth of `check`. One byte beyond the announced
        // size sees a file that grew.
        text.resize(sized ? static_cast<std::size_t>(st.st_size) + 1 : std::size_t{1} << 16);
        while (true) {
            if (used == text.size()) {
                text.resize(std::min(text.size() * 2, max_input_size + 1));
            }
            const ssize_t n = ::read(file.fd, text.data() + used, text.size() - used);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0) {
                throw Error(std::string("cannot read the file: ") + std::strerror(errno) +
                                " (after " + std::to_string(used) + " bytes)",
                            path, {}, "check the file and the device it is on",
                            ErrorKind::filesystem);
            }
            if (n == 0) {
                break;
            }
            used += static_cast<std::size_t>(n);
            if (used > max_input_size) {
                throw too_large(used); // a pipe or a file that grew
            }
        }
        text.resize(used);
    } catch (const std::bad_alloc&) {
        throw Error("not enough memory to read the file (" +
                        (regular ? std::to_string(st.st_size) + " bytes"
                                 : "read " + std::to_string(used) + " bytes so far") +
                        ")",
                    path, {}, "raise the memory limit (ulimit -v) or free memory, then run again");
    }
    if (sized && text.size() != static_cast<std::size_t>(st.st_size)) {
        throw Error("the file changed while it was read: " + std::to_string(st.st_size) +
                        " bytes were announced, " + std::to_string(text.size()) + " read",
                    path, {}, "run lock2nix again once nothing is writing to the file",
                    ErrorKind::filesystem);
    }
    return text;
}

namespace {

// Where writing `path` should land: a symlink is followed to the file it names (dangling or
// not), so the link stays a link and its target gets the content, as `>` in a shell would.
std::filesystem::path follow_links(const std::string& path) {
    namespace fs = std::filesystem;
    fs::path at = fs::absolute(path);
    for (int hops = 0; hops < 40; ++hops) {
        std::error_code ec;
        if (!fs::is_symlink(fs::symlink_status(at, ec))) {
            return at;
        }
        const fs::path next = fs::read_symlink(at, ec);
        if (ec) {
            return at;
        }
        at = next.is_absolute() ? next : at.parent_path() / next;
    }
    throw Error("too many levels of symbolic links", path, {}, "point -o at a file");
}

const char* kind_of(mode_t mode) {
    if (S_ISDIR(mode)) {
        return "a directory";
    }
    if (S_ISCHR(mode) || S_ISBLK(mode)) {
        return "a device";
    }
    if (S_ISFIFO(mode)) {
        return "a FIFO";
    }
    if (S_ISSOCK(mode)) {
        return "a socket";
    }
    return "not a regular file";
}

} // namespace

std::size_t remove_stale_temporaries(const std::string& dir, const std::string& prefix,
                                     bool any_stem) {
    auto mkstemp_suffix = [](std::string_view s) {
        return s.size() == 6 && std::all_of(s.begin(), s.end(), [](char c) {
                   return std::isalnum(static_cast<unsigned char>(c)) != 0;
               });
    };
    std::size_t removed = 0;
    DIR* d = ::opendir(dir.empty() ? "." : dir.c_str());
    if (d == nullptr) {
        return 0;
    }
    const auto cutoff = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() -
                                                             stale_temporary_age);
    while (const dirent* entry = ::readdir(d)) {
        const std::string_view name = entry->d_name;
        if (!name.starts_with(prefix) || name.size() < prefix.size() + 6) {
            continue;
        }
        const std::string_view rest = name.substr(prefix.size());
        const bool matches = any_stem ? rest.size() > 7 && rest[rest.size() - 7] == '.' &&
                                            mkstemp_suffix(rest.substr(rest.size() - 6))
                                      : mkstemp_suffix(rest);
        struct stat st {};
        if (!matches || ::fstatat(::dirfd(d), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode) || st.st_uid != ::geteuid() || st.st_mtime > cutoff) {
            continue;
        }
        if (::unlinkat(::dirfd(d), entry->d_name, 0) == 0) {
            ++removed;
        }
    }
    ::closedir(d);
    return removed;
}

namespace {

// An output stream's buffer over a file descriptor, keeping the first write error's errno (the
// stream only learns that writing failed).
class FdBuffer : public std::streambuf {
public:
    explicit FdBuffer(int fd) : fd_(fd) { setp(buffer_.data(), buffer_.data() + buffer_.size()); }
    int error() const { return error_; }

protected:
    int_type overflow(int_type c) override {
        if (!flush()) {
            return traits_type::eof();
        }
        if (!traits_type::eq_int_type(c, traits_type::eof())) {
            *pptr() = traits_type::to_char_type(c);
            pbump(1);
        }
        return traits_type::not_eof(c);
    }
    int sync() override { return flush() ? 0 : -1; }

private:
    bool flush() {
        const char* p = pbase();
        while (p < pptr()) {
            const ssize_t n = ::write(fd_, p, static_cast<std::size_t>(pptr() - p));
            if (n <= 0) {
                error_ = n < 0 ? errno : EIO;
                return false;
            }
            p += n;
        }
        setp(buffer_.data(), buffer_.data() + buffer_.size());
        return true;
    }

    int fd_;
    int error_ = 0;
    std::array<char, std::size_t{64} << 10> buffer_{};
};

} // namespace

void write_file_atomically(const std::string& path, const std::string& text, bool durable,
                           const std::vector<std::string>& inputs, bool sweep) {
    write_file_atomically(
        path,
        [&text](std::ostream& out) {
            out.write(text.data(), static_cast<std::streamsize>(text.size()));
        },
        durable, inputs, sweep);
}

void write_file_atomically(const std::string& path,
                           const std::function<void(std::ostream&)>& produce, bool durable,
                           const std::vector<std::string>& inputs, bool sweep) {
    namespace fs = std::filesystem;
    const fs::path target = follow_links(path);
    struct stat existing {};
    const bool exists = ::stat(target.c_str(), &existing) == 0;
    if (exists && !S_ISREG(existing.st_mode)) {
        // Renaming over it would replace the device, FIFO or socket itself (as root, even
        // /dev/null) instead of writing to it.
        throw Error(std::string("will not replace ") + kind_of(existing.st_mode) +
                        " with the output",
                    path, {},
                    S_ISDIR(existing.st_mode)
                        ? "name a file, e.g. " + (fs::path(path) / "python-env.nix").string()
                        : "name a regular file; to send the output elsewhere, leave out -o and "
                          "redirect standard output");
    }
    if (exists) {
        for (const std::string& input : inputs) {
            struct stat in {};
            if (!input.empty() && ::stat(input.c_str(), &in) == 0 && in.st_dev == existing.st_dev &&
                in.st_ino == existing.st_ino) {
                throw Error("the output would overwrite the input " + input, path, {},
                            "write the Nix file elsewhere, e.g. -o python-env.nix");
            }
        }
    }
    // A run killed between mkstemp and rename leaves its temporary behind: the next write of the
    // same file removes the old ones.
    if (sweep) {
        remove_stale_temporaries(target.parent_path().string(),
                                 "." + target.filename().string() + ".");
    }
    std::string tmp =
        (target.parent_path() / ("." + target.filename().string() + ".XXXXXX")).string();
    const int fd = mkstemp(tmp.data());
    if (fd < 0) {
        throw Error(std::string("cannot create a file next to the output: ") + std::strerror(errno),
                    path, {}, "check that the directory exists and is writable",
                    ErrorKind::filesystem);
    }
    {
        FdBuffer buffer(fd);
        std::ostream out(&buffer);
        out.exceptions(std::ios_base::badbit | std::ios_base::failbit);
        try {
            produce(out);
            out.flush();
        } catch (...) {
            ::close(fd);
            ::unlink(tmp.c_str());
            if (buffer.error() != 0) {
                throw Error(std::string("cannot write the output: ") +
                                std::strerror(buffer.error()),
                            path, {}, {}, ErrorKind::filesystem);
            }
            throw;
        }
    }
    // A file replaced keeps its permissions (a user's 0600 stays private); a new one is 0644.
    fchmod(fd, exists ? (existing.st_mode & 07777) : 0644);
    if ((durable && ::fsync(fd) != 0) || ::close(fd) != 0) {
        ::unlink(tmp.c_str());
        throw Error("cannot flush the output to disk", path, {}, {}, ErrorKind::filesystem);
    }
    if (std::rename(tmp.c_str(), target.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw Error(std::string("cannot replace the output: ") + std::strerror(err), path, {}, {},
                    ErrorKind::filesystem);
    }
}

namespace {

// An unnamed file for the spool: O_TMPFILE where the file system has it, else a named one
// removed at once. Either way nothing is left behind when the process dies.
int open_spool_file() {
    const char* env = std::getenv("TMPDIR");
    const std::string dir = env != nullptr && *env != '\0' ? env : "/tmp";
#ifdef O_TMPFILE
    if (const int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600); fd >= 0) {
        return fd;
    }
#endif
    std::string name = dir + "/.lock2nix-spool.XXXXXX";
    const int fd = mkostemp(name.data(), O_CLOEXEC);
    if (fd >= 0) {
        ::unlink(name.c_str());
    }
    return fd;
}

// The text of write_when_complete: memory first, then the spool file; back to memory (with
// what the file holds) when the file fails, since a full /tmp must not fail a translation that
// fits in memory.
class SpoolBuffer : public std::streambuf {
public:
    explicit SpoolBuffer(std::size_t memory_limit) : limit_(memory_limit) {
        setp(chunk_.data(), chunk_.data() + chunk_.size());
    }
    SpoolBuffer(const SpoolBuffer&) = delete;
    SpoolBuffer& operator=(const SpoolBuffer&) = delete;
    ~SpoolBuffer() override {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }

    // Sends the whole text to `out`; false when `out` fails.
    bool copy_to(std::ostream& out) {
        flush_chunk();
        if (fd_ < 0) {
            out.write(memory_.data(), static_cast<std::streamsize>(memory_.size()));
            return static_cast<bool>(out);
        }
        off_t at = 0;
        while (true) {
            const ssize_t n = ::pread(fd_, chunk_.data(), chunk_.size(), at);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0) {
                throw Error(std::string("cannot read back the output's temporary copy: ") +
                                std::strerror(errno),
                            {}, {}, {}, ErrorKind::filesystem);
            }
            if (n == 0) {
                return static_cast<bool>(out);
            }
            out.write(chunk_.data(), n);
            if (!out) {
                return false;
            }
            at += n;
        }
    }

protected:
    int_type overflow(int_type c) override {
        flush_chunk();
        if (!traits_type::eq_int_type(c, traits_type::eof())) {
            *pptr() = traits_type::to_char_type(c);
            pbump(1);
        }
        return traits_type::not_eof(c);
    }
    int sync() override {
        flush_chunk();
        return 0;
    }

private:
    void flush_chunk() {
        const std::string_view part(pbase(), static_cast<std::size_t>(pptr() - pbase()));
        setp(chunk_.data(), chunk_.data() + chunk_.size());
        if (fd_ < 0 && !spill_failed_ && memory_.size() + part.size() > limit_) {
            fd_ = open_spool_file();
            if (fd_ < 0 || !write_all(memory_)) {
                back_to_memory();
            } else {
                std::string().swap(memory_);
            }
        }
        if (fd_ >= 0 && !write_all(part)) {
            back_to_memory();
        }
        if (fd_ < 0) {
            memory_.append(part);
        }
    }

    // Counts only whole parts: a part written short is taken again from memory.
    bool write_all(std::string_view text) {
        const off_t at = static_cast<off_t>(written_);
        std::size_t done = 0;
        while (done < text.size()) {
            const ssize_t n = ::pwrite(fd_, text.data() + done, text.size() - done,
                                       at + static_cast<off_t>(done));
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                return false;
            }
            done += static_cast<std::size_t>(n);
        }
        written_ += text.size();
        return true;
    }

    // What the file holds of whole parts is read back before memory takes over.
    void back_to_memory() {
        spill_failed_ = true;
        if (fd_ < 0) {
            return;
        }
        std::string held(written_, '\0');
        std::size_t got = 0;
        while (got < held.size()) {
            const ssize_t n =
                ::pread(fd_, held.data() + got, held.size() - got, static_cast<off_t>(got));
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                throw Error(std::string("cannot read back the output's temporary copy: ") +
                                (n < 0 ? std::strerror(errno) : "it is shorter than written"),
                            {}, {}, {}, ErrorKind::filesystem);
            }
            got += static_cast<std::size_t>(n);
        }
        ::close(fd_);
        fd_ = -1;
        if (memory_.empty()) {
            memory_ = std::move(held);
        }
        // else: the file failed while taking memory_ over, and memory_ is still whole.
    }

    std::size_t limit_;
    std::string memory_;
    int fd_ = -1;
    bool spill_failed_ = false;
    std::size_t written_ = 0;
    std::array<char, std::size_t{64} << 10> chunk_{};
};

} // namespace

void write_when_complete(std::ostream& out, const std::function<void(std::ostream&)>& produce,
                         std::size_t memory_limit) {
    SpoolBuffer spool(memory_limit);
    {
        std::ostream to_spool(&spool);
        to_spool.exceptions(std::ios_base::badbit | std::ios_base::failbit);
        produce(to_spool);
        to_spool.flush();
    }
    // A failing `out` keeps its state, for the caller to report as it reports any write to it.
    if (spool.copy_to(out)) {
        out.flush();
    }
}

} // namespace lock2nix
