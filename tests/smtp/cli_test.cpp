// SPDX-License-Identifier: MIT
// `wire mail send` and `wire mail serve` as a user runs them, and the server's storage failing
// for real: a full file system (a 256 KiB tmpfs mounted in a private mount namespace by
// `unshare`, so ENOSPC comes from the kernel) and a Maildir the server may not write (as
// root: the server run as `nobody` by `setpriv`; otherwise a directory without write
// permission). Either way the client gets a 4xx, never a 250.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include "smtp_helpers.hpp"
#include "support/certs.hpp"
#include "wire/mime/part.hpp"
#include "wire/smtp/client.hpp"

#ifndef WIRE_TEST_CLI
#define WIRE_TEST_CLI ""
#endif

namespace wire::smtp {
namespace {

using namespace std::chrono_literals;
using test::ChildProcess;
using test::smtp::wait_for_files;

// `wire mail serve ARGS` (or a wrapper's argv before it), running until the test ends; port()
// from its "Serving SMTP on smtp://127.0.0.1:PORT" line.
class WireServe {
 public:
  explicit WireServe(std::vector<std::string> args, std::vector<std::string> wrapper = {}) {
    std::vector<std::string> argv = std::move(wrapper);
    argv.insert(argv.end(), {WIRE_TEST_CLI, "mail", "serve", "--host", "127.0.0.1", "--port", "0", "--threads", "1"});
    argv.insert(argv.end(), args.begin(), args.end());
    process_ = std::make_unique<ChildProcess>(argv);
    const std::string marker = "smtp://127.0.0.1:";
    test::wait_until([&] { return !process_->running() || process_->out().find(marker) != std::string::npos; }, 20s, 5ms);
    std::string out = process_->out();
    auto at = out.find(marker);
    if (at == std::string::npos) throw std::runtime_error("wire mail serve did not start: " + out + process_->err());
    port_ = static_cast<std::uint16_t>(std::stoul(out.substr(at + marker.size())));
  }
  ~WireServe() { process_->stop(SIGTERM, 10s); }
  std::uint16_t port() const noexcept { return port_; }
  std::string out() const { return process_->out(); }

