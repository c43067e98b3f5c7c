// SPDX-License-Identifier: MIT
// The tutorial's TCP client: connect, send a greeting, print the answer.
#include <iostream>
#include <wire/net.hpp>

int main() try {
  auto client = wire::net::tcp_connect("localhost", 12345);  // socket + connect
  client.send_all("Hello, server!");
  std::string response = client.recv(1024);
  std::cout << "Response: " << response << "\n";
} catch (const std::exception& e) {  // e.g. "connect to localhost:12345: Connection refused"
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
