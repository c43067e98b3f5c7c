// SPDX-License-Identifier: MIT
// wire::tls::AsyncStream: 10 MiB each way between wire's async and blocking
// sides with a checksum, verification failures, ALPN/SNI/versions between two
// async ends, close_notify against truncation, and a read failing while a
// write waits on the same stream.
#include <gtest/gtest.h>
#include <malloc.h>
#include <openssl/x509_vfy.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "io/io_helpers.hpp"
#include "support/certs.hpp"
#include "support/net.hpp"
#include "support/random.hpp"
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
namespace io = wire::io;

// Catches the wire::tls::Error an awaited task throws.
template <typename T>
io::Task<std::optional<wire::tls::Error>> tls_error_of_task(io::Task<T> task) {
  try {
    co_await std::move(task);
  } catch (const wire::tls::Error& e) {
    co_return e;
  }
  co_return std::nullopt;
}

// Reads until close_notify (bounded); returns what came.
io::Task<Bytes> read_to_close(AsyncStream& s) {
  Bytes all;
  Bytes buf(64 * 1024);
  for (int i = 0; i < 100000; ++i) {
    std::size_t n = co_await s.read_some(buf);
    if (n == 0) co_return all;
    all.insert(all.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
  }
  ADD_FAILURE() << "read_to_close: no close_notify";
  co_return all;
}

class AsyncStreamTest : public testing::Test {
 protected:
  TestPki pki;
  Context server_ctx = pki.server_context();
  Context client_ctx = pki.client_context();
};

// The async server reads all of `size` bytes, echoes them, sends close_notify
// and waits for the client's.
io::Task<void> async_echo_exactly(io::Stream stream, Context ctx, std::size_t size) {
  AsyncStream tls(std::move(stream), ctx);
  co_await tls.handshake();
  Bytes data(size);
  co_await tls.read_exactly(data);
  co_await tls.write_all(data);
  co_await tls.shutdown();
  Bytes rest = co_await read_to_close(tls);
  EXPECT_TRUE(rest.empty());
}

TEST_F(AsyncStreamTest, TenMiBBothWaysBetweenABlockingClientAndAnAsyncServer) {
  AsyncPeer server([&](io::Stream s) { return async_echo_exactly(std::move(s), server_ctx, kTenMiB); });
  std::string data = wire::test::random_string(kTenMiB, 1);
  wire::tls::Stream client = wire::tls::Stream::connect(client_ctx, "localhost", server.port(), 30s);
  client.send_all(data);
  std::string echoed = client.recv_exactly(kTenMiB);
  EXPECT_EQ(client.recv(1), "");  // close_notify
  client.close();
  server.join();
  EXPECT_EQ(sha256_hex(echoed), sha256_hex(data));
}

io::Task<void> async_client_echo(Context ctx, std::uint16_t port, const std::string& data,
                                 std::string& echoed) {
  AsyncStream tls = co_await AsyncStream::connect(ctx, "localhost", port, 10s);
  co_await tls.write_all(bytes_of(data));
  Bytes got(data.size());
  co_await tls.read_exactly(got);
  echoed.assign(reinterpret_cast<const char*>(got.data()), got.size());
  Bytes rest = co_await read_to_close(tls);
  EXPECT_TRUE(rest.empty());
  co_await tls.shutdown();
}

TEST_F(AsyncStreamTest, TenMiBBothWaysBetweenAnAsyncClientAndABlockingServer) {
  ScriptedPeer server([&](wire::net::Socket& s) {
    wire::tls::Stream tls(std::move(s), server_ctx);
    std::string got = tls.recv_exactly(kTenMiB);
    tls.send_all(got);
    tls.shutdown();
    EXPECT_EQ(tls.recv(1), "");
  });
  std::string data = wire::test::random_string(kTenMiB, 2);
  std::string echoed;
  run_bounded(async_client_echo(client_ctx, server.port(), data, echoed), 60s);
  server.join();
  EXPECT_EQ(sha256_hex(echoed), sha256_hex(data));
}

struct Negotiated {
  std::string version, alpn, subject, requested;
};

io::Task<void> negotiate_server(io::Listener& listener, Context ctx, Negotiated& out) {
  auto accepted = co_await listener.accept();
  AsyncStream tls(std::move(accepted.stream), ctx);
  co_await tls.handshake();
  out.version = tls.version();
  out.alpn = tls.alpn();
  out.requested = tls.engine().requested_server_name();
  co_await tls.write_all(bytes_of("ok"));
  co_await tls.shutdown();
}

io::Task<Negotiated> negotiate(Context server_ctx, Context client_ctx, std::string server_name) {
  io::Listener listener(wire::net::tcp_listen("127.0.0.1", 0));
  Negotiated server_side;
  io::Loop::current().spawn(negotiate_server(listener, server_ctx, server_side));
  io::Stream stream = co_await io::connect(listener.local_address(), 10s);
  AsyncStream tls(std::move(stream), client_ctx, server_name);
  co_await tls.handshake();
  Negotiated client_side{tls.version(), tls.alpn(), tls.engine().peer_subject(), {}};
  Bytes data = co_await read_to_close(tls);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(data.data()), data.size()), "ok");
  EXPECT_EQ(server_side.version, client_side.version);
  EXPECT_EQ(server_side.alpn, client_side.alpn);
  client_side.requested = server_side.requested;
  co_return client_side;
}

