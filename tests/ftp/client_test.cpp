// SPDX-License-Identifier: MIT
// wire::ftp::Client against scripted servers: the commands it sends, byte for byte, where a
// real server cannot be made to misbehave — a 227 naming another address, CR/LF/NUL in
// arguments (nothing sent), a data connection from a third address in active mode, a server
// that stalls (every step times out), a 421, and implicit FTPS.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "support/certs.hpp"
#include "tls/tls_helpers.hpp"
#include "wire/dialogue/error.hpp"
#include "wire/error.hpp"
#include "wire/ftp/client.hpp"
#include "wire/ftp/codec.hpp"
#include "wire/ftp/error.hpp"
#include "wire/net/tcp.hpp"

namespace {

using namespace std::chrono_literals;
using wire::ftp::Client;
using wire::ftp::ClientOptions;
using wire::ftp::DataMode;
using wire::ftp::Security;
using wire::test::TestPki;
using wire::test::tls::ScriptedPeer;

// The control connection as a script sees it: lines in (recorded), replies out.
template <typename Socket>
class Script {
 public:
  explicit Script(Socket& s) : s_(s) {}
  // The next line without its CRLF; "" when the client closed.
  std::string line() {
    for (int i = 0; i < 1000; ++i) {
      auto end = buffer_.find("\r\n");
      if (end != std::string::npos) {
        std::string l = buffer_.substr(0, end);
        buffer_.erase(0, end + 2);
        received.push_back(l);
        return l;
      }
      std::string got = s_.recv(4096);
      if (got.empty()) return {};
      buffer_ += got;
    }
    return {};
  }
  void reply(std::string_view text) { s_.send_all(std::string(text) + "\r\n"); }
  // Greets and answers USER and PASS.
  void login() {
    reply("220 scripted");
    EXPECT_EQ(line().substr(0, 5), "USER ");
    reply("331 password");
    EXPECT_EQ(line().substr(0, 5), "PASS ");
    reply("230 in");
  }
  std::vector<std::string> received;

