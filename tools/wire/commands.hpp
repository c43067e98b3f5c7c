// SPDX-License-Identifier: MIT
// The command groups of the `wire` tool; each file adds its subcommands.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/io/tcp_server.hpp"
#include "wire/tls/context.hpp"

namespace wire::cli {

/// Adds `wire tcp serve|send`.
void add_tcp_commands(CLI::App& app);
/// Adds `wire http get|request`, and `wire http serve` (add_http_serve_command).
void add_http_commands(CLI::App& app);
void add_http_serve_command(CLI::App& http);
/// Adds `wire ftp ls|get|put|rm|mkdir`, and `wire ftp serve` (add_ftp_serve_command).
void add_ftp_commands(CLI::App& app);
void add_ftp_serve_command(CLI::App& ftp);
/// Adds `wire mail send|serve`.
void add_mail_commands(CLI::App& app);
/// Adds `wire demo`.
void add_demo_command(CLI::App& app);

/// The end of every `wire ... serve`: SIGINT and SIGTERM are blocked, then `start` starts the
/// server and prints its URL (so whoever reads it may signal at once and get the graceful
/// drain), the signal is awaited, `stop` drains, and what the drain did goes to stderr.
void serve_until_signal(const std::function<void()>& start, const std::function<io::ShutdownReport()>& stop);

/// Writes "prefix" + raw bytes + "\n" to stdout and flushes, safely from any thread.
void print_line(std::string_view prefix, std::string_view data);

/// One step of `wire demo`: a title and a body that prints what each side saw and
/// returns whether the exchange came out as expected. Protocols add their steps.
struct DemoStep {
  std::string title;
  std::function<bool()> run;
};
/// A private temporary directory for a demo step (/tmp/PREFIX.XXXXXX), removed with
/// everything in it when the object goes.
///   DemoDirectory dir("wire-demo");  std::ofstream(dir.path() / "hello.txt") << "hi";
class DemoDirectory {
 public:
  /// @throws std::system_error if it cannot be made.
  explicit DemoDirectory(const char* prefix);
  ~DemoDirectory();
  DemoDirectory(const DemoDirectory&) = delete;
  DemoDirectory& operator=(const DemoDirectory&) = delete;
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

std::vector<DemoStep> tcp_demo_steps();
std::vector<DemoStep> http_demo_steps();
std::vector<DemoStep> ftp_demo_steps();
std::vector<DemoStep> mail_demo_steps();

}  // namespace wire::cli
