#include "lock2nix/standards/tags.hpp"

#include "lock2nix/standards/names.hpp"

#include <algorithm>
#include <array>

namespace lock2nix::tags {

namespace {

bool is_tag_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool is_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (true) {
        const auto at = s.find(sep, start);
        out.push_back(
            s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
        if (at == std::string_view::npos) {
            return out;
        }
        start = at + 1;
    }
}

// PEP 427's escaped distribution name: word characters and dots (non-ASCII letters allowed, as
// Python's \w allows them), never "__".
bool valid_distribution(std::string_view name) {
    if (name.empty() || name.find("__") != std::string_view::npos) {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return is_tag_char(c) || c == '.' || static_cast<unsigned char>(c) >= 0x80;
    });
}

constexpr std::array<std::string_view, 12> sdist_extensions = {
    ".tar.gz",  ".zip", ".tar.bz2", ".tar.xz", ".tar.lz", ".tar.lzma",
    ".tar.zst", ".tgz", ".tbz",     ".txz",    ".tlz",    ".tar"};

// manylinux legacy aliases that packaging yields right after the PEP 600 tag they equal.
std::optional<std::string> legacy_manylinux(int glibc_minor, const std::string& arch) {
    const bool x86 = arch == "x86_64" || arch == "i686";
    if (glibc_minor == 17) {
        return "manylinux2014_" + arch;
    }
    if (glibc_minor == 12 && x86) {
        return "manylinux2010_" + arch;
    }
    if (glibc_minor == 5 && x86) {
        return "manylinux1_" + arch;
    }
    return std::nullopt;
}

std::vector<std::string> mac_binary_formats(int major, int minor, const std::string& arch) {
    std::vector<std::string> formats{arch};
    const bool before_10_4 = major == 10 && minor < 4;
    if (arch == "x86_64") {
        if (before_10_4) {
            return {};
        }
        formats.insert(formats.end(), {"intel", "fat64", "fat3"});
    }
    if (arch == "arm64" || arch == "x86_64") {
        formats.emplace_back("universal2");
    }
    if (arch == "x86_64") {
        formats.emplace_back("universal");
    }
    return formats;
}

} // namespace

WheelName WheelName::parse(std::string_view filename) {
    const std::string input(filename);
    auto fail = [&](const std::string& what, std::size_t at) -> WheelName {
        throw SyntaxError("invalid wheel file name: " + what, input, at);
    };
    if (!filename.ends_with(".whl")) {
        return fail("it must end in .whl", filename.size());
    }
    const std::string_view stem = filename.substr(0, filename.size() - 4);
    const auto dashes = static_cast<std::size_t>(std::count(stem.begin(), stem.end(), '-'));
    if (dashes != 4 && dashes != 5) {
        return fail("expected name-version[-build]-python-abi-platform", 0);
    }
    const auto parts = split(stem, '-');
    WheelName w;
    if (!valid_distribution(parts[0])) {
        return fail("bad project name \"" + std::string(parts[0]) + "\"", 0);
    }
    w.name = canonicalize_name(parts[0]);
    const std::size_t version_at = parts[0].size() + 1;
    const auto version = pep440::Version::try_parse(parts[1]);
    if (!version || parts[1].find_first_of(" \t\n") != std::string_view::npos) {
        return fail("bad version \"" + std::string(parts[1]) + "\"", version_at);
    }
    w.version = *version;
    std::size_t next = 2;
    if (dashes == 5) {
        const std::string_view build = parts[2];
        std::size_t digits = 0;
        while (digits < build.size() && build[digits] >= '0' && build[digits] <= '9') {
            ++digits;
        }
        if (digits == 0) {
            return fail("a build tag must start with a number", version_at + parts[1].size() + 1);
        }
        std::uint64_t number = 0;
        for (std::size_t i = 0; i < digits; ++i) {
            number = number * 10 + static_cast<std::uint64_t>(build[i] - '0');
        }
        w.build = std::make_pair(number, std::string(build.substr(digits)));
        next = 3;
    }
    std::array<std::vector<std::string>, 3> sets;
    for (std::size_t k = 0; k < 3; ++k) {
        for (std::string_view component : split(parts[next + k], '.')) {
            const bool ok = !component.empty() &&
                            std::all_of(component.begin(), component.end(), is_tag_char) &&
                            (k != 0 || is_letter(component.front()));
            if (!ok) {
                return fail("bad compatibility tag \"" + std::string(parts[next + k]) + "\"",
                            stem.find(parts[next + k]));
            }
            sets[k].push_back(ascii_lower(component));
        }
    }
    for (const auto& i : sets[0]) {
        for (const auto& a : sets[1]) {
            for (const auto& p : sets[2]) {
                w.tags.push_back(Tag{i, a, p});
            }
        }
    }
    return w;
}

