// SPDX-License-Identifier: MIT
// `wire demo`: the tutorial's exchanges replayed on loopback against wire itself.
#include <stdlib.h>

#include <cerrno>
#include <iostream>
#include <stdexcept>
#include <system_error>

#include "commands.hpp"

namespace wire::cli {

DemoDirectory::DemoDirectory(const char* prefix) {
  std::string pattern = std::string("/tmp/") + prefix + ".XXXXXX";
  if (!::mkdtemp(pattern.data())) throw std::system_error(errno, std::generic_category(), "mkdtemp");
  path_ = pattern;
}

DemoDirectory::~DemoDirectory() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void add_demo_command(CLI::App& app) {
  auto* demo = app.add_subcommand("demo", "Replay the tutorial's exchanges on loopback");
  demo->callback([] {
    std::vector<DemoStep> steps = tcp_demo_steps();
    for (auto& step : http_demo_steps()) steps.push_back(std::move(step));
    for (auto& step : ftp_demo_steps()) steps.push_back(std::move(step));
    for (auto& step : mail_demo_steps()) steps.push_back(std::move(step));
    int passed = 0;
    for (auto& step : steps) {
      std::cout << "== " << step.title << "\n";
      bool ok = false;
      try {
        ok = step.run();
      } catch (const std::exception& e) {
        std::cout << "  error: " << e.what() << "\n";
      }
      std::cout << (ok ? "  ok\n" : "  FAILED\n");
      passed += ok;
    }
    std::cout << "demo: " << passed << " of " << steps.size() << " steps passed" << std::endl;
    if (passed != static_cast<int>(steps.size())) {
      throw std::runtime_error("demo: " + std::to_string(steps.size() - passed) + " step(s) failed");
    }
  });
}

}  // namespace wire::cli
