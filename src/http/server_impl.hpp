// SPDX-License-Identifier: MIT
// The server's shared state: Server::Impl (options, router, the TcpServer), a worker's share
// (idle queues, spare exchanges, the cached Date line), and what a connection holds while a
// request is under way (an Exchange).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "wire/http/parser.hpp"
#include "wire/http/server.hpp"
#include "wire/io/server_kit.hpp"
#include "wire/io/tcp_server.hpp"
#include "wire/net/input_buffer.hpp"

namespace wire::http::detail {

inline constexpr std::size_t kInputSize = 16 * 1024;
inline constexpr std::size_t kMaxSpares = 256;         // Exchanges a worker keeps for reuse
inline constexpr std::size_t kInlineBody = 16 * 1024;  // bodies up to this go out in the head's send()
// Pipelining: responses to requests read together are held in the exchange's output and
// written together, up to this many responses or bytes per write.
inline constexpr std::size_t kBatchResponses = 16;
inline constexpr std::size_t kBatchBytes = 64 * 1024;
inline constexpr auto kLingerTime = std::chrono::seconds(2);
inline constexpr std::size_t kLingerBytes = 1 << 20;

// What a connection holds only while a request is under way: taken from the worker's spares
// when bytes arrive, given back when the connection goes idle, so 10,000 idle keep-alive
// connections cost 10,000 coroutine frames, not 10,000 buffers.
struct Exchange {
  explicit Exchange(const ParserLimits& limits) : parser(limits), in(kInputSize) {}
  RequestParser parser;
  net::InputBuffer in;
  std::string out;
  std::size_t held = 0;      // responses in `out` not sent yet (a pipelined batch); 0: `out` was sent
  std::string scratch;       // chunk heads
  std::string request_line;  // for the access log
  // The request under way and its body.
  ServerRequest* req = nullptr;
  bool body_done = true;     // its body (if any) was read to the end
  bool body_failed = false;  // reading it failed: the connection cannot go on
  int body_status = 0;       // the status a body failure answers (408, 413, 400)
  bool expect_continue = false;
  std::uint64_t body_read = 0;
  std::uint64_t body_limit = 0;
  io::Clock::time_point body_start;
  std::string_view pending;  // body bytes of the last data event not yet handed out
  // The route parameters' vector, lent to each request in turn: its capacity stays.
  std::vector<std::pair<std::string_view, std::string>> params;
};

// One worker thread's share: touched only on that thread.
struct Worker {
  bool draining = false;
  io::IdleQueue fresh;  // connections waiting for their first request (header_timeout)
  io::IdleQueue kept;   // kept-alive connections waiting for the next one (keep_alive_timeout)
  std::vector<std::unique_ptr<Exchange>> spares;
  std::string log_line;
  // "Date: <IMF-fixdate>\r\n", made once a second.
  std::string_view date_line();

 private:
  std::int64_t date_second_ = -1;
  char date_[37] = {};
};

// The time as the worker's loop read it after its last epoll_wait: the deadlines here count
// in seconds, and reading the clock several times per request showed in profiles.
inline io::Clock::time_point loop_now() noexcept { return io::Loop::current().now(); }

}  // namespace wire::http::detail

namespace wire::http {

struct Server::Impl {
  ServerOptions options;
  Router router;
  ParserLimits parser_limits;
  std::string server_line;  // "Server: wire\r\n", or empty
  std::unique_ptr<io::TcpServer> tcp;
  io::PerWorker<detail::Worker> workers;

  // The handler TcpServer runs for each connection.
  io::Task<void> serve(io::Stream& stream, const net::Address& peer);
  io::Task<void> serve_tls(io::Stream& stream, const net::Address& peer, io::Clock::time_point first_deadline);
  // A connection over the per-client limit: 503, and close.
  io::Task<void> refuse_busy(io::Stream& stream, const net::Address& peer);
  void drain_worker();
  // One Common Log Format line, if there is an access log.
  void log(detail::Worker& w, const net::Address& peer, std::string_view request_line, int status,
           std::uint64_t bytes);
};

}  // namespace wire::http