TEST_F(AsyncStreamTest, AlpnSniAndVersionsBetweenTwoAsyncEnds) {
  server_ctx.use_certificate(pki.other);
  server_ctx.set_alpn({"http/1.1"});
  client_ctx.set_alpn({"h2", "http/1.1"});
  auto tls13 = run_bounded(negotiate(server_ctx, client_ctx, "other.test"));
  EXPECT_EQ(tls13.version, "TLSv1.3");
  EXPECT_EQ(tls13.alpn, "http/1.1");
  EXPECT_EQ(tls13.subject, "CN=other.test");
  EXPECT_EQ(tls13.requested, "other.test");

  client_ctx.set_versions(wire::tls::Version::tls1_2, wire::tls::Version::tls1_2);
  auto tls12 = run_bounded(negotiate(server_ctx, client_ctx, "localhost"));
  EXPECT_EQ(tls12.version, "TLSv1.2");
  EXPECT_EQ(tls12.subject, "CN=localhost");
  EXPECT_EQ(tls12.requested, "localhost");
}

io::Task<void> handshake_expecting_failure(io::Stream stream, Context ctx) {
  AsyncStream tls(std::move(stream), ctx);
  auto error = co_await tls_error_of_task(tls.handshake());
  EXPECT_TRUE(error.has_value());
}

