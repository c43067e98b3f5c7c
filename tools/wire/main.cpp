// SPDX-License-Identifier: MIT
// wire: the command-line face of the library (wire tcp|http|ftp|mail|demo ...).
#include <csignal>
#include <cstdio>
#include <exception>
#include <iostream>
#include <mutex>

#include "commands.hpp"
#include "wire/io/loop.hpp"
#include "wire/io/signal.hpp"
#include "wire/version.hpp"

namespace wire::cli {

void print_line(std::string_view prefix, std::string_view data) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::fwrite(prefix.data(), 1, prefix.size(), stdout);
  std::fwrite(data.data(), 1, data.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

void serve_until_signal(const std::function<void()>& start, const std::function<io::ShutdownReport()>& stop) {
  io::SignalSet signals{SIGINT, SIGTERM};
  start();
  {
    io::Loop loop;
    loop.run(signals.wait());
  }
  io::ShutdownReport report = stop();
  std::cerr << "wire: stopped; " << report.finished << " connection(s) finished, " << report.cut
            << " cut at the end of the grace period" << std::endl;
}

}  // namespace wire::cli

int main(int argc, char** argv) {
  CLI::App app{"wire: sockets, TLS, HTTP, FTP and SMTP from one C++ toolkit", "wire"};
  app.set_version_flag("--version", std::string("wire ") + wire::version_string);
  app.require_subcommand(1);
  // One line per failure, like every other error the tool prints.
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return std::string("wire: ") + e.what() + " (see --help)\n";
  });
  wire::cli::add_tcp_commands(app);
  wire::cli::add_http_commands(app);
  wire::cli::add_ftp_commands(app);
  wire::cli::add_mail_commands(app);
  wire::cli::add_demo_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    // Every failure is one line on stderr and a non-zero exit.
    std::cerr << "wire: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
