// SPDX-License-Identifier: MIT
// wire::smtp::Server against raw sockets on loopback: exact replies, pipelined groups, the
// smuggling attempts, STARTTLS with bytes pipelined after it, AUTH only over TLS, no open
// relay, the limits, the Maildir (on disk before the 250; a broken one gives 4xx), the
// handler API; and wire's client against wire's server.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>

#include "smtp_helpers.hpp"
#include "support/certs.hpp"
#include "wire/mime/part.hpp"
#include "wire/net/line_reader.hpp"
#include "wire/net/tcp.hpp"
#include "wire/smtp/client.hpp"
#include "wire/smtp/server.hpp"
#include "wire/tls/stream.hpp"

namespace wire::smtp {
namespace {

using test::smtp::Peer;
using test::smtp::wait_for_files;
using namespace std::chrono_literals;

std::string ehlo_plain(std::uint64_t size) {
  return "250-wire.test greets [127.0.0.1]\r\n250-SIZE " + std::to_string(size) +
         "\r\n250-8BITMIME\r\n250-PIPELINING\r\n250-SMTPUTF8\r\n250 ENHANCEDSTATUSCODES\r\n";
}

class SmtpServer : public ::testing::Test {
 protected:
  // A server for example.org delivering into dir_/Maildir, one worker.
  void start(ServerOptions o = {}) {
    o.host = "127.0.0.1";
    o.threads = 1;
    o.hostname = "wire.test";
    if (o.domains.empty()) o.domains = {"example.org"};
    if (o.maildir.empty() && !o.on_message) o.maildir = maildir();
    size_ = o.limits.max_message_size;
    server_ = std::make_unique<Server>(std::move(o));
    server_->start();
  }
  std::filesystem::path maildir() const { return dir_ / "Maildir"; }
  Peer connect() {
    Peer p(net::tcp_connect("127.0.0.1", server_->local_address().port(), 10s));
    EXPECT_EQ(p.line(), "220 wire.test ESMTP wire");
    return p;
  }
  Peer hello() {
    Peer p = connect();
    p.send("EHLO client.test\r\n");
    EXPECT_EQ(p.replies(1), ehlo_plain(size_));
    return p;
  }
  std::size_t delivered() const {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(maildir() / "new")) ++n;
    return n;
  }
  test::TempDir dir_;
  std::uint64_t size_ = 0;
  std::unique_ptr<Server> server_;
};

TEST_F(SmtpServer, APipelinedGroupIsAnsweredTogetherAndTheMessageIsOnDiskBeforeThe250) {
  start();
  Peer p = hello();
  p.send("MAIL FROM:<anna@example.com> SIZE=40 BODY=8BITMIME\r\nRCPT TO:<bob@example.org>\r\n"
         "RCPT TO:<eve@elsewhere.example>\r\nRCPT TO:<Bob@EXAMPLE.org>\r\nDATA\r\n");
  EXPECT_EQ(p.replies(5),
            "250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n550 5.7.1 Relaying denied\r\n"
            "250 2.1.5 Recipient OK\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
  p.send("Subject: hi\r\n\r\n..leading dot\r\nend\r\n.\r\n");
  std::string done = p.line();
  ASSERT_TRUE(done.starts_with("250 2.0.0 OK: queued as ")) << done;
  // The 250 came after the file was in new/: it is there now, without waiting.
  ASSERT_EQ(delivered(), 1u);
  std::string name = done.substr(done.rfind(' ') + 1);
  std::ifstream in(maildir() / "new" / name, std::ios::binary);
  std::string stored{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_TRUE(stored.starts_with("Return-Path: <anna@example.com>\r\nReceived: from client.test ([127.0.0.1]) by"
                                 " wire.test (wire) with ESMTP id\r\n "))
      << stored;
  EXPECT_TRUE(stored.ends_with("\r\nSubject: hi\r\n\r\n.leading dot\r\nend\r\n")) << stored;
  EXPECT_TRUE(std::filesystem::is_empty(maildir() / "tmp"));
  p.send("QUIT\r\n");
  EXPECT_EQ(p.line(), "221 2.0.0 wire.test Bye");
}

TEST_F(SmtpServer, SmugglingAttemptsDeliverNothingAndRunNoCommand) {
  start();
  for (std::string tail : {"\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r.\r\n"}) {
    SCOPED_TRACE(testing::PrintToString(tail));
    Peer p = hello();
    p.send("MAIL FROM:<anna@example.com>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n");
    EXPECT_EQ(p.replies(3), "250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
    p.send("Subject: real\r\n\r\nhello" + tail +
           "MAIL FROM:<admin@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nSubject: forged\r\n\r\nx\r\n.\r\nNOOP\r\n");
    // One reply for the whole data (refused), then the NOOP's: the "commands" inside were data.
    EXPECT_EQ(p.replies(2), "550 5.5.2 Bare CR or LF in the message data (RFC 5321 2.3.8)\r\n250 2.0.0 OK\r\n");
    EXPECT_TRUE(p.quiet_for(100ms));
  }
  EXPECT_EQ(delivered(), 0u);
  EXPECT_TRUE(std::filesystem::is_empty(maildir() / "tmp"));
}

TEST_F(SmtpServer, CommandLinesEndOnlyAtCrlf) {
  start();
  Peer p = hello();
  p.send("NOOP\nMAIL FROM:<a@example.com>\r\nRSET\rX\r\nNOOP\r\n");
  EXPECT_EQ(p.replies(3), "500 5.5.2 Bare CR or LF in a command line (RFC 5321 2.3.8)\r\n"
                          "500 5.5.2 Bare CR or LF in a command line (RFC 5321 2.3.8)\r\n250 2.0.0 OK\r\n");
  p.send("RCPT TO:<bob@example.org>\r\n");  // the MAIL inside the refused line did not count
  EXPECT_EQ(p.line(), "503 5.5.1 Need MAIL first");
}

TEST_F(SmtpServer, StarttlsDropsWhatWasPipelinedAfterItAndForgetsTheSession) {
  test::TestPki pki;
  ServerOptions o;
  o.tls = pki.server_context();
  o.authenticate = [](std::string_view u, std::string_view pw) { return u == "anna" && pw == "secret"; };
  start(std::move(o));
  Peer p = connect();
  p.send("EHLO client.test\r\n");
  std::string ehlo = p.replies(1);
  EXPECT_NE(ehlo.find("250 STARTTLS\r\n"), std::string::npos) << ehlo;
  EXPECT_EQ(ehlo.find("AUTH"), std::string::npos) << "AUTH offered in clear";
  p.send("AUTH PLAIN AGFubmEAc2VjcmV0\r\n");
  EXPECT_EQ(p.line(), "538 5.7.11 Encryption required for requested authentication mechanism");
  p.send("STARTTLS\r\nMAIL FROM:<evil@example.com>\r\nRCPT TO:<bob@example.org>\r\n");  // injected after STARTTLS
  EXPECT_EQ(p.line(), "220 2.0.0 Ready to start TLS");
  tls::Stream tls(std::move(p.sock), pki.client_context(), "localhost");
  tls.handshake();
  net::InputBuffer in;
  auto say = [&](std::string_view cmd) {
    tls.send_all(cmd);
    std::string all;
    for (;;) {
      std::string l(*net::read_line(tls, in, 4096));
      all += l + "\n";
      if (l.size() < 4 || l[3] != '-') return all;
    }
  };
  EXPECT_EQ(say("MAIL FROM:<anna@example.com>\r\n"), "503 5.5.1 Send EHLO first\n");  // §4.2: state forgotten
  std::string ehlo2 = say("EHLO client.test\r\n");
  EXPECT_EQ(ehlo2.find("STARTTLS"), std::string::npos);
  EXPECT_NE(ehlo2.find("250 AUTH PLAIN LOGIN\n"), std::string::npos) << ehlo2;
  EXPECT_EQ(say("RCPT TO:<bob@example.org>\r\n"), "503 5.5.1 Need MAIL first\n");  // the injected MAIL is gone
  EXPECT_EQ(say("AUTH PLAIN AGFubmEAd3Jvbmc=\r\n"), "535 5.7.8 Authentication credentials invalid\n");
  EXPECT_EQ(say("AUTH LOGIN\r\n"), "334 VXNlcm5hbWU6\n");
  EXPECT_EQ(say("YW5uYQ==\r\n"), "334 UGFzc3dvcmQ6\n");
  EXPECT_EQ(say("c2VjcmV0\r\n"), "235 2.7.0 Authentication successful\n");
  EXPECT_EQ(say("MAIL FROM:<anna@example.com>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n"), "250 2.1.0 Sender OK\n");
  EXPECT_EQ(std::string(*net::read_line(tls, in, 4096)), "250 2.1.5 Recipient OK");
  EXPECT_EQ(std::string(*net::read_line(tls, in, 4096)), "354 End data with <CR><LF>.<CR><LF>");
  std::string done = say("Subject: over TLS\r\n\r\nhi\r\n.\r\n");
  EXPECT_TRUE(done.starts_with("250 2.0.0 OK: queued as ")) << done;
  auto files = wait_for_files(maildir() / "new", 1);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_NE(files[0].find(" with ESMTPSA id"), std::string::npos) << files[0];
}

TEST_F(SmtpServer, Limits) {
  ServerOptions o;
  o.limits.max_recipients = 2;
  o.limits.max_message_size = 100;
  o.limits.max_command_line = 64;
  o.limits.max_errors = 3;
  start(std::move(o));
  Peer p = hello();
  p.send("MAIL FROM:<a@example.com> SIZE=101\r\n");
  EXPECT_EQ(p.line(), "552 5.3.4 Message size exceeds fixed maximum message size");
  p.send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<c@example.org>\r\nRCPT TO:<d@example.org>\r\nDATA\r\n");
  EXPECT_EQ(p.replies(5), "250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n250 2.1.5 Recipient OK\r\n"
                          "452 4.5.3 Too many recipients\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
  p.send(std::string(120, 'x') + "\r\n.\r\n");
  EXPECT_EQ(p.line(), "552 5.3.4 Message size exceeds fixed maximum message size");
  p.send("NOOP " + std::string(100, 'x') + "\r\n");
  EXPECT_EQ(p.line(), "500 5.5.2 Line too long");
  p.send("FOO\r\nBAR\r\nBAZ\r\n");
  EXPECT_EQ(p.replies(4), "500 5.5.1 Command unrecognized\r\n500 5.5.1 Command unrecognized\r\n"
                          "500 5.5.1 Command unrecognized\r\n421 4.7.0 wire.test Too many errors, closing\r\n");
  std::error_code ec;
  EXPECT_EQ(p.sock.recv_until("\n", 100, ec), "");  // and the connection closes
  EXPECT_EQ(delivered(), 0u);
}

TEST_F(SmtpServer, ConnectionsPerAddressAreLimited) {
  ServerOptions o;
  o.limits.max_connections_per_client = 1;
  start(std::move(o));
  Peer first = connect();
  Peer second(net::tcp_connect("127.0.0.1", server_->local_address().port(), 10s));
  EXPECT_EQ(second.line(), "421 4.7.0 wire.test Too many connections from your address, try later");
}

// Over max_connections: 421 4.3.2 at once (the client is not left waiting in the backlog).
TEST_F(SmtpServer, OverTheConnectionLimitIsAnswered421) {
  ServerOptions o;
  o.threads = 1;
  o.limits.max_connections = 1;
  start(std::move(o));
  Peer first = connect();
  Peer second(net::tcp_connect("127.0.0.1", server_->local_address().port(), 10s));
  EXPECT_EQ(second.line(), "421 4.3.2 wire.test Too many connections, try later");
  std::error_code ec;
  EXPECT_EQ(second.sock.recv_until("\n", 100, ec), "");  // and the connection closes
}

TEST_F(SmtpServer, AnUnwritableMaildirGives4xxNever250) {
  start();
  // tmp/ replaced by a file: the delivery cannot be made (ENOTDIR), whoever the test runs as.
  std::filesystem::remove(maildir() / "tmp");
  std::ofstream(maildir() / "tmp") << "not a directory";
  Peer p = hello();
  p.send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
  p.replies(3);
  p.send("Subject: x\r\n\r\nbody\r\n.\r\n");
  EXPECT_EQ(p.line(), "451 4.3.0 Local error in processing: cannot store the message");
  EXPECT_EQ(delivered(), 0u);
}

TEST_F(SmtpServer, TheHandlerDecidesRecipientsAndMessages) {
  std::mutex mutex;
  std::vector<std::string> got;
  ServerOptions o;
  o.on_recipient = [](const Session&, std::string_view address) {
    return address == "bob@anywhere.example" ? Verdict::accept() : Verdict::refuse(550, "5.1.1", "No such user");
  };
  o.on_message = [&](const Session& s, std::string_view message) {
    std::lock_guard lock(mutex);
    got.push_back(s.from + " " + s.recipients.at(0) + " " + std::string(message.substr(message.find("Subject"))));
    return got.size() == 1 ? Verdict{250, "2.6.0", "Thanks"} : Verdict::refuse(554, "5.7.1", "Not today");
  };
  start(std::move(o));
  Peer p = hello();
  p.send("MAIL FROM:<a@example.com>\r\nRCPT TO:<carol@example.org>\r\nRCPT TO:<bob@anywhere.example>\r\nDATA\r\n");
  EXPECT_EQ(p.replies(4), "250 2.1.0 Sender OK\r\n550 5.1.1 No such user\r\n250 2.0.0 OK\r\n"
                          "354 End data with <CR><LF>.<CR><LF>\r\n");
  p.send("Subject: one\r\n\r\nx\r\n.\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<bob@anywhere.example>\r\nDATA\r\n");
  EXPECT_EQ(p.replies(4), "250 2.6.0 Thanks\r\n250 2.1.0 Sender OK\r\n250 2.0.0 OK\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
  p.send("Subject: two\r\n\r\ny\r\n.\r\n");
  EXPECT_EQ(p.line(), "554 5.7.1 Not today");
  std::lock_guard lock(mutex);
  EXPECT_EQ(got, (std::vector<std::string>{"a@example.com bob@anywhere.example Subject: one\r\n\r\nx\r\n",
                                           "a@example.com bob@anywhere.example Subject: two\r\n\r\ny\r\n"}));
}

// The client's send_all against the server: each message's end and the next one's commands
// arrive in one read, and the server answers them in order, the refused among them too.
TEST_F(SmtpServer, TakesABatchWhoseEndsComeWithTheNextCommands) {
  std::mutex mutex;
  std::vector<std::string> got;
  ServerOptions o;
  o.on_message = [&](const Session&, std::string_view message) {
    std::lock_guard lock(mutex);
    got.emplace_back(message.substr(message.rfind("\r\n\r\n") + 4));
    if (message.find("refuse me") != std::string_view::npos) return Verdict{554, "5.6.0", "refused"};
    return Verdict{250, "2.0.0", "OK " + std::to_string(got.size())};
  };
  start(std::move(o));
  Client client("127.0.0.1", server_->local_address().port());
  std::vector<std::string> texts;
  std::vector<Outgoing> batch;
  for (int i = 0; i < 50; ++i) texts.push_back("Subject: " + std::to_string(i) + "\n\n" + (i == 7 ? "refuse me" : "body " + std::to_string(i)));
  for (int i = 0; i < 50; ++i) {
    std::string to = i == 20 ? "someone@elsewhere.example" : "bob@example.org";  // refused: not our domain
    batch.push_back({.envelope = {.from = "anna@example.com", .to = {to}}, .text = texts[i]});
  }
  std::vector<SendResult> results = client.send_all(batch);
  ASSERT_EQ(results.size(), 50u);
  for (int i = 0; i < 50; ++i) {
    if (i == 7) {
      EXPECT_EQ(results[i].reply.code, 554) << i;
    } else if (i == 20) {
      EXPECT_EQ(results[i].reply.code, 550) << i;
      EXPECT_EQ(results[i].refused(), std::vector<std::string>{"someone@elsewhere.example"});
    } else {
      EXPECT_EQ(results[i].reply.code, 250) << i;
    }
  }
  client.quit();
  std::lock_guard lock(mutex);
  ASSERT_EQ(got.size(), 49u);  // the 20th had no recipient: no data
  for (std::size_t k = 0; k < got.size(); ++k) {
    int i = static_cast<int>(k < 20 ? k : k + 1);
    EXPECT_EQ(got[k], i == 7 ? "refuse me\r\n" : "body " + std::to_string(i) + "\r\n") << k;
  }
  // Every OK numbered in order: the replies went to their own messages.
  EXPECT_EQ(results[49].reply.text, "OK 49");
}

TEST_F(SmtpServer, WiresClientAndServerTogether) {
  test::TestPki pki;
  ServerOptions o;
  o.tls = pki.server_context();
  o.authenticate = [](std::string_view u, std::string_view pw) { return u == "anna" && pw == "secret"; };
  o.require_auth = true;
  start(std::move(o));
  ClientOptions c;
  c.security = Security::starttls;
  c.tls = pki.client_context();
  c.tls_server_name = "localhost";
  c.credentials = Credentials{.user = "anna", .password = "secret"};
  Client client("127.0.0.1", server_->local_address().port(), c);
  EXPECT_TRUE(client.tls_active());
  mime::Message m;
  m.from = {"Anna", "anna@example.com"};
  m.to = {{"Bob", "bob@example.org"}, {"Eve", "eve@elsewhere.example"}};
  m.subject = "Grüße";
  m.text = "line\n.\n..\n";
  m.attachments.push_back(mime::Attachment::from_data("a.bin", std::string(100000, '\x01')));
  for (int i = 0; i < 3; ++i) {
    SendResult r = client.send(m);
    EXPECT_TRUE(client.async().last_send_pipelined());
    EXPECT_EQ(r.refused(), std::vector<std::string>{"eve@elsewhere.example"});
    EXPECT_EQ(r.reply.code, 250);
  }
  client.quit();
  auto files = wait_for_files(maildir() / "new", 3);
  ASSERT_EQ(files.size(), 3u);
  mime::Part read = mime::parse_message(files[2]);
  EXPECT_EQ(read.subject(), "Grüße");
  EXPECT_EQ(read.find_text("plain")->text(), "line\r\n.\r\n..\r\n");
  ASSERT_EQ(read.attachments().size(), 1u);
  EXPECT_EQ(read.attachments()[0]->body, std::string(100000, '\x01'));
  EXPECT_EQ(server_->messages_accepted(), 3u);
}

}  // namespace
}  // namespace wire::smtp
