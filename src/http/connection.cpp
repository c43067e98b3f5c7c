// SPDX-License-Identifier: MIT
#include "wire/http/connection.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "wire/error.hpp"
#include "wire/http/error.hpp"
#include "wire/http/serializer.hpp"
#include "wire/io/loop.hpp"
#include "wire/io/stream.hpp"
#include "wire/io/timeout.hpp"

namespace wire::http {
namespace {

constexpr std::size_t kReadBuffer = 64 * 1024;

// The context https uses unless told otherwise: the system's CAs, verifying,
// ALPN http/1.1; shared, so sessions resume across connections.
const tls::Context& default_https_context() {
  static const tls::Context context = [] {
    auto ctx = tls::Context::client();
    ctx.set_alpn({"http/1.1"});
    return ctx;
  }();
  return context;
}

bool expects_body(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH";
}

}  // namespace

struct AsyncConnection::State {
  explicit State(const ParserLimits& limits) : parser(limits) {}

  tls::AnyStream stream;
  std::string peer;         // "host:port" for messages
  std::string host_header;  // what Host says
  ResponseParser parser;
  std::vector<char> buffer = std::vector<char>(kReadBuffer);
  std::size_t fed = 0;  // [0, fed) given to the parser; [fed, end) not yet
  std::size_t end = 0;
  std::string_view pending;  // body bytes of a data event not yet handed out
  enum class Phase { idle, sent, body, done, broken } phase = Phase::idle;
  bool eof = false;
  bool answered = false;  // a byte of the response to the last request has arrived

