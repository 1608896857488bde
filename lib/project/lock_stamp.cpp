// `lock2nix check` needs two keys of a lock, [metadata] lock-version and content-hash, and a
// flake check runs it on every evaluation: parsing and modelling the whole lock for them cost
// 40-90 ms on real locks and seconds at 100k packages. This reads them from the [metadata] table
// alone, found by one linear scan that follows TOML's strings, comments and brackets, and falls
// back to the full reader whenever the scan is not certain the table it found is the only
// definition of those keys (so errors and positions stay those of the full reader).

#include "lock2nix/files.hpp"
#include "lock2nix/project/lockfile.hpp"
#include "project/byte_scan.hpp"

#include <cctype>
#include <optional>

namespace lock2nix {

namespace {

class MetadataScanner {
public:
    explicit MetadataScanner(std::string_view text) : s_(text), scan_(text) {}

    // The [metadata] table's own lines (its header up to the next header), or nothing when the
    // text is unusual in any way that could make that slice disagree with a full parse.
    std::optional<std::string_view> run() {
        bool seen_header = false;
        while (true) {
            const auto st = scan_.next();
            if (st.kind == detail::TomlStatements::Kind::end) {
                break;
            }
            if (st.kind == detail::TomlStatements::Kind::unsure) {
                return std::nullopt;
            }
            if (st.kind == detail::TomlStatements::Kind::header) {
                if (!header(st.line, st.header)) {
                    return std::nullopt;
                }
                seen_header = true;
                continue;
            }
            // A key/value line. Before the first header it is a root key (Poetry writes
            // `package = []` when nothing is locked); one that is or could be `metadata`
            // (bare, dotted, or quoted in any escape) defines the table: the full reader decides.
            if (!seen_header && !harmless_root_key(st.first)) {
                return std::nullopt;
            }
        }
        if (!start_) {
            return std::nullopt;
        }
        return s_.substr(*start_, end_.value_or(s_.size()) - *start_);
    }

private:
    bool harmless_root_key(std::size_t at) const {
        std::size_t k = at;
        while (k < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[k])) != 0 ||
                                 s_[k] == '_' || s_[k] == '-')) {
            ++k;
        }
        return k > at && s_.substr(at, k - at) != "metadata";
    }

    // A table header line. Its first key decides: a quoted one could spell `metadata` in any
    // escape, so it ends the fast path; a bare `metadata` must be the plain table or one of the
    // file lists old locks keep under it. Other tables (quoted parts included) cannot touch it.
    bool header(std::size_t line, std::string_view text) {
        if (open_ && !end_) {
            end_ = line; // the metadata table ends where the next header starts
        }
        const bool array = text.starts_with("[[");
        std::size_t k = array ? 2 : 1;
        while (k < text.size() && (text[k] == ' ' || text[k] == '\t')) {
            ++k;
        }
        if (k >= text.size() || text[k] == '"' || text[k] == '\'') {
            return false;
        }
        const auto first_end = text.find_first_of(" \t.]", k);
        if (text.substr(k, first_end == std::string_view::npos ? std::string_view::npos
                                                               : first_end - k) != "metadata") {
            return true;
        }
        std::string name;
        for (char c : text.substr(k, text.find(']', k) - k)) {
            if (c != ' ' && c != '\t') {
                name += c;
            }
        }
        if (array ||
            (name != "metadata" && name != "metadata.files" && name != "metadata.hashes")) {
            return false;
        }
        if (name == "metadata") {
            if (start_) {
                return false; // defined twice: an error the full reader reports
            }
            start_ = line;
            open_ = true;
        }
        return true;
    }

    std::string_view s_;
    detail::TomlStatements scan_;
    std::optional<std::size_t> start_;
    std::optional<std::size_t> end_;
    bool open_ = false;
};

} // namespace

LockStamp read_lock_stamp(const std::string& path) {
    return parse_lock_stamp(read_file(path), path);
}

LockStamp parse_lock_stamp(std::string_view text, const std::string& path) {
    if (const auto section = MetadataScanner(text).run()) {
        try {
            // The table alone through the full reader: the same validation of lock-version and
            // the same types; any complaint sends the whole file through it for its position.
            const Lock lock = parse_lock(*section, path);
            return LockStamp{lock.lock_version, lock.content_hash, true};
        } catch (const Error&) {
        }
    }
    const Lock lock = parse_lock(text, path);
    return LockStamp{lock.lock_version, lock.content_hash, false};
}

} // namespace lock2nix
