// SPDX-License-Identifier: MIT
// Boost.Beast peer of bench/http_server.sh: a single-threaded asynchronous HTTP
// server, one io_context on the main thread (concurrency hint 1), shaped like
// Beast's http_server_async example but written with Asio's C++20 coroutines
// (as bench/peers/asio_echo.cpp): one coroutine per connection reads a request
// into a flat_buffer kept for the connection's life, answers, and loops while
// the request allows keep-alive.
//   GET /    200 "Hello, World!" (Content-Type: text/plain), a string_body
//   GET /1m  ROOT/1m as a file_body, opened for each request as the example does
//            (Beast reads it in 4 KiB pieces, basic_file_body's buffer, and writes each)
//
//   beast_server PORT ROOT
//
// A beast::tcp_stream with a 300 s expiry per read, as the example has (30 s
// there; 300 s like every server here, so that idle keep-alive connections
// stay). TCP_NODELAY on each accepted socket (tcp::no_delay). Prints nothing;
// stops on SIGTERM (the default action).
// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;

namespace {

std::string g_file;  // ROOT/1m

template <class Body>
http::response<Body> not_found(unsigned version, bool keep_alive) {
  http::response<Body> res{http::status::not_found, version};
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

awaitable<void> session(beast::tcp_stream stream) {
  beast::flat_buffer buffer;
  try {
    for (;;) {
      http::request<http::string_body> req;
      stream.expires_after(std::chrono::seconds(300));
      co_await http::async_read(stream, buffer, req, use_awaitable);
      const bool keep_alive = req.keep_alive();
      const unsigned version = req.version();
      const bool get = req.method() == http::verb::get;
      if (get && req.target() == "/") {
        http::response<http::string_body> res{http::status::ok, version};
        res.set(http::field::content_type, "text/plain");
        res.body() = "Hello, World!";
        res.keep_alive(keep_alive);
        res.prepare_payload();
        co_await http::async_write(stream, res, use_awaitable);
      } else if (get && req.target() == "/1m") {
        http::file_body::value_type body;
        beast::error_code ec;
        body.open(g_file.c_str(), beast::file_mode::scan, ec);
        if (ec) {
          auto res = not_found<http::empty_body>(version, keep_alive);
          co_await http::async_write(stream, res, use_awaitable);
        } else {
          const auto size = body.size();
          http::response<http::file_body> res{std::piecewise_construct, std::make_tuple(std::move(body)),
                                              std::make_tuple(http::status::ok, version)};
          res.set(http::field::content_type, "application/octet-stream");
          res.content_length(size);
          res.keep_alive(keep_alive);
          co_await http::async_write(stream, res, use_awaitable);
        }
      } else {
        auto res = not_found<http::empty_body>(version, keep_alive);
        co_await http::async_write(stream, res, use_awaitable);
      }
      if (!keep_alive) break;
    }
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  } catch (const std::exception&) {
    // The client closed (end_of_stream), reset, or timed out: the connection is done.
  }
}

awaitable<void> listener(tcp::acceptor acceptor) {
  for (;;) {
    tcp::socket socket = co_await acceptor.async_accept(use_awaitable);
    socket.set_option(tcp::no_delay(true));
    co_spawn(acceptor.get_executor(), session(beast::tcp_stream(std::move(socket))), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: beast_server PORT ROOT\n");
    return 2;
  }
  const int port = std::atoi(argv[1]);
  g_file = std::string(argv[2]) + "/1m";
  try {
    asio::io_context io(1);
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                                             static_cast<unsigned short>(port)));
    co_spawn(io, listener(std::move(acceptor)), asio::detached);
    io.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "beast_server: %s\n", e.what());
    return 1;
  }
  return 0;
}
