// SPDX-License-Identifier: MIT
// wire::http::Server: connections on io::TcpServer's workers, one coroutine each (see
// server_connection.hpp), with the server kit of wire::io: idle queues per worker, the
// per-address connection limit, the lingering close, and the TLS accept with a deadline.
#include "wire/http/server.hpp"

#include <charconv>
#include <cstring>
#include <ctime>
#include <mutex>

#include "server_connection.hpp"
#include "wire/http/serializer.hpp"
#include "wire/text/date.hpp"
#include "wire/tls/async_stream.hpp"

namespace wire::http {

using detail::loop_now;

namespace detail {

std::string_view Worker::date_line() {
  std::int64_t now = ::time(nullptr);
  if (now != date_second_) {
    date_second_ = now;
    std::memcpy(date_, "Date: ", 6);
    text::format_http_date(now, std::span<char, 29>(date_ + 6, 29));
    std::memcpy(date_ + 35, "\r\n", 2);
  }
  return {date_, sizeof date_};
}

}  // namespace detail

namespace {

// A request-line as the access log shows it: printable ASCII, quotes and backslashes escaped.
void append_escaped(std::string& out, std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02X", u);
      out += buf;
    } else {
      out += c;
    }
  }
}

// A short plain-text answer that closes the connection, through the one response serializer:
// "503 too many connections from you\n".
std::string canned(int status, std::string_view body, const Server::Impl& im, detail::Worker& w,
                   const Headers& extra = {}) {
  Headers fields = extra;
  fields.add("Content-Type", "text/plain; charset=utf-8");
  ResponseFraming framing{.content_length = body.size(), .close = true, .server_line = im.server_line,
                          .date_line = w.date_line()};
  std::string out;
  encode_response_head(status, {}, fields, framing, out);
  out += body;
  return out;
}

}  // namespace

void Server::Impl::drain_worker() {
  detail::Worker& w = workers.local();
  w.draining = true;
  // Closing an idle connection's socket ends its wait (operation_canceled); the connection
  // runs to its end from inside close().
  w.fresh.close_all();
  w.kept.close_all();
}

void Server::Impl::log(detail::Worker& w, const net::Address& peer, std::string_view request_line, int status,
                       std::uint64_t bytes) {
  if (!options.access_log) return;
  std::string& line = w.log_line;
  line.clear();
  line += peer.host();  // from the socket: known even for a request that could not be parsed
  line += " - - [";
  line += text::format_log_date(::time(nullptr));
  line += "] \"";
  append_escaped(line, request_line);
  line += "\" ";
  char number[24];
  line.append(number, std::to_chars(number, number + sizeof number, status).ptr);
  line += ' ';
  if (bytes) {
    line.append(number, std::to_chars(number, number + sizeof number, bytes).ptr);
  } else {
    line += '-';
  }
  options.access_log(line);
}

std::function<void(std::string_view)> access_log_to(std::FILE* file) {
  auto mutex = std::make_shared<std::mutex>();
  return [file, mutex](std::string_view line) {
    std::lock_guard lock(*mutex);
    std::fwrite(line.data(), 1, line.size(), file);
    std::fputc('\n', file);
    std::fflush(file);
  };
}

// Not a coroutine for plain HTTP: the connection's own task is the handler's, so an idle
// connection holds one frame less.
io::Task<void> Server::Impl::serve(io::Stream& stream, const net::Address& peer) {
  stream.set_write_timeout(options.limits.write_timeout);
  auto first_deadline = loop_now() + options.limits.header_timeout;
  if (options.tls) return serve_tls(stream, peer, first_deadline);
  return detail::Connection<io::Stream>::serve(*this, workers.local(), stream, stream, peer, first_deadline);
}

// A client that speaks plain HTTP to the TLS port: its first byte is a method's capital
// letter, where a TLS client's is 22 (a handshake record). It gets a plain-text 400 saying so,
// as nginx answers, rather than a silent close. True if it was such a client (answered).
static io::Task<bool> plain_http_on_tls_port(io::Stream& socket, io::Clock::time_point deadline,
                                             const Server::Impl& im, detail::Worker& w) {
  std::error_code ec;
  auto first = co_await io::peek_byte(socket, deadline - loop_now(), ec);
  if (!first || *first < 'A' || *first > 'Z') co_return false;  // the handshake meets the rest
  std::string answer = canned(400, "400 a plain HTTP request came to an HTTPS port\n", im, w);
  co_await socket.write_all(std::as_bytes(std::span(answer)), ec);
  if (!ec) co_await io::linger_close(socket, detail::kLingerTime, detail::kLingerBytes);
  co_return true;
}

