// SPDX-License-Identifier: MIT
// One line reader for every stream: net::read_line on net::Socket and tls::Stream, and
// io::read_line on io::Stream, tls::AsyncStream and tls::AnyStream give the same lines, with
// one read per arrival (never one per line, never a peek); and the bytes a line reader holds
// past a STARTTLS reply are handed to the upgrade, which refuses them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "io/io_helpers.hpp"
#include "support/certs.hpp"
#include "tls_helpers.hpp"
#include "wire/io/reader.hpp"
#include "wire/net/line_reader.hpp"
#include "wire/net/tcp.hpp"
#include "wire/tls.hpp"

namespace {

using namespace wire::test::tls;
using wire::net::InputBuffer;
using wire::net::LineEnd;
using wire::test::TestPki;
using wire::test::io::run_bounded;
using wire::tls::Context;
namespace io = wire::io;
namespace net = wire::net;
namespace tls = wire::tls;

constexpr std::size_t kMax = 100;

// 100 lines and a last one, in one send (over TLS: one record).
std::string script() {
  std::string s;
  for (int i = 0; i < 100; ++i) s += "250-line " + std::to_string(i) + "\r\n";
  return s + "250 last\r\n";
}

std::vector<std::string> expected_lines() {
  std::vector<std::string> v;
  for (int i = 0; i < 100; ++i) v.push_back("250-line " + std::to_string(i));
  v.push_back("250 last");
  return v;
}

// Counts the reads the line reader makes on a stream.
template <typename S>
struct Counting {
  S& stream;
  int reads = 0;
  std::size_t recv(std::span<std::byte> b) {
    ++reads;
    return stream.recv(b);
  }
  auto read_some(std::span<std::byte> b, std::error_code& ec) {
    ++reads;
    return stream.read_some(b, ec);
  }
};

class LineReaderTest : public testing::Test {
 protected:
  TestPki pki;
  Context server_ctx = pki.server_context();
  Context client_ctx = pki.client_context();

  // A peer that sends the script (in TLS if `secure`) and closes.
  ScriptedPeer peer(bool secure) {
    return ScriptedPeer([this, secure](net::Socket& s) {
      if (!secure) {
        s.send_all(script());
        return;
      }
      tls::Stream t(std::move(s), server_ctx);
      t.send_all(script());
      t.shutdown();
    });
  }

  template <typename S>
  void expect_blocking(S& stream) {
    Counting<S> counted{stream};
    InputBuffer in(4096);
    std::vector<std::string> lines;
    while (auto line = net::read_line(counted, in, kMax)) lines.emplace_back(*line);
    EXPECT_EQ(lines, expected_lines());
    // The script arrives in one piece (TLS: one record): a read for it, a few more if the
    // kernel split it, and one for the end. A reader that peeked or read per line would
    // make over a hundred.
    EXPECT_LE(counted.reads, 4);
  }