std::optional<WheelName> WheelName::try_parse(std::string_view filename) {
    return unless_syntax_error([&] { return parse(filename); });
}

SdistName SdistName::parse(std::string_view filename) {
    const std::string input(filename);
    for (std::string_view ext : sdist_extensions) {
        if (!filename.ends_with(ext)) {
            continue;
        }
        const std::string_view stem = filename.substr(0, filename.size() - ext.size());
        const auto dash = stem.rfind('-');
        if (dash == std::string_view::npos || dash == 0) {
            throw SyntaxError("invalid sdist file name: expected name-version" + std::string(ext),
                              input, 0);
        }
        const auto version = pep440::Version::try_parse(stem.substr(dash + 1));
        if (!version) {
            throw SyntaxError("invalid sdist file name: bad version", input, dash + 1);
        }
        SdistName s;
        s.name = canonicalize_name(stem.substr(0, dash));
        s.version = *version;
        s.extension = std::string(ext);
        s.standard = ext == ".tar.gz" || ext == ".zip";
        return s;
    }
    throw SyntaxError("not an sdist file name: unknown archive extension", input, filename.size());
}

std::optional<SdistName> SdistName::try_parse(std::string_view filename) {
    return unless_syntax_error([&] { return parse(filename); });
}

FileKind classify(std::string_view filename) {
    if (filename.ends_with(".whl")) {
        return FileKind::wheel;
    }
    if (filename.ends_with(".egg")) {
        return FileKind::egg;
    }
    for (std::string_view ext : sdist_extensions) {
        if (filename.ends_with(ext)) {
            return FileKind::sdist;
        }
    }
    return FileKind::other;
}

std::string_view to_string(FileKind kind) {
    switch (kind) {
    case FileKind::wheel:
        return "wheel";
    case FileKind::sdist:
        return "sdist";
    case FileKind::egg:
        return "egg";
    case FileKind::other:
        break;
    }
    return "other";
}

std::vector<std::string> platform_tags(const Target& target) {
    std::vector<std::string> out;
    const std::string arch = target.platform_machine();
    if (target.os == Target::Os::Linux) {
        if (target.libc == Target::Libc::musl) {
            for (int minor = target.libc_minor; minor >= 0; --minor) {
                out.push_back("musllinux_" + std::to_string(target.libc_major) + "_" +
                              std::to_string(minor) + "_" + arch);
            }
        } else {
            // PEP 600: glibc 2.17 is the oldest on aarch64 (manylinux2014), 2.5 elsewhere.
            const int oldest = arch == "x86_64" || arch == "i686" ? 5 : 17;
            for (int minor = target.libc_minor; minor >= oldest; --minor) {
                out.push_back("manylinux_" + std::to_string(target.libc_major) + "_" +
                              std::to_string(minor) + "_" + arch);
                if (auto legacy = legacy_manylinux(minor, arch)) {
                    out.push_back(*legacy);
                }
            }
        }
        out.push_back("linux_" + arch);
        return out;
    }
    auto add = [&](int major, int minor) {
        for (const auto& format : mac_binary_formats(major, minor, arch)) {
            out.push_back("macosx_" + std::to_string(major) + "_" + std::to_string(minor) + "_" +
                          format);
        }
    };
    if (target.macos_major == 10) {
        for (int minor = target.macos_minor; minor >= 0; --minor) {
            add(10, minor);
        }
        return out;
    }
    // From macOS 11 the major number moves every year; minor releases are mid-year updates.
    for (int major = target.macos_major; major > 10; --major) {
        add(major, 0);
    }
    for (int minor = 16; minor > 3; --minor) {
        if (arch == "x86_64") {
            add(10, minor);
        } else {
            out.push_back("macosx_10_" + std::to_string(minor) + "_universal2");
        }
    }
    return out;
}

