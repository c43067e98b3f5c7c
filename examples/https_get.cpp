// SPDX-License-Identifier: MIT
// The tutorial's http.client example: an HTTPS GET, verified against the system's CAs.
//   https_get [HOST [PORT]]      (default www.example.com 443)
#include <iostream>
#include <string>
#include <wire/http.hpp>

int main(int argc, char** argv) try {
  std::string host = argc > 1 ? argv[1] : "www.example.com";
  auto port = static_cast<std::uint16_t>(argc > 2 ? std::stoi(argv[2]) : 443);

  auto connection = wire::http::Connection::https(host, port);  // HTTPSConnection
  connection.request("GET", "/");                                // send an HTTP request
  auto& response = connection.getresponse();                     // get the response
  std::cout << "Status: " << response.status() << "\n";
  std::cout << "Body: " << response.read() << "\n";
  connection.close();
} catch (const std::exception& e) {  // e.g. "TLS handshake with ...: certificate verify failed: ..."
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
