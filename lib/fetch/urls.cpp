#include "lock2nix/fetch/urls.hpp"

#include "lock2nix/hash.hpp"
#include "lock2nix/standards/tags.hpp"

#include <algorithm>

namespace lock2nix {

std::string percent_decoded(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            const int hi = hex_digit_value(text[i + 1]);
            const int lo = hex_digit_value(text[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        out += text[i];
    }
    return out;
}

std::string without_trailing_slash(std::string url) {
    while (!url.empty() && url.back() == '/') {
        url.pop_back();
    }
    return url;
}

std::vector<std::string> predicted_urls(const Package& p, const FileEntry& f) {
    const std::string first(1, p.name.empty() ? '_' : p.name.front());
    if (p.source_kind() == SourceKind::legacy) {
        return {without_trailing_slash(p.source->url) + "/" + f.name};
    }
    const std::string host = "https://files.pythonhosted.org/packages/";
    if (tags::classify(f.name) == tags::FileKind::wheel) {
        // The path segment is the upload's python_version, usually the python tag.
        const auto parts_end = f.name.size() - 4;
        std::vector<std::string> fields;
        std::size_t start = 0;
        while (start < parts_end) {
            auto dash = f.name.find('-', start);
            if (dash == std::string::npos || dash > parts_end) {
                dash = parts_end;
            }
            fields.push_back(f.name.substr(start, dash - start));
            start = dash + 1;
        }
        const std::string python_tag = fields.size() >= 3 ? fields[fields.size() - 3] : "py3";
        std::vector<std::string> urls{host + python_tag + "/" + first + "/" + p.name + "/" +
                                      f.name};
        if (python_tag.find('.') != std::string::npos) {
            std::size_t s = 0;
            while (s <= python_tag.size()) {
                auto dot = python_tag.find('.', s);
                if (dot == std::string::npos) {
                    dot = python_tag.size();
                }
                urls.push_back(host + python_tag.substr(s, dot - s) + "/" + first + "/" + p.name +
                               "/" + f.name);
                s = dot + 1;
            }
        }
        return urls;
    }
    return {host + "source/" + first + "/" + p.name + "/" + f.name};
}

bool from_index(const Package& p) {
    return p.source_kind() == SourceKind::pypi || p.source_kind() == SourceKind::legacy;
}

std::vector<std::size_t> packages_needing_digests(const Lock& lock) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < lock.packages.size(); ++i) {
        const Package& p = lock.packages[i];
        if (!from_index(p)) {
            continue;
        }
        const bool unnamed = std::any_of(p.files.begin(), p.files.end(),
                                         [](const FileEntry& f) { return f.name.empty(); });
        if (p.files.empty() || unnamed) {
            out.push_back(i);
        }
    }
    return out;
}

std::string redact_url(const std::string& url) {
    // scheme://user:password@host/... -> scheme://host/... (plain text: no libcurl needed for
    // cache keys and messages).
    const auto scheme = url.find("://");
    if (scheme == std::string::npos) {
        return url;
    }
    const auto authority_end = url.find_first_of("/?#", scheme + 3);
    const auto at =
        url.rfind('@', authority_end == std::string::npos ? std::string::npos : authority_end);
    if (at == std::string::npos || at < scheme + 3) {
        return url;
    }
    return url.substr(0, scheme + 3) + url.substr(at + 1);
}

std::string redact_urls_in(std::string_view text) {
    std::string out;
    std::size_t done = 0;
    for (auto scheme = text.find("://"); scheme != std::string_view::npos;
         scheme = text.find("://", scheme + 3)) {
        const std::size_t start = scheme + 3;
        if (start < done) {
            continue;
        }
        // The authority ends at a path, query or fragment, or where the URL ends in the text.
        std::size_t end = start;
        while (end < text.size() &&
               std::string_view("/?#\"' \t\n").find(text[end]) == std::string_view::npos) {
            ++end;
        }
        const auto at = text.substr(start, end - start).rfind('@');
        if (at == std::string_view::npos) {
            continue;
        }
        out.append(text.substr(done, start - done));
        done = start + at + 1;
    }
    out.append(text.substr(done));
    return out;
}

} // namespace lock2nix