std::vector<Tag> supported_tags(const Target& target) {
    const std::vector<std::string> platforms = platform_tags(target);
    const std::string major = std::to_string(target.python_major);
    const std::string interpreter = "cp" + major + std::to_string(target.python_minor);
    std::vector<Tag> out;
    // cpython_tags: own ABI, abi3, none; then abi3 of every older CPython 3.x down to 3.2.
    const bool abi3 = target.python_major == 3 && target.python_minor >= 2;
    for (const std::string& abi : {interpreter}) {
        for (const auto& p : platforms) {
            out.push_back({interpreter, abi, p});
        }
    }
    if (abi3) {
        for (const auto& p : platforms) {
            out.push_back({interpreter, "abi3", p});
        }
    }
    for (const auto& p : platforms) {
        out.push_back({interpreter, "none", p});
    }
    if (abi3) {
        for (int minor = target.python_minor - 1; minor > 1; --minor) {
            for (const auto& p : platforms) {
                out.push_back({"cp" + major + std::to_string(minor), "abi3", p});
            }
        }
    }
    // compatible_tags: pyXY, pyX, then older pyXY, on every platform; then "any".
    std::vector<std::string> py_versions{"py" + major + std::to_string(target.python_minor),
                                         "py" + major};
    for (int minor = target.python_minor - 1; minor >= 0; --minor) {
        py_versions.push_back("py" + major + std::to_string(minor));
    }
    for (const auto& py : py_versions) {
        for (const auto& p : platforms) {
            out.push_back({py, "none", p});
        }
    }
    out.push_back({interpreter, "none", "any"});
    for (const auto& py : py_versions) {
        out.push_back({py, "none", "any"});
    }
    return out;
}

TagRanking::TagRanking(const Target& target) : tags_(supported_tags(target)) {
    index_.reserve(tags_.size());
    for (std::size_t i = 0; i < tags_.size(); ++i) {
        index_.emplace(tags_[i].str(), i);
        platforms_.insert(tags_[i].platform);
    }
}

bool TagRanking::may_fit(std::string_view filename) const {
    if (!filename.ends_with(".whl")) {
        return true; // not a wheel name: let the parser say what is wrong
    }
    std::string_view stem = filename.substr(0, filename.size() - 4);
    const auto dash = stem.rfind('-');
    std::string_view platforms = dash == std::string_view::npos ? stem : stem.substr(dash + 1);
    while (!platforms.empty()) {
        const auto dot = platforms.find('.');
        const std::string platform = ascii_lower(platforms.substr(0, dot));
        if (platforms_.contains(platform)) {
            return true;
        }
        platforms = dot == std::string_view::npos ? std::string_view{} : platforms.substr(dot + 1);
    }
    return false;
}

std::optional<std::size_t> TagRanking::rank(const Tag& tag) const {
    auto it = index_.find(tag.str());
    if (it == index_.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::optional<std::size_t> TagRanking::rank(const WheelName& wheel) const {
    std::optional<std::size_t> best;
    for (const Tag& t : wheel.tags) {
        if (auto r = rank(t); r && (!best || *r < *best)) {
            best = r;
        }
    }
    return best;
}

} // namespace lock2nix::tags
