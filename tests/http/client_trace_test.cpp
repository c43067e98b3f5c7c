// SPDX-License-Identifier: MIT
// What the client reports as it goes (ConnectionOptions::trace), where it connects
// (ConnectionOptions::resolve), and the typed error of a redirect loop.
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "client_helpers.hpp"
#include "support/certs.hpp"
#include "wire/http/client.hpp"
#include "wire/http/server.hpp"

namespace {

using namespace std::chrono_literals;
using wire::http::Client;
using wire::http::ClientOptions;
using wire::http::TraceEvent;
using wire::test::http::Failure;
using wire::test::http::RawServer;
using wire::test::http::failure_of;
using wire::test::http::is_failure;
using wire::test::http::read_request;

using Trace = std::vector<std::pair<TraceEvent, std::string>>;

// A server for `name` with TLS (pki's certificate for it), answering "hello over TLS".
std::unique_ptr<wire::http::Server> tls_server(const wire::tls::Identity& identity) {
  wire::http::Router router;
  router.get("/", [](wire::http::ServerRequest&) { return wire::http::ServerResponse::text("hello over TLS\n"); });
  wire::http::ServerOptions options;
  options.host = "127.0.0.1";
  options.threads = 1;
  options.tls = wire::tls::Context::server(identity);
  auto server = std::make_unique<wire::http::Server>(std::move(options), std::move(router));
  server->start();
  return server;
}

TEST(ClientTrace, ReportsTheConnectionAndEachRequestHeadAsSent) {
  RawServer server([](wire::net::Socket& s, int) {
    read_request(s);
    s.send_all("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
  });
  Trace trace;
  ClientOptions options;
  options.user_agent = "tester";
  options.decompress = false;
  options.connection.trace = [&](TraceEvent e, std::string_view text) { trace.emplace_back(e, std::string(text)); };
  Client client(options);
  const std::string peer = "127.0.0.1:" + std::to_string(server.port());
  EXPECT_EQ(client.get("http://" + peer + "/x?y=1").body, "hi");
  server.join();
  Trace expected{{TraceEvent::connected, peer},
                 {TraceEvent::request_head,
                  "GET /x?y=1 HTTP/1.1\r\nUser-Agent: tester\r\nAccept: */*\r\nHost: " + peer + "\r\n\r\n"}};
  EXPECT_EQ(trace, expected);
}

// --resolve's hook: the name stays in Host, SNI and the certificate check; the address is ours.
TEST(ClientTrace, ResolveConnectsToTheGivenAddressForTheName) {
  wire::test::TestPki pki;
  auto server = tls_server(pki.other);  // a certificate for other.test only
  const auto port = server->local_address().port();
  Trace trace;
  ClientOptions options;
  options.connection.tls = pki.client_context();
  options.connection.tls->set_alpn({"http/1.1"});
  options.connection.resolve["other.test:" + std::to_string(port)] = "[127.0.0.1]";
  options.connection.trace = [&](TraceEvent e, std::string_view text) { trace.emplace_back(e, std::string(text)); };
  Client client(options);
  auto r = client.get("https://other.test:" + std::to_string(port) + "/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello over TLS\n");
  ASSERT_GE(trace.size(), 6u);
  EXPECT_EQ(trace[0], (std::pair{TraceEvent::connected, "127.0.0.1:" + std::to_string(port)}));
  EXPECT_EQ(trace[1].first, TraceEvent::tls);
  EXPECT_TRUE(trace[1].second.starts_with("TLSv1.3, TLS_")) << trace[1].second;
  EXPECT_EQ(trace[2], (std::pair{TraceEvent::tls, std::string("ALPN: http/1.1")}));
  EXPECT_EQ(trace[3].second.find("server certificate: "), 0u) << trace[3].second;
  EXPECT_NE(trace[3].second.find("other.test"), std::string::npos) << trace[3].second;
  EXPECT_EQ(trace[4], (std::pair{TraceEvent::tls, std::string("server certificate verified, and its name")}));
  EXPECT_EQ(trace[5].first, TraceEvent::request_head);
  EXPECT_NE(trace[5].second.find("\r\nHost: other.test:" + std::to_string(port) + "\r\n"), std::string::npos);
  client.async().close_idle();
  server->shutdown(0s);
}

TEST(ClientTrace, ARedirectLoopIsTooManyRedirects) {
  RawServer server(
      [](wire::net::Socket& s, int) {
        for (int i = 0; i < 3; ++i) {
          if (read_request(s).empty()) return;
          s.send_all("HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n");
        }
      },
      1);
  ClientOptions options;
  options.max_redirects = 2;
  Client client(options);
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/start";
  auto f = failure_of([&] { client.get(url); });
  EXPECT_TRUE(is_failure(f, Failure::Kind::http, wire::http::Errc::too_many_redirects,
                         {url, "more than 2 redirects"}));
  client.async().close_idle();
  server.join();
}

}  // namespace
