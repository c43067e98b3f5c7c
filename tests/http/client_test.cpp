// SPDX-License-Identifier: MIT
// wire::http::Connection and AsyncConnection against servers written here, on
// loopback: what a request looks like on the wire, keep-alive and reconnecting,
// and misbehaving servers — a garbage status line, broken framing, a truncated
// or never-ending body, 1 MiB of headers, a Content-Length shorter or longer
// than the body, silence, too many 1xx — each ending in a clear error within
// the timeout; a body longer than its Content-Length never answers the next
// request. Requests a caller could use to inject lines are refused before a
// byte is sent. Connect and write timeouts, and `wire http --connect-timeout`.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client_helpers.hpp"
#include "io/io_helpers.hpp"
#include "peers.hpp"
#include "support/certs.hpp"
#include "support/net.hpp"
#include "support/random.hpp"
#include "wire/http/connection.hpp"
#include "wire/http/error.hpp"
#include "wire/tls.hpp"

namespace {

namespace http = wire::http;
using namespace std::chrono_literals;
using wire::test::http::body_of;
using wire::test::http::Failure;
using wire::test::http::failure_of;
using wire::test::http::is_failure;
using wire::test::http::RawServer;
using wire::test::http::read_head;
using wire::test::http::read_request;
using wire::test::http::read_to_eof;
using wire::test::http::send_quietly;
using wire::test::http::sha256_hex;
using Kind = Failure::Kind;
using Clock = std::chrono::steady_clock;

// The timeout on each read and write in these tests: short enough for the tests
// that wait for it, long enough for a sanitized build under load.
constexpr auto kIoTimeout = 400ms;
// What "within the timeout" means: the timeout plus generous slack.
constexpr auto kBound = 5s;

http::ConnectionOptions options(std::chrono::milliseconds io_timeout = 10s) {
  http::ConnectionOptions o;
  o.connect_timeout = 5s;
  o.io_timeout = io_timeout;
  return o;
}

http::Connection connect_to(const RawServer& server, std::chrono::milliseconds io_timeout = 10s) {
  return http::Connection("http", "127.0.0.1", server.port(), options(io_timeout));
}

std::string ok(std::string_view body, std::string_view fields = "") {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + std::string(fields) +
         "\r\n" + std::string(body);
}

std::string peer_of(const RawServer& server) { return "127.0.0.1:" + std::to_string(server.port()); }

// Requests the server saw, across its connections (sessions run on its thread).
struct Seen {
  void add(std::string request) {
    std::lock_guard lock(mutex);
    requests.push_back(std::move(request));
  }
  std::vector<std::string> get() {
    std::lock_guard lock(mutex);
    return requests;
  }
  std::mutex mutex;
  std::vector<std::string> requests;
};

// --- requests on the wire, keep-alive, reconnecting ------------------------------------------

TEST(HttpClient, SendsTheRequestHeadAndBody) {
  Seen seen;
  RawServer server([&](wire::net::Socket& s, int) {
    for (int i = 0; i < 2; ++i) {
      std::string request = read_request(s);
      if (request.empty()) return;
      seen.add(request);
      s.send_all(ok("done"));
    }
  });
  auto c = connect_to(server);
  http::Headers headers;
  headers.add("X-Test", "one two");
  c.request("GET", "/path?q=1", {}, headers);
  EXPECT_EQ(c.getresponse().read(), "done");
  c.request("POST", "/form", "a=1&b=2", {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(c.getresponse().read(), "done");
  c.close();
  server.join();
  auto requests = seen.get();
  ASSERT_EQ(requests.size(), 2u);
  std::string host = "Host: " + peer_of(server) + "\r\n";
  EXPECT_EQ(requests[0], "GET /path?q=1 HTTP/1.1\r\nX-Test: one two\r\n" + host + "\r\n");
  EXPECT_EQ(requests[1], "POST /form HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n" + host +
                             "Content-Length: 7\r\n\r\na=1&b=2");
  EXPECT_EQ(server.accepted(), 1);  // both on one connection
}

TEST(HttpClient, PostWithoutBodySendsContentLengthZero) {
  Seen seen;
  RawServer server([&](wire::net::Socket& s, int) {
    seen.add(read_request(s));
    s.send_all(ok(""));
  });
  auto c = connect_to(server);
  c.request("POST", "/");
  EXPECT_EQ(c.getresponse().read(), "");
  server.join();
  ASSERT_EQ(seen.get().size(), 1u);
  EXPECT_NE(seen.get()[0].find("\r\nContent-Length: 0\r\n"), std::string::npos) << seen.get()[0];
}

TEST(HttpClient, LargeBodyArrivesWhole) {
  std::string payload = wire::test::random_string(1 << 20, 7);
  std::string got;
  RawServer server([&](wire::net::Socket& s, int) {
    got = body_of(read_request(s));
    s.send_all(ok(sha256_hex(got)));
  });
  auto c = connect_to(server);
  c.request("PUT", "/upload", payload);
  EXPECT_EQ(c.getresponse().read(), sha256_hex(payload));
  server.join();
  EXPECT_EQ(got.size(), payload.size());
}

TEST(HttpClient, KeepAliveUsesOneConnection) {
  RawServer server(
      [](wire::net::Socket& s, int n) {
        for (int i = 1;; ++i) {
          if (read_request(s).empty()) return;
          s.send_all(ok("connection " + std::to_string(n) + " request " + std::to_string(i)));
        }
      },
      5);
  auto c = connect_to(server);
  for (int i = 1; i <= 5; ++i) {
    c.request("GET", "/");
    auto& r = c.getresponse();
    EXPECT_EQ(r.status(), 200);
    EXPECT_EQ(r.reason(), "OK");
    EXPECT_EQ(r.read(), "connection 0 request " + std::to_string(i));
  }
  c.close();
  server.join();
  EXPECT_EQ(server.accepted(), 1);
}

TEST(HttpClient, ConnectionCloseMakesTheNextRequestReconnect) {
  RawServer server(
      [](wire::net::Socket& s, int n) {
        read_request(s);
        s.send_all(ok("from " + std::to_string(n), "Connection: close\r\n"));
      },
      3);
  auto c = connect_to(server);
  for (int i = 0; i < 3; ++i) {
    c.request("GET", "/");
    EXPECT_EQ(c.getresponse().read(), "from " + std::to_string(i));
  }
  server.join();
  EXPECT_EQ(server.accepted(), 3);
}

TEST(HttpClient, BodyUntilCloseThenReconnect) {
  RawServer server(
      [](wire::net::Socket& s, int n) {
        read_request(s);
        s.send_all("HTTP/1.1 200 OK\r\n\r\nuntil the end " + std::to_string(n));
      },
      2);
  auto c = connect_to(server);
  for (int i = 0; i < 2; ++i) {
    c.request("GET", "/");
    EXPECT_EQ(c.getresponse().read(), "until the end " + std::to_string(i));
  }
  server.join();
  EXPECT_EQ(server.accepted(), 2);
}

TEST(HttpClient, HeadAnd204And304HaveNoBodyAndKeepTheConnection) {
  RawServer server([](wire::net::Socket& s, int) {
    read_request(s);
    s.send_all("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");  // HEAD: no body follows
    read_request(s);
    s.send_all("HTTP/1.1 204 No Content\r\n\r\n");
    read_request(s);
    s.send_all("HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n");
    read_request(s);
    s.send_all(ok("last"));
  });
  auto c = connect_to(server);
  c.request("HEAD", "/");
  auto& head = c.getresponse();
  EXPECT_EQ(head.headers().get("Content-Length"), "1000");
  EXPECT_EQ(head.read(), "");
  c.request("DELETE", "/x");
  auto& no_content = c.getresponse();
  EXPECT_EQ(no_content.status(), 204);
  EXPECT_EQ(no_content.read(), "");
  c.request("GET", "/cached");
  auto& not_modified = c.getresponse();
  EXPECT_EQ(not_modified.status(), 304);
  EXPECT_EQ(not_modified.read(), "");
  c.request("GET", "/");
  EXPECT_EQ(c.getresponse().read(), "last");
  server.join();
  EXPECT_EQ(server.accepted(), 1);
}

TEST(HttpClient, InterimResponsesAreSkipped) {
  RawServer server([](wire::net::Socket& s, int) {
    read_request(s);
    std::string interim;
    for (int i = 0; i < 9; ++i) interim += "HTTP/1.1 100 Continue\r\n\r\n";
    interim += "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n";  // the 10th: the limit
    s.send_all(interim + ok("final"));
  });
  auto c = connect_to(server);
  c.request("GET", "/");
  auto& r = c.getresponse();
  EXPECT_EQ(r.status(), 200);
  EXPECT_FALSE(r.headers().contains("Link"));
  EXPECT_EQ(r.read(), "final");
}

// Issue 17: a 101 to a GET was taken as the final answer, a success. A server switches
// protocols only when asked (RFC 9110 §15.2.2); a request with Upgrade still gets its 101.
TEST(HttpClient, UnrequestedSwitchingProtocolsIsAnError) {
  const std::string switching = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
  RawServer server(
      [&](wire::net::Socket& s, int) {
        read_request(s);
        send_quietly(s, switching + "not HTTP");
      },
      2);
  auto c = connect_to(server);
  c.request("GET", "/");
  EXPECT_TRUE(is_failure(failure_of([&] { c.getresponse(); }), Kind::http, http::Errc::bad_message,
                         {"HTTP response from " + peer_of(server), "101 Switching Protocols", "no upgrade"}));
  c.close();
  auto asked = connect_to(server);
  asked.request("GET", "/chat", {}, {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}});
  EXPECT_EQ(asked.getresponse().status(), 101);
  asked.close();
  server.join();
}

// Issue 17: chunk extensions were read without end. The chunk-size line, extensions and all,
// is bounded (ParserLimits::max_chunk_line, 4 KiB): one byte more is an error.
TEST(HttpClient, ChunkSizeLineOverTheLimitIsAnError) {
  for (std::size_t extension : {std::size_t(4096 - 2), std::size_t(4096 - 1)}) {
    RawServer server([&](wire::net::Socket& s, int) {
      read_request(s);
      // "5;" + the extension's bytes: 4096 bytes is the limit, 4097 one past it.
      send_quietly(s, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;" + std::string(extension, 'x') +
                          "\r\nhello\r\n0\r\n\r\n");
    });
    auto c = connect_to(server);
    c.request("GET", "/");
    auto& r = c.getresponse();
    EXPECT_EQ(r.status(), 200);
    if (extension + 2 <= 4096) {
      EXPECT_EQ(r.read(), "hello");
    } else {
      EXPECT_TRUE(is_failure(failure_of([&] { r.read(); }), Kind::http, http::Errc::chunk_line_too_long,
                             {"HTTP response from " + peer_of(server)}));
    }
    c.close();
    server.join();
  }
}

TEST(HttpClient, StreamingReadsGiveTheBodyInPieces) {
  std::string body = wire::test::random_string(300000, 3);
  RawServer server([&](wire::net::Socket& s, int) {
    read_request(s);
    // Chunked, in chunks of assorted sizes.
    std::string out = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    std::size_t at = 0;
    for (std::size_t size = 1; at < body.size(); size = size * 3 + 1) {
      std::size_t n = std::min(size, body.size() - at);
      char line[32];
      std::snprintf(line, sizeof line, "%zx\r\n", n);
      out += line + body.substr(at, n) + "\r\n";
      at += n;
    }
    s.send_all(out + "0\r\nX-Trailer: yes\r\n\r\n");
  });
  auto c = connect_to(server);
  c.request("GET", "/");
  auto& r = c.getresponse();
  std::string got;
  std::vector<std::byte> buf(1000);
  for (int i = 0; i < 100000; ++i) {
    std::size_t n = r.read(buf);
    if (n == 0) break;
    got.append(reinterpret_cast<const char*>(buf.data()), n);
  }
  EXPECT_EQ(got.size(), body.size());
  EXPECT_EQ(sha256_hex(got), sha256_hex(body));
  EXPECT_EQ(r.read(buf), 0u);  // and again at the end
}

TEST(HttpClient, UnreadBodyMeansANewConnection) {
  RawServer server(
      [](wire::net::Socket& s, int n) {
        for (;;) {
          if (read_request(s).empty()) return;
          s.send_all(ok("body of connection " + std::to_string(n)));
        }
      },
      2);
  auto c = connect_to(server);
  c.request("GET", "/");
  EXPECT_EQ(c.getresponse().status(), 200);  // the body is left unread
  c.request("GET", "/");
  EXPECT_EQ(c.getresponse().read(), "body of connection 1");
  c.close();
  server.join();
  EXPECT_EQ(server.accepted(), 2);
}

TEST(HttpClient, ReadRefusesABodyOverItsLimitAndDropsTheConnection) {
  RawServer server(
      [](wire::net::Socket& s, int n) {
        for (;;) {
          if (read_request(s).empty()) return;
          s.send_all(ok(std::string(1000, static_cast<char>('a' + n))));
        }
      },
      2);
  auto c = connect_to(server);
  c.request("GET", "/");
  EXPECT_TRUE(is_failure(failure_of([&] { c.getresponse().read(100); }), Kind::system,
                         wire::Errc::limit_exceeded, {"larger than 100 bytes", peer_of(server)}));
  c.request("GET", "/");
  EXPECT_EQ(c.getresponse().read(), std::string(1000, 'b'));
  c.close();
  server.join();
  EXPECT_EQ(server.accepted(), 2);
}

TEST(HttpClient, StaleKeepAliveConnectionIsAClearErrorThenReconnects) {
  // The server allows keep-alive, then closes while the client is idle (as servers
  // do after their keep-alive timeout). Like Python's http.client, Connection does
  // not retry by itself (the pooled Client will, for idempotent requests): the
  // request that meets the closed connection fails clearly, the next one reconnects.
  std::atomic<bool> closed{false};
  RawServer server(
      [&](wire::net::Socket& s, int n) {
        read_request(s);
        s.send_all(ok("connection " + std::to_string(n)));
        s.close();
        closed = true;
      },
      2);
  auto c = connect_to(server);
  c.request("GET", "/");
  EXPECT_EQ(c.getresponse().read(), "connection 0");
  ASSERT_TRUE(wire::test::wait_until([&] { return closed.load(); }, 5s));
  auto failure = failure_of([&] {
    c.request("GET", "/");
    c.getresponse();
  });
  EXPECT_EQ(failure.kind, Kind::system) << failure.what;
  EXPECT_TRUE(failure.code == wire::Errc::unexpected_eof || failure.code == std::errc::connection_reset ||
              failure.code == std::errc::broken_pipe)
      << failure.code.message() << ": " << failure.what;
  EXPECT_NE(failure.what.find(peer_of(server)), std::string::npos) << failure.what;
  c.request("GET", "/");
  EXPECT_EQ(c.getresponse().read(), "connection 1");
  server.join();
}

// --- misbehaving servers: the response head ------------------------------------------------

struct BadHead {
  const char* name;
  std::string response;
  http::Errc error;
};

std::string many_headers(std::size_t bytes) {
  std::string out;
  for (int i = 0; out.size() < bytes; ++i) out += "X-Pad-" + std::to_string(i) + ": " + std::string(1000, 'p') + "\r\n";
  return out;
}

std::vector<BadHead> bad_heads() {
  std::string interim;
  for (int i = 0; i < 11; ++i) interim += "HTTP/1.1 100 Continue\r\n\r\n";
  std::string tiny_fields;
  for (int i = 0; i < 200; ++i) tiny_fields += "A" + std::to_string(i) + ": b\r\n";
  return {
      {"garbage_status_line", "garbage\r\n\r\n", http::Errc::bad_status_line},
      {"ssh_banner", "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", http::Errc::bad_status_line},
      {"http_2_0", "HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", http::Errc::bad_version},
      {"status_not_a_number", "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n", http::Errc::bad_status_line},
      {"one_mib_of_headers", "HTTP/1.1 200 OK\r\n" + many_headers(1 << 20) + "\r\n", http::Errc::header_too_large},
      {"one_mib_header_line", "HTTP/1.1 200 OK\r\nX-Big: " + std::string(1 << 20, 'x') + "\r\n\r\n",
       http::Errc::header_too_large},
      {"one_mib_status_line", "HTTP/1.1 200 " + std::string(1 << 20, 'K') + "\r\n\r\n",
       http::Errc::start_line_too_long},
      {"too_many_headers", "HTTP/1.1 200 OK\r\n" + tiny_fields + "\r\n", http::Errc::too_many_headers},
      {"too_many_interim_responses", interim + ok("late"), http::Errc::too_many_interim_responses},
      {"content_length_and_transfer_encoding",
       "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
       http::Errc::content_length_with_transfer_encoding},
      {"two_content_lengths", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
       http::Errc::conflicting_content_length},
      {"bad_content_length", "HTTP/1.1 200 OK\r\nContent-Length: 5x\r\n\r\nhello", http::Errc::bad_content_length},
      {"obsolete_line_folding", "HTTP/1.1 200 OK\r\nX-A: one\r\n two\r\nContent-Length: 0\r\n\r\n",
       http::Errc::obsolete_line_folding},
      {"nul_in_a_value", std::string("HTTP/1.1 200 OK\r\nX-A: a\0b\r\nContent-Length: 0\r\n\r\n", 48),
       http::Errc::bad_header_value},
      {"space_before_colon", "HTTP/1.1 200 OK\r\nX-A : a\r\nContent-Length: 0\r\n\r\n", http::Errc::bad_header_name},
      {"truncated_head", "HTTP/1.1 200 OK\r\nContent-Le", http::Errc::truncated_head},
  };
}

class BadResponseHead : public testing::TestWithParam<BadHead> {};

TEST_P(BadResponseHead, IsAClearErrorWithinTheTimeout) {
  const BadHead& bad = GetParam();
  RawServer server([&](wire::net::Socket& s, int) {
    read_request(s);
    send_quietly(s, bad.response);  // the client may hang up before it has all of it
    std::error_code ec;
    s.shutdown(wire::net::Shutdown::write, ec);  // (and then the socket may be gone)
    read_to_eof(s);  // until the client closes
  });
  auto c = connect_to(server, kIoTimeout);
  c.request("GET", "/");
  auto started = Clock::now();
  EXPECT_TRUE(is_failure(failure_of([&] { c.getresponse(); }), Kind::http, bad.error,
                         {"HTTP response from " + peer_of(server) + ": "}));
  EXPECT_LT(Clock::now() - started, kBound);
  c.close();
  server.join();
}

INSTANTIATE_TEST_SUITE_P(Misbehaving, BadResponseHead, testing::ValuesIn(bad_heads()),
                         [](const testing::TestParamInfo<BadHead>& p) { return std::string(p.param.name); });

TEST(HttpClient, ServerThatClosesWithoutAnsweringIsUnexpectedEof) {
  RawServer server([](wire::net::Socket& s, int) { read_request(s); });
  auto c = connect_to(server);
  c.request("GET", "/");
  EXPECT_TRUE(is_failure(failure_of([&] { c.getresponse(); }), Kind::system, wire::Errc::unexpected_eof,
                         {peer_of(server), "closed the connection without answering"}));
  server.join();
}

TEST(HttpClient, ServerThatNeverAnswersTimesOut) {
  RawServer server([](wire::net::Socket& s, int) {
    read_request(s);
    read_to_eof(s);  // silence until the client gives up
  });
  auto c = connect_to(server, kIoTimeout);
  c.request("GET", "/");
  auto started = Clock::now();
  EXPECT_TRUE(is_failure(failure_of([&] { c.getresponse(); }), Kind::timeout,
                         std::make_error_code(std::errc::timed_out),
                         {peer_of(server), "nothing arrived within the timeout"}));
  auto took = Clock::now() - started;
  EXPECT_GE(took, kIoTimeout - 50ms);
  EXPECT_LT(took, kBound);
  c.close();
  server.join();
}

TEST(HttpClient, ServerThatNeverReadsTheBodyTimesOutTheRequest) {
  std::atomic<bool> done{false};
  RawServer server([&](wire::net::Socket& s, int) {
    read_head(s);  // and never the body: the client's writes stall
    wire::test::wait_until([&] { return done.load(); }, 10s);
  });
  auto c = connect_to(server, kIoTimeout);
  std::string body(32 << 20, 'b');  // more than the kernel buffers on both sides hold
  auto started = Clock::now();
  EXPECT_TRUE(is_failure(failure_of([&] { c.request("PUT", "/big", body); }), Kind::timeout,
                         std::make_error_code(std::errc::timed_out),
                         {peer_of(server), "did not take it in time"}));
  EXPECT_LT(Clock::now() - started, kBound);
  done = true;
  c.close();
  server.join();
}

TEST(HttpClient, ConnectTimesOut) {
  auto hanging = wire::test::hanging_listener("127.0.0.1");  // connects to it hang
  auto o = options();
  o.connect_timeout = kIoTimeout;
  http::Connection c("http", "127.0.0.1", hanging.address.port(), o);
  auto started = Clock::now();
  auto failure = failure_of([&] { c.request("GET", "/"); });
  auto took = Clock::now() - started;
  EXPECT_EQ(failure.kind, Kind::timeout) << failure.what;
  EXPECT_NE(failure.what.find(hanging.address.to_string()), std::string::npos) << failure.what;
  EXPECT_GE(took, kIoTimeout - 50ms);
  EXPECT_LT(took, kBound);
  // The command line's --connect-timeout is the same bound.
  started = Clock::now();
  auto r = wire::test::http::run_wire(
      {"http", "get", "--connect-timeout", "0.4", "http://" + hanging.address.to_string() + "/"});
  EXPECT_LT(Clock::now() - started, kBound);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("wire: connect to " + hanging.address.to_string(), 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

// --- misbehaving servers: the body ---------------------------------------------------------

TEST(HttpClient, TruncatedChunkedBodyIsAnError) {
  RawServer server([](wire::net::Socket& s, int) {
    read_request(s);
    s.send_all("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n10\r\nonly part");
  });  // and the session closes the connection
  auto c = connect_to(server);
  c.request("GET", "/");
  auto& r = c.getresponse();
  EXPECT_EQ(r.status(), 200);
  EXPECT_TRUE(is_failure(failure_of([&] { r.read(); }), Kind::http, http::Errc::truncated_body,
                         {"HTTP response from " + peer_of(server)}));
  server.join();
}

TEST(HttpClient, ContentLengthLongerThanTheBodyIsTruncation) {
  RawServer server([](wire::net::Socket& s, int) {
    read_request(s);
    s.send_all("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly 20 bytes here..");
  });
  auto c = connect_to(server);
  c.request("GET", "/");
  auto& r = c.getresponse();
  std::vector<std::byte> buf(1000);
  std::string got;
  auto failure = failure_of([&] {
    for (int i = 0; i < 100; ++i) {
      std::size_t n = r.read(buf);
      if (n == 0) break;
      got.append(reinterpret_cast<const char*>(buf.data()), n);
    }
  });
  EXPECT_TRUE(is_failure(failure, Kind::http, http::Errc::truncated_body, {peer_of(server)}));
  EXPECT_EQ(got, "only 20 bytes here..");  // what came is handed out, then the error
  server.join();
}

class NeverEndingBody : public testing::TestWithParam<const char*> {};

TEST_P(NeverEndingBody, TimesOutAfterWhatCame) {
  std::string head = GetParam();
  RawServer server([&](wire::net::Socket& s, int) {
    read_request(s);
    s.send_all(head);
    read_to_eof(s);  // stalls until the client gives up
  });
  auto c = connect_to(server, kIoTimeout);
  c.request("GET", "/");
  auto& r = c.getresponse();
  std::vector<std::byte> buf(1000);
  std::string got;
  auto started = Clock::now();
  auto failure = failure_of([&] {
    for (int i = 0; i < 100; ++i) {
      std::size_t n = r.read(buf);
      if (n == 0) break;
      got.append(reinterpret_cast<const char*>(buf.data()), n);
    }
  });
  auto took = Clock::now() - started;
  EXPECT_TRUE(is_failure(failure, Kind::timeout, std::make_error_code(std::errc::timed_out),
                         {peer_of(server), "within the timeout"}));
  EXPECT_EQ(got, "the start");
  EXPECT_GE(took, kIoTimeout - 50ms);
  EXPECT_LT(took, kBound);
  c.close();
  server.join();
}

INSTANTIATE_TEST_SUITE_P(
    Misbehaving, NeverEndingBody,
    testing::Values("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\nthe start",
                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n9\r\nthe start\r\n",
                    "HTTP/1.1 200 OK\r\n\r\nthe start"),
    [](const testing::TestParamInfo<const char*>& p) {
      return std::string(p.index == 0 ? "content_length" : p.index == 1 ? "chunked" : "until_close");
    });

TEST(HttpClient, ContentLengthShorterThanTheBodyNeverFeedsTheNextResponse) {
  // The server sends more than its Content-Length: the excess is a complete
  // response, as a desynchronized or malicious server could send. The client
  // must end the body at the length, and must not read the excess as the answer
  // to its next request: the next request goes on a new connection.
  Seen seen;
  RawServer server(
      [&](wire::net::Socket& s, int n) {
        for (;;) {
          std::string request = read_request(s);
          if (request.empty()) return;
          seen.add("connection " + std::to_string(n) + ": " + request.substr(0, request.find('\r')));
          if (n == 0) {
            s.send_all("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello" + ok("injected"));
          } else {
            s.send_all(ok("genuine"));
          }
        }
      },
      2);
  auto c = connect_to(server);
  c.request("GET", "/first");
  EXPECT_EQ(c.getresponse().read(), "hello");
  c.request("GET", "/second");
  EXPECT_EQ(c.getresponse().read(), "genuine");
  c.close();
  server.join();
  EXPECT_EQ(seen.get(), (std::vector<std::string>{"connection 0: GET /first HTTP/1.1",
                                                   "connection 1: GET /second HTTP/1.1"}));
}

// Reads of 16 KiB or more into an empty read buffer go straight into the caller's
// buffer (read_body()); the same rules hold there. The head comes first, alone, so
// the body is read that way.
std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
  return s;
}

TEST(HttpClient, LargeReadsEndTheBodyAtItsLengthAndNeverFeedTheExcess) {
  const std::string body = pattern(150'000);
  Seen seen;
  RawServer server(
      [&](wire::net::Socket& s, int n) {
        for (;;) {
          std::string request = read_request(s);
          if (request.empty()) return;
          seen.add("connection " + std::to_string(n) + ": " + request.substr(0, request.find('\r')));
          if (n == 0) {
            s.send_all("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n");
            std::this_thread::sleep_for(20ms);
            s.send_all(std::string_view(body).substr(0, 70'000));
            std::this_thread::sleep_for(20ms);
            // The rest of the body and a whole response beyond it, in one segment.
            s.send_all(std::string(std::string_view(body).substr(70'000)) + ok("injected"));
          } else {
            s.send_all(ok("genuine"));
          }
        }
      },
      2);
  auto c = connect_to(server);
  c.request("GET", "/first");
  auto& r = c.getresponse();
  std::vector<std::byte> buf(64 * 1024);
  std::string got;
  while (std::size_t n = r.read(buf)) got.append(reinterpret_cast<const char*>(buf.data()), n);
  EXPECT_EQ(got.size(), body.size());
  EXPECT_TRUE(got == body);
  EXPECT_EQ(r.read(buf), 0u);
  c.request("GET", "/second");
  EXPECT_EQ(c.getresponse().read(), "genuine");
  c.close();
  server.join();
  EXPECT_EQ(seen.get(), (std::vector<std::string>{"connection 0: GET /first HTTP/1.1",
                                                   "connection 1: GET /second HTTP/1.1"}));
}

TEST(HttpClient, LargeReadsOfATruncatedBodyFailAfterWhatCame) {
  const std::string body = pattern(40'000);
  RawServer server([&](wire::net::Socket& s, int) {
    read_request(s);
    s.send_all("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
    std::this_thread::sleep_for(20ms);
    s.send_all(body);
  });
  auto c = connect_to(server);
  c.request("GET", "/");
  auto& r = c.getresponse();
  std::vector<std::byte> buf(64 * 1024);
  std::string got;
  auto failure = failure_of([&] {
    while (std::size_t n = r.read(buf)) got.append(reinterpret_cast<const char*>(buf.data()), n);
  });
  EXPECT_TRUE(is_failure(failure, Kind::http, http::Errc::truncated_body, {peer_of(server)}));
  EXPECT_TRUE(got == body);  // what came is handed out, then the error
  server.join();
}

TEST(HttpClient, ContentLengthShorterThanTheBodyOverTlsInSeparateRecords) {
  // The same over TLS, with the excess in a TLS record of its own (decrypted by a
  // later SSL_read than the body's).
  wire::test::TestPki pki;
  Seen seen;
  RawServer server(
      [&](wire::net::Socket& s, int n) {
        wire::tls::Stream tls(std::move(s), pki.server_context());
        std::string in;
        for (;;) {
          while (in.find("\r\n\r\n") == std::string::npos) {
            std::string got;
            try {
              got = tls.recv(4096);
            } catch (const std::system_error&) {  // a client that hangs up without close_notify
            }
            if (got.empty()) return;
            in += got;
          }
          std::string request = in.substr(0, in.find("\r\n\r\n") + 4);
          in.erase(0, request.size());
          seen.add("connection " + std::to_string(n) + ": " + request.substr(0, request.find('\r')));
          if (n == 0) {
            // Two records in one TCP segment (corked), so the client has both at once.
            int on = 1, off = 0;
            ::setsockopt(tls.socket().fd(), IPPROTO_TCP, TCP_CORK, &on, sizeof on);
            tls.send_all("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
            tls.send_all(ok("injected"));
            ::setsockopt(tls.socket().fd(), IPPROTO_TCP, TCP_CORK, &off, sizeof off);
          } else {
            tls.send_all(ok("genuine"));
          }
        }
      },
      2);
  auto o = options();
  o.tls = pki.client_context();
  http::Connection c("https", "127.0.0.1", server.port(), o);
  c.request("GET", "/first");
  EXPECT_EQ(c.getresponse().read(), "hello");
  c.request("GET", "/second");
  EXPECT_EQ(c.getresponse().read(), "genuine");
  c.close();
  server.join();
  EXPECT_EQ(seen.get(), (std::vector<std::string>{"connection 0: GET /first HTTP/1.1",
                                                   "connection 1: GET /second HTTP/1.1"}));
}

// --- requests that could inject lines are refused before anything is sent ----------------------

struct Injection {
  const char* name;
  std::string method;
  std::string target;
  http::Headers headers;
};

class RefusedRequest : public testing::TestWithParam<Injection> {};

TEST_P(RefusedRequest, SendsNothing) {
  const Injection& bad = GetParam();
  Seen seen;
  RawServer server(
      [&](wire::net::Socket& s, int n) {
        for (;;) {
          std::string request = read_request(s);
          if (request.empty()) return;
          seen.add("connection " + std::to_string(n) + ": " + request);
          s.send_all(ok("fine"));
        }
      },
      2);
  auto c = connect_to(server);
  auto failure = failure_of([&] { c.request(bad.method, bad.target, {}, bad.headers); });
  EXPECT_EQ(failure.kind, Kind::http) << failure.what;
  EXPECT_EQ(failure.code.category(), http::error_category()) << failure.what;
  // The connection still works for a request that is fine.
  c.request("GET", "/fine");
  EXPECT_EQ(c.getresponse().read(), "fine");
  c.close();
  server.join();
  auto requests = seen.get();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].substr(requests[0].find(": ") + 2, 16), "GET /fine HTTP/1");
}

INSTANTIATE_TEST_SUITE_P(
    Injection, RefusedRequest,
    testing::Values(Injection{"crlf_in_value", "GET", "/", {{"X-A", "a\r\nInjected: 1"}}},
                    Injection{"lf_in_value", "GET", "/", {{"X-A", "a\nInjected: 1"}}},
                    Injection{"cr_in_value", "GET", "/", {{"X-A", "a\rInjected: 1"}}},
                    Injection{"nul_in_value", "GET", "/", {{"X-A", std::string("a\0b", 3)}}},
                    Injection{"crlf_in_name", "GET", "/", {{"X-A\r\nInjected", "1"}}},
                    Injection{"colon_in_name", "GET", "/", {{"X-A: b", "1"}}},
                    Injection{"crlf_in_target", "GET", "/a HTTP/1.1\r\nInjected: 1\r\n\r\nGET /b", {}},
                    Injection{"space_in_target", "GET", "/a b", {}},
                    Injection{"crlf_in_method", "GET / HTTP/1.1\r\n\r\nGET", "/", {}},
                    Injection{"crlf_in_host", "GET", "/", {{"Host", "a\r\nInjected: 1"}}}),
    [](const testing::TestParamInfo<Injection>& p) { return std::string(p.param.name); });

// --- AsyncConnection ---------------------------------------------------------------------------

TEST(HttpAsyncConnection, KeepAliveAndMisuse) {
  RawServer server([](wire::net::Socket& s, int) {
    for (int i = 1;; ++i) {
      if (read_request(s).empty()) return;
      s.send_all(ok("answer " + std::to_string(i)));
    }
  });
  auto session = [&]() -> wire::io::Task<void> {
    auto c = co_await http::AsyncConnection::open("http", "127.0.0.1", server.port(), options());
    EXPECT_EQ(c.peer(), peer_of(server));
    co_await c.send_request(http::Request{"GET", "/1"});
    EXPECT_FALSE(c.reusable());  // a request is out
    const http::Response& r = co_await c.read_response_head();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.headers.get("Content-Length"), "8");
    EXPECT_FALSE(c.reusable());  // its body is not read
    bool refused = false;
    try {
      co_await c.send_request(http::Request{"GET", "/too-soon"});
    } catch (const std::logic_error&) {
      refused = true;
    }
    EXPECT_TRUE(refused);
    EXPECT_EQ(co_await c.read_body_all(100), "answer 1");
    EXPECT_TRUE(c.reusable());
    co_await c.send_request(http::Request{"GET", "/2"});
    co_await c.read_response_head();
    EXPECT_EQ(co_await c.read_body_all(100), "answer 2");
    EXPECT_TRUE(c.reusable());
    c.close();
    EXPECT_FALSE(c.reusable());
  };
  wire::test::io::run_bounded(session(), 30s);
  server.join();
  EXPECT_EQ(server.accepted(), 1);
}

TEST(HttpAsyncConnection, ConnectRefusedNamesThePeer) {
  wire::net::Socket reserved(wire::net::Family::ipv4, wire::net::SocketType::stream);
  reserved.bind(wire::net::Address::ip("127.0.0.1", 0));  // bound, not listening: refused
  auto port = reserved.local_address().port();
  http::Connection c("http", "127.0.0.1", port, options());
  EXPECT_TRUE(is_failure(failure_of([&] { c.request("GET", "/"); }), Kind::system,
                         std::make_error_code(std::errc::connection_refused),
                         {"127.0.0.1:" + std::to_string(port)}));
}

}  // namespace
