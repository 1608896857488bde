// What a selection says about one package: whether it is in, why, and the path that reached it.

#include "join.hpp"
#include "lock2nix/resolve/select.hpp"
#include "lock2nix/standards/names.hpp"

#include <algorithm>
#include <set>
#include <sstream>

namespace lock2nix {

using detail::join;

bool Selection::contains(std::size_t package) const {
    return std::find(packages.begin(), packages.end(), package) != packages.end();
}

std::string_view Selection::reason(std::size_t package) const {
    return package < reasons.size() ? std::string_view(reasons[package]) : std::string_view();
}

const Hop* Selection::hop_to(std::size_t package) const {
    return package < via.size() && via[package] ? &*via[package] : nullptr;
}

std::vector<Hop> Selection::path(std::size_t package) const {
    std::vector<Hop> out;
    std::set<std::size_t> seen; // a package is reached once, so this only guards the invariant
    std::optional<std::size_t> at = package;
    while (at && seen.insert(*at).second) {
        const Hop* hop = hop_to(*at);
        if (hop == nullptr) {
            break;
        }
        out.push_back(*hop);
        at = hop->from;
    }
    std::reverse(out.begin(), out.end());
    return out;
}

std::string explain(const Lock& lock, const Selection& sel, std::string_view name) {
    const auto found = lock.find(name);
    std::ostringstream out;
    if (found.empty()) {
        out << "`" << name << "` is not in " << lock.path << ": no [[package]] has that name "
            << "(compared after PEP 503 normalisation: " << canonicalize_name(name) << ")\n";
        return out.str();
    }
    for (std::size_t i : found) {
        const Package& p = lock.packages[i];
        if (sel.contains(i)) {
            out << p.name << " " << p.version << " is IN for " << sel.target.describe() << ": "
                << sel.reason(i) << "\n";
            if (sel.hop_to(i) != nullptr) {
                out << "  path: project";
                for (const Hop& h : sel.path(i)) {
                    out << " -> " << h.requirement;
                    if (!h.marker.empty()) {
                        out << " [when " << h.marker << "]";
                    }
                }
                out << "\n";
            }
        } else {
            for (const Exclusion& e : sel.excluded) {
                if (e.package == i) {
                    out << p.name << " " << p.version << " is OUT for " << sel.target.describe()
                        << ": " << e.reason << "\n";
                }
            }
        }
    }
    out << "  (groups: " << join(sel.groups)
        << "; extras: " << (sel.extras.empty() ? std::string("none") : join(sel.extras)) << ")\n";
    return out.str();
}

} // namespace lock2nix
