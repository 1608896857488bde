#pragma once
// Distribution file names and compatibility tags: wheel names (PEP 427, with build tags and
// compressed tag sets), sdist and egg names, and the ordered list of tags a target supports
// (PEP 425, 600 manylinux, 656 musllinux, macOS), built the way packaging.tags builds it.

#include "lock2nix/standards/pep440.hpp"
#include "lock2nix/standards/target.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace lock2nix::tags {

/// One interpreter-abi-platform triple.
struct Tag {
    std::string interpreter;
    std::string abi;
    std::string platform;

    /// "cp311-cp311-manylinux_2_17_x86_64"
    std::string str() const { return interpreter + "-" + abi + "-" + platform; }
    friend bool operator==(const Tag&, const Tag&) = default;
};

/// A parsed wheel file name.
struct WheelName {
    std::string name; ///< canonical project name
    pep440::Version version;
    std::optional<std::pair<std::uint64_t, std::string>> build;
    std::vector<Tag> tags; ///< expanded from compressed sets such as py2.py3

    /// Parses; throws SyntaxError with the offending position.
    static WheelName parse(std::string_view filename);
    static std::optional<WheelName> try_parse(std::string_view filename);
};

/// A parsed sdist file name.
struct SdistName {
    std::string name; ///< canonical project name
    pep440::Version version;
    std::string extension; ///< ".tar.gz", ".zip", ".tar.bz2", ...
    /// True for the two forms packaging accepts (.tar.gz and .zip); older archives are
    /// recognised for old locks but flagged.
    bool standard = false;

    static SdistName parse(std::string_view filename);
    static std::optional<SdistName> try_parse(std::string_view filename);
};

/// What a distribution file is, judged by its name.
enum class FileKind { wheel, sdist, egg, other };

FileKind classify(std::string_view filename);
std::string_view to_string(FileKind kind);

/// The platform tags of a target, best first (manylinux_2_40 … manylinux1, linux_x86_64; or
/// the macOS versions and binary formats).
std::vector<std::string> platform_tags(const Target& target);

/// Every tag a target's interpreter accepts, best first (packaging's sys_tags order:
/// cpython_tags then compatible_tags).
std::vector<Tag> supported_tags(const Target& target);

/// Ranks wheels for one target: lower is better; nullopt = not installable there.
class TagRanking {
public:
    explicit TagRanking(const Target& target);

    std::optional<std::size_t> rank(const Tag& tag) const;
    /// The best rank among a wheel's tags.
    std::optional<std::size_t> rank(const WheelName& wheel) const;
    const std::vector<Tag>& tags() const { return tags_; }
    /// A cheap first look at a wheel's file name: false when none of its platform tags can run
    /// on the target, so the name need not be parsed at all.
    bool may_fit(std::string_view wheel_filename) const;

private:
    std::vector<Tag> tags_;
    std::unordered_set<std::string> platforms_;
    std::unordered_map<std::string, std::size_t> index_;
};

} // namespace lock2nix::tags
