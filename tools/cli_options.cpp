#include "cli_options.hpp"

namespace lock2nix::cli {

Options::Options(const std::vector<std::string>& args, const OptionSpec& spec) {
    bool only_positionals = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string arg = args[i];
        if (only_positionals || arg == "-" || arg.empty() || arg[0] != '-') {
            positionals_.push_back(arg);
            continue;
        }
        if (arg == "--") {
            only_positionals = true;
            continue;
        }
        if (arg.size() == 2 && arg[0] == '-' && arg[1] != '-') {
            auto it = spec.short_names.find(arg[1]);
            if (it == spec.short_names.end()) {
                throw UsageError("unknown option " + arg);
            }
            arg = it->second;
        }
        std::string inline_value;
        bool has_inline = false;
        if (auto eq = arg.find('='); eq != std::string::npos) {
            inline_value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
            has_inline = true;
        }
        if (spec.flags.contains(arg)) {
            if (has_inline) {
                throw UsageError("option " + arg + " takes no value");
            }
            flags_.insert(arg);
            continue;
        }
        if (!spec.values.contains(arg) && !spec.repeatable.contains(arg)) {
            throw UsageError("unknown option " + arg);
        }
        std::string value;
        if (has_inline) {
            value = inline_value;
        } else if (i + 1 < args.size()) {
            value = args[++i];
        } else {
            throw UsageError("option " + arg + " needs a value");
        }
        auto& slot = values_[arg];
        if (spec.values.contains(arg)) {
            slot.clear();
        }
        slot.push_back(std::move(value));
    }
}

std::string Options::value(const std::string& name, const std::string& fallback) const {
    auto it = values_.find(name);
    return it == values_.end() || it->second.empty() ? fallback : it->second.back();
}

bool Options::has(const std::string& name) const {
    return values_.contains(name);
}

std::vector<std::string> Options::all(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
}

} // namespace lock2nix::cli
