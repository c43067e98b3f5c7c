// SPDX-License-Identifier: MIT
#include "wire/http/connection.hpp"

#include <algorithm>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <utility>
#include <vector>

#include "basic_auth.hpp"
#include "wire/error.hpp"
#include "wire/http/error.hpp"
#include "wire/http/serializer.hpp"
#include "wire/http/url.hpp"
#include "wire/io/loop.hpp"
#include "wire/io/reader.hpp"
#include "wire/io/stream.hpp"
#include "wire/io/timeout.hpp"

namespace wire::http {
namespace {

constexpr std::size_t kReadBuffer = 64 * 1024;
// A body read at least this large goes straight into the caller's buffer (read_body()), up
// to kMaxDirectRead a read: large reads empty the socket in fewer recv() calls (a 1 GiB
// download through 256 KiB reads, bench/http_get.sh), and bytes a server sends past its
// Content-Length, kept in the input buffer, can grow it to no more than that.
constexpr std::size_t kDirectRead = 16 * 1024;
constexpr std::size_t kMaxDirectRead = 256 * 1024;

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
  net::InputBuffer in{kReadBuffer};  // received, not yet given to the parser
  std::string_view pending;          // body bytes of a data event not yet handed out
  enum class Phase { idle, sent, body, done, broken } phase = Phase::idle;
  std::string absolute_prefix;      // through a plain proxy: "http://host[:port]" before each target
  std::string proxy_authorization;  // through a plain proxy with credentials
  std::function<void(TraceEvent, std::string_view)> trace;  // ConnectionOptions::trace
  bool upgrade_asked = false;  // the request waiting for its answer has an Upgrade field