  [[noreturn]] void fail_parse() {
    phase = Phase::broken;
    std::error_code ec = parser.error();
    throw Error(ec, "HTTP response from " + peer + ": " + ec.message());
  }
};

AsyncConnection::AsyncConnection(std::unique_ptr<State> state) : s_(std::move(state)) {}
AsyncConnection::AsyncConnection(AsyncConnection&&) noexcept = default;
AsyncConnection& AsyncConnection::operator=(AsyncConnection&&) noexcept = default;
AsyncConnection::~AsyncConnection() = default;

io::Task<AsyncConnection> AsyncConnection::open(std::string scheme, std::string host,
                                                std::uint16_t port, ConnectionOptions options) {
  bool https = scheme == "https";
  if (!https && scheme != "http") {
    throw std::invalid_argument("HTTP connection: scheme must be http or https, not '" + scheme + "'");
  }
  if (port == 0) port = https ? 443 : 80;
  auto state = std::make_unique<State>(options.limits);
  bool literal6 = host.find(':') != std::string::npos;
  std::string authority = literal6 ? "[" + host + "]" : host;
  state->peer = authority + ":" + std::to_string(port);
  state->host_header = (port == (https ? 443 : 80)) ? authority : state->peer;

  auto started = io::Clock::now();
  io::Stream plain = co_await io::connect(host, port, options.connect_timeout);
  plain.set_no_delay(true);
  plain.set_read_timeout(options.io_timeout);
  plain.set_write_timeout(options.io_timeout);
  state->stream = tls::AnyStream(std::move(plain));
  if (https) {
    const tls::Context& ctx = options.tls ? *options.tls : default_https_context();
    auto left = std::max<io::Clock::duration>(options.connect_timeout - (io::Clock::now() - started),
                                              std::chrono::milliseconds(1));
    co_await io::with_timeout(state->stream.start_tls(ctx, host), left);
  }
  co_return AsyncConnection(std::move(state));
}

io::Task<void> AsyncConnection::send_request(Request request, std::span<const std::byte> body) {
  State& s = *s_;
  if (s.phase == State::Phase::sent || s.phase == State::Phase::body) {
    throw std::logic_error("HTTP connection to " + s.peer +
                           ": the previous response has not been read to its end");
  }
  if (s.phase == State::Phase::broken || !s.stream.is_open()) {
    throw std::system_error(std::make_error_code(std::errc::not_connected),
                            "HTTP connection to " + s.peer + " is closed");
  }
  if (!request.headers.contains("Host")) request.headers.add("Host", s.host_header);
  if ((!body.empty() || expects_body(request.method)) && !request.headers.contains("Content-Length") &&
      !request.headers.contains("Transfer-Encoding")) {
    request.headers.add("Content-Length", std::to_string(body.size()));
  }
  std::string out = encode_head(request);  // throws before anything is sent
  s.parser.expect_response_to(request.method);
  s.phase = State::Phase::sent;
  s.answered = false;
  // One write for a head and a small body: one packet instead of two.
  if (body.size() <= 16 * 1024) {
    out.append(reinterpret_cast<const char*>(body.data()), body.size());
    body = {};
  }
  try {
    co_await s.stream.write_all(std::as_bytes(std::span(out)));
    if (!body.empty()) co_await s.stream.write_all(body);
  } catch (const std::system_error& e) {
    s.phase = State::Phase::broken;
    if (e.code() == std::errc::timed_out) {
      throw TimeoutError("HTTP request to " + s.peer + ": the server did not take it in time");
    }
    throw;
  }
}

// Reads more from the connection into the buffer (or notes its end).
io::Task<void> AsyncConnection::fill() {
  State& s = *s_;
  if (s.fed == s.end) s.fed = s.end = 0;  // everything given and handed out: start over
  if (s.end == s.buffer.size()) {        // compact what the parser has not taken
    std::memmove(s.buffer.data(), s.buffer.data() + s.fed, s.end - s.fed);
    s.end -= s.fed;
    s.fed = 0;
  }
  std::error_code ec;
  auto space = std::as_writable_bytes(std::span(s.buffer)).subspan(s.end);
  std::size_t n = co_await s.stream.read_some(space, ec);
  if (ec) {
    s.phase = State::Phase::broken;
    if (ec == std::errc::timed_out) {
      throw TimeoutError("HTTP response from " + s.peer + ": nothing arrived within the timeout");
    }
    throw std::system_error(ec, "HTTP response from " + s.peer);
  }
  if (n == 0) {
    s.eof = true;
  } else {
    s.end += n;
    s.answered = true;
  }
}

namespace {

// The next parser event, reading and feeding as needed. A data event's bytes
// stay valid until the next call.
template <typename Fill>
io::Task<Event> next_event(ResponseParser& parser, std::vector<char>& buffer, std::size_t& fed,
                           std::size_t& end, bool& eof, Fill fill) {
  for (;;) {
    Event ev = parser.next();
    if (ev.kind != EventKind::need_more) co_return ev;
    if (fed < end) {
      fed += parser.feed(std::string_view(buffer.data() + fed, end - fed));
      continue;
    }
    if (eof) {
      parser.feed_eof();
      Event last = parser.next();
      if (last.kind == EventKind::need_more) {  // cannot happen after EOF; be safe
        co_return Event{EventKind::error, {}};
      }
      co_return last;
    }
    co_await fill();
  }
}

}  // namespace

io::Task<std::reference_wrapper<const Response>> AsyncConnection::read_response_head() {
  State& s = *s_;
  if (s.phase != State::Phase::sent) {
    throw std::logic_error("HTTP connection to " + s.peer + ": no request is waiting for its response");
  }
  for (;;) {
    Event ev = co_await next_event(s.parser, s.buffer, s.fed, s.end, s.eof, [this] { return fill(); });
    switch (ev.kind) {
      case EventKind::head: {
        const Response& r = s.parser.response();
        if (r.status >= 100 && r.status < 200 && r.status != 101) continue;  // interim: its end follows
        s.phase = State::Phase::body;
        co_return std::cref(r);
      }
      case EventKind::end:
        continue;  // the end of an interim response
      case EventKind::error:
        // fill() reuses the buffer from its start once everything was fed, so
        // fed and end cannot tell whether anything came: a truncated head is
        // the parser's error (truncated_head), not "closed without answering".
        if (s.eof && !s.answered) {
          s.phase = State::Phase::broken;
          throw std::system_error(make_error_code(wire::Errc::unexpected_eof),
                                  "HTTP response from " + s.peer +
                                      ": the server closed the connection without answering");
        }
        s.fail_parse();
      default:
        s.phase = State::Phase::broken;
        throw Error(Errc::bad_message, "HTTP response from " + s.peer + ": unexpected data before the head");
    }
  }
}

io::Task<std::size_t> AsyncConnection::read_body(std::span<std::byte> buffer) {
  State& s = *s_;
  if (s.phase == State::Phase::done || buffer.empty()) co_return 0;
  if (s.phase != State::Phase::body) {
    throw std::logic_error("HTTP connection to " + s.peer + ": read the response head first");
  }
  for (;;) {
    if (!s.pending.empty()) {
      std::size_t n = std::min(buffer.size(), s.pending.size());
      std::memcpy(buffer.data(), s.pending.data(), n);
      s.pending.remove_prefix(n);
      co_return n;
    }
    Event ev = co_await next_event(s.parser, s.buffer, s.fed, s.end, s.eof, [this] { return fill(); });
    switch (ev.kind) {
      case EventKind::data:
        s.pending = ev.data;
        continue;
      case EventKind::end:
      case EventKind::upgrade:
        s.phase = State::Phase::done;
        co_return 0;
      case EventKind::error:
        s.fail_parse();
      default:
        s.phase = State::Phase::broken;
        throw Error(Errc::bad_message, "HTTP response from " + s.peer + ": unexpected event in the body");
    }
  }
}

io::Task<std::string> AsyncConnection::read_body_all(std::size_t max) {
  std::string out;
  if (auto length = s_->parser.content_length(); length && *length <= max) {
    out.reserve(static_cast<std::size_t>(*length));
  }
  std::vector<std::byte> chunk(kReadBuffer);
  while (std::size_t n = co_await read_body(chunk)) {
    if (out.size() + n > max) {
      s_->phase = State::Phase::broken;
      throw std::system_error(make_error_code(wire::Errc::limit_exceeded),
                              "HTTP response from " + s_->peer + ": body larger than " +
                                  std::to_string(max) + " bytes");
    }
    out.append(reinterpret_cast<const char*>(chunk.data()), n);
  }
  co_return out;
}

bool AsyncConnection::reusable() const noexcept {
  // Bytes already received after the end of the response (a body longer than its
  // Content-Length) answer no request: reading them as the next response would let
  // a server's excess pose as the answer to a request it has not seen yet.
  return s_ && s_->phase == State::Phase::done && s_->parser.keep_alive() && !s_->eof &&
         s_->fed == s_->end && s_->stream.is_open();
}

const std::string& AsyncConnection::peer() const noexcept { return s_->peer; }
tls::AnyStream& AsyncConnection::stream() noexcept { return s_->stream; }
void AsyncConnection::close() noexcept {
  if (s_) s_->stream.close();
}

// --- Connection: the blocking form

struct Connection::Impl {
  std::string scheme;
  std::string host;
  std::uint16_t port;
  ConnectionOptions options;
  io::Loop loop;  // the connection's streams live on it between calls
  std::optional<AsyncConnection> connection;
  ClientResponse response;

