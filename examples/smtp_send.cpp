// SPDX-License-Identifier: MIT
// smtplib + email's "send a message with an attachment", in C++ (docs/mail.md):
//   ./smtp_send mail.example.com 587 anna secret bob@example.org report.pdf
// STARTTLS is required (no fallback to clear text) and the server's certificate verified.
#include <cstdlib>
#include <iostream>
#include <wire/mime.hpp>
#include <wire/smtp.hpp>

namespace mime = wire::mime;
namespace smtp = wire::smtp;

int main(int argc, char** argv) try {
  if (argc != 7) {
    std::cerr << "usage: smtp_send HOST PORT USER PASSWORD TO FILE\n";
    return 2;
  }
  mime::Message msg;
  msg.from = {"Anna", std::string(argv[3]) + "@example.com"};
  msg.to = {{"", argv[5]}};
  msg.subject = "Quarterly report";
  msg.text = "Hello,\nthe report is attached.\n";
  msg.attachments.push_back(mime::Attachment::from_file(argv[6]));
  smtp::Client server(argv[1], static_cast<std::uint16_t>(std::atoi(argv[2])),
                      {.security = smtp::Security::starttls, .credentials = smtp::Credentials{argv[3], argv[4]}});
  smtp::SendResult result = server.send(msg);
  server.quit();
  std::cout << result.reply.code << " " << result.reply.text << "\n";
} catch (const std::exception& e) {  // e.g. "SMTP server ... refused RCPT ...: 550 5.1.1 ..."
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
