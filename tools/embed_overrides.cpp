// Build-time tool: compiles the override files under overrides/ into a C++ source the library
// links, one block of TOML text per package (sorted), so that a lone lock2nix binary carries the
// default database and parses only the blocks of the packages it meets.
//
// usage: embed_overrides OUTPUT.cpp ROOT FILE... [--patches PATCH...]
//        (FILE and PATCH relative to ROOT, as entries name them; patches are embedded byte for
//        byte)

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <toml++/toml.h>
#include <vector>

namespace {

struct Block {
    std::string package;
    std::string file;
    unsigned first_line = 0;
    std::string text;
};

std::string canonical(std::string_view name) {
    std::string out;
    bool sep = false;
    for (char c : name) {
        if (c == '-' || c == '_' || c == '.') {
            sep = true;
            continue;
        }
        if (sep && !out.empty()) {
            out += '-';
        }
        sep = false;
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

// The lines of the table headers under one package's key: its array of tables and the
// tables below them (inline tables have no header line of their own).
void record_headers(const toml::node& node, const std::string& package,
                    std::map<unsigned, std::string>& headers) {
    if (const toml::table* table = node.as_table()) {
        if (!table->is_inline()) {
            headers.emplace(node.source().begin.line, package);
        }
        for (const auto& [key, value] : *table) {
            record_headers(value, package, headers);
        }
    } else if (const toml::array* array = node.as_array()) {
        for (const toml::node& item : *array) {
            record_headers(item, package, headers);
        }
    }
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: embed_overrides OUTPUT.cpp ROOT FILE...\n";
        return 2;
    }
    std::vector<Block> blocks;
    std::vector<std::string> patches;
    int end = argc;
    for (int a = 3; a < argc; ++a) {
        if (std::string(argv[a]) == "--patches") {
            patches.assign(argv + a + 1, argv + argc);
            end = a;
            break;
        }
    }
    for (int a = 3; a < end; ++a) {
        const std::string name = argv[a];
        const std::string path = std::string(argv[2]) + "/" + name;
        std::ifstream in(path, std::ios::binary);
        std::stringstream buf;
        buf << in.rdbuf();
        const std::string text = buf.str();
        toml::table root;
        try {
            root = toml::parse(text, path); // a syntax error stops the build here
        } catch (const toml::parse_error& e) {
            std::cerr << path << ":" << e.source().begin.line << ":" << e.source().begin.column
                      << ": error: " << e.description() << "\n";
            return 1;
        }
        // The header lines come from the parser, not from the text: a line of a multi-line
        // string that starts with '[' is no header.
        std::map<unsigned, std::string> headers;
        for (const auto& [key, value] : root) {
            record_headers(value, canonical(key.str()), headers);
        }
        std::istringstream lines(text);
        std::string line;
        unsigned number = 0;
        Block* current = nullptr;
        while (std::getline(lines, line)) {
            ++number;
            const auto first = line.find_first_not_of(" \t");
            if (auto header = headers.find(number); header != headers.end()) {
                const std::string& package = header->second;
                if (current == nullptr || current->package != package) {
                    blocks.push_back(Block{package, "overrides/" + name, number, {}});
                    current = &blocks.back();
                }
            } else if (current == nullptr) {
                if (first != std::string::npos && line[first] != '#') {
                    std::cerr << path << ":" << number
                              << ": error: a key outside any [[package]] table\n";
                    return 1;
                }
                continue;
            }
            current->text += line + "\n";
        }
    }
    std::stable_sort(blocks.begin(), blocks.end(),
                     [](const Block& a, const Block& b) { return a.package < b.package; });
    // The strings go into one character array and the table holds offsets into it: a table of
    // pointers would need one load-time relocation per pointer (25,000 of them, a third of the
    // CLI's start-up time).
    std::vector<std::string> pieces;
    std::map<std::string, std::size_t> interned;
    std::size_t blob_size = 0;
    const auto intern = [&](const std::string& piece, bool share) {
        if (share) {
            if (auto it = interned.find(piece); it != interned.end()) {
                return it->second;
            }
        }
        const std::size_t at = blob_size;
        pieces.push_back(piece);
        blob_size += piece.size() + 1;
        if (share) {
            interned.emplace(piece, at);
        }
        return at;
    };
    struct Row {
        std::size_t package, file, first_line, text;
    };
    std::vector<Row> rows;
    for (const Block& b : blocks) {
        if (b.text.find(")ovr\"") != std::string::npos) {
            std::cerr << b.file << ": error: the text `)ovr\"` cannot be embedded\n";
            return 1;
        }
        rows.push_back(Row{intern(b.package, true), intern(b.file, true), b.first_line,
                           intern(b.text, false)});
    }
    if (blob_size > 0xffffffffU) {
        std::cerr << "error: the override database is larger than 4 GiB\n";
        return 1;
    }
    std::ofstream out(argv[1], std::ios::binary);
    out << "// Generated by tools/embed_overrides.cpp from overrides/*.toml. Do not edit.\n"
        << "#include \"project/overrides_embedded.hpp\"\n\nnamespace lock2nix::detail {\n\n"
        << "const char embedded_override_strings[] =\n";
    for (const std::string& piece : pieces) {
        out << "    R\"ovr(" << piece << ")ovr\" \"\\0\"\n";
    }
    out << "    \"\";\n\nconst EmbeddedOverride embedded_overrides[] = {\n";
    for (const Row& r : rows) {
        out << "    {" << r.package << "U, " << r.file << "U, " << r.first_line << "U, " << r.text
            << "U},\n";
    }
    if (rows.empty()) {
        out << "    {0U, 0U, 0U, 0U},\n";
    }
    out << "};\n\nconst std::size_t embedded_override_count = " << blocks.size() << ";\n\n";
    // Patches as escaped bytes: any content (a patch may hold anything) stays exact.
    std::sort(patches.begin(), patches.end());
    out << "const EmbeddedPatch embedded_patches[] = {\n";
    for (const std::string& name : patches) {
        std::ifstream in(std::string(argv[2]) + "/" + name, std::ios::binary);
        std::stringstream buf;
        buf << in.rdbuf();
        const std::string text = buf.str();
        out << "    {\"" << name << "\", \"";
        static const char* const hex = "0123456789abcdef";
        for (unsigned char c : text) {
            out << "\\x" << hex[c >> 4] << hex[c & 15] << "\"\"";
        }
        out << "\", " << text.size() << "},\n";
    }
    if (patches.empty()) {
        out << "    {\"\", \"\", 0},\n";
    }
    out << "};\n\nconst std::size_t embedded_patch_count = " << patches.size() << ";\n\n}\n";
    return out ? 0 : 1;
}
