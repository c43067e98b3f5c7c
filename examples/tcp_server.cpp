// SPDX-License-Identifier: MIT
// The tutorial's TCP server: accept one client, print what it sends, answer it.
#include <iostream>
#include <wire/net.hpp>

int main() try {
  auto server = wire::net::tcp_listen("localhost", 12345);  // socket + bind + listen
  auto [client, address] = server.accept();
  std::string data = client.recv(1024);
  std::cout << "Received: " << data << "\n";
  client.send_all("Hello, client!");
} catch (const std::exception& e) {  // e.g. "bind to 127.0.0.1:12345: Address already in use"
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
