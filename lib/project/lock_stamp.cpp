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
    explicit MetadataScanner(std::string_view text) : s_(text) {}

    // The [metadata] table's own lines (its header up to the next header), or nothing when the
    // text is unusual in any way that could make that slice disagree with a full parse.
    std::optional<std::string_view> run() {
        bool seen_header = false;
        while (i_ < s_.size()) {
            // At the start of a line outside any value.
            const std::size_t line = i_;
            skip_blanks();
            if (i_ >= s_.size()) {
                break;
            }
            const char c = s_[i_];
            if (c == '\n' || c == '\r') {
                ++i_;
                continue;
            }
            if (c == '#') {
                skip_line();
                continue;
            }
            if (c == '[') {
                if (!header(line)) {
                    return std::nullopt;
                }
                seen_header = true;
                continue;
            }
            // A key/value line. Before the first header it is a root key (Poetry writes
            // `package = []` when nothing is locked); one that is or could be `metadata`
            // (bare, dotted, or quoted in any escape) defines the table: the full reader decides.
            if ((!seen_header && !harmless_root_key()) || !value_line()) {
                return std::nullopt;
            }
        }
        if (!start_) {
            return std::nullopt;
        }
        return s_.substr(*start_, end_.value_or(s_.size()) - *start_);
    }

private:
    bool harmless_root_key() const {
        std::size_t k = i_;
        while (k < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[k])) != 0 ||
                                 s_[k] == '_' || s_[k] == '-')) {
            ++k;
        }
        return k > i_ && s_.substr(i_, k - i_) != "metadata";
    }

    void skip_blanks() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) {
            ++i_;
        }
    }

    void skip_line() {
        const auto nl = s_.find('\n', i_);
        i_ = nl == std::string_view::npos ? s_.size() : nl + 1;
    }

    // A table header line. Its first key decides: a quoted one could spell `metadata` in any
    // escape, so it ends the fast path; a bare `metadata` must be the plain table or one of the
    // file lists old locks keep under it. Other tables (quoted parts included) cannot touch it.
    bool header(std::size_t line) {
        const auto nl = s_.find('\n', i_);
        const std::string_view text =
            s_.substr(i_, (nl == std::string_view::npos ? s_.size() : nl) - i_);
        i_ = nl == std::string_view::npos ? s_.size() : nl + 1;
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

    // Skips one key/value (which may span lines inside brackets or multi-line strings).
    bool value_line() {
        int depth = 0;
        while (i_ < s_.size()) {
            i_ = find_any<'"', '\'', '#', '[', ']', '{', '}', '\n'>(i_);
            if (i_ >= s_.size()) {
                break;
            }
            const auto c = static_cast<unsigned char>(s_[i_]);
            switch (c) {
            case '"':
            case '\'':
                if (!string(static_cast<char>(c))) {
                    return false;
                }
                break;
            case '#':
                skip_comment();
                break;
            case '[':
            case '{':
                ++depth;
                ++i_;
                break;
            case ']':
            case '}':
                if (--depth < 0) {
                    return false;
                }
                ++i_;
                break;
            case '\n':
                ++i_;
                if (depth == 0) {
                    return true;
                }
                break;
            default:
                ++i_;
            }
        }
        return depth == 0;
    }

    void skip_comment() {
        const auto nl = s_.find('\n', i_);
        i_ = nl == std::string_view::npos ? s_.size() : nl; // the newline ends the value line
    }

    template <char... Cs>
    std::size_t find_any(std::size_t from) const {
        return detail::find_any<Cs...>(s_, from);
    }

    bool string(char quote) {
        const bool multi = detail::starts_triple_quote(s_, i_, quote);
        i_ += multi ? 3 : 1;
        while (i_ < s_.size()) {
            // Stops: the closing quote; a backslash, which may escape it (basic strings only); a
            // newline, which ends a one-line string unterminated.
            const std::size_t stop =
                quote == '"' ? (multi ? find_any<'"', '\\'>(i_) : find_any<'"', '\\', '\n'>(i_))
                             : (multi ? find_any<'\''>(i_) : find_any<'\'', '\n'>(i_));
            if (stop >= s_.size() || s_[stop] == '\n') {
                return false; // unterminated
            }
            if (s_[stop] == '\\') {
                i_ = stop + 2;
                continue;
            }
            if (!multi) {
                i_ = stop + 1;
                return true;
            }
            if (detail::starts_triple_quote(s_, stop, quote)) {
                i_ = stop + 3;
                // Up to two more quotes belong to the content ("""a"""" is `a"`).
                for (int k = 0; k < 2 && i_ < s_.size() && s_[i_] == quote; ++k) {
                    ++i_;
                }
                return true;
            }
            i_ = stop + 1;
        }
        return false; // unterminated
    }

    std::string_view s_;
    std::size_t i_ = 0;
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
