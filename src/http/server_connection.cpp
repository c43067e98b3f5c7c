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
    if (x->out.capacity() > 64 * 1024) std::string().swap(x->out);
    x->out.clear();
    w.spares.emplace_back(x);
  } else {
    delete x;
  }
  x = nullptr;
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
    Event ev = co_await reader_.next_head_event(deadline, ec);
    if (ev.kind == EventKind::head) break;
    if (ev.kind == EventKind::upgrade) {
      // The last request asked to switch protocols (Upgrade, CONNECT); it was answered
      // without 101, so HTTP/1.1 goes on.
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
  x.req = &request;
  struct Forget {
    ServerRequest*& r;
    ~Forget() { r = nullptr; }
  } forget{x.req};
  x.request_line.clear();
  if (c_.srv.options.access_log) request_line(head, x.request_line);  // only the log shows it
  const bool keep = p.keep_alive() && head.method != "CONNECT";
  StreamedBody<S> source(*this);  // lives until the answer is sent: a streamed answer may read it
  ServerResponse res;
  if (!co_await handle(request, source, res)) co_return false;
  co_return co_await finish(request, res, keep);
}

template <typename S>
io::Task<bool> Connection<S>::handle(ServerRequest& request, BodySource& source, ServerResponse& res) {
  Exchange& x = *c_.x;
  auto& p = x.parser;
  const Request& head = request.head();
  const BodyFraming framing = p.framing();
  const bool has_body = framing == BodyFraming::chunked ||
                        (framing == BodyFraming::content_length && p.content_length().value_or(0) > 0);
  if (!has_body) p.next();  // the end follows the head at once (an upgrade after it: the next head's)
  bool expect_continue = false;
  if (auto expect = head.headers.get("Expect")) {
    if (!iequals(trim_ows(*expect), "100-continue")) {
      co_await writer_.refuse(417, x.request_line);
      co_return false;
    }
    expect_continue = has_body && head.version.minor >= 1;
  }
  const Router& router = c_.srv.router;
  int status = 0;
  std::string allow;
  const Router::Route* route = nullptr;
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
  } else {
    if (has_body && p.content_length() && *p.content_length() > x.body_limit) {
      co_await writer_.refuse(413, x.request_line);  // said too large up front: refused unread
      co_return false;
    }
    if (has_body && options->stream_body) {
      ServerAccess::set_body(request, has_body, p.content_length(), &source);
    } else if (has_body && !co_await reader_.read_whole_body(request.body)) {
      if (x.body_status) co_await writer_.refuse(x.body_status, x.request_line);
      co_return false;
    }
    try {
      if (ServerAccess::is_sync(*route)) {
        res = ServerAccess::call_sync(*route, request);
      } else {
        res = co_await ServerAccess::call(*route, request);
      }
    } catch (const std::exception& e) {
      // A failed body read surfaces here as the handler's exception: answered below.
      if (!x.body_failed) {
        std::fprintf(stderr, "wire http: the handler for %s %s failed: %s\n", head.method.c_str(),
                     head.target.c_str(), e.what());
      }
      res = ServerResponse::error(500);
    }
    if (x.body_failed) {
      if (x.body_status) co_await writer_.refuse(x.body_status, x.request_line);
      co_return false;
    }
  }
  ServerAccess::run_after(router, request, res);
  co_return true;
}

template <typename S>
io::Task<bool> Connection<S>::finish(ServerRequest& request, ServerResponse& res, bool keep) {
  Exchange& x = *c_.x;
  const auto& limits = c_.srv.options.limits;
  if (!x.body_done) {
    // A body the handler did not read: it must not be parsed as the next request. A client
    // waiting for 100 Continue sends none; a short one is drained after the answer.
    if (x.expect_continue) {
      keep = false;
    } else if (auto length = x.parser.content_length(); length && *length - x.body_read > limits.max_drain) {
      keep = false;
    }
  }
  if (res.close || c_.w.draining) keep = false;
  std::uint64_t body_bytes = 0;
  bool sent = co_await writer_.respond(res, request.method() == "HEAD", keep, request.version(), body_bytes);
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

template class Connection<io::Stream>;
template class Connection<tls::AsyncStream>;

}  // namespace wire::http::detail
