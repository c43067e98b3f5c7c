// SPDX-License-Identifier: MIT
// The command groups of the `wire` tool; each file adds its subcommands.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/tls/context.hpp"

namespace wire::cli {

/// Adds `wire tcp serve|send`.
void add_tcp_commands(CLI::App& app);
/// Adds `wire http get|request`, and `wire http serve` (add_http_serve_command).
void add_http_commands(CLI::App& app);
void add_http_serve_command(CLI::App& http);
/// Adds `wire demo`.
void add_demo_command(CLI::App& app);

/// Writes "prefix" + raw bytes + "\n" to stdout and flushes, safely from any thread.
void print_line(std::string_view prefix, std::string_view data);

/// One step of `wire demo`: a title and a body that prints what each side saw and
/// returns whether the exchange came out as expected. Protocols add their steps.
struct DemoStep {
  std::string title;
  std::function<bool()> run;
};
std::vector<DemoStep> tcp_demo_steps();
std::vector<DemoStep> http_demo_steps();

}  // namespace wire::cli