 private:
  std::unique_ptr<ChildProcess> process_;
  std::uint16_t port_ = 0;
};

test::ProcessResult wire_send(std::vector<std::string> args) {
  std::vector<std::string> argv{WIRE_TEST_CLI, "mail", "send"};
  argv.insert(argv.end(), args.begin(), args.end());
  return test::run_process(argv);
}

TEST(WireMailCli, SendsWithAnAttachmentToServeAndReportsEachRecipient) {
  test::TempDir dir;
  WireServe serve({"--maildir", (dir / "Maildir").string(), "--domain", "example.org"});
  auto attachment = dir.write_file("data.bin", std::string(50000, 'z'));
  std::string server = "smtp://127.0.0.1:" + std::to_string(serve.port());
  auto r = wire_send({"--server", server, "--from", "Anna <anna@example.com>", "--to", "bob@example.org", "--to",
                      "eve@elsewhere.example", "--subject", "Grüße", "--body", "hello\n.\n", "--attach",
                      attachment.string(), "--count", "2"});
  EXPECT_EQ(r.exit_code, 55);  // one recipient refused (each time): curl's "send error"
  EXPECT_EQ(r.err, "wire: 2 recipient(s) refused\n");
  std::string lines = r.out;
  for (int i = 1; i <= 2; ++i) {
    EXPECT_NE(lines.find("  <bob@example.org>: 250 2.1.5 Recipient OK\n  <eve@elsewhere.example>: 550 5.7.1 Relaying "
                         "denied\nmessage " + std::to_string(i) + ": 250 2.0.0 OK: queued as "),
              std::string::npos)
        << lines;
  }
  EXPECT_NE(lines.find("2 message(s) sent over one connection\n"), std::string::npos);
  auto stored = wait_for_files(dir / "Maildir" / "new", 2);
  ASSERT_EQ(stored.size(), 2u);
  mime::Part m = mime::parse_message(stored[1]);
  EXPECT_EQ(m.subject(), "Grüße");
  EXPECT_EQ(m.find_text("plain")->text(), "hello\r\n.\r\n");
  ASSERT_EQ(m.attachments().size(), 1u);
  EXPECT_EQ(m.attachments()[0]->body, std::string(50000, 'z'));

  auto none = wire_send({"--server", server, "--from", "a@example.com", "--to", "b@example.org", "--starttls"});
  EXPECT_EQ(none.exit_code, 64);  // TLS required and not offered
  EXPECT_EQ(none.err, "wire: SMTP server 127.0.0.1:" + std::to_string(serve.port()) +
                          " does not offer STARTTLS, which was required: nothing was sent\n");
}

// --count N goes by send_all, 100 messages a call: 150 cross a batch's end, each stored once.
TEST(WireMailCli, CountSendsEveryMessageAcrossBatches) {
  test::TempDir dir;
  WireServe serve({"--maildir", (dir / "Maildir").string(), "--domain", "example.org"});
  auto r = wire_send({"--server", "smtp://127.0.0.1:" + std::to_string(serve.port()), "--from", "a@example.com",
                      "--to", "bob@example.org", "--body", "hello", "--count", "150", "-q"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "150 message(s) sent over one connection\n");
  auto stored = wait_for_files(dir / "Maildir" / "new", 150);
  EXPECT_EQ(stored.size(), 150u);
  std::set<std::string> ids;
  for (const auto& text : stored) {
    mime::Part m = mime::parse_message(text);
    EXPECT_EQ(m.find_text("plain")->text(), "hello\r\n");
    ids.insert(std::string(m.headers().get("Message-ID").value_or("")));
  }
  EXPECT_EQ(ids.size(), 150u);  // 150 messages, not one sent many times over
}

// 4xx for a message the server cannot store; and the connection goes on.
void expect_storage_refused(std::uint16_t port, int code, const std::string& enhanced, std::size_t size) {
  Client c("127.0.0.1", port);
  try {
    std::string body;
    while (body.size() < size) body += std::string(99, 'x') + "\n";
    c.send(Envelope{.from = "a@example.com", .to = {"bob@example.org"}}, "Subject: big\n\n" + body);
    ADD_FAILURE() << "the server said 250";
  } catch (const ReplyError& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_EQ(e.enhanced_code(), enhanced) << e.what();
  }
  c.quit();
}

TEST(WireMailCli, AFullDiskGives452) {
  test::TempDir dir;
  std::filesystem::create_directories(dir / "fs");
  std::string mount = "mount -t tmpfs -o size=256k wire-smtp-test " + (dir / "fs").string() + " && exec \"$@\"";
  std::unique_ptr<WireServe> serve;
  try {
    serve = std::make_unique<WireServe>(
        std::vector<std::string>{"--maildir", (dir / "fs" / "Maildir").string(), "--domain", "example.org"},
        std::vector<std::string>{"unshare", "--user", "--map-root-user", "--mount", "sh", "-c", mount, "sh"});
  } catch (const std::exception& e) {
    FAIL() << "a tmpfs in a private mount namespace (unshare -U -r -m, util-linux) is needed here: " << e.what();
  }
  expect_storage_refused(serve->port(), 452, "4.3.1", 400 * 1024);
  // A message that fits still goes: the failed one left nothing behind.
  Client c("127.0.0.1", serve->port());
  EXPECT_EQ(c.send(Envelope{.from = "a@example.com", .to = {"bob@example.org"}}, "Subject: small\n\nx\n").reply.code, 250);
  c.quit();
}

TEST(WireMailCli, AnUnwritableMaildirGives451) {
  test::TempDir dir;
  std::filesystem::path box = dir / "Maildir";
  for (const char* sub : {"tmp", "new", "cur"}) std::filesystem::create_directories(box / sub);
  std::vector<std::string> wrapper;
  if (::geteuid() == 0) {
    // root writes anywhere: the server runs as nobody, for whom the root-owned Maildir is read-only.
    std::filesystem::permissions(dir.path(), std::filesystem::perms::owner_all | std::filesystem::perms::group_exec |
                                                 std::filesystem::perms::others_exec);
    wrapper = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
  } else {
    std::filesystem::permissions(box / "tmp", std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  }
  WireServe serve({"--maildir", box.string(), "--domain", "example.org"}, wrapper);
  expect_storage_refused(serve.port(), 451, "4.3.0", 10);
  EXPECT_TRUE(std::filesystem::is_empty(box / "new"));
}

// A server that refuses `step` ("greeting", "EHLO", "STARTTLS", "MAIL", "RCPT", "DATA", "end")
// with `code`, and says yes to everything else, for one connection. No PIPELINING (both
// clients go one command at a time); STARTTLS offered only to be refused.
void refuse_at(test::smtp::Peer& p, const std::string& step, const std::string& code) {
  try {
    if (step == "greeting") {
      p.send(code + " not now\r\n");
      p.line();  // QUIT, or the close
      return;
    }
    p.send("220 scripted ESMTP\r\n");
    for (;;) {
      std::string line = p.line();
      std::string verb = line.substr(0, line.find(' '));
      for (char& c : verb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      auto answer = [&](std::string_view mine, const std::string& ok) {
        p.send((step == mine ? code + " refused" : ok) + "\r\n");
        return step != mine;
      };
      if (verb == "EHLO" || verb == "HELO") {
        std::string offers = step == "STARTTLS" ? "250-STARTTLS\r\n" : "";  // offered, then refused
        answer("EHLO", verb == "EHLO" ? "250-scripted\r\n" + offers + "250 8BITMIME" : "250 scripted");
      } else if (verb == "STARTTLS") {
        answer("STARTTLS", "454 4.7.0 TLS not available");
      } else if (verb == "MAIL" || verb == "RCPT") {
        answer(verb, "250 OK");
      } else if (verb == "DATA") {
        if (!answer("DATA", "354 go on")) continue;
        p.data();
        answer("end", "250 OK");
      } else if (verb == "QUIT") {
        p.send("221 bye\r\n");
        return;
      } else {
        p.send("250 OK\r\n");  // RSET, NOOP
      }
    }
  } catch (const std::exception&) {
    // the client closed first: its exit status is what the test reads
  }
}

// The same refusal exits as curl does (Debian's curl and wire, each against its own copy of
// the scripted server, the status compared, not assumed).
TEST(WireMailCli, ExitStatusesAreCurls) {
  test::TempDir dir;
  auto message = dir.write_file("message.eml", "Subject: hi\r\n\r\nhello\r\n");
  struct Case {
    std::string step;
    std::string code;
    std::vector<std::string> curl_extra;
    std::vector<std::string> wire_extra;
    int status;
  };
  std::vector<Case> cases = {
      {"greeting", "554", {}, {}, 8},
      {"EHLO", "550", {}, {}, 9},
      {"STARTTLS", "454", {"--ssl-reqd"}, {"--starttls"}, 64},
      {"MAIL", "550", {}, {}, 55},
      {"RCPT", "550", {}, {}, 55},
      {"DATA", "554", {}, {}, 55},
      {"end", "554", {}, {}, 8},
      {"end", "452", {}, {}, 8},
  };
  for (const Case& c : cases) {
    std::string what = c.step + " " + c.code;
    test::smtp::ScriptedServer for_curl([&](test::smtp::Peer& p) { refuse_at(p, c.step, c.code); });
    std::vector<std::string> curl{"curl", "-sS", "--max-time", "20", "smtp://127.0.0.1:" + std::to_string(for_curl.port()),
                                  "--mail-from", "a@example.com", "--mail-rcpt", "b@example.org", "-T", message.string()};
    curl.insert(curl.end(), c.curl_extra.begin(), c.curl_extra.end());
    auto by_curl = test::run_process(curl);
    for_curl.join();
    test::smtp::ScriptedServer for_wire([&](test::smtp::Peer& p) { refuse_at(p, c.step, c.code); });
    std::vector<std::string> args{"--server", "smtp://127.0.0.1:" + std::to_string(for_wire.port()), "--from",
                                  "a@example.com", "--to", "b@example.org", "--body", "hello"};
    args.insert(args.end(), c.wire_extra.begin(), c.wire_extra.end());
    auto by_wire = wire_send(args);
    for_wire.join();
    EXPECT_EQ(by_curl.exit_code, c.status) << what << ": curl said " << by_curl.err;
    EXPECT_EQ(by_wire.exit_code, c.status) << what << ": wire said " << by_wire.err;
    EXPECT_NE(by_wire.err.find(c.code), std::string::npos) << what << ": " << by_wire.err;
  }

  // A refused login, over STARTTLS with a certificate both trust: 67.
  test::TestPki pki;
  WireServe serve({"--domain", "example.org", "--tls-cert", pki.cert_file("leaf").string(), "--tls-key",
                   pki.key_file("leaf").string(), "--user", "anna", "--password", "right"});
  std::string server = "smtp://127.0.0.1:" + std::to_string(serve.port());
  auto by_curl = test::run_process({"curl", "-sS", "--max-time", "20", server, "--ssl-reqd", "--cacert",
                                    pki.ca_file().string(), "-u",
                                    "anna:wrong", "--mail-from", "a@example.com", "--mail-rcpt", "b@example.org",
                                    "-T", message.string()});
  auto by_wire = wire_send({"--server", server, "--starttls", "--cacert", pki.ca_file().string(), "--user", "anna",
                            "--password", "wrong", "--from", "a@example.com", "--to", "b@example.org", "--body", "x"});
  EXPECT_EQ(by_curl.exit_code, 67) << by_curl.err;
  EXPECT_EQ(by_wire.exit_code, 67) << by_wire.err;
}

}  // namespace
}  // namespace wire::smtp
