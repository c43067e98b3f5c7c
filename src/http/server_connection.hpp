// SPDX-License-Identifier: MIT
// One server connection, a coroutine over its stream (io::Stream, or tls::AsyncStream: plain
// HTTP pays nothing for TLS), in three parts along the life of a request:
//   RequestReader   reading the head and the body       (server_reader.cpp)
//   ResponseWriter  answering: heads, bodies, files     (server_writer.cpp)
//   Connection      the exchange: head, route, handler, answer; and the wait in between
//                   (server_connection.cpp)
// each a class template instantiated in its own file for the two stream types. What the
// parts share is a Channel: the stream, the socket under it, and the Exchange in use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <span>
#include <string>
#include <optional>
#include <string_view>
#include <system_error>
#include <type_traits>

#include "server_impl.hpp"
#include "wire/http/parser.hpp"
#include "wire/io/stream.hpp"
#include "wire/tls/async_stream.hpp"

namespace wire::http::detail {

template <typename S>
struct Channel {
  static constexpr bool kPlain = std::is_same_v<S, io::Stream>;

  Server::Impl& srv;
  Worker& w;
  S& s;
  io::Stream& sock;  // the socket under `s` (the same stream for plain HTTP)
  const net::Address& peer;
  Exchange* x = nullptr;
  bool ok = true;  // no read or write has failed

  // Takes an Exchange from the worker's spares (or makes one).
  void take();
  // Gives the Exchange back when the parser sits between messages with nothing buffered;
  // otherwise (or when `reusable` is false) it is destroyed.
  void give_back(bool reusable) noexcept;
  // Whether TLS holds bytes the socket no longer shows.
  bool tls_pending() const noexcept;
  // Sends everything; false (and ok = false) on failure.
  io::Task<bool> send(std::span<const std::byte> data);
  io::Task<bool> send(std::string_view text) { return send(std::as_bytes(std::span(text))); }
  // Sends x->out: the response just encoded, with those held before it.
  io::Task<bool> send_out() {
    x->held = 0;
    return send(std::string_view(x->out));
  }
  // Sends x->out and then `body`, in one writev(2) over plain TCP.
  io::Task<bool> send_out_with(std::string_view body);
  // Whether the response that x->out ends with may wait for the next ones (pipelining): the
  // connection stays open, more of the next request is already buffered, and the batch has
  // room. Counts it as held if so.
  bool hold(bool keep) noexcept;
  // After an error answer: close_notify over TLS, then the lingering close.
  io::Task<void> linger();
};

template <typename S>
class RequestReader {
 public:
  explicit RequestReader(Channel<S>& c) noexcept : c_(c) {}

  // The next head event from what is buffered, without reading: need_more when the head is
  // not all there (next_head_event() then reads).
  Event buffered_head_event();
  // The next head event, reading within `deadline`: head, error or upgrade; need_more when
  // reading failed, `ec` saying why (timed_out past the deadline, unexpected_eof).
  io::Task<Event> next_head_event(io::Clock::time_point deadline, std::error_code& ec);
  // Prepares reading the body of the request whose head was just read.
  void start_body(bool has_body, std::uint64_t limit, bool expect_continue);
  // The next body event (data or end), reading as needed. need_more only on failure, which
  // x->body_failed and x->body_status then tell.
  io::Task<Event> next_body_event();
  // Up to buffer.size() bytes of the body; 0 at its end (or after a failure).
  io::Task<std::size_t> read_body_some(std::span<std::byte> buffer);
  // Reads the whole body into `into`. false: x->body_failed says why.
  io::Task<bool> read_whole_body(std::string& into);
  // Reads and drops what is left of the body, up to `limit` bytes. false: it could not (too
  // long, too slow, broken): the connection must close.
  io::Task<bool> drain(std::uint64_t limit);

 private:
  // Reads the rest of the body, giving each piece to `take(std::string_view)`, which returns
  // false to stop there. false: stopped, or the body failed.
  template <typename Take>
  io::Task<bool> read_rest(Take take);
  // The deadline by which more body bytes must have arrived: the grace period, then the
  // minimum rate over the body so far.
  io::Clock::time_point body_deadline() const;
  void fail_body(int status) noexcept;
  Channel<S>& c_;
};

template <typename S>
class ResponseWriter {
 public:
  explicit ResponseWriter(Channel<S>& c) noexcept : c_(c) {}

  // Sends `res` as the answer to the current request. false: the connection closes.
  io::Task<bool> respond(ServerResponse& res, bool head_only, bool keep, Version version, std::uint64_t& body_bytes);
  // Answers an error found before any handler ran, then closes (lingering).
  io::Task<void> refuse(int status, std::string_view request_line);

 private:
  // Encodes the head of `res` into x->out; false if the response is invalid.
  bool encode(const ServerResponse& res, std::optional<std::uint64_t> length, bool chunked, bool keep,
              Version version, std::string_view field_lines = {});
  io::Task<bool> respond_cached(ServerResponse& res, const CachedFile& file, bool no_body, bool keep, Version version,
                                std::uint64_t& body_bytes);
  io::Task<bool> send_stream(ServerResponse& res, bool head_only, bool keep, Version version,
                             std::uint64_t& body_bytes);
  io::Task<bool> send_file(const FileBody& file);
  Channel<S>& c_;
};

template <typename S>
class Connection {
 public:
  Connection(Server::Impl& server, Worker& worker, S& stream, io::Stream& socket, const net::Address& peer) noexcept
      : c_{server, worker, stream, socket, peer}, reader_(c_), writer_(c_) {}
  ~Connection() { c_.give_back(false); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Serves requests on a new connection until it closes. The connection lives in this
  // coroutine's own frame: an idle connection holds that one frame and no buffer. The first
  // head's deadline runs from the accept (`first_deadline`), not from its first byte.
  static io::Task<void> serve(Server::Impl& server, Worker& worker, S& stream, io::Stream& socket,
                              const net::Address& peer, io::Clock::time_point first_deadline);

  // For a streamed request body (ServerRequest::read_body).
  io::Task<std::size_t> read_body_some(std::span<std::byte> buffer) { return reader_.read_body_some(buffer); }

 private:
  // Reads a request head, serves it, answers. false: the connection closes.
  io::Task<bool> exchange(io::Clock::time_point deadline);
  // What needs no waiting: framing, Expect, the route, the before hooks, the body's limits.
  // `route` is the route whose handler is to run (nullptr: `res` is the answer already); a
  // status other than 0 is a refusal to send instead.
  int begin(ServerRequest& request, ServerResponse& res, const Router::Route*& route);
  // Runs a synchronous handler; its exception is a 500.
  void call_sync(const Router::Route& route, ServerRequest& request, ServerResponse& res);
  void handler_failed(const ServerRequest& request, const std::exception& e) const;
  // Reads the body first (unless the route streams it from `source`), then runs the handler.
  // false: the request failed, answered already.
  io::Task<bool> run_route(const Router::Route& route, ServerRequest& request, BodySource& source,
                           ServerResponse& res);

  Channel<S> c_;
  RequestReader<S> reader_;
  ResponseWriter<S> writer_;
};

}  // namespace wire::http::detail