io::Task<void> Server::Impl::serve_tls(io::Stream& stream, const net::Address& peer,
                                       io::Clock::time_point first_deadline) {
  detail::Worker& w = workers.local();
  if (co_await plain_http_on_tls_port(stream, first_deadline, *this, w)) co_return;
  std::error_code ec;
  tls::AsyncStream tls = co_await tls::AsyncStream::accept(std::move(stream), *options.tls,
                                                           first_deadline - loop_now(), ec);
  if (ec) co_return;  // not a TLS client, a bad one, or too slow
  co_await detail::Connection<tls::AsyncStream>::serve(*this, w, tls, tls.next_layer(), peer, first_deadline);
}

// Over the per-address limit: 503, and close. The lingering close, as for every refusal
// (nginx's limit_conn 503 lingers too): without it the close resets the connection, and the
// 503 may never be read. Over TLS the handshake comes first, so that the 503 can be read.
io::Task<void> Server::Impl::refuse_busy(io::Stream& stream, const net::Address&) {
  stream.set_write_timeout(options.limits.write_timeout);
  auto deadline = loop_now() + options.limits.header_timeout;
  std::string busy = canned(503, "503 too many connections from you\n", *this, workers.local(), {{"Retry-After", "1"}});
  std::error_code ec;
  if (!options.tls) {
    co_await stream.write_all(std::as_bytes(std::span(busy)), ec);
    if (!ec) co_await io::linger_close(stream, detail::kLingerTime, detail::kLingerBytes);
    co_return;
  }
  tls::AsyncStream tls = co_await tls::AsyncStream::accept(std::move(stream), *options.tls, deadline - loop_now(), ec);
  if (ec) co_return;
  co_await tls.write_all(std::as_bytes(std::span(busy)), ec);
  if (ec) co_return;
  try {
    co_await tls.shutdown();  // close_notify, flushed
  } catch (const std::exception&) {
    co_return;
  }
  co_await io::linger_close(tls.next_layer(), detail::kLingerTime, detail::kLingerBytes);
}

// --- Server ----------------------------------------------------------------------------------

Server::Server(ServerOptions options, Router router) : impl_(std::make_unique<Impl>()) {
  auto& im = *impl_;
  im.options = std::move(options);
  im.router = std::move(router);
  const auto& l = im.options.limits;
  im.parser_limits.max_start_line = l.max_request_line;
  im.parser_limits.max_header_bytes = l.max_header_bytes;
  im.parser_limits.max_header_count = l.max_header_count;
  if (!im.options.server_header.empty()) {
    if (!is_valid_field_value(im.options.server_header)) {
      throw std::invalid_argument("http::Server: invalid Server header value");
    }
    im.server_line = "Server: " + im.options.server_header + "\r\n";
  }
  // HTTP/1.0 clients over TLS offer "http/1.0" (curl --http1.0): served like HTTP/1.1 ones,
  // as nginx does; only a client with nothing in common is refused (RFC 7301 §3.2).
  if (im.options.tls) im.options.tls->set_alpn({"http/1.1", "http/1.0"});
  io::ServerOptions tcp;
  tcp.host = im.options.host;
  tcp.port = im.options.port;
  tcp.threads = im.options.threads;
  tcp.backlog = im.options.backlog;
  tcp.limits.max_connections = l.max_connections;
  tcp.limits.max_connections_per_client = l.max_connections_per_client;
  tcp.limits.idle_timeout = std::nullopt;  // the HTTP layer sets each read's deadline
  tcp.limits.write_timeout = l.write_timeout;
  Impl* self = impl_.get();
  im.tcp = std::make_unique<io::TcpServer>(
      tcp, [self](io::Stream& s, const net::Address& peer) { return self->serve(s, peer); });
  im.tcp->on_refused([self](io::Stream& s, const net::Address& peer) { return self->refuse_busy(s, peer); });
  im.tcp->on_drain([self] { self->drain_worker(); });
}

Server::~Server() {
  if (impl_ && impl_->tcp) impl_->tcp->shutdown(0s);
}

void Server::start() { impl_->tcp->start(); }

net::Address Server::local_address() const { return impl_->tcp->local_address(); }

std::string Server::url() const {
  net::Address a = local_address();
  std::string host = impl_->options.host;
  if (host.empty() || host == "::" || host == "0.0.0.0") {
    host = host == "0.0.0.0" || host.empty() ? "127.0.0.1" : "[::1]";
  } else if (host.find(':') != std::string::npos) {
    host = "[" + host + "]";
  }
  return std::string(impl_->options.tls ? "https" : "http") + "://" + host + ":" + std::to_string(a.port()) + "/";
}

std::size_t Server::connections() const noexcept { return impl_->tcp->connections(); }

io::ShutdownReport Server::shutdown(std::chrono::milliseconds grace) { return impl_->tcp->shutdown(grace); }

io::ShutdownReport Server::run_until_signal(std::chrono::milliseconds grace) {
  return impl_->tcp->run_until_signal(grace);
}

}  // namespace wire::http
