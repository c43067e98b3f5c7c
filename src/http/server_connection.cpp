// SPDX-License-Identifier: MIT
// A server connection's life: wait for a request without holding a buffer, read its head,
// route it, run the handler (its body read first unless the route streams it), answer, and
// wait again. On the hot path (a keep-alive GET answered by a synchronous handler) a request
// costs one recv() and one send(): the read hint of wire::io skips the recv() that would only
// say EAGAIN, and the wait for the next request costs no system call of its own.
#include <cstdio>

#include "server_access.hpp"
#include "server_connection.hpp"
#include "wire/http/error.hpp"
#include "wire/http/url.hpp"

namespace wire::http::detail {

// --- Channel -------------------------------------------------------------------------------

template <typename S>
void Channel<S>::take() {
  if (x) return;
  if (!w.spares.empty()) {
    x = w.spares.back().release();
    w.spares.pop_back();
  } else {
    x = new Exchange(srv.parser_limits);
  }
}

template <typename S>
void Channel<S>::give_back(bool reusable) noexcept {
  if (!x) return;
  if (reusable && x->in.empty() && !x->parser.error() && w.spares.size() < kMaxSpares) {
    if (x->out.capacity() > 2 * kBatchBytes) std::string().swap(x->out);
    x->out.clear();
    x->held = 0;
    w.spares.emplace_back(x);
  } else {
    delete x;
  }
  x = nullptr;
}

template <typename S>
bool Channel<S>::hold(bool keep) noexcept {
  if (!keep || !x->body_done || x->in.empty() || x->held + 1 >= kBatchResponses || x->out.size() >= kBatchBytes) {
    return false;
  }
  ++x->held;
  return true;
}

template <typename S>
bool Channel<S>::tls_pending() const noexcept {
  if constexpr (kPlain) {
    return false;
  } else {
    return s.engine().input_buffered() > 0 || s.engine().plaintext_buffered() > 0;
  }
}

template <typename S>
io::Task<bool> Channel<S>::send(std::span<const std::byte> data) {
  std::error_code ec;
  co_await s.write_all(data, ec);
  if (ec) ok = false;
  co_return ok;
}

template <typename S>
io::Task<bool> Channel<S>::send_out_with(std::string_view body) {
  x->held = 0;
  if constexpr (kPlain) {
    iovec parts[2] = {{x->out.data(), x->out.size()}, {const_cast<char*>(body.data()), body.size()}};
    std::error_code ec;
    co_await s.write_all(std::span<const iovec>(parts), ec);
    if (ec) ok = false;
    co_return ok;
  } else {
    if (!co_await send(std::string_view(x->out))) co_return false;
    co_return co_await send(body);
  }
}

// Over TLS, the same after close_notify: what the client still sends is read from the socket
// beneath as it is (records) and dropped.
template <typename S>
io::Task<void> Channel<S>::linger() {
  if constexpr (!kPlain) {
    try {
      co_await s.shutdown();  // close_notify, flushed
    } catch (const std::exception&) {
      co_return;
    }
  }
  co_await io::linger_close(sock, kLingerTime, kLingerBytes);
}

template struct Channel<io::Stream>;
template struct Channel<tls::AsyncStream>;

namespace {

// The request under way, for the exchange: x.req points at it, and the exchange's vector of
// route parameters is lent to it (its capacity kept from request to request: no allocation).
struct RequestInUse {
  RequestInUse(Exchange& exchange, ServerRequest& request) noexcept : x(exchange) {
    x.req = &request;
    ServerAccess::params(request).swap(x.params);
  }
  ~RequestInUse() {
    x.params.swap(ServerAccess::params(*x.req));
    x.params.clear();
    x.req = nullptr;
  }
  RequestInUse(const RequestInUse&) = delete;
  RequestInUse& operator=(const RequestInUse&) = delete;
  Exchange& x;
};

}  // namespace

// --- Connection ----------------------------------------------------------------------------

namespace {

// A streamed request body, read on demand by the handler.
template <typename S>
class StreamedBody final : public BodySource {
 public:
  explicit StreamedBody(Connection<S>& c) : c_(c) {}
  io::Task<std::size_t> read(std::span<std::byte> buffer) override { return c_.read_body_some(buffer); }

