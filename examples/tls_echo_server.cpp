// SPDX-License-Identifier: MIT
// A TLS echo server on every core, with wire::io coroutines:
//   tls_echo_server PORT CHAIN_PEM KEY_PEM
// Ctrl-C (or SIGTERM) lets connections finish, then exits.
#include <array>
#include <iostream>
#include <string>
#include <wire/io.hpp>
#include <wire/tls.hpp>

using namespace std::chrono_literals;

int main(int argc, char** argv) try {
  if (argc != 4) {
    std::cerr << "usage: tls_echo_server PORT CHAIN_PEM KEY_PEM\n";
    return 2;
  }
  auto ctx = wire::tls::Context::server(argv[2], argv[3]);
  wire::io::ServerOptions options;
  options.port = static_cast<std::uint16_t>(std::stoi(argv[1]));

  wire::io::TcpServer server(options, [&ctx](wire::io::Stream& plain, const wire::net::Address&)
                                          -> wire::io::Task<void> {
    wire::tls::AsyncStream s(std::move(plain), ctx);
    co_await wire::io::with_timeout(s.handshake(), 10s);
    std::array<std::byte, 16384> buffer;
    while (std::size_t n = co_await s.read_some(buffer)) {
      co_await s.write_all(std::span(buffer).first(n));
    }
    co_await s.shutdown();  // answer the client's close_notify with ours
  });
  server.start();
  std::cerr << "listening on " << server.local_address().to_string() << "\n";
  server.run_until_signal();
} catch (const std::exception& e) {
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
