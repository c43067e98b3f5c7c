// SPDX-License-Identifier: MIT
// Stalled peers hit the timeout: a server that accepts and never answers, one
// that stops in the middle of its first flight, a client that never sends its
// ClientHello, and a recv with nothing coming; blocking and async.
#include "wire/io/timeout.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "io/io_helpers.hpp"
#include "support/certs.hpp"
#include "tls_helpers.hpp"
#include "wire/error.hpp"
#include "wire/net/tcp.hpp"
#include "wire/tls.hpp"

namespace {

using namespace wire::test::tls;
using wire::test::TestPki;
using wire::test::io::Bytes;
using wire::test::io::run_bounded;
using wire::tls::AsyncStream;
using wire::tls::Context;
using wire::tls::Stream;
using Clock = std::chrono::steady_clock;
namespace io = wire::io;

constexpr auto kTimeout = 500ms;
// A stall must end no sooner than the timeout, and well before this.
constexpr auto kBound = 5s;

// Reads the ClientHello, then says nothing until the client goes away.
void silent(wire::net::Socket& s) { drain(s); }

// Reads the ClientHello, then sends the start of a ServerHello record (its
// header announces 100 bytes; 10 come) and stalls.
void stalls_mid_record(wire::net::Socket& s) {
  s.recv(4096);
  s.send_all(std::string("\x16\x03\x03\x00\x64\x02\x00\x00\x60\x03", 10));
  drain(s);
}

// Runs `f`, which must throw wire::TimeoutError; returns how long it took.
template <typename F>
Clock::duration time_to_timeout(F&& f, std::string& what) {
  auto start = Clock::now();
  try {
    f();
    ADD_FAILURE() << "no timeout";
  } catch (const wire::TimeoutError& e) {
    what = e.what();
    EXPECT_EQ(e.code(), std::errc::timed_out);
  }
  return Clock::now() - start;
}

class TimeoutTest : public testing::Test {
 protected:
  TestPki pki;
  Context client_ctx = pki.client_context();
  Context server_ctx = pki.server_context();
};

TEST_F(TimeoutTest, BlockingConnectToAServerThatNeverAnswers) {
  for (auto peer : {&silent, &stalls_mid_record}) {
    ScriptedPeer server(peer);
    std::string what;
    auto took =
        time_to_timeout([&] { Stream::connect(client_ctx, "127.0.0.1", server.port(), kTimeout); }, what);
    EXPECT_GE(took, kTimeout - 50ms);
    EXPECT_LT(took, kBound);
    EXPECT_TRUE(contains(what, "TLS handshake with 127.0.0.1:")) << what;
    EXPECT_TRUE(contains(what, "timed out")) << what;
    server.join();
  }
}

TEST_F(TimeoutTest, BlockingRecvWithNothingComingRestoresTheSocketsTimeout) {
  ScriptedPeer server([&](wire::net::Socket& s) {
    Stream tls(std::move(s), server_ctx);
    tls.handshake();
    EXPECT_EQ(tls.recv(10), "");  // waits for the client's close_notify
  });
  Stream client = Stream::connect(client_ctx, "localhost", server.port(), 10s);
  client.socket().set_timeout(kTimeout);
  std::string what;
  auto took = time_to_timeout([&] { client.recv(10); }, what);
  EXPECT_GE(took, kTimeout - 50ms);
  EXPECT_LT(took, kBound);
  EXPECT_TRUE(contains(what, "TLS recv with localhost:")) << what;
  EXPECT_EQ(client.socket().timeout(), std::chrono::milliseconds(kTimeout));
  client.close();
  server.join();
}

TEST_F(TimeoutTest, BlockingServerWhoseClientNeverSendsAClientHello) {
  std::string what;
  Clock::duration took{};
  ScriptedPeer server([&](wire::net::Socket& s) {
    s.set_timeout(kTimeout);
    Stream tls(std::move(s), server_ctx);
    took = time_to_timeout([&] { tls.handshake(); }, what);
  });
  auto client = wire::net::tcp_connect("127.0.0.1", server.port(), 10s);  // says nothing
  server.join();
  EXPECT_GE(took, kTimeout - 50ms);
  EXPECT_LT(took, kBound);
  EXPECT_TRUE(contains(what, "TLS handshake with 127.0.0.1:")) << what;
}

// --- async ---------------------------------------------------------------------------

io::Task<void> async_handshake_with_timeout(Context ctx, std::uint16_t port) {
  io::Stream plain = co_await io::connect(wire::net::Address::ip("127.0.0.1", port), 10s);
  AsyncStream tls(std::move(plain), ctx, "localhost");
  co_await io::with_timeout(tls.handshake(), kTimeout);
}

TEST_F(TimeoutTest, AsyncHandshakeUnderWithTimeout) {
  for (auto peer : {&silent, &stalls_mid_record}) {
    ScriptedPeer server(peer);
    std::string what;
    auto took =
        time_to_timeout([&] { run_bounded(async_handshake_with_timeout(client_ctx, server.port())); }, what);
    EXPECT_GE(took, kTimeout - 50ms);
    EXPECT_LT(took, kBound);
    server.join();
  }
}

TEST_F(TimeoutTest, AsyncConnectBoundsTheHandshake) {
  ScriptedPeer server(&stalls_mid_record);
  std::string what;
  auto took = time_to_timeout(
      [&] { run_bounded(AsyncStream::connect(client_ctx, "127.0.0.1", server.port(), kTimeout)); }, what);
  EXPECT_GE(took, kTimeout - 50ms);
  EXPECT_LT(took, kBound);
  server.join();
}

io::Task<void> async_server_waiting_for_hello(Context ctx, io::Stream stream, std::string& what,
                                              Clock::duration& took) {
  stream.set_read_timeout(kTimeout);
  AsyncStream tls(std::move(stream), ctx);
  auto start = Clock::now();
  try {
    co_await tls.handshake();
    ADD_FAILURE() << "no timeout";
  } catch (const wire::TimeoutError& e) {
    what = e.what();
  }
  took = Clock::now() - start;
}

TEST_F(TimeoutTest, AsyncServerWhoseClientNeverSendsAClientHello) {
  std::string what;
  Clock::duration took{};
  AsyncPeer server(
      [&](io::Stream s) { return async_server_waiting_for_hello(server_ctx, std::move(s), what, took); });
  auto client = wire::net::tcp_connect("127.0.0.1", server.port(), 10s);  // says nothing
  server.join();
  EXPECT_GE(took, kTimeout - 50ms);
  EXPECT_LT(took, kBound);
  EXPECT_TRUE(contains(what, "TLS handshake with 127.0.0.1:")) << what;
  EXPECT_TRUE(contains(what, "timed out")) << what;
}

}  // namespace