TEST_F(AsyncStreamTest, ConnectRefusesExpiredAndSelfSignedServers) {
  {
    AsyncPeer server([&](io::Stream s) {
      return handshake_expecting_failure(std::move(s), Context::server(pki.expired));
    });
    auto error =
        run_bounded(tls_error_of_task(AsyncStream::connect(client_ctx, "localhost", server.port(), 10s)));
    ASSERT_TRUE(is_tls_error(error, Errc::verify_failed,
                             {"TLS handshake with localhost:", "certificate has expired"}));
    EXPECT_EQ(error->verify_result(), X509_V_ERR_CERT_HAS_EXPIRED);
    server.join();
  }
  {
    AsyncPeer server([&](io::Stream s) {
      return handshake_expecting_failure(std::move(s), Context::server(pki.self_signed));
    });
    auto error = run_bounded(
        tls_error_of_task(AsyncStream::connect(Context::client(), "localhost", server.port(), 10s)));
    ASSERT_TRUE(is_tls_error(error, Errc::verify_failed, {"self-signed certificate"}));
    EXPECT_EQ(error->verify_result(), X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
    server.join();
  }
}

io::Task<void> fail_handshake_twice(Context ctx, std::uint16_t port) {
  io::Stream plain = co_await io::connect(wire::net::Address::ip("127.0.0.1", port), 10s);
  AsyncStream tls(std::move(plain), ctx, "localhost");
  auto first = co_await tls_error_of_task(tls.handshake());
  EXPECT_TRUE(is_tls_error(first, Errc::verify_failed, {"certificate has expired"}));
  // A later call rethrows the failure; it must not send the alert again.
  auto second = co_await tls_error_of_task(tls.write_all(bytes_of("x")));
  EXPECT_TRUE(is_tls_error(second, Errc::verify_failed, {}));
}

TEST_F(AsyncStreamTest, AFailedHandshakeSendsItsAlertOnce) {
  Context expired = Context::server(pki.expired);
  std::string from_client;
  ScriptedPeer server([&](wire::net::Socket& s) { from_client = record_client_bytes(s, expired); });
  run_bounded(fail_handshake_twice(client_ctx, server.port()));
  server.join();
  std::string types = record_types(from_client);
  EXPECT_EQ(types.find('\x17'), std::string::npos);  // no application data
  EXPECT_EQ(std::count(types.begin(), types.end(), '\x15'), 1)
      << "record types: " << testing::PrintToString(types);
}

TEST_F(AsyncStreamTest, AClientWithoutAServerNameMustBeInsecure) {
  auto attempt = []() -> io::Task<void> {
    io::Listener listener(wire::net::tcp_listen("127.0.0.1", 0));
    io::Stream stream = co_await io::connect(listener.local_address(), 10s);
    EXPECT_THROW(AsyncStream(std::move(stream), Context::client()), std::invalid_argument);
  };
  run_bounded(attempt());
}

io::Task<void> send_then_cut(io::Stream stream, Context ctx, bool clean) {
  AsyncStream tls(std::move(stream), ctx);
  co_await tls.write_all(bytes_of("partial"));
  if (clean) {
    co_await tls.shutdown();
    Bytes rest = co_await read_to_close(tls);
    EXPECT_TRUE(rest.empty());
  } else {
    tls.next_layer().close();  // FIN without close_notify
  }
}

io::Task<void> read_then_expect_end(Context ctx, std::uint16_t port, bool clean) {
  AsyncStream tls = co_await AsyncStream::connect(ctx, "localhost", port, 10s);
  Bytes buf(7);
  co_await tls.read_exactly(buf);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(buf.data()), buf.size()), "partial");
  if (clean) {
    EXPECT_EQ(co_await tls.read_some(buf), 0u);
    EXPECT_TRUE(tls.engine().peer_closed());
    co_await tls.shutdown();
  } else {
    std::error_code ec;
    EXPECT_EQ(co_await tls.read_some(buf, ec), 0u);
    EXPECT_EQ(ec, Errc::truncated) << ec.message();
    auto error = co_await tls_error_of_task(tls.read_some(buf));
    EXPECT_TRUE(is_tls_error(error, Errc::truncated, {"without close_notify"}));
  }
}

TEST_F(AsyncStreamTest, CloseNotifyReadsAsZeroAndAMissingOneIsTruncation) {
  for (bool clean : {true, false}) {
    AsyncPeer server([&](io::Stream s) { return send_then_cut(std::move(s), server_ctx, clean); });
    run_bounded(read_then_expect_end(client_ctx, server.port(), clean));
    server.join();
  }
}

// --- A read that fails while a write waits on the same stream ------------------------

struct Duplex {
  bool writer_done = false;
  std::optional<wire::tls::Error> writer_error;
  std::optional<wire::tls::Error> reader_error;
};

io::Task<void> big_writer(AsyncStream& tls, const Bytes& data, Duplex& d) {
  d.writer_error = co_await tls_error_of_task(tls.write_all(data));
  d.writer_done = true;
}

