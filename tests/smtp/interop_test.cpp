// SPDX-License-Identifier: MIT
// wire::smtp against peers that are not ours, started here on free loopback ports with
// generated configurations: the client against aiosmtpd (STARTTLS required, AUTH, a recipient
// refused with 550) and OpenSMTPD delivering into a Maildir (no PIPELINING offered: the client
// must not pipeline to it); the server against Python's smtplib (several messages on one
// connection, STARTTLS, AUTH) and swaks (pipelined commands, STARTTLS, AUTH). What arrives is
// read back with Python's email package and compared field by field.
#include <gtest/gtest.h>

#include <fstream>

#include "python_summary.hpp"
#include "smtp_helpers.hpp"
#include "wire/mime/message_writer.hpp"
#include "wire/smtp/client.hpp"
#include "wire/smtp/server.hpp"

namespace wire::smtp {
namespace {

using test::mime::expected_summary;
using test::mime::read_summaries;
using test::smtp::Aiosmtpd;
using test::smtp::OpenSmtpd;
using test::smtp::python_parse;
using test::smtp::wait_for_files;
using namespace std::chrono_literals;

// The message of these tests: UTF-8 names and subject, lines "." and "..", an attachment.
mime::Message test_message(const test::TempDir& dir, std::vector<mime::Mailbox> to) {
  std::string data;
  for (int i = 0; i < 70000; ++i) data += static_cast<char>((i * 131) % 256);
  mime::Message m;
  m.from = {"Anna Müller", "anna@example.com"};
  m.to = std::move(to);
  m.subject = "Quarterly report — Grüße aus Köln";
  m.text = "Hello Bob,\n.\n..\n.leading dot\nthe report is attached.\n";
  m.attachments.push_back(mime::Attachment::from_file(dir.write_file("report.pdf", data)));
  return m;
}

// Python's email reads `raw` as wire wrote `m`: addresses, subject, text, attachment sha256.
void expect_python_reads(const std::string& raw, const mime::Message& m, const test::TempDir& dir) {
  auto file = dir.write_file("received.eml", raw);
  auto summaries = read_summaries(python_parse({file}));
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_EQ(summaries[0].second, expected_summary(m)) << raw.substr(0, 2000);
}

TEST(SmtpInterop, ClientToAiosmtpdWithStarttlsAuthAndARefusedRecipient) {
  test::TestPki pki;
  test::TempDir dir;
  Aiosmtpd peer({.pki = &pki, .require_starttls = true, .user = "anna", .password = "s3cret",
                 .refuse = {"nobody@example.org"}});
  mime::Message m = test_message(dir, {{"Bob", "bob@example.org"}, {"", "nobody@example.org"}});
  ClientOptions o;
  o.security = Security::starttls;
  o.tls = pki.client_context();
  o.credentials = Credentials{.user = "anna", .password = "s3cret"};
  Client c("127.0.0.1", peer.port(), o);
  EXPECT_TRUE(c.tls_active());
  SendResult r = c.send(m);
  EXPECT_FALSE(c.async().last_send_pipelined());  // aiosmtpd offers no PIPELINING
  ASSERT_EQ(r.recipients.size(), 2u);
  EXPECT_EQ(r.recipients[0].reply, (Reply{250, "2.1.5", "OK"}));
  EXPECT_EQ(r.recipients[1].reply, (Reply{550, "5.1.1", "No such user here"}));
  EXPECT_EQ(r.reply, (Reply{250, "2.0.0", "Message accepted"}));
  c.quit();
  mime::MessageWriter sized(m);
  EXPECT_EQ(peer.envelope(1), (std::vector<std::string>{"anna@example.com", "bob@example.org",
                                                        "mail-options SIZE=" + std::to_string(*sized.size())}));
  expect_python_reads(peer.message(1), m, dir);

  // Without STARTTLS aiosmtpd refuses MAIL (530): a typed error with both codes.
  Client plain("127.0.0.1", peer.port());
  try {
    plain.send(m);
    ADD_FAILURE() << "sent in clear";
  } catch (const ReplyError& e) {
    EXPECT_EQ(e.code(), 530);
    EXPECT_EQ(e.enhanced_code(), "");  // aiosmtpd gives none here
    EXPECT_EQ(e.text(), "Must issue a STARTTLS command first");
  }
}

TEST(SmtpInterop, ClientRefusesAiosmtpdWithoutStarttlsWhenItIsRequired) {
  test::TempDir dir;
  Aiosmtpd peer({});  // no TLS configured: STARTTLS is not offered
  ClientOptions o;
  o.security = Security::starttls;
  try {
    Client c("127.0.0.1", peer.port(), o);
    ADD_FAILURE() << "connected";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::starttls_not_offered);
  }
  EXPECT_FALSE(std::filesystem::exists(peer.store() / "1.env"));
}

TEST(SmtpInterop, ClientToOpenSmtpdDoesNotPipelineAndDeliversIntoItsMaildir) {
  test::TempDir dir;
  OpenSmtpd peer;
  Client c("127.0.0.1", peer.port());
  EXPECT_FALSE(c.extensions().pipelining());
  mime::Message m1 = test_message(dir, {{"Bob", "bob@example.org"}, {"Zed", "zed@example.org"}});
  SendResult r1 = c.send(m1);
  EXPECT_FALSE(c.async().last_send_pipelined());
  ASSERT_EQ(r1.recipients.size(), 2u);
  EXPECT_TRUE(r1.recipients[0].accepted());
  EXPECT_FALSE(r1.recipients[1].accepted());  // not one of its users
  EXPECT_EQ(r1.recipients[1].reply.enhanced_code.substr(0, 2), "5.");
  EXPECT_EQ(r1.reply.code, 250);
  mime::Message m2 = test_message(dir, {{"Carol", "carol@example.org"}});
  m2.subject = "Second — on the same connection";
  EXPECT_EQ(c.send(m2).reply.code, 250);
  c.quit();
  auto delivered = peer.messages(2);
  ASSERT_EQ(delivered.size(), 2u) << peer.log();
  // The Maildir's order is by time: find each by its subject.
  int found = 0;
  for (const auto& raw : delivered) {
    const mime::Message& m = raw.find("Second") != std::string::npos ? m2 : m1;
    expect_python_reads(raw, m, dir);
    ++found;
  }
  EXPECT_EQ(found, 2);
}

class ServerInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.host = "127.0.0.1";
    o.threads = 1;
    o.domains = {"example.org"};
    o.maildir = dir_ / "Maildir";
    o.tls = pki_.server_context();
    o.authenticate = [](std::string_view u, std::string_view p) { return u == "anna" && p == "s3cret"; };
    server_ = std::make_unique<Server>(std::move(o));
    server_->start();
  }
  std::string port() const { return std::to_string(server_->local_address().port()); }
  test::TestPki pki_;
  test::TempDir dir_;
  std::unique_ptr<Server> server_;
};

