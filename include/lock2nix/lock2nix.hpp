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

#include "lock2nix/artifacts.hpp"
#include "lock2nix/content_hash.hpp"
#include "lock2nix/error.hpp"
#include "lock2nix/graph.hpp"
#include "lock2nix/lockfile.hpp"
#include "lock2nix/names.hpp"
#include "lock2nix/overrides.hpp"
#include "lock2nix/pep440.hpp"
#include "lock2nix/pep508.hpp"
#include "lock2nix/pipeline.hpp"
#include "lock2nix/plan.hpp"
#include "lock2nix/project.hpp"
#include "lock2nix/pyproject.hpp"
#include "lock2nix/render.hpp"
#include "lock2nix/select.hpp"
#include "lock2nix/sources.hpp"
#include "lock2nix/tags.hpp"
#include "lock2nix/target.hpp"
#include "lock2nix/translate.hpp"
#include "lock2nix/version.hpp"