  template <typename T>
  T run(io::Task<T> task) {
    return loop.run(std::move(task));
  }
};

Connection::Connection(std::string scheme, std::string host, std::uint16_t port,
                       ConnectionOptions options)
    : impl_(std::make_unique<Impl>()) {
  if (scheme != "http" && scheme != "https") {
    throw std::invalid_argument("HTTP connection: scheme must be http or https, not '" + scheme + "'");
  }
  impl_->scheme = std::move(scheme);
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->options = std::move(options);
}

Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    close();
    impl_ = std::move(other.impl_);
  }
  return *this;
}
Connection::~Connection() { close(); }

void Connection::request(std::string_view method, std::string_view target, std::string_view body,
                         const Headers& headers) {
  Impl& d = *impl_;
  Request request{std::string(method), std::string(target), headers};
  // A fresh connection unless the last one can carry another request.
  if (d.connection && !d.connection->reusable()) d.connection.reset();
  if (!d.connection) {
    d.connection.emplace(d.run(AsyncConnection::open(d.scheme, d.host, d.port, d.options)));
  }
  d.run(d.connection->send_request(std::move(request), body));
}

ClientResponse& Connection::getresponse() {
  Impl& d = *impl_;
  if (!d.connection) throw std::logic_error("HTTP connection: getresponse() before request()");
  const Response& head = d.run(d.connection->read_response_head());
  d.response.connection_ = &d;
  d.response.head_ = &head;
  return d.response;
}

void Connection::close() noexcept {
  if (impl_ && impl_->connection) {
    impl_->connection->close();
    impl_->connection.reset();
  }
}

std::string ClientResponse::read(std::size_t max) {
  return connection_->run(connection_->connection->read_body_all(max));
}

std::size_t ClientResponse::read(std::span<std::byte> buffer) {
  return connection_->run(connection_->connection->read_body(buffer));
}

}  // namespace wire::http
