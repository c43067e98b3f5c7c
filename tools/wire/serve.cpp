// SPDX-License-Identifier: MIT
// `wire http serve [DIR]`: the `python3 -m http.server` of wire, on wire::http::Server.
#include <unistd.h>

#include <csignal>
#include <mutex>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "commands.hpp"
#include "options.hpp"
#include "wire/http.hpp"
#include "wire/io.hpp"
#include "wire/tls.hpp"

namespace wire::cli {
namespace {

using namespace std::chrono_literals;

struct HttpServeOptions {
  std::string dir = ".";
  std::string host = "localhost";
  std::uint16_t port = 8000;
  unsigned threads = 0;
  TlsServerOptions tls;
  bool access_log = false;
  bool no_listing = false;
  ConnectionLimitOptions limits;
  double keep_alive_timeout = 30;
  double header_timeout = 10;
  double grace = 10;
};

void serve_directory(const HttpServeOptions& o) {
  std::filesystem::path root = std::filesystem::absolute(o.dir);
  http::Router router;
  http::StaticOptions files;
  files.list_directories = !o.no_listing;
  router.files("/", root, files);
  http::ServerOptions options;
  options.host = o.host;
  options.port = o.port;
  options.threads = o.threads;
  options.tls = o.tls.context(o.host);
  options.limits.max_connections = o.limits.max_connections;
  options.limits.max_connections_per_client = o.limits.max_per_client;
  options.limits.keep_alive_timeout = seconds_to_ms(o.keep_alive_timeout, "--keep-alive-timeout", 1e6);
  options.limits.header_timeout = seconds_to_ms(o.header_timeout, "--header-timeout", 1e6);
  if (o.access_log) options.access_log = http::access_log_to(stdout);
  auto grace = seconds_to_ms(o.grace, "--grace", 1e6);
  http::Server server(options, std::move(router));
  // SIGINT and SIGTERM are blocked before the URL is printed: whoever reads it may stop the
  // server at once, and gets the graceful shutdown.
  io::SignalSet signals{SIGINT, SIGTERM};
  server.start();
  std::cout << "Serving " << root.string() << " on " << server.url() << " (Ctrl-C to stop)"
            << std::endl;
  {
    io::Loop loop;
    loop.run(signals.wait());
  }
  auto report = server.shutdown(grace);
  std::cerr << "wire: stopped; " << report.finished << " connection(s) finished, " << report.cut
            << " cut at the end of the grace period" << std::endl;
}

}  // namespace

void add_http_serve_command(CLI::App& http) {
  auto o = std::make_shared<HttpServeOptions>();
  auto* cmd = http.add_subcommand("serve", "Serve the files of DIR over HTTP (or HTTPS), like python3 -m http.server");
  cmd->add_option("dir", o->dir, "Directory to serve")->capture_default_str()->check(CLI::ExistingDirectory);
  cmd->add_option("--host", o->host, "Address or name to listen on (\"\" or :: for every address)")
      ->capture_default_str();
  cmd->add_option("--port,-p", o->port, "Port (0: any free port)")->capture_default_str();
  cmd->add_option("--threads", o->threads, "Worker threads (0: one per core)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1024));
  o->tls.add_to(cmd, "HTTPS");
  cmd->add_flag("--access-log", o->access_log, "Print a Common Log Format line per request to stdout");
  cmd->add_flag("--no-listing", o->no_listing, "Answer 404 for directories without index.html");
  o->limits.add_to(cmd);
  add_seconds(cmd, "--keep-alive-timeout", o->keep_alive_timeout, "Seconds an idle connection stays open");
  add_seconds(cmd, "--header-timeout", o->header_timeout, "Seconds a request head may take to arrive");
  add_seconds(cmd, "--grace", o->grace, "Seconds requests in flight get to finish on SIGINT/SIGTERM");
  cmd->callback([o] { serve_directory(*o); });
}

std::vector<DemoStep> http_demo_steps() {
  DemoStep step;
  step.title = "HTTPS: the tutorial's http.client GET, from wire http serve";
  step.run = [] {
    // What `wire http serve DIR --tls-self-signed` runs: a file server with a certificate
    // for localhost made now; the client trusts that certificate alone.
    char dir_template[] = "/tmp/wire-demo.XXXXXX";
    if (!::mkdtemp(dir_template)) throw std::system_error(errno, std::generic_category(), "mkdtemp");
    std::filesystem::path dir = dir_template;
    struct Remove {
      std::filesystem::path p;
      ~Remove() {
        std::error_code ec;
        std::filesystem::remove_all(p, ec);
      }
    } remove{dir};
    std::ofstream(dir / "hello.txt") << "Hello, HTTPS!\n";
    auto identity = tls::self_signed("localhost");
    http::Router router;
    router.files("/", dir);
    http::ServerOptions options;
    options.host = "localhost";
    options.threads = 1;
    options.tls = tls::Context::server(identity);
    std::string logged;
    std::mutex log_mutex;
    options.access_log = [&](std::string_view line) {
      std::lock_guard lock(log_mutex);
      logged = std::string(line);
    };
    http::Server server(options, std::move(router));
    server.start();
    auto port = server.local_address().port();
    std::cout << "  server: wire http serve " << dir.string() << " --tls-self-signed on https://localhost:"
              << port << "/\n";

    http::ConnectionOptions conn;
    auto client_ctx = tls::Context::client(tls::Trust::added_only);
    client_ctx.add_ca_pem(identity.certificate_pem);
    conn.tls = client_ctx;
    auto connection = http::Connection::https("localhost", port, conn);
    connection.request("GET", "/hello.txt");
    auto& response = connection.getresponse();
    int status = response.status();
    std::string type(response.headers().get_or("Content-Type", ""));
    std::string body = response.read();
    connection.close();
    server.shutdown(2s);
    {
      std::lock_guard lock(log_mutex);
      std::cout << "  server log: " << logged << "\n";
    }
    std::cout << "  client: Status: " << status << " (" << type << ")\n";
    std::cout << "  client: Body: " << body;
    return status == 200 && body == "Hello, HTTPS!\n" && logged.find("\"GET /hello.txt HTTP/1.1\" 200 14") != std::string::npos;
  };
  return {step};
}

}  // namespace wire::cli