 private:
  Connection<S>& c_;
};

// The request-line as the access log shows it.
void request_line(const Request& head, std::string& out) {
  out.clear();
  out += head.method;
  out += ' ';
  out += head.target;
  out += head.version.minor == 0 ? " HTTP/1.0" : " HTTP/1.1";
}

}  // namespace

template <typename S>
io::Task<void> Connection<S>::serve(Server::Impl& server, Worker& w, S& stream, io::Stream& socket,
                                    const net::Address& peer, io::Clock::time_point first_deadline) {
  Connection self(server, w, stream, socket, peer);
  Channel<S>& c = self.c_;
  io::IdleLink idle;
  idle.stream = &socket;
  auto deadline = first_deadline;
  bool first = true;  // the first head's deadline runs from the accept, not from its first byte
  for (;;) {
    if ((!c.x || c.x->in.empty()) && !c.tls_pending()) {
      // Idle: wait for the next request without holding any buffer (TLS's included).
      c.give_back(true);
      if constexpr (!Channel<S>::kPlain) stream.release_buffers();
      if (w.draining || loop_now() >= deadline) co_return;
      // The queue closes the socket at the deadline: the wait needs no timer of its own.
      socket.set_read_timeout(std::nullopt);
      (first ? w.fresh : w.kept).push(idle, deadline);
      std::error_code ec;
      co_await socket.wait_readable(ec);
      idle.unlink();
      if (ec || w.draining || !socket.is_open()) co_return;  // idle too long, or draining
      if (!first) deadline = loop_now() + server.options.limits.header_timeout;
    }
    first = false;
    c.take();
    if (!co_await self.exchange(deadline)) break;
    const auto& limits = server.options.limits;
    deadline = loop_now() + (c.x->in.empty() ? limits.keep_alive_timeout : limits.header_timeout);
  }
}

template <typename S>
io::Task<bool> Connection<S>::exchange(io::Clock::time_point deadline) {
  Exchange& x = *c_.x;
  auto& p = x.parser;
  // --- the head
  for (;;) {
    std::error_code ec;
    // A held batch waits while the next head is parsed from the buffer, and goes before any read.
    Event ev = x.held ? reader_.buffered_head_event() : Event{};
    if (ev.kind == EventKind::need_more) {
      if (x.held && !co_await c_.send_out()) co_return false;
      ev = co_await reader_.next_head_event(deadline, ec);
    }
    if (ev.kind == EventKind::head) break;
    if (ev.kind == EventKind::upgrade) {
      // The last request asked for Upgrade or CONNECT, answered without 101: HTTP/1.1 goes on.
      p.continue_after_upgrade();
      continue;
    }
    if (ev.kind == EventKind::error && p.error() != Errc::truncated_head) {
      co_await writer_.refuse(status_for_error(p.error()), "-");
    } else if (ec == std::errc::timed_out && p.started()) {
      co_await writer_.refuse(408, "-");  // a head too slow: slowloris
    }
    co_return false;  // closed, reset, cut short or idle: nothing to answer
  }
  const Request& head = p.request();
  ServerRequest request = ServerAccess::request(head, c_.peer, !Channel<S>::kPlain);
  RequestInUse in_use(x, request);
  x.request_line.clear();
  if (c_.srv.options.access_log) request_line(head, x.request_line);  // only the log shows it
  bool keep = p.keep_alive() && head.method != "CONNECT";

  // --- routing, the body, the handler
  StreamedBody<S> source(*this);  // lives until the answer is sent: a streamed answer may read it
  ServerResponse res;
  const Router::Route* route = nullptr;
  if (int refusal = begin(request, res, route)) {
    co_await writer_.refuse(refusal, x.request_line);
    co_return false;
  }
  if (route) {
    // A synchronous handler with no body to read runs here, without a coroutine of its own.
    if (ServerAccess::is_sync(*route) && x.body_done) {
      call_sync(*route, request, res);
    } else {
      // A body to read or a handler that may wait: what is held goes out first.
      if (x.held && !co_await c_.send_out()) co_return false;
      if (!co_await run_route(*route, request, source, res)) co_return false;
    }
  }
  ServerAccess::run_after(c_.srv.router, request, res);

  // --- the answer
  const auto& limits = c_.srv.options.limits;
  if (!x.body_done) {
    // A body the handler did not read: it must not be parsed as the next request. A client
    // waiting for 100 Continue sends none; a short one is drained after the answer.
    if (x.expect_continue) {
      keep = false;
    } else if (auto length = p.content_length(); length && *length - x.body_read > limits.max_drain) {
      keep = false;
    }
  }
  if (res.close || c_.w.draining) keep = false;
  std::uint64_t body_bytes = 0;
  bool sent = co_await writer_.respond(res, head.method == "HEAD", keep, head.version, body_bytes);
  c_.srv.log(c_.w, c_.peer, x.request_line, res.status, body_bytes);
  if (!sent || !c_.ok) co_return false;
  if (!keep || (!x.body_done && !co_await reader_.drain(limits.max_drain))) {
    // Closing on a body the client may still be sending: linger, as refuse() does, so that
    // the close is not a reset that can destroy the answer before the client has read it.
    if (!x.body_done && c_.ok) co_await c_.linger();
    co_return false;
  }
  co_return !c_.w.draining;
}

template <typename S>
int Connection<S>::begin(ServerRequest& request, ServerResponse& res, const Router::Route*& route) {
  Exchange& x = *c_.x;
  auto& p = x.parser;
  const Request& head = request.head();
  const BodyFraming framing = p.framing();
  const bool has_body = framing == BodyFraming::chunked ||
                        (framing == BodyFraming::content_length && p.content_length().value_or(0) > 0);
  if (!has_body) p.next();  // the end follows the head at once (an upgrade after it: the next head's)
  bool expect_continue = false;
  if (auto expect = head.headers.get("Expect")) {
    if (!iequals(trim_ows(*expect), "100-continue")) return 417;
    expect_continue = has_body && head.version.minor >= 1;
  }
  const Router& router = c_.srv.router;
  int status = 0;
  std::string allow;
  try {
    route = ServerAccess::match(router, request, status, allow);
  } catch (const UrlError&) {
    status = 400;  // a malformed %-escape in the path
  }
  const RouteOptions* options = route ? &ServerAccess::options(*route) : nullptr;
  reader_.start_body(has_body, options && options->max_body ? *options->max_body : c_.srv.options.limits.max_body,
                     expect_continue);
  ServerAccess::set_body(request, has_body, p.content_length(), nullptr);
  if (!route) {
    res = status == 204 ? ServerResponse(204) : ServerResponse::error(status);
    if (!allow.empty()) res.headers.add("Allow", allow);
  } else if (auto early = ServerAccess::run_before(router, request)) {
    res = std::move(*early);
    route = nullptr;  // answered: no handler runs
  } else if (has_body && p.content_length() && *p.content_length() > x.body_limit) {
    return 413;  // said too large up front: refused unread
  }
  return 0;
}

template <typename S>
void Connection<S>::call_sync(const Router::Route& route, ServerRequest& request, ServerResponse& res) {
  try {
    res = ServerAccess::call_sync(route, request);
  } catch (const std::exception& e) {
    handler_failed(request, e);
    res = ServerResponse::error(500);
  }
}

template <typename S>
void Connection<S>::handler_failed(const ServerRequest& request, const std::exception& e) const {
  // A failed body read surfaces as the handler's exception: answered by the caller.
  if (c_.x->body_failed) return;
  std::fprintf(stderr, "wire http: the handler for %s %s failed: %s\n", request.method().c_str(),
               request.target().c_str(), e.what());
}

template <typename S>
io::Task<bool> Connection<S>::run_route(const Router::Route& route, ServerRequest& request, BodySource& source,
                                        ServerResponse& res) {
  Exchange& x = *c_.x;
  if (!x.body_done && ServerAccess::options(route).stream_body) {
    ServerAccess::set_body(request, true, x.parser.content_length(), &source);
  } else if (!x.body_done && !co_await reader_.read_whole_body(request.body)) {
    if (x.body_status) co_await writer_.refuse(x.body_status, x.request_line);
    co_return false;
  }
  if (ServerAccess::is_sync(route)) {
    call_sync(route, request, res);
  } else {
    try {
      res = co_await ServerAccess::call(route, request);
    } catch (const std::exception& e) {
      handler_failed(request, e);
      res = ServerResponse::error(500);
    }
  }
  if (x.body_failed) {
    if (x.body_status) co_await writer_.refuse(x.body_status, x.request_line);
    co_return false;
  }
  co_return true;
}

template class Connection<io::Stream>;
template class Connection<tls::AsyncStream>;

}  // namespace wire::http::detail