io::Task<void> duplex_server(io::Stream stream, Context ctx, const Bytes& data, Duplex& d) {
  int small = 64 * 1024;
  ::setsockopt(stream.fd(), SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  AsyncStream tls(std::move(stream), ctx);
  co_await tls.handshake();
  // The writer runs first and waits for send space (the client reads nothing
  // yet); the reader then meets a record that does not decrypt.
  io::Loop::current().spawn(big_writer(tls, data, d));
  Bytes buf(1024);
  d.reader_error = co_await tls_error_of_task(tls.read_some(buf));
  for (int i = 0; i < 2000 && !d.writer_done; ++i) co_await io::sleep_for(5ms);
  EXPECT_TRUE(d.writer_done);
}

// glibc fills freed memory with a byte while this lives, so that bytes read after
// their free are garbage, not stale copies that happen to be right (ASan builds
// report the use itself).
struct PerturbFreedMemory {
  PerturbFreedMemory() { mallopt(M_PERTURB, 0xa5); }
  ~PerturbFreedMemory() { mallopt(M_PERTURB, 0); }
};

TEST_F(AsyncStreamTest, AReadFailingWhileAWriteWaitsLeavesTheWritesBytesIntact) {
  PerturbFreedMemory perturb;
  Bytes data = wire::test::random_bytes(8 << 20, 3);
  Duplex d;
  AsyncPeer server([&](io::Stream s) { return duplex_server(std::move(s), server_ctx, data, d); });
  wire::tls::Stream client = wire::tls::Stream::connect(client_ctx, "localhost", server.port(), 20s);
  ASSERT_TRUE(wire::test::wait_until([&] { return wire::test::bytes_queued(client.socket()) > 0; }, 10s));
  // An application-data record that cannot decrypt, sent under the TLS layer.
  std::string forged("\x17\x03\x03\x00\x20", 5);
  forged += wire::test::random_string(32, 5);
  client.socket().send_all(forged);
  // Now read: everything the server sent must decrypt, up to its alert.
  std::size_t received = 0;
  auto error = tls_error_of([&] {
    for (int i = 0; i < 100000; ++i) {
      std::string got = client.recv(65536);
      if (got.empty()) break;
      received += got.size();
    }
  });
  server.join();
  EXPECT_TRUE(is_tls_error(d.reader_error, Errc::protocol_error, {"TLS read from", "bad record mac"}));
  EXPECT_TRUE(d.writer_done);
  EXPECT_TRUE(d.writer_error.has_value());  // the session failed under it
  // The client met the server's alert, not a record it could not decrypt.
  EXPECT_TRUE(is_tls_error(error, Errc::protocol_error, {"alert bad record mac"}));
  EXPECT_GT(received, 0u);
  EXPECT_LT(received, data.size());
}

}  // namespace

namespace {

// AsyncStream::accept: the server's handshake within a deadline, its failures as values.
TEST_F(AsyncStreamTest, AcceptHandshakesWithinTheDeadlineOrSaysWhyNot) {
  struct Case {
    const char* name;
    std::function<void(wire::net::Socket&)> client;
    std::optional<std::errc> errc;  // none: accepted
  };
  std::string greeting;
  std::vector<Case> cases;
  cases.push_back({"a TLS client", [&](wire::net::Socket& s) {
                     wire::tls::Stream t(std::move(s), client_ctx, "localhost");
                     greeting = t.recv_exactly(5);
                   }, std::nullopt});
  cases.push_back({"a client that sends nothing", [](wire::net::Socket& s) { drain(s); }, std::errc::timed_out});
  for (auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::error_code seen;
    bool open_after = true;
    AsyncPeer server([&](io::Stream s) -> io::Task<void> {
      std::error_code ec;
      AsyncStream tls = co_await AsyncStream::accept(std::move(s), server_ctx, 300ms, ec);
      seen = ec;
      open_after = tls.next_layer().is_open();
      if (!ec) co_await tls.write_all(bytes_of("hello"));
    });
    auto sock = wire::net::tcp_connect("127.0.0.1", server.port(), 10s);
    c.client(sock);
    server.join();
    if (c.errc) {
      EXPECT_EQ(seen, *c.errc);
      EXPECT_FALSE(open_after);
    } else {
      EXPECT_FALSE(seen) << seen.message();
      EXPECT_EQ(greeting, "hello");
    }
  }
  // Not TLS at all: the handshake fails at once with the TLS error, not at the deadline.
  std::error_code seen;
  AsyncPeer server([&](io::Stream s) -> io::Task<void> {
    std::error_code ec;
    co_await AsyncStream::accept(std::move(s), server_ctx, 10s, ec);
    seen = ec;
  });
  auto sock = wire::net::tcp_connect("127.0.0.1", server.port(), 10s);
  sock.send_all("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  server.join();
  EXPECT_EQ(seen.category().name(), std::string("tls"));
}

}  // namespace
