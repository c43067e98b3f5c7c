// SPDX-License-Identifier: MIT
// A mail sink in five lines (docs/mail.md): mail for example.org into ./Maildir, on port 2525,
// until Ctrl-C. Try it: wire mail send --server smtp://localhost:2525 --from a@b.c --to bob@example.org
#include <wire/smtp.hpp>

int main() {
  wire::smtp::Server server({.port = 2525, .domains = {"example.org"}, .maildir = "Maildir"});
  server.run_until_signal();
}
