// SPDX-License-Identifier: MIT
// The client through an HTTP proxy: CONNECT tunnels for https (TLS end to end,
// verified against the origin), absolute-form requests for http, and a proxy
// that refuses. The proxy and the origin are written here.
#include <gtest/gtest.h>

#include <thread>

#include "client_helpers.hpp"
#include "support/certs.hpp"
#include "support/wait.hpp"
#include "wire/http/client.hpp"
#include "wire/net/tcp.hpp"
#include "wire/tls/stream.hpp"

namespace {

using namespace std::chrono_literals;
using wire::http::Client;
using wire::http::ClientOptions;
using wire::test::http::Failure;
using wire::test::http::RawServer;
using wire::test::http::failure_of;
using wire::test::http::is_failure;
using wire::test::http::read_head;
using wire::test::http::read_request;

// Copies bytes from one socket to the other until EOF, then half-closes.
void relay(wire::net::Socket& from, wire::net::Socket& to) {
  std::array<std::byte, 16384> buf;
  for (;;) {
    std::error_code ec;
    std::size_t n = from.recv(buf, ec);
    if (ec || n == 0) break;
    to.send_all(std::span<const std::byte>(buf.data(), n), ec);
    if (ec) break;
  }
  std::error_code ignored;
  to.shutdown(wire::net::Shutdown::write, ignored);
}

TEST(Proxy, HttpsGoesThroughAConnectTunnelVerifiedEndToEnd) {
  wire::test::TestPki pki;
  auto server_ctx = pki.server_context();
  auto origin = wire::net::tcp_listen("127.0.0.1", 0);
  std::uint16_t origin_port = origin.local_address().port();
  wire::test::Background origin_side([&] {
    auto [sock, peer] = origin.accept();
    sock.set_timeout(10s);
    wire::tls::Stream tls(std::move(sock), server_ctx);
    std::string request = tls.recv(4096);  // the GET, in one record
    EXPECT_EQ(request.rfind("GET /data HTTP/1.1\r\n", 0), 0u) << request;
    tls.send_all("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsecret");
    tls.shutdown();
  });
  std::string connect_head;
  RawServer proxy([&](wire::net::Socket& client, int) {
    connect_head = read_head(client);
    auto upstream = wire::net::tcp_connect("127.0.0.1", origin_port, 10s);
    client.send_all("HTTP/1.1 200 Connection Established\r\n\r\n");
    std::thread back([&] { relay(upstream, client); });
    relay(client, upstream);
    back.join();
  });
  ClientOptions options;
  options.connection.proxy = "http://user:pw@127.0.0.1:" + std::to_string(proxy.port());
  options.connection.tls = pki.client_context();
  Client client(options);
  auto r = client.get("https://localhost:" + std::to_string(origin_port) + "/data");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "secret");
  proxy.join();
  origin_side.join();
  std::string target = "localhost:" + std::to_string(origin_port);
  EXPECT_EQ(connect_head.rfind("CONNECT " + target + " HTTP/1.1\r\n", 0), 0u) << connect_head;
  EXPECT_NE(connect_head.find("\r\nHost: " + target + "\r\n"), std::string::npos) << connect_head;
  EXPECT_NE(connect_head.find("\r\nProxy-Authorization: Basic dXNlcjpwdw==\r\n"), std::string::npos)
      << connect_head;
}

TEST(Proxy, TheTunnelDoesNotLetTheProxyImpersonateTheOrigin) {
  // The "proxy" answers CONNECT and then speaks TLS itself with a certificate
  // the client does not trust for the origin: verification must fail.
  wire::test::TestPki pki;
  auto rogue_ctx = wire::tls::Context::server(pki.rogue_leaf);
  RawServer proxy([&](wire::net::Socket& client, int) {
    read_head(client);
    client.send_all("HTTP/1.1 200 Connection Established\r\n\r\n");
    try {
      wire::tls::Stream tls(std::move(client), rogue_ctx);
      tls.handshake();
    } catch (const std::exception&) {  // the client refuses us: expected
    }
  });
  ClientOptions options;
  options.connection.proxy = "http://127.0.0.1:" + std::to_string(proxy.port());
  options.connection.tls = pki.client_context();
  Client client(options);
  auto f = failure_of([&] { client.get("https://localhost:9/"); });
  EXPECT_EQ(f.code, wire::tls::Errc::verify_failed) << f.what;
  EXPECT_NE(f.what.find("unknown CA"), std::string::npos) << f.what;
  proxy.join();
}

TEST(Proxy, PlainHttpUsesAbsoluteFormRequests) {
  std::string head;
  RawServer proxy([&](wire::net::Socket& s, int) {
    head = read_request(s);
    s.send_all("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  });
  ClientOptions options;
  options.connection.proxy = "http://a:b@127.0.0.1:" + std::to_string(proxy.port());
  Client client(options);
  EXPECT_EQ(client.get("http://example.test:8080/path?q=1").body, "ok");
  client.async().close_idle();
  proxy.join();
  EXPECT_EQ(head.rfind("GET http://example.test:8080/path?q=1 HTTP/1.1\r\n", 0), 0u) << head;
  EXPECT_NE(head.find("\r\nHost: example.test:8080\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("\r\nProxy-Authorization: Basic YTpi\r\n"), std::string::npos) << head;
}

TEST(Proxy, ARefusedConnectIsAClearError) {
  RawServer proxy([](wire::net::Socket& s, int) {
    read_head(s);
    s.send_all("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n");
  });
  ClientOptions options;
  options.connection.proxy = "http://127.0.0.1:" + std::to_string(proxy.port());
  Client client(options);
  auto f = failure_of([&] { client.get("https://localhost:9/"); });
  EXPECT_TRUE(is_failure(f, Failure::Kind::http, wire::http::Errc::proxy_refused,
                         {"refused CONNECT localhost:9", "407"}));
  proxy.join();
}

}  // namespace
