#include "lock2nix/fetch/sdist.hpp"

#include "project/toml_reader.hpp"

#include <algorithm>
#include <archive.h>
#include <archive_entry.h>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

namespace lock2nix {

namespace {

const std::string hint_override =
    "if the sdist is right, tell lock2nix its build backend instead: "
    "[tool.lock2nix.overrides] NAME = { build-systems = [\"...\"] } in pyproject.toml";

struct ArchiveDeleter {
    void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveDeleter>;

// Only the formats sdists come in, and only filters libarchive implements itself (filter_all
// would also accept lzop/grzip/lrzip through external programs).
ArchivePtr new_reader(const std::string& name) {
    ArchivePtr a(archive_read_new());
    if (!a) {
        throw Error("cannot read `" + name + "`: libarchive is out of memory");
    }
    archive_read_support_filter_gzip(a.get());
    archive_read_support_filter_bzip2(a.get());
    archive_read_support_filter_xz(a.get());
    archive_read_support_format_tar(a.get());
    archive_read_support_format_zip(a.get());
    return a;
}

std::string archive_message(archive* a) {
    const char* s = archive_error_string(a);
    return s != nullptr ? s : "unknown libarchive error";
}

[[noreturn]] void not_an_archive(archive* a, const std::string& name) {
    throw Error("`" + name + "` is not a readable sdist archive: " + archive_message(a), {}, {},
                "the file the lock pins is damaged or is not an sdist; " + hint_override);
}

// Splits a member name into its components, refusing names that would land outside the
// extraction directory (absolute, `..`, or Windows drive letters and backslashes, which some
// unpackers read as separators). "./" and empty components are dropped.
std::vector<std::string> components(const std::string& member, const std::string& name) {
    auto unsafe = [&](const std::string& why) {
        throw Error("sdist `" + name + "` has a member named \"" + member + "\" (" + why + ")", {},
                    {}, "an sdist never holds such names; the file is damaged or hostile");
    };
    if (member.empty()) {
        unsafe("an empty name");
    }
    if (member.front() == '/') {
        unsafe("an absolute path");
    }
    if (member.find('\\') != std::string::npos || (member.size() > 1 && member[1] == ':')) {
        unsafe("a Windows path");
    }
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= member.size()) {
        std::size_t end = member.find('/', start);
        if (end == std::string::npos) {
            end = member.size();
        }
        std::string part = member.substr(start, end - start);
        if (part == "..") {
            unsafe("it leaves the archive's directory");
        }
        if (!part.empty() && part != ".") {
            out.push_back(std::move(part));
        }
        start = end + 1;
    }
    return out;
}

// The files at one candidate root that say how the sdist builds.
struct RootFiles {
    std::optional<std::string> pyproject;
    bool setup = false; // setup.py or setup.cfg
};

// At most this many Cargo.lock members are listed (a crate vendored into an sdist may carry one;
// thousands are a hostile archive).
constexpr std::size_t max_cargo_lock_members = 4096;

// Reads the current member's data, at most `limit` bytes: the declared size may be absent (zip
// data descriptors) or lie.
std::string member_text(archive* a, const std::string& name, std::size_t limit,
                        const std::function<void()>& too_big) {
    std::string text;
    char buffer[16384];
    for (;;) {
        const la_ssize_t n = archive_read_data(a, buffer, sizeof buffer);
        if (n < 0) {
            not_an_archive(a, name);
        }
        if (n == 0) {
            break;
        }
        text.append(buffer, static_cast<std::size_t>(n));
        if (text.size() > limit) {
            too_big();
        }
    }
    return text;
}

void refuse_irregular(archive_entry* entry, const std::string& name, const std::string& member,
                      const std::string& what) {
    if (archive_entry_filetype(entry) != AE_IFREG) {
        throw Error("sdist `" + name + "`: " + member + " is not a regular file", {}, {},
                    "an sdist's " + what + " is a file; the archive is damaged or hostile");
    }
}

// What the first pass over an archive finds: the source root, the root's pyproject.toml and the
// directories (relative to the source root) holding a Cargo.lock.
struct Listing {
    std::string top; // the one directory the archive unpacks into ("" for none)
    std::optional<std::string> pyproject;
    std::set<std::string> cargo_lock_dirs; // "" = the top, else "a/b"
};

std::string join_path(const std::vector<std::string>& parts, std::size_t from, std::size_t to) {
    std::string out;
    for (std::size_t i = from; i < to; ++i) {
        out += (out.empty() ? "" : "/") + parts[i];
    }
    return out;
}

Listing list_archive(archive* a, const std::string& name) {
    // nixpkgs' unpackPhase takes the one directory the archive unpacks into as the source root
    // (and fails with several); files next to it do not count. Members are seen in archive order,
    // so candidates are kept for the archive's root and for each directory until the end.
    std::map<std::string, RootFiles> roots; // "" = the archive's root
    std::set<std::string> directories;
    std::vector<std::vector<std::string>> cargo_locks;
    archive_entry* entry = nullptr;
    bool any = false;
    int r = ARCHIVE_OK;
    while ((r = archive_read_next_header(a, &entry)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
        any = true;
        const char* raw = archive_entry_pathname(entry);
        std::vector<std::string> parts = components(raw != nullptr ? raw : "", name);
        if (parts.empty()) {
            continue; // "./"
        }
        const bool is_dir = archive_entry_filetype(entry) == AE_IFDIR;
        if (parts.size() > 1 || is_dir) {
            directories.insert(parts[0]);
            if (directories.size() > 1) {
                throw Error("sdist `" + name + "` unpacks into several directories (" +
                                *directories.begin() + ", " + *directories.rbegin() + ")",
                            {}, {},
                            "an sdist unpacks into one directory (nixpkgs' unpackPhase refuses "
                            "others); the file is damaged or is not an sdist");
            }
        }
        const std::string& file = parts.back();
        if (!is_dir && file == "Cargo.lock") {
            if (cargo_locks.size() == max_cargo_lock_members) {
                throw Error("sdist `" + name + "` holds more than " +
                                std::to_string(max_cargo_lock_members) + " Cargo.lock files",
                            {}, {}, "the archive is damaged or hostile; " + hint_override);
            }
            cargo_locks.push_back(std::move(parts));
            continue;
        }
        const bool interesting =
            !is_dir && parts.size() <= 2 &&
            (file == "pyproject.toml" || file == "setup.py" || file == "setup.cfg");
        if (!interesting) {
            continue;
        }
        RootFiles& root = roots[parts.size() == 2 ? parts[0] : std::string()];
        if (file != "pyproject.toml") {
            root.setup = true;
            continue;
        }
        const std::string member = raw;
        refuse_irregular(entry, name, member, "pyproject.toml");
        auto too_big = [&] {
            throw Error("sdist `" + name + "`: " + member + " is larger than " +
                            std::to_string(max_sdist_pyproject_size / 1024) +
                            " KiB, which lock2nix does not read",
                        {}, {}, hint_override);
        };
        if (archive_entry_size_is_set(entry) != 0 &&
            archive_entry_size(entry) > static_cast<la_int64_t>(max_sdist_pyproject_size)) {
            too_big();
        }
        root.pyproject = member_text(a, name, max_sdist_pyproject_size, too_big);
    }
    if (r != ARCHIVE_EOF) {
        not_an_archive(a, name);
    }
    if (!any) {
        throw Error("sdist `" + name + "` is an empty archive", {}, {},
                    "the file the lock pins is damaged or is not an sdist");
    }
    Listing out;
    out.top = directories.empty() ? std::string() : *directories.begin();
    if (const auto it = roots.find(out.top); it != roots.end()) {
        out.pyproject = std::move(it->second.pyproject);
    }
    for (const auto& parts : cargo_locks) {
        if (out.top.empty()) {
            out.cargo_lock_dirs.insert(join_path(parts, 0, parts.size() - 1));
        } else if (parts.size() > 1 && parts[0] == out.top) {
            out.cargo_lock_dirs.insert(join_path(parts, 1, parts.size() - 1));
        }
    }
    return out;
}

// The directory of a manifest path relative to the source root ("rust/Cargo.toml" → "rust"),
// nullopt when it leaves the sdist.
std::optional<std::string> manifest_directory(const std::string& manifest) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= manifest.size()) {
        std::size_t end = manifest.find('/', start);
        if (end == std::string::npos) {
            end = manifest.size();
        }
        std::string part = manifest.substr(start, end - start);
        if (part == "..") {
            if (parts.empty()) {
                return std::nullopt;
            }
            parts.pop_back();
        } else if (!part.empty() && part != ".") {
            parts.push_back(std::move(part));
        }
        start = end + 1;
    }
    if (!parts.empty()) {
        parts.pop_back(); // the manifest's own name
    }
    return join_path(parts, 0, parts.size());
}

// The manifest a Rust backend builds, from the pyproject's tool table (see sdist.hpp), or
// nullopt when the pyproject names none (setuptools-rust configured in setup.py).
std::optional<std::string> declared_manifest(RustBackend backend, std::string_view pyproject,
                                             const std::string& where) {
    const detail::TomlReader reader(where, hint_override);
    const toml::table doc = reader.parse(pyproject, hint_override);
    const toml::table* tool = reader.table(doc, "tool");
    if (backend == RustBackend::maturin) {
        const toml::table* maturin = tool != nullptr ? reader.table(*tool, "maturin") : nullptr;
        return maturin != nullptr ? reader.string_or(*maturin, "manifest-path", "Cargo.toml")
                                  : std::string("Cargo.toml");
    }
    const toml::table* rust = tool != nullptr ? reader.table(*tool, "setuptools-rust") : nullptr;
    if (rust == nullptr) {
        return std::nullopt;
    }
    for (const char* key : {"ext-modules", "bins"}) {
        if (const toml::array* targets = reader.array(*rust, key)) {
            for (const toml::node& target : *targets) {
                return reader.string_or(reader.as_table(target, key), "path", "Cargo.toml");
            }
        }
    }
    return std::nullopt;
}

// Which Cargo.lock the backend builds with (sdist.hpp), and where it was sought.
std::optional<std::string> cargo_lock_directory(const Listing& listing, RustBackend backend,
                                                const std::string& pyproject_where,
                                                std::string& sought) {
    const std::optional<std::string> manifest =
        listing.pyproject ? declared_manifest(backend, *listing.pyproject, pyproject_where)
                          : std::nullopt;
    if (!manifest) {
        sought = "any directory of the sdist";
        std::optional<std::string> best;
        std::size_t best_depth = 0;
        for (const std::string& dir : listing.cargo_lock_dirs) {
            const std::size_t depth =
                dir.empty() ? 0
                            : 1 + static_cast<std::size_t>(std::count(dir.begin(), dir.end(), '/'));
            if (!best || depth < best_depth) {
                best = dir;
                best_depth = depth;
            }
        }
        return best;
    }
    const std::optional<std::string> start = manifest_directory(*manifest);
    if (!start) {
        sought = "the directory of the manifest " + *manifest + " (outside the sdist)";
        return std::nullopt;
    }
    std::string dir = *start;
    for (;;) {
        sought +=
            (sought.empty() ? "" : ", ") + (dir.empty() ? std::string() : dir + "/") + "Cargo.lock";
        if (listing.cargo_lock_dirs.contains(dir)) {
            return dir;
        }
        if (dir.empty()) {
            return std::nullopt;
        }
        const auto slash = dir.rfind('/');
        dir = slash == std::string::npos ? std::string() : dir.substr(0, slash);
    }
}

// The second pass: the text of the Cargo.lock in `directory` (relative to the source root).
std::string read_cargo_lock(archive* a, const std::string& name, const std::string& top,
                            const std::string& directory) {
    std::string wanted = top;
    for (const std::string& part : {directory, std::string("Cargo.lock")}) {
        if (!part.empty()) {
            wanted += (wanted.empty() ? "" : "/") + part;
        }
    }
    archive_entry* entry = nullptr;
    int r = ARCHIVE_OK;
    while ((r = archive_read_next_header(a, &entry)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
        const char* raw = archive_entry_pathname(entry);
        const std::vector<std::string> parts = components(raw != nullptr ? raw : "", name);
        if (parts.empty() || join_path(parts, 0, parts.size()) != wanted ||
            archive_entry_filetype(entry) == AE_IFDIR) {
            continue;
        }
        const std::string member = raw;
        refuse_irregular(entry, name, member, "Cargo.lock");
        return member_text(a, name, max_sdist_cargo_lock_size, [&] {
            throw Error("sdist `" + name + "`: " + member + " is larger than " +
                            std::to_string(max_sdist_cargo_lock_size / 1024 / 1024) +
                            " MiB, which lock2nix does not read",
                        {}, {}, hint_override);
        });
    }
    if (r != ARCHIVE_EOF) {
        not_an_archive(a, name);
    }
    throw Error("sdist `" + name + "` changed while it was read: " + wanted + " is gone", {}, {},
                "read it again");
}

// Both passes; `open` gives a reader at the archive's start.
SdistFacts read_facts(const std::function<ArchivePtr()>& open, const std::string& name) {
    Listing listing;
    {
        ArchivePtr a = open();
        listing = list_archive(a.get(), name);
    }
    SdistFacts out;
    const std::string where =
        name + (listing.top.empty() ? std::string() : "/" + listing.top) + "/pyproject.toml";
    if (listing.pyproject) {
        out.build_system = parse_build_system(*listing.pyproject, where);
    } // else setup.py / setup.cfg, or nothing: PEP 517's fallback, setuptools
    out.rust = rust_backend(out.build_system);
    if (out.rust == RustBackend::none) {
        return out;
    }
    const std::optional<std::string> directory =
        cargo_lock_directory(listing, out.rust, where, out.cargo_lock_sought);
    if (directory) {
        ArchivePtr a = open();
        out.cargo_lock =
            SdistCargoLock{*directory, read_cargo_lock(a.get(), name, listing.top, *directory)};
    }
    return out;
}

} // namespace

BuildSystem parse_build_system(std::string_view pyproject_text, const std::string& file) {
    const detail::TomlReader reader(file, hint_override);
    const toml::table doc = reader.parse(pyproject_text, hint_override);
    BuildSystem out;
    if (const toml::table* build = reader.table(doc, "build-system")) {
        out.present = true;
        out.requirements = reader.string_list(*build, "requires");
        out.build_backend = reader.string_or(*build, "build-backend", "");
        out.backend_path = reader.string_list(*build, "backend-path");
    }
    return out;
}

SdistFacts read_sdist(const std::filesystem::path& archive_path, const std::string& display_name) {
    return read_facts(
        [&] {
            ArchivePtr a = new_reader(display_name);
            if (archive_read_open_filename(a.get(), archive_path.c_str(), 64 * 1024) !=
                ARCHIVE_OK) {
                not_an_archive(a.get(), display_name);
            }
            return a;
        },
        display_name);
}

SdistFacts read_sdist_from_memory(std::string_view bytes, const std::string& display_name) {
    return read_facts(
        [&] {
            ArchivePtr a = new_reader(display_name);
            if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
                not_an_archive(a.get(), display_name);
            }
            return a;
        },
        display_name);
}

BuildSystem read_sdist_build_system(const std::filesystem::path& archive_path,
                                    const std::string& display_name) {
    return read_sdist(archive_path, display_name).build_system;
}

BuildSystem read_sdist_build_system_from_memory(std::string_view bytes,
                                                const std::string& display_name) {
    return read_sdist_from_memory(bytes, display_name).build_system;
}

} // namespace lock2nix
