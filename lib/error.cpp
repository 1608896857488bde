#include "lock2nix/error.hpp"

namespace lock2nix {

namespace {

std::string compose(const std::string& file, SourcePosition pos, const std::string& message,
                    const std::string& hint) {
    // Messages quote input (file names, index answers, git's output): a newline or escape
    // sequence from there must not forge lines or colours on the user's terminal.
    std::string out;
    if (!file.empty()) {
        out += printable(describe_position(file, pos)) + ": ";
    }
    out += "error: " + printable(message);
    if (!hint.empty()) {
        out += "\n  hint: " + hint;
    }
    return out;
}

} // namespace

std::string printable(std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (u < 0x20 || u == 0x7f) {
            out += "\\x";
            out += hex[u >> 4];
            out += hex[u & 15];
        } else {
            out += c;
        }
    }
    return out;
}

std::string describe_position(const std::string& file, SourcePosition position) {
    return position.known()
               ? file + ":" + std::to_string(position.line) + ":" + std::to_string(position.column)
               : file;
}

Error::Error(std::string message, std::string file, SourcePosition position, std::string hint)
    : std::runtime_error(compose(file, position, message, hint)), message_(std::move(message)),
      file_(std::move(file)), position_(position), hint_(std::move(hint)) {}

Error Error::located(std::string file, SourcePosition position) const {
    return Error(message_, std::move(file), position, hint_);
}

std::string Error::describe() const {
    return what();
}

SyntaxError::SyntaxError(const std::string& what, std::string input, std::size_t offset)
    : Error(what + " at position " + std::to_string(offset + 1) + " of \"" + input + "\""),
      input_(std::move(input)), offset_(offset) {}

} // namespace lock2nix
