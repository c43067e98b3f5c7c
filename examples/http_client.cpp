// SPDX-License-Identifier: MIT
// An HTTP client in ten lines: GET a URL (TLS verified, redirects followed, gzip decoded).
//   ./http_client https://example.com/
#include <iostream>

#include <wire/http.hpp>

int main(int argc, char** argv) try {
  wire::http::Client client;
  auto reply = client.get(argc > 1 ? argv[1] : "https://example.com/");
  std::cout << reply.status << " " << reply.reason << "\n" << reply.body;
  return reply.ok() ? 0 : 1;
} catch (const std::exception& e) {  // e.g. "connect to example.com:443: Connection refused"
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
