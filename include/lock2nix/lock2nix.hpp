#pragma once
// lock2nix's library in one include. From text to text, without the network:
//
//   lock2nix::Project project = lock2nix::parse_project(lock_text, pyproject_text);
//   lock2nix::PlanOptions plan;
//   plan.targets = {lock2nix::Target::make("x86_64-linux", "3.12")};
//   const auto overrides = lock2nix::OverrideDatabase::with_defaults();
//   plan.overrides = &overrides;
//   lock2nix::OfflineFetcher fetcher;
//   std::string nix = lock2nix::translate_project(project, plan, {}, fetcher).nix;
//
// The steps are also callable one by one: plan_environment, resolve_sources, render_nix.

#include "lock2nix/error.hpp"
#include "lock2nix/fetch/index_fetcher.hpp"
#include "lock2nix/fetch/sources.hpp"
#include "lock2nix/fetch/urls.hpp"
#include "lock2nix/nix/render.hpp"
#include "lock2nix/pipeline.hpp"
#include "lock2nix/project/content_hash.hpp"
#include "lock2nix/project/lockfile.hpp"
#include "lock2nix/project/overrides.hpp"
#include "lock2nix/project/project.hpp"
#include "lock2nix/project/pyproject.hpp"
#include "lock2nix/resolve/artifacts.hpp"
#include "lock2nix/resolve/graph.hpp"
#include "lock2nix/resolve/plan.hpp"
#include "lock2nix/resolve/select.hpp"
#include "lock2nix/standards/names.hpp"
#include "lock2nix/standards/pep440.hpp"
#include "lock2nix/standards/pep508.hpp"
#include "lock2nix/standards/tags.hpp"
#include "lock2nix/standards/target.hpp"
#include "lock2nix/translate.hpp"
#include "lock2nix/version.hpp"
