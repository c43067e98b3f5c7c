// SPDX-License-Identifier: MIT
// The tutorial's TCP client over verified TLS:
//   tls_client [HOST [PORT [CA_FILE]]]     (default localhost 12345, the system's CAs)
#include <iostream>
#include <string>
#include <wire/tls.hpp>

using namespace std::chrono_literals;

int main(int argc, char** argv) try {
  std::string host = argc > 1 ? argv[1] : "localhost";
  auto port = static_cast<std::uint16_t>(argc > 2 ? std::stoi(argv[2]) : 12345);
  auto ctx = wire::tls::Context::client(argc > 3 ? wire::tls::Trust::added_only : wire::tls::Trust::system);
  if (argc > 3) ctx.add_ca_file(argv[3]);

  auto client = wire::tls::Stream::connect(ctx, host, port, 10s);  // connect + verified handshake
  client.send_all("Hello, server!");
  std::cout << "Response: " << client.recv(1024) << " (" << client.version() << ")\n";
  client.close();
} catch (const std::exception& e) {  // e.g. "TLS handshake with localhost:12345: certificate verify failed: ..."
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