TEST_F(ServerInterop, PythonSmtplibSendsSeveralMessagesOverStarttlsWithAuth) {
  mime::Message m = test_message(dir_, {{"Bob", "bob@example.org"}, {"", "eve@elsewhere.example"}});
  auto file = dir_.write_file("message.eml", mime::as_bytes(m));
  auto r = test::smtp::run_peers_script({"smtplib", port(), "anna@example.com", "bob@example.org,eve@elsewhere.example",
                                         file.string(), "--count", "3", "--starttls", pki_.ca_file().string(),
                                         "--user", "anna", "--password", "s3cret"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "sent 1 refused eve@elsewhere.example\nsent 2 refused eve@elsewhere.example\n"
                   "sent 3 refused eve@elsewhere.example\n");
  auto stored = wait_for_files(dir_ / "Maildir" / "new", 3);
  ASSERT_EQ(stored.size(), 3u);
  for (const auto& raw : stored) {
    EXPECT_NE(raw.find(" with ESMTPSA id"), std::string::npos);
    expect_python_reads(raw, m, dir_);
  }
  auto bad = test::smtp::run_peers_script({"smtplib", port(), "anna@example.com", "bob@example.org", file.string(),
                                           "--starttls", pki_.ca_file().string(), "--user", "anna", "--password", "wrong"});
  EXPECT_EQ(bad.out, "error SMTPAuthenticationError 535 5.7.8 Authentication credentials invalid\n");
}

TEST_F(ServerInterop, SwaksPipelinesOverStarttlsWithAuth) {
  mime::Message m = test_message(dir_, {{"Bob", "bob@example.org"}});
  auto file = dir_.write_file("message.eml", mime::as_bytes(m));
  auto r = test::run_process({"swaks", "--server", "127.0.0.1:" + port(), "--from", "anna@example.com", "--to",
                              "bob@example.org", "--tls", "--auth", "PLAIN", "--auth-user", "anna", "--auth-password",
                              "s3cret", "--pipeline", "--data", "@" + file.string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // One flight: swaks wrote MAIL, RCPT and DATA before reading a reply (" ~>" is a line sent over TLS).
  EXPECT_NE(r.out.find(" ~> MAIL FROM:<anna@example.com>\n ~> RCPT TO:<bob@example.org>\n ~> DATA\n"
                       "<~  250 2.1.0 Sender OK\n<~  250 2.1.5 Recipient OK\n<~  354 End data"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("235 2.7.0 Authentication successful"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("250 2.0.0 OK: queued as"), std::string::npos) << r.out;
  auto stored = wait_for_files(dir_ / "Maildir" / "new", 1);
  ASSERT_EQ(stored.size(), 1u);
  expect_python_reads(stored[0], m, dir_);
}

}  // namespace
}  // namespace wire::smtp
