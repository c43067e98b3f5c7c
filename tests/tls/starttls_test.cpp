// SPDX-License-Identifier: MIT
// STARTTLS: a plaintext dialogue, then TLS on the same connection, blocking and
// async. Bytes injected after the upgrade reply must never reach the caller as
// if they came over TLS: they fail the handshake with Errc::unexpected_plaintext,
// whether they wait in the kernel, arrive during the handshake, or were already
// read by the caller (AsyncStream's `buffered`); and a server refuses plaintext
// pipelined after the client's STARTTLS command.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "io/io_helpers.hpp"
#include "support/certs.hpp"
#include "tls_helpers.hpp"
#include "wire/net/tcp.hpp"
#include "wire/tls.hpp"

namespace {

using namespace wire::test::tls;
using wire::test::TestPki;
using wire::test::io::Bytes;
using wire::test::io::run_bounded;
using wire::tls::AsyncStream;
using wire::tls::Context;
using wire::tls::Errc;
using wire::tls::Stream;
namespace io = wire::io;

constexpr std::size_t kMaxLine = 1024;

// The server's half of the dialogue up to the upgrade. `reply` is sent in one
// send(), so whatever follows "220 go ahead\r\n" in it arrives with it.
void plaintext_dialogue(wire::net::Socket& s, std::string_view reply) {
  s.send_all("220 ready\r\n");
  EXPECT_EQ(s.recv_until("\r\n", kMaxLine), "STARTTLS\r\n");
  s.send_all(reply);
}

// The client's half: returns the connected socket after the upgrade reply.
wire::net::Socket client_dialogue(std::uint16_t port) {
  auto s = wire::net::tcp_connect("127.0.0.1", port, 10s);
  EXPECT_EQ(s.recv_until("\r\n", kMaxLine), "220 ready\r\n");
  s.send_all("STARTTLS\r\n");
  EXPECT_EQ(s.recv_until("\r\n", kMaxLine), "220 go ahead\r\n");
  return s;
}

class StartTlsTest : public testing::Test {
 protected:
  TestPki pki;
  Context server_ctx = pki.server_context();
  Context client_ctx = pki.client_context();
};

TEST_F(StartTlsTest, UpgradeMidStreamThenRoundTrip) {
  ScriptedPeer server([&](wire::net::Socket& s) {
    plaintext_dialogue(s, "220 go ahead\r\n");
    Stream tls(std::move(s), server_ctx);
    tls.handshake();
    std::string line = tls.recv_exactly(12);
    tls.send_all("250 got " + line);
    tls.shutdown();
    EXPECT_EQ(tls.recv(10), "");
  });
  Stream tls(client_dialogue(server.port()), client_ctx, "localhost");
  tls.handshake();
  EXPECT_EQ(tls.engine().peer_subject(), "CN=localhost");
  tls.send_all("MAIL FROM:<>");
  EXPECT_EQ(tls.recv_exactly(20), "250 got MAIL FROM:<>");
  EXPECT_EQ(tls.recv(10), "");
  tls.close();
  server.join();
}

TEST_F(StartTlsTest, PlaintextInjectedWithTheUpgradeReplyIsRefused) {
  std::string after_reply;
  ScriptedPeer server([&](wire::net::Socket& s) {
    // A man in the middle appends a reply of its own to the real one.
    plaintext_dialogue(s, "220 go ahead\r\n250 injected\r\n");
    after_reply = drain(s);
  });
  wire::net::Socket socket = client_dialogue(server.port());
  Stream tls(std::move(socket), client_ctx, "localhost");
  std::string received;
  auto error = tls_error_of([&] { received = tls.recv(100); });
  ASSERT_TRUE(
      is_tls_error(error, Errc::unexpected_plaintext,
                   {"TLS handshake with localhost:", "14 bytes of plaintext arrived before the handshake"}));
  EXPECT_EQ(error->reason(), "plaintext before handshake");
  EXPECT_EQ(received, "");
  // Every later call refuses too; none hands the injected line over.
  EXPECT_TRUE(is_tls_error(tls_error_of([&] { received = tls.recv(100); }), Errc::unexpected_plaintext, {}));
  EXPECT_TRUE(is_tls_error(tls_error_of([&] { tls.send_all("x"); }), Errc::unexpected_plaintext, {}));
  EXPECT_EQ(received, "");
  tls.close();
  server.join();
  EXPECT_EQ(after_reply, "");  // the client never sent its ClientHello
}

TEST_F(StartTlsTest, PlaintextInjectedDuringTheHandshakeIsRefused) {
  ScriptedPeer server([&](wire::net::Socket& s) {
    plaintext_dialogue(s, "220 go ahead\r\n");
    std::string hello = s.recv(4096);
    EXPECT_EQ(hello.substr(0, 1), "\x16");  // the ClientHello came
    s.send_all("250 injected\r\n");
    drain(s);
  });
  Stream tls(client_dialogue(server.port()), client_ctx, "localhost");
  auto error = tls_error_of([&] { tls.handshake(); });
  EXPECT_TRUE(is_tls_error(error, Errc::unexpected_plaintext, {"not TLS (\"250 injected\\x0d\\x0a\")"}));
  tls.close();
  server.join();
}

TEST_F(StartTlsTest, ServerRefusesPlaintextPipelinedAfterStartTls) {
  std::optional<wire::tls::Error> server_error;
  ScriptedPeer server([&](wire::net::Socket& s) {
    s.send_all("220 ready\r\n");
    EXPECT_EQ(s.recv_until("\r\n", kMaxLine), "STARTTLS\r\n");  // leaves the rest in the kernel
    s.send_all("220 go ahead\r\n");
    Stream tls(std::move(s), server_ctx);
    server_error = tls_error_of([&] { tls.handshake(); });
  });
  auto s = wire::net::tcp_connect("127.0.0.1", server.port(), 10s);
  EXPECT_EQ(s.recv_until("\r\n", kMaxLine), "220 ready\r\n");
  s.send_all("STARTTLS\r\nRCPT TO:<victim@example.com>\r\n");  // one segment
  drain(s);
  server.join();
  EXPECT_TRUE(is_tls_error(server_error, Errc::unexpected_plaintext, {"not TLS (\"RCPT TO:"}));
}

// --- async ---------------------------------------------------------------------------

io::Task<io::Stream> async_client_dialogue(std::uint16_t port) {
  io::Stream s = co_await io::connect(wire::net::Address::ip("127.0.0.1", port), 10s);
  EXPECT_EQ(co_await s.read_until("\r\n", kMaxLine), "220 ready\r\n");
  co_await s.write_all(bytes_of("STARTTLS\r\n"));
  EXPECT_EQ(co_await s.read_until("\r\n", kMaxLine), "220 go ahead\r\n");
  co_return s;
}

io::Task<void> async_upgrade(Context ctx, std::uint16_t port, std::string& reply) {
  io::Stream plain = co_await async_client_dialogue(port);
  AsyncStream tls(std::move(plain), ctx, "localhost");
  co_await tls.handshake();
  co_await tls.write_all(bytes_of("MAIL FROM:<>"));
  Bytes got(20);
  co_await tls.read_exactly(got);
  reply.assign(reinterpret_cast<const char*>(got.data()), got.size());
  Bytes end(1);
  EXPECT_EQ(co_await tls.read_some(end), 0u);
  co_await tls.shutdown();
}

TEST_F(StartTlsTest, AsyncUpgradeMidStreamThenRoundTrip) {
  ScriptedPeer server([&](wire::net::Socket& s) {
    plaintext_dialogue(s, "220 go ahead\r\n");
    Stream tls(std::move(s), server_ctx);
    std::string line = tls.recv_exactly(12);
    tls.send_all("250 got " + line);
    tls.shutdown();
    EXPECT_EQ(tls.recv(10), "");
  });
  std::string reply;
  run_bounded(async_upgrade(client_ctx, server.port(), reply));
  server.join();
  EXPECT_EQ(reply, "250 got MAIL FROM:<>");
}

io::Task<std::optional<wire::tls::Error>> async_injected(Context ctx, std::uint16_t port,
                                                         std::string& received) {
  io::Stream plain = co_await async_client_dialogue(port);
  AsyncStream tls(std::move(plain), ctx, "localhost");
  Bytes buf(100);
  try {
    std::size_t n = co_await tls.read_some(buf);
    received.assign(reinterpret_cast<const char*>(buf.data()), n);
  } catch (const wire::tls::Error& e) {
    co_return e;
  }
  co_return std::nullopt;
}

TEST_F(StartTlsTest, AsyncPlaintextInjectedWithTheUpgradeReplyIsRefused) {
  std::string after_reply;
  ScriptedPeer server([&](wire::net::Socket& s) {
    plaintext_dialogue(s, "220 go ahead\r\n250 injected\r\n");
    after_reply = drain(s);
  });
  std::string received;
  auto error = run_bounded(async_injected(client_ctx, server.port(), received));
  EXPECT_TRUE(is_tls_error(error, Errc::unexpected_plaintext,
                           {"14 bytes of plaintext arrived before the handshake"}));
  EXPECT_EQ(received, "");
  server.join();
  EXPECT_EQ(after_reply, "");
}

io::Task<std::optional<wire::tls::Error>> async_with_buffered(Context ctx, std::uint16_t port) {
  io::Stream plain = co_await async_client_dialogue(port);
  // A line reader that read ahead: it holds bytes from past the upgrade reply.
  std::string read_ahead = "250 injected\r\n";
  AsyncStream tls(std::move(plain), ctx, "localhost", bytes_of(read_ahead));
  try {
    co_await tls.handshake();
  } catch (const wire::tls::Error& e) {
    co_return e;
  }
  co_return std::nullopt;
}

TEST_F(StartTlsTest, AsyncBufferedPlaintextIsRefusedBeforeTheHandshakeStarts) {
  std::string after_reply;
  ScriptedPeer server([&](wire::net::Socket& s) {
    plaintext_dialogue(s, "220 go ahead\r\n");  // nothing injected on the wire this time
    after_reply = drain(s);
  });
  auto error = run_bounded(async_with_buffered(client_ctx, server.port()));
  EXPECT_TRUE(is_tls_error(
      error, Errc::unexpected_plaintext,
      {"TLS handshake with localhost:", "plaintext was read past the point of the TLS upgrade"}));
  server.join();
  EXPECT_EQ(after_reply, "");  // no ClientHello was sent
}

}  // namespace