 private:
  Socket& s_;
  std::string buffer_;
};

ClientOptions quick() {
  ClientOptions o;
  o.timeout = 5s;
  o.connect_timeout = 5s;
  return o;
}

// CVE-2021-4189, CVE-2020-8284: the address of a 227 is not where the client goes. The
// scripted server names 10.9.8.7 and listens on 127.0.0.1: the client must come there.
TEST(FtpClient, AddressInA227IsIgnoredForTheControlPeer) {
  ScriptedPeer server([](wire::net::Socket& s) {
    Script script(s);
    script.login();
    EXPECT_EQ(script.line(), "TYPE I");
    script.reply("200 binary");
    EXPECT_EQ(script.line(), "EPSV");
    script.reply("500 EPSV not understood");
    EXPECT_EQ(script.line(), "PASV");
    auto listener = wire::net::tcp_listen("127.0.0.1", 0);
    listener.set_timeout(5s);
    std::uint16_t port = listener.local_address().port();
    script.reply("227 Entering Passive Mode (10,9,8,7," + std::to_string(port >> 8) + "," + std::to_string(port & 255) + ")");
    auto data = listener.accept().socket;
    EXPECT_EQ(script.line(), "RETR f.txt");
    script.reply("150 here it comes");
    data.send_all("payload");
    data.close();
    script.reply("226 done");
    EXPECT_EQ(script.line(), "PASV");  // EPSV was refused once: PASV from then on
    script.reply("227 =10,9,8,7," + std::to_string(port >> 8) + "," + std::to_string(port & 255));
    auto data2 = listener.accept().socket;
    EXPECT_EQ(script.line(), "NLST");
    script.reply("150 names");
    data2.send_all("a\r\nb c\r\n");
    data2.close();
    script.reply("226 done");
    EXPECT_EQ(script.line(), "QUIT");
    script.reply("221 bye");
  });
  Client ftp("127.0.0.1", server.port(), quick());
  ftp.login("u", "p");
  std::string got;
  ftp.retr("f.txt", [&](std::span<const std::byte> p) { got.append(reinterpret_cast<const char*>(p.data()), p.size()); });
  EXPECT_EQ(got, "payload");
  EXPECT_EQ(ftp.nlst(), (std::vector<std::string>{"a", "b c"}));
  ftp.quit();
  server.join();
}

// CR, LF or NUL in any argument would end the command line early and let the rest pass as a
// command of its own: every call refuses them before sending anything for that call (a
// transfer would otherwise have sent TYPE and EPSV already).
TEST(FtpClient, CrLfOrNulInAnyArgumentIsRefusedBeforeAnythingIsSent) {
  std::vector<std::string> received;
  ScriptedPeer server([&](wire::net::Socket& s) {
    Script script(s);
    script.login();
    for (std::string l = script.line(); !l.empty(); l = script.line()) script.reply(l == "QUIT" ? "221 bye" : "200 ok");
    received = script.received;
  });
  Client ftp("127.0.0.1", server.port(), quick());
  const std::vector<std::string> bad = {"a\r\nDELE important", "a\nb", std::string("a\0b", 3), "a\rb"};
  for (const std::string& b : bad) EXPECT_THROW(ftp.login(b, "p"), wire::dialogue::LocalError);
  EXPECT_THROW(ftp.login("u", "p\r\nDELE x"), wire::dialogue::LocalError);
  ftp.login("u", "p");
  auto nothing = [](std::span<std::byte>) -> std::size_t { return 0; };
  auto drop = [](std::span<const std::byte>) {};
  for (const std::string& b : bad) {
    EXPECT_THROW(ftp.cwd(b), wire::dialogue::LocalError);
    EXPECT_THROW(ftp.mkd(b), wire::dialogue::LocalError);
    EXPECT_THROW(ftp.rmd(b), wire::dialogue::LocalError);
    EXPECT_THROW(ftp.dele(b), wire::dialogue::LocalError);
    EXPECT_THROW(ftp.rename(b, "ok"), wire::dialogue::LocalError);
    EXPECT_THROW(ftp.rename("ok", b), wire::dialogue::LocalError);
    EXPECT_THROW(ftp.size(b), wire::dialogue::LocalError);
    EXPECT_THROW(ftp.mdtm(b), wire::dialogue::LocalError);
    EXPECT_THROW(ftp.mlst(b), wire::dialogue::LocalError);
    EXPECT_THROW(ftp.list(b), wire::dialogue::LocalError);
    EXPECT_THROW(ftp.nlst(b), wire::dialogue::LocalError);
    EXPECT_THROW(ftp.mlsd(b), wire::dialogue::LocalError);
    EXPECT_THROW(ftp.retr(b, drop), wire::dialogue::LocalError);
    EXPECT_THROW(ftp.stor(b, nothing), wire::dialogue::LocalError);
    EXPECT_THROW(ftp.appe(b, nothing), wire::dialogue::LocalError);
    EXPECT_THROW(ftp.download(b, "/nonexistent/x"), wire::dialogue::LocalError);
    EXPECT_THROW(ftp.upload("/nonexistent/x", b), wire::dialogue::LocalError);
    EXPECT_THROW(ftp.command("SITE", b), wire::dialogue::LocalError);
  }
  ftp.noop();
  ftp.quit();
  server.join();
  EXPECT_EQ(received, (std::vector<std::string>{"USER u", "PASS p", "NOOP", "QUIT"}));
}

// Active mode: the client listens, and takes a data connection only from the server's address.
TEST(FtpClient, ActiveModeRefusesADataConnectionFromAThirdAddress) {
  ScriptedPeer server([](wire::net::Socket& s) {
    Script script(s);
    script.login();
    EXPECT_EQ(script.line(), "TYPE I");
    script.reply("200 binary");
    std::string eprt = script.line();
    ASSERT_EQ(eprt.substr(0, 5), "EPRT ");
    std::error_code ec;
    auto where = wire::ftp::parse_eprt_argument(eprt.substr(5), ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(where.host, "127.0.0.1");
    script.reply("200 ok");
    EXPECT_EQ(script.line(), "RETR f");
    script.reply("150 connecting");
    wire::net::Socket thief(wire::net::Family::ipv4, wire::net::SocketType::stream);
    thief.bind(wire::net::Address::ip("127.0.0.2", 0));
    thief.connect(wire::net::Address::ip("127.0.0.1", where.port));
    thief.send_all("forged data");
    script.line();  // whatever comes next (the client closes)
  });
  ClientOptions o = quick();
  o.data_mode = DataMode::active;
  Client ftp("127.0.0.1", server.port(), o);
  ftp.login("u", "p");
  try {
    ftp.retr("f", [](std::span<const std::byte>) { ADD_FAILURE() << "data from a third address was taken"; });
    FAIL() << "a data connection from 127.0.0.2 was accepted";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::permission_denied);
    EXPECT_NE(std::string(e.what()).find("a data connection came from 127.0.0.2"), std::string::npos) << e.what();
  }
  ftp.close();
  server.join();
}

// Every step has a timeout: a server that never greets, and one whose data never comes.
TEST(FtpClient, EveryStepTimesOut) {
  ClientOptions o = quick();
  o.timeout = 300ms;
  {
    ScriptedPeer silent([](wire::net::Socket& s) { s.recv(1); });  // waits for the client to give up
    auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(Client("127.0.0.1", silent.port(), o), wire::TimeoutError);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  }
  ScriptedPeer stalling([](wire::net::Socket& s) {
    Script script(s);
    script.login();
    EXPECT_EQ(script.line(), "TYPE I");
    script.reply("200 binary");
    EXPECT_EQ(script.line(), "EPSV");
    auto listener = wire::net::tcp_listen("127.0.0.1", 0);
    listener.set_timeout(5s);
    script.reply("229 Extended (|||" + std::to_string(listener.local_address().port()) + "|)");
    auto data = listener.accept().socket;
    EXPECT_EQ(script.line(), "RETR f");
    script.reply("150 here it (never) comes");
    script.line();  // the client gives up: ABOR or nothing
  });
  Client ftp("127.0.0.1", stalling.port(), o);
  ftp.login("u", "p");
  EXPECT_THROW(ftp.retr("f", [](std::span<const std::byte>) {}), wire::TimeoutError);
  ftp.close();
  stalling.join();
}

TEST(FtpClient, A421ClosingTheSessionIsAReplyError) {
  ScriptedPeer server([](wire::net::Socket& s) {
    Script script(s);
    script.login();
    EXPECT_EQ(script.line(), "PWD");
    script.reply("421 Timeout, closing control connection.");
  });
  Client ftp("127.0.0.1", server.port(), quick());
  ftp.login("u", "p");
  try {
    ftp.pwd();
    FAIL() << "no error";
  } catch (const wire::ftp::ReplyError& e) {
    EXPECT_EQ(e.code(), 421);
    EXPECT_TRUE(e.transient());
    EXPECT_EQ(e.text(), "Timeout, closing control connection.");
    EXPECT_EQ(std::string(e.what()), "FTP 127.0.0.1:" + std::to_string(server.port()) +
                                         ": PWD: 421 Timeout, closing control connection.");
  }
  server.join();
}

// Implicit FTPS (ftps://, RFC 4217 §2's older form): TLS from the first byte, then the
// greeting, then PBSZ 0 and PROT P after the login.
TEST(FtpClient, ImplicitTlsFromTheFirstByte) {
  TestPki pki;
  auto server_ctx = pki.server_context();
  ScriptedPeer server([&](wire::net::Socket& s) {
    wire::tls::Stream tls(std::move(s), server_ctx);
    Script script(tls);
    script.login();
    EXPECT_EQ(script.line(), "PBSZ 0");
    script.reply("200 PBSZ=0");
    EXPECT_EQ(script.line(), "PROT P");
    script.reply("200 protected");
    EXPECT_EQ(script.line(), "PWD");
    script.reply("257 \"/secure\" is here");
    EXPECT_EQ(script.line(), "QUIT");
    script.reply("221 bye");
  });
  ClientOptions o = quick();
  o.security = Security::implicit_tls;
  o.tls = pki.client_context();
  o.tls_server_name = "localhost";
  Client ftp("127.0.0.1", server.port(), o);
  EXPECT_TRUE(ftp.is_tls());
  EXPECT_EQ(ftp.welcome(), "scripted");
  ftp.login("u", "p");
  EXPECT_EQ(ftp.pwd(), "/secure");
  ftp.quit();
  server.join();
}

}  // namespace
