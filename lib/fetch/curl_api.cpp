#include "fetch/curl_api.hpp"

#include "lock2nix/error.hpp"

#include <dlfcn.h>
#include <string>

namespace lock2nix::detail {

namespace {

template <class F>
void bind(void* lib, const char* name, F& out) {
    void* symbol = dlsym(lib, name);
    if (symbol == nullptr) {
        throw Error(std::string("libcurl lacks ") + name, {}, {},
                    "install libcurl 7.80 or later (libcurl4)");
    }
    out = reinterpret_cast<F>(symbol);
}

CurlApi load() {
    void* lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
        throw Error(std::string("cannot load libcurl, which the package-index client needs: ") +
                        dlerror(),
                    {}, {},
                    "install libcurl4 (Debian: apt-get install libcurl4), or translate offline (" +
                        mention(Setting::offline) + ")");
    }
    CurlApi api{};
    bind(lib, "curl_global_init", api.global_init);
    bind(lib, "curl_easy_init", api.easy_init);
    bind(lib, "curl_easy_reset", api.easy_reset);
    bind(lib, "curl_easy_setopt", api.easy_setopt);
    bind(lib, "curl_easy_getinfo", api.easy_getinfo);
    bind(lib, "curl_easy_perform", api.easy_perform);
    bind(lib, "curl_easy_cleanup", api.easy_cleanup);
    bind(lib, "curl_easy_strerror", api.easy_strerror);
    bind(lib, "curl_slist_append", api.slist_append);
    bind(lib, "curl_slist_free_all", api.slist_free_all);
    bind(lib, "curl_multi_init", api.multi_init);
    bind(lib, "curl_multi_setopt", api.multi_setopt);
    bind(lib, "curl_multi_add_handle", api.multi_add_handle);
    bind(lib, "curl_multi_remove_handle", api.multi_remove_handle);
    bind(lib, "curl_multi_perform", api.multi_perform);
    bind(lib, "curl_multi_info_read", api.multi_info_read);
    bind(lib, "curl_multi_poll", api.multi_poll);
    bind(lib, "curl_multi_cleanup", api.multi_cleanup);
    bind(lib, "curl_url", api.url);
    bind(lib, "curl_url_cleanup", api.url_cleanup);
    bind(lib, "curl_url_set", api.url_set);
    bind(lib, "curl_url_get", api.url_get);
    bind(lib, "curl_free", api.free);
    // The library stays loaded for the life of the process (it is never dlclose'd).
    api.global_init(CURL_GLOBAL_DEFAULT);
    return api;
}

} // namespace

const CurlApi& curl() {
    static const CurlApi api = load();
    return api;
}

} // namespace lock2nix::detail
