// SPDX-License-Identifier: MIT
// The server's reading: request heads within their deadline, bodies at a minimum rate, with
// 100 Continue sent before the first read of a body the client holds back. Every read goes
// through io::next_event, the loop between a stream and a codec.
#include <cstring>

#include "server_connection.hpp"
#include "wire/error.hpp"
#include "wire/http/error.hpp"
#include "wire/io/reader.hpp"

namespace wire::http::detail {

template <typename S>
Event RequestReader<S>::buffered_head_event() {
  auto& p = c_.x->parser;
  auto& in = c_.x->in;
  for (;;) {
    Event ev = p.next();
    if (ev.kind != EventKind::need_more || in.empty()) return ev;
    std::size_t used = p.feed(in.bytes());
    in.consume(used);
    if (used == 0) return ev;  // next_event() tells what taking nothing means
  }
}

// Not a coroutine: the task next_event() gives is the caller's (one frame less per request).
template <typename S>
io::Task<Event> RequestReader<S>::next_head_event(io::Clock::time_point deadline, std::error_code& ec) {
  auto within_deadline = [this, deadline](std::span<std::byte> space, std::error_code& e) {
    // A deadline already past still makes the read try once: what has arrived is read.
    auto left = std::max<io::Clock::duration>(deadline - loop_now(), io::Clock::duration(1));
    c_.sock.set_read_timeout(left);
    return c_.s.read_some(space, e);
  };
  return io::next_event(c_.x->parser, c_.x->in, within_deadline, ec);
}

template <typename S>
void RequestReader<S>::start_body(bool has_body, std::uint64_t limit, bool expect_continue) {
  Exchange& x = *c_.x;
  x.body_read = 0;
  x.pending = {};
  x.body_failed = false;
  x.body_status = 0;
  x.body_done = !has_body;
  x.body_limit = limit;
  x.body_start = loop_now();
  x.expect_continue = expect_continue;
}

template <typename S>
io::Clock::time_point RequestReader<S>::body_deadline() const {
  const auto& l = c_.srv.options.limits;
  if (l.min_body_rate == 0) return loop_now() + l.body_grace;
  auto allowed = std::chrono::duration_cast<io::Clock::duration>(
      std::chrono::duration<double>(static_cast<double>(c_.x->body_read) / static_cast<double>(l.min_body_rate)));
  return c_.x->body_start + l.body_grace + allowed;
}

template <typename S>
void RequestReader<S>::fail_body(int status) noexcept {
  c_.x->body_failed = true;
  c_.x->body_done = true;
  c_.x->body_status = status;
}

template <typename S>
io::Task<Event> RequestReader<S>::next_body_event() {
  Exchange& x = *c_.x;
  auto& p = x.parser;
  auto at_rate = [this](std::span<std::byte> space, std::error_code& e) {
    auto left = std::max<io::Clock::duration>(body_deadline() - loop_now(), io::Clock::duration(1));
    c_.sock.set_read_timeout(left);
    return c_.s.read_some(space, e);
  };
  Event ev{};
  if (x.expect_continue && x.in.empty()) {
    // The client waits for 100 Continue before it sends the body (RFC 9110 §10.1.1): say it
    // before the first read, and only if the body is not here already.
    ev = p.next();
    if (ev.kind == EventKind::need_more) {
      x.expect_continue = false;
      if (!co_await c_.send(std::string_view("HTTP/1.1 100 Continue\r\n\r\n"))) {
        fail_body(0);
        co_return Event{};
      }
    }
  }
  std::error_code ec;
  if (ev.kind == EventKind::need_more) ev = co_await io::next_event(p, x.in, at_rate, ec);
  switch (ev.kind) {
    case EventKind::data:
    case EventKind::end:
      co_return ev;
    case EventKind::upgrade:
      p.continue_after_upgrade();
      co_return Event{EventKind::end, {}};
    case EventKind::error:
      if (p.error() == Errc::truncated_body) c_.ok = false;  // the client closed mid-body
      fail_body(status_for_error(p.error()));
      co_return Event{};
    default:
      break;
  }
  if (ec == std::errc::timed_out) {
    fail_body(408);
  } else if (ec == std::errc::protocol_error) {
    fail_body(400);  // the parser takes no more bytes
  } else {
    c_.ok = false;
    fail_body(0);
  }
  co_return Event{};
}

template <typename S>
io::Task<std::size_t> RequestReader<S>::read_body_some(std::span<std::byte> buffer) {
  Exchange& x = *c_.x;
  if (x.body_done || buffer.empty()) co_return 0;
  while (x.pending.empty()) {
    Event ev = co_await next_body_event();
    if (ev.kind == EventKind::end) {
      x.body_done = true;
      co_return 0;
    }
    if (ev.kind != EventKind::data) throw Error(Errc::bad_message, "the request body could not be read");
    if (x.body_read + ev.data.size() > x.body_limit) {
      fail_body(413);
      throw std::system_error(make_error_code(wire::Errc::limit_exceeded), "the request body is larger than the limit");
    }
    x.body_read += ev.data.size();
    x.pending = ev.data;
  }
  std::size_t n = std::min(buffer.size(), x.pending.size());
  std::memcpy(buffer.data(), x.pending.data(), n);
  x.pending.remove_prefix(n);
  co_return n;
}

template <typename S>
template <typename Take>
io::Task<bool> RequestReader<S>::read_rest(Take take) {
  Exchange& x = *c_.x;
  while (!x.body_done) {
    Event ev = co_await next_body_event();
    if (ev.kind == EventKind::end) {
      x.body_done = true;
      break;
    }
    if (ev.kind != EventKind::data || !take(ev.data)) co_return false;
  }
  co_return true;
}

template <typename S>
io::Task<bool> RequestReader<S>::read_whole_body(std::string& into) {
  return read_rest([this, &into](std::string_view piece) {
    Exchange& x = *c_.x;
    if (x.body_read + piece.size() > x.body_limit) {
      fail_body(413);
      return false;
    }
    x.body_read += piece.size();
    into.append(piece);
    return true;
  });
}

template <typename S>
io::Task<bool> RequestReader<S>::drain(std::uint64_t limit) {
  c_.x->pending = {};
  return read_rest([this, limit, dropped = std::uint64_t{0}](std::string_view piece) mutable {
    dropped += piece.size();
    c_.x->body_read += piece.size();
    return dropped <= limit;
  });
}

template class RequestReader<io::Stream>;
template class RequestReader<tls::AsyncStream>;

}  // namespace wire::http::detail
