// SPDX-License-Identifier: MIT
// An FTP server for the current directory, anonymous and read-only, on port 2121 (pyftpdlib's
// `python3 -m pyftpdlib`). Usage: ftp_server, then ftp://localhost:2121/ in any FTP client.
#include <wire/ftp.hpp>

int main() {
  wire::ftp::Server server({.host = "localhost", .port = 2121, .root = ".", .anonymous = true});
  server.run_until_signal();
}