  [[noreturn]] void fail_read(std::error_code ec) {
    phase = Phase::broken;
    if (ec == std::errc::timed_out) {
      throw TimeoutError("HTTP response from " + peer + ": nothing arrived within the timeout");
    }
    throw std::system_error(ec, "HTTP response from " + peer);
  }

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

namespace {

// Basic credentials from a proxy URL's userinfo.
std::string proxy_credentials(const Url& proxy) {
  return detail::basic_credentials(percent_decode(proxy.username()),
                                   percent_decode(proxy.password().value_or("")));
}

// Asks an HTTP proxy for a tunnel to `target` ("host:port", RFC 9110 9.3.6) and
// reads its answer without reading past it: what follows is the origin's TLS.
io::Task<void> tunnel(io::Stream& stream, const Url& proxy, const std::string& target) {
  Request connect{"CONNECT", target};
  connect.headers.add("Host", target);
  if (proxy.has_userinfo()) connect.headers.add("Proxy-Authorization", proxy_credentials(proxy));
  std::string head = encode_head(connect);
  co_await stream.write_all(std::as_bytes(std::span(head)));
  std::string answer = co_await stream.read_until("\r\n\r\n", 64 * 1024);
  ResponseParser parser;
  parser.expect_response_to("CONNECT");
  parser.feed(answer);
  Event ev = parser.next();
  if (ev.kind != EventKind::head) {
    throw Error(parser.error() ? parser.error() : make_error_code(Errc::bad_message),
                "HTTP proxy " + proxy.authority() + ": a malformed answer to CONNECT " + target);
  }
  int status = parser.response().status;
  if (status < 200 || status >= 300) {
    throw Error(Errc::proxy_refused, "HTTP proxy " + proxy.authority() + " refused CONNECT " + target + ": " +
                                       std::to_string(status) + " " + parser.response().reason);
  }
}

// Where to connect for host:port: an address ConnectionOptions::resolve names, or the host.
std::string connect_host(const ConnectionOptions& options, const std::string& host, std::uint16_t port) {
  auto it = options.resolve.find(host + ":" + std::to_string(port));
  if (it == options.resolve.end()) return host;
  std::string address = it->second;
  if (address.size() > 2 && address.front() == '[' && address.back() == ']') address = address.substr(1, address.size() - 2);
  return address;
}

// The handshake's facts, for ConnectionOptions::trace.
void trace_tls(const ConnectionOptions& options, tls::AnyStream& stream, const tls::Context& ctx) {
  const tls::Engine& engine = stream.tls().engine();
  options.trace(TraceEvent::tls, engine.version() + ", " + engine.cipher());
  std::string alpn = engine.alpn();
  options.trace(TraceEvent::tls, "ALPN: " + (alpn.empty() ? std::string("none agreed") : alpn));
  options.trace(TraceEvent::tls, "server certificate: " + engine.peer_subject());
  options.trace(TraceEvent::tls, ctx.insecure() ? "server certificate NOT verified (insecure)"
                                                : "server certificate verified, and its name");
}

}  // namespace

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
  std::optional<Url> proxy;
  if (!options.proxy.empty()) {
    proxy = Url::parse_http(options.proxy);
    if (proxy->scheme() != "http") {
      throw std::invalid_argument("HTTP proxy " + options.proxy + ": only http:// proxies are supported");
    }
  }
  // Computed before the co_await: GCC 12 destroys a temporary made in a co_await's operand twice.
  std::string address = proxy ? connect_host(options, proxy->host(), proxy->port()) : connect_host(options, host, port);
  std::uint16_t address_port = proxy ? proxy->port() : port;
  io::Stream plain = co_await io::connect(address, address_port, options.connect_timeout);
  if (options.trace) options.trace(TraceEvent::connected, plain.peer_address().to_string());
  state->trace = options.trace;
  plain.set_no_delay(true);
  plain.set_read_timeout(options.io_timeout);
  plain.set_write_timeout(options.io_timeout);
  if (proxy && https) {
    co_await tunnel(plain, *proxy, state->peer);  // CONNECT: TLS then goes end to end
  } else if (proxy) {
    state->absolute_prefix = "http://" + state->host_header;  // requests name the whole URL
    if (proxy->has_userinfo()) state->proxy_authorization = proxy_credentials(*proxy);
  }
  state->stream = tls::AnyStream(std::move(plain));
  if (https) {
    const tls::Context& ctx = options.tls ? *options.tls : default_https_context();
    auto left = std::max<io::Clock::duration>(options.connect_timeout - (io::Clock::now() - started),
                                              std::chrono::milliseconds(1));
    co_await io::with_timeout(state->stream.start_tls(ctx, host), left);
    if (options.trace) trace_tls(options, state->stream, ctx);
  }
  co_return AsyncConnection(std::move(state));
}

// The checks and defaults every request gets; the head to send. Nothing is
// sent if it throws.
std::string AsyncConnection::prepare(Request& request, std::optional<std::uint64_t> body_length,
                                     bool chunked) {
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
  if (!s.absolute_prefix.empty() && request.target.starts_with("/")) {
    request.target = s.absolute_prefix + request.target;  // absolute-form, for the proxy (RFC 9112 3.2.2)
    if (!s.proxy_authorization.empty() && !request.headers.contains("Proxy-Authorization")) {
      request.headers.add("Proxy-Authorization", s.proxy_authorization);
    }
  }
  bool framed = request.headers.contains("Content-Length") || request.headers.contains("Transfer-Encoding");
  if (chunked) {
    if (request.headers.contains("Content-Length")) {
      throw std::invalid_argument("HTTP request to " + s.peer +
                                  ": a body of unknown length cannot have a Content-Length");
    }
    if (!request.headers.contains("Transfer-Encoding")) request.headers.add("Transfer-Encoding", "chunked");
  } else if (!framed && ((body_length && *body_length > 0) || expects_body(request.method))) {
    request.headers.add("Content-Length", std::to_string(body_length.value_or(0)));
  }
  std::string out = encode_head(request);  // throws before anything is sent
  if (s.trace) s.trace(TraceEvent::request_head, out);
  s.parser.expect_response_to(request.method);
  s.upgrade_asked = request.headers.contains("Upgrade");
  s.phase = State::Phase::sent;
  return out;
}

io::Task<void> AsyncConnection::write_or_break(std::span<const std::byte> data) {
  State& s = *s_;
  try {
    co_await s.stream.write_all(data);
  } catch (const std::system_error& e) {
    s.phase = State::Phase::broken;
    if (e.code() == std::errc::timed_out) {
      throw TimeoutError("HTTP request to " + s.peer + ": the server did not take it in time");
    }
    throw;
  }
}

io::Task<void> AsyncConnection::send_request(Request request, std::span<const std::byte> body) {
  std::string out = prepare(request, body.size(), false);
  // One write for a head and a small body: one packet instead of two.
  if (body.size() <= 16 * 1024) {
    out.append(reinterpret_cast<const char*>(body.data()), body.size());
    body = {};
  }
  co_await write_or_break(std::as_bytes(std::span(out)));
  if (!body.empty()) co_await write_or_break(body);
}

io::Task<void> AsyncConnection::send_request(Request request, BodySource source,
                                             std::optional<std::uint64_t> length) {
  std::string head = prepare(request, length, !length.has_value());
  co_await write_or_break(std::as_bytes(std::span(head)));
  std::vector<std::byte> buffer(kReadBuffer);
  std::uint64_t sent = 0;
  std::string frame;
  for (;;) {
    std::size_t n = source(buffer);
    if (n == 0) break;
    sent += n;
    if (length && sent > *length) {
      s_->phase = State::Phase::broken;
      throw std::logic_error("HTTP request to " + s_->peer + ": the body source gave more than its " +
                             std::to_string(*length) + " bytes");
    }
    if (!length) {
      frame.clear();
      encode_chunk_header(n, frame);
      co_await write_or_break(std::as_bytes(std::span(frame)));
    }
    co_await write_or_break(std::span(buffer).first(n));
    if (!length) co_await write_or_break(std::as_bytes(std::span(std::string_view("\r\n"))));
  }
  if (length && sent != *length) {
    s_->phase = State::Phase::broken;
    throw std::logic_error("HTTP request to " + s_->peer + ": the body source ended after " +
                           std::to_string(sent) + " of its " + std::to_string(*length) + " bytes");
  }
  if (!length) {
    frame.clear();
    encode_last_chunk(frame);
    co_await write_or_break(std::as_bytes(std::span(frame)));
  }
}

io::Task<std::reference_wrapper<const Response>> AsyncConnection::read_response_head() {
  State& s = *s_;
  if (s.phase != State::Phase::sent) {
    throw std::logic_error("HTTP connection to " + s.peer + ": no request is waiting for its response");
  }
  for (;;) {
    std::error_code ec;
    Event ev = co_await io::next_event(s.parser, s.in, s.stream, ec);
    if (ec == wire::Errc::unexpected_eof) {
      // The server closed between messages: nothing of an answer came (a cut-off answer is
      // the parser's error, truncated_head).
      s.phase = State::Phase::broken;
      throw std::system_error(make_error_code(wire::Errc::unexpected_eof),
                              "HTTP response from " + s.peer + ": the server closed the connection without answering");
    }
    if (ec) s.fail_read(ec);
    switch (ev.kind) {
      case EventKind::head: {
        const Response& r = s.parser.response();
        if (r.status >= 100 && r.status < 200 && r.status != 101) continue;  // interim: its end follows
        if (r.status == 101 && !s.upgrade_asked) {
          // RFC 9110 §15.2.2: a server switches protocols only when the request asked it to;
          // what follows is not an answer to this request.
          s.phase = State::Phase::broken;
          throw Error(Errc::bad_message, "HTTP response from " + s.peer +
                                             ": 101 Switching Protocols to a request that asked for no upgrade");
        }
        s.phase = State::Phase::body;
        co_return std::cref(r);
      }
      case EventKind::end:
        continue;  // the end of an interim response
      case EventKind::error:
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
    Event ev = s.parser.next();
    if (ev.kind == EventKind::need_more && s.in.empty() && buffer.size() >= kDirectRead &&
        s.parser.framing() == BodyFraming::content_length) {
      // A large read of a length-delimited body with nothing buffered: read straight
      // into the caller's buffer and parse it there, where every byte up to the
      // body's end is body, instead of reading into ours and copying each byte over.
      auto into = buffer.first(std::min(buffer.size(), kMaxDirectRead));
      std::error_code ec;
      std::size_t n = co_await s.stream.read_some(into, ec);
      if (ec) s.fail_read(ec);
      if (n == 0) {
        s.parser.feed_eof();  // the body is cut short: the parser's error, below
      } else {
        std::size_t used = s.parser.feed(std::span<const std::byte>(into.first(n)));
        // Bytes past the body's end (a server sending more than its Content-Length)
        // go into the buffer: reusable() sees them there.
        s.in.append(into.subspan(used, n - used));
        std::size_t got = 0;
        for (Event e = s.parser.next(); e.kind != EventKind::need_more; e = s.parser.next()) {
          if (e.kind == EventKind::data) {  // views `into`, at or after `got`
            std::memmove(buffer.data() + got, e.data.data(), e.data.size());
            got += e.data.size();
          } else if (e.kind == EventKind::end) {
            s.phase = State::Phase::done;  // the next read returns 0
          } else if (e.kind == EventKind::error) {
            s.fail_parse();
          } else {
            s.phase = State::Phase::broken;
            throw Error(Errc::bad_message, "HTTP response from " + s.peer + ": unexpected event in the body");
          }
        }
        if (got > 0 || s.phase == State::Phase::done) co_return got;
        continue;
      }
    }
    if (ev.kind == EventKind::need_more) {
      std::error_code ec;
      ev = co_await io::next_event(s.parser, s.in, s.stream, ec);
      if (ec == wire::Errc::unexpected_eof) s.fail_parse();  // cannot be: the parser ends or fails a body at EOF
      if (ec) s.fail_read(ec);
    }
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
  State& s = *s_;
  std::string out;
  if (auto length = s.parser.content_length(); length && *length <= max) {
    out.reserve(static_cast<std::size_t>(*length));
  }
  auto take = [&](std::string_view piece) {
    if (out.size() + piece.size() > max) {
      s.phase = State::Phase::broken;
      throw std::system_error(make_error_code(wire::Errc::limit_exceeded),
                              "HTTP response from " + s.peer + ": body larger than " +
                                  std::to_string(max) + " bytes");
    }
    out.append(piece);
  };
  // read_body() for one byte reads and parses up to the next piece of the body
  // (or its end); the rest of that piece is appended straight from the read
  // buffer, with no bounce buffer between.
  for (;;) {
    std::byte first;
    if (co_await read_body(std::span(&first, 1)) == 0) break;
    take(std::string_view(reinterpret_cast<const char*>(&first), 1));
    take(std::exchange(s.pending, {}));
  }
  co_return out;
}

bool AsyncConnection::reusable() const noexcept {
  // Bytes already received after the end of the response (a body longer than its
  // Content-Length) answer no request: reading them as the next response would let
  // a server's excess pose as the answer to a request it has not seen yet.
  return s_ && s_->phase == State::Phase::done && s_->parser.keep_alive() && s_->in.empty() &&
         s_->stream.is_open();
}

const Response& AsyncConnection::response() const noexcept { return s_->parser.response(); }
std::optional<std::uint64_t> AsyncConnection::content_length() const noexcept { return s_->parser.content_length(); }
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

  // One step on the connection's loop: Loop::run(task) starts it here and
  // enters the loop only if it has to wait, so a step that finishes at once
  // (most of a keep-alive exchange) costs no epoll_wait and no wake-up.
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
