// SPDX-License-Identifier: MIT
// wire's server in bench/http_server.sh: a wire::http::Server on one worker answering
//   GET /    200 "Hello, World!" with Content-Type: text/plain, the very response the
//            nginx of the benchmark sends (ServerResponse::text() would add
//            "; charset=utf-8"), and
//   GET /1m  ROOT/1m through Router::files (StaticRoot: sendfile(2)).
//
//   http_hello_server PORT ROOT
//
// Limits raised for the idle-connection test only: up to 20,000 connections, from
// one client address too (defaults 10,000 and 1,000), and idle keep-alive
// connections kept for 300 s (default 30 s), as every server of the benchmark is
// configured. Prints nothing; SIGTERM or SIGINT stops it.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "wire/http/server.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: http_hello_server PORT ROOT\n");
    return 2;
  }
  const long port = std::atol(argv[1]);
  if (port < 1 || port > 65535) {
    std::fprintf(stderr, "http_hello_server: bad port %s\n", argv[1]);
    return 2;
  }
  try {
    using wire::http::ServerRequest;
    using wire::http::ServerResponse;
    wire::http::Router router;
    router.get("/", [](ServerRequest&) {
      ServerResponse res(200);
      res.headers.add("Content-Type", "text/plain");
      res.body = "Hello, World!";
      return res;
    });
    router.files("/", argv[2]);  // after "/": routes are tried in order

    wire::http::ServerOptions options;
    options.host = "127.0.0.1";
    options.port = static_cast<std::uint16_t>(port);
    options.threads = 1;
    options.limits.max_connections = 20'000;
    options.limits.max_connections_per_client = 20'000;
    options.limits.keep_alive_timeout = std::chrono::seconds(300);
    wire::http::Server server(std::move(options), std::move(router));
    server.run_until_signal(std::chrono::seconds(1));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "http_hello_server: %s\n", e.what());
    return 1;
  }
  return 0;
}