  template <typename S>
  io::Task<void> expect_async(S& stream) {
    Counting<S> counted{stream};
    InputBuffer in(4096);
    std::vector<std::string> lines;
    std::error_code ec;
    while (auto line = co_await io::read_line(counted, in, kMax, LineEnd::crlf, ec)) lines.emplace_back(*line);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(lines, expected_lines());
    EXPECT_LE(counted.reads, 4);
  }
};

TEST_F(LineReaderTest, Socket) {
  auto server = peer(false);
  auto s = net::tcp_connect("127.0.0.1", server.port(), 10s);
  expect_blocking(s);
  server.join();
}

TEST_F(LineReaderTest, TlsStream) {
  auto server = peer(true);
  tls::Stream s(net::tcp_connect("127.0.0.1", server.port(), 10s), client_ctx, "localhost");
  expect_blocking(s);
  server.join();
}

TEST_F(LineReaderTest, IoStream) {
  auto server = peer(false);
  run_bounded([&]() -> io::Task<void> {
    io::Stream s = co_await io::connect(net::Address::ip("127.0.0.1", server.port()), 10s);
    co_await expect_async(s);
  }());
  server.join();
}

TEST_F(LineReaderTest, AsyncTlsStream) {
  auto server = peer(true);
  run_bounded([&]() -> io::Task<void> {
    io::Stream plain = co_await io::connect(net::Address::ip("127.0.0.1", server.port()), 10s);
    tls::AsyncStream s(std::move(plain), client_ctx, "localhost");
    co_await s.handshake();
    co_await expect_async(s);
  }());
  server.join();
}

TEST_F(LineReaderTest, AnyStreamPlainAndTls) {
  for (bool secure : {false, true}) {
    auto server = peer(secure);
    run_bounded([&]() -> io::Task<void> {
      tls::AnyStream s(co_await io::connect(net::Address::ip("127.0.0.1", server.port()), 10s));
      if (secure) co_await s.start_tls(client_ctx, "localhost");
      co_await expect_async(s);
    }());
    server.join();
  }
}

TEST_F(LineReaderTest, LimitsAndEndingsAreTheSameOnTheLoop) {
  ScriptedPeer server([](net::Socket& s) { s.send_all("ok\r\nbare\nline\r\n" + std::string(200, 'x') + "\r\n"); });
  run_bounded([&]() -> io::Task<void> {
    io::Stream s = co_await io::connect(net::Address::ip("127.0.0.1", server.port()), 10s);
    InputBuffer in;
    std::error_code ec;
    EXPECT_EQ(co_await io::read_line(s, in, kMax, LineEnd::crlf, ec), "ok");
    EXPECT_EQ(co_await io::read_line(s, in, kMax, LineEnd::crlf, ec), std::nullopt);
    EXPECT_EQ(ec, wire::Errc::bad_line_ending);
    EXPECT_EQ(co_await io::read_line(s, in, kMax, LineEnd::lf, ec), "bare");
    EXPECT_EQ(co_await io::read_line(s, in, kMax, LineEnd::lf, ec), "line");
    EXPECT_EQ(co_await io::read_line(s, in, kMax, LineEnd::lf, ec), std::nullopt);
    EXPECT_EQ(ec, wire::Errc::limit_exceeded);
    bool threw = false;
    try {
      co_await io::read_line(s, in, kMax);
    } catch (const std::system_error& e) {
      threw = e.code() == wire::Errc::limit_exceeded;
    }
    EXPECT_TRUE(threw);
  }());
  server.join();
}

// The server's "220 go ahead" and a forged reply arrive in one segment: the line reader has
// both. Handed to the upgrade with take_unread(), the forged bytes fail it before a
// ClientHello leaves; without them the upgrade succeeds.
TEST_F(LineReaderTest, StartTlsTakesWhatTheReaderHeld) {
  for (bool injected : {true, false}) {
    std::string after;
    ScriptedPeer server([&](net::Socket& s) {
      s.send_all("220 ready\r\n");
      InputBuffer in;
      EXPECT_EQ(net::read_line(s, in, kMax), "STARTTLS");
      if (injected) {
        s.send_all("220 go ahead\r\n250 forged\r\n");
        after = drain(s);
        return;
      }
      s.send_all("220 go ahead\r\n");
      tls::Stream t(std::move(s), server_ctx);
      t.send_all("250 secret\r\n");
      t.shutdown();
    });
    auto error = run_bounded([&]() -> io::Task<std::optional<tls::Error>> {
      tls::AnyStream s(co_await io::connect(net::Address::ip("127.0.0.1", server.port()), 10s));
      InputBuffer in;
      EXPECT_EQ(co_await io::read_line(s, in, kMax), "220 ready");
      co_await s.write_all(bytes_of("STARTTLS\r\n"));
      EXPECT_EQ(co_await io::read_line(s, in, kMax), "220 go ahead");
      std::string held = in.take_unread();
      try {
        co_await s.start_tls(client_ctx, "localhost", bytes_of(held));
      } catch (const tls::Error& e) {
        co_return e;
      }
      EXPECT_EQ(co_await io::read_line(s, in, kMax), "250 secret");
      co_return std::nullopt;
    }());
    server.join();
    if (injected) {
      EXPECT_TRUE(is_tls_error(error, tls::Errc::unexpected_plaintext,
                               {"plaintext was read past the point of the TLS upgrade"}));
      EXPECT_EQ(after, "");  // no ClientHello was sent
    } else {
      EXPECT_FALSE(error.has_value());
    }
  }
}

}  // namespace
