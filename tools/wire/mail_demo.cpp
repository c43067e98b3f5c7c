// SPDX-License-Identifier: MIT
// The demo's mail step: a message with an attachment sent to the server `wire mail serve`
// runs, and read back from its Maildir.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "commands.hpp"
#include "wire/mime.hpp"
#include "wire/smtp.hpp"

namespace wire::cli {

std::vector<DemoStep> mail_demo_steps() {
  DemoStep step;
  step.title = "SMTP: smtplib's send with an attachment, to wire mail serve, read back from its Maildir";
  step.run = [] {
    DemoDirectory temp("wire-demo-mail");
    const std::filesystem::path& dir = temp.path();
    const std::string report = "quarter,revenue\nQ1,100\nQ2,120\n";
    std::ofstream(dir / "report.csv", std::ios::binary) << report;

    // What `wire mail serve --maildir DIR --domain example.org` runs.
    smtp::Server server({.host = "localhost", .threads = 1, .domains = {"example.org"}, .maildir = dir / "Maildir"});
    server.start();
    auto port = server.local_address().port();
    std::cout << "  server: wire mail serve --maildir " << (dir / "Maildir").string()
              << " --domain example.org on smtp://localhost:" << port << "\n";

    mime::Message msg;
    msg.from = {"Anna Müller", "anna@example.com"};
    msg.to = {{"Bob", "bob@example.org"}};
    msg.subject = "Quarterly report — Grüße aus Köln";
    msg.text = "Hello Bob,\nthe report is attached.\n.\n";
    msg.attachments.push_back(mime::Attachment::from_file(dir / "report.csv"));
    smtp::Client client("localhost", port);
    smtp::SendResult sent = client.send(msg);
    client.quit();
    std::cout << "  client: RCPT <bob@example.org>: " << sent.recipients.at(0).reply.code << ", end of data: "
              << sent.reply.code << " " << sent.reply.enhanced_code << " " << sent.reply.text << "\n";
    server.shutdown(std::chrono::seconds(2));

    std::filesystem::path file;
    for (const auto& e : std::filesystem::directory_iterator(dir / "Maildir" / "new")) file = e.path();
    if (file.empty()) return false;
    std::ifstream in(file, std::ios::binary);
    std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    mime::Part read = mime::parse_message(bytes);
    auto attachments = read.attachments();
    const mime::Part* text = read.find_text("plain");
    std::cout << "  Maildir: new/" << file.filename().string() << "\n";
    std::cout << "  Maildir: Subject: " << read.subject() << "\n";
    std::cout << "  Maildir: attachment " << (attachments.empty() ? "(none)" : attachments[0]->filename().value_or("?"))
              << ", " << (attachments.empty() ? 0 : attachments[0]->body.size()) << " bytes\n";
    return sent.reply.code == 250 && read.subject() == msg.subject && text && text->text() == "Hello Bob,\r\nthe report is attached.\r\n.\r\n" &&
           attachments.size() == 1 && attachments[0]->body == report;
  };
  return {step};
}

}  // namespace wire::cli
