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
#include "exit_status.hpp"
#include "usage.hpp"
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
  app.footer(wire::cli::kExitStatusHelp);
  wire::cli::add_tcp_commands(app);
  wire::cli::add_http_commands(app);
  wire::cli::add_ftp_commands(app);
  wire::cli::add_mail_commands(app);
  wire::cli::add_demo_command(app);
  // Every failure is one line on stderr, and an exit status that names its cause.
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << wire::cli::usage_message(app, e) << "\n";
    return wire::cli::kExitUsage;
  } catch (const wire::cli::ReportedFailure& f) {
    return f.status;
  } catch (const std::exception& e) {
    std::cerr << "wire: " << e.what() << "\n";
    return wire::cli::exit_status_for(e);
  }
  return 0;
}
