#include "lock2nix/fetch/sdist.hpp"

#include "project/toml_reader.hpp"

#include <archive.h>
#include <archive_entry.h>
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

BuildSystem read_archive(archive* a, const std::string& name) {
    // nixpkgs' unpackPhase takes the one directory the archive unpacks into as the source root
    // (and fails with several); files next to it do not count. Members are seen in archive order,
    // so candidates are kept for the archive's root and for each directory until the end.
    std::map<std::string, RootFiles> roots; // "" = the archive's root
    std::set<std::string> directories;
    archive_entry* entry = nullptr;
    bool any = false;
    int r = ARCHIVE_OK;
    while ((r = archive_read_next_header(a, &entry)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
        any = true;
        const char* raw = archive_entry_pathname(entry);
        const std::vector<std::string> parts = components(raw != nullptr ? raw : "", name);
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
        if (archive_entry_filetype(entry) != AE_IFREG) {
            throw Error("sdist `" + name + "`: " + member + " is not a regular file", {}, {},
                        "an sdist's pyproject.toml is a file; the archive is damaged or hostile");
        }
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
        // The declared size may be absent (zip data descriptors) or lie: read at most the limit.
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
            if (text.size() > max_sdist_pyproject_size) {
                too_big();
            }
        }
        root.pyproject = std::move(text);
    }
    if (r != ARCHIVE_EOF) {
        not_an_archive(a, name);
    }
    if (!any) {
        throw Error("sdist `" + name + "` is an empty archive", {}, {},
                    "the file the lock pins is damaged or is not an sdist");
    }
    const std::string top = directories.empty() ? std::string() : *directories.begin();
    const auto it = roots.find(top);
    if (it == roots.end() || !it->second.pyproject) {
        return {}; // setup.py / setup.cfg, or nothing: PEP 517's fallback, setuptools
    }
    const std::string where = name + (top.empty() ? std::string() : "/" + top) + "/pyproject.toml";
    return parse_build_system(*it->second.pyproject, where);
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

BuildSystem read_sdist_build_system(const std::filesystem::path& archive_path,
                                    const std::string& display_name) {
    ArchivePtr a = new_reader(display_name);
    if (archive_read_open_filename(a.get(), archive_path.c_str(), 64 * 1024) != ARCHIVE_OK) {
        not_an_archive(a.get(), display_name);
    }
    return read_archive(a.get(), display_name);
}

BuildSystem read_sdist_build_system_from_memory(std::string_view bytes,
                                                const std::string& display_name) {
    ArchivePtr a = new_reader(display_name);
    if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
        not_an_archive(a.get(), display_name);
    }
    return read_archive(a.get(), display_name);
}

} // namespace lock2nix
