// SPDX-License-Identifier: MIT
// wire::http::Server: connections on io::TcpServer's workers, one coroutine each.
//
// A connection holds little while it waits for its next request: its coroutine frame and the
// socket. The parser, the input buffer and the output buffer (an Exchange) are taken from the
// worker's spares when bytes arrive and given back when the connection goes idle, so 10,000
// idle keep-alive connections cost 10,000 frames, not 10,000 buffers. On the hot path (a
// keep-alive GET answered by a synchronous handler) a request costs one recv() and one send():
// the read hint of wire::io skips the recv() that would only say EAGAIN, and the wait for the
// next request costs no system call of its own.
#include "wire/http/server.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>

#include <atomic>
#include <cstring>
#include <ctime>
#include <mutex>
#include <unordered_map>

#include "wire/error.hpp"
#include "wire/http/error.hpp"
#include "wire/http/parser.hpp"
#include "wire/http/url.hpp"
#include "wire/io/stream.hpp"
#include "wire/io/timeout.hpp"
#include "wire/tls/async_stream.hpp"

namespace wire::http {

namespace {

constexpr std::size_t kInputSize = 16 * 1024;
constexpr std::size_t kMaxSpares = 256;       // Exchanges a worker keeps for reuse
constexpr std::size_t kInlineBody = 16 * 1024;  // bodies up to this go out in the head's send()
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 1 << 20;

// What a connection holds only while a request is under way.
struct Exchange {
  explicit Exchange(const ParserLimits& limits) : parser(limits), in(new std::byte[kInputSize]) {}
  RequestParser parser;
  std::unique_ptr<std::byte[]> in;
  std::size_t begin = 0;  // in[begin, end) is received and not yet fed to the parser
  std::size_t end = 0;
  std::string out;
  std::string scratch;       // chunk heads
  std::string request_line;  // for the access log
  // The request under way.
  ServerRequest* req = nullptr;
  bool body_done = true;     // its body (if any) was read to the end
  bool body_failed = false;  // reading it failed: the connection cannot go on
  int body_status = 0;       // the status a body failure answers (408, 413, 400)
  bool expect_continue = false;
  std::uint64_t body_read = 0;
  std::uint64_t body_limit = 0;
  io::Clock::time_point body_start;
  std::string_view pending;  // body bytes of the last data event not yet handed out
  bool buffered() const noexcept { return begin < end; }
};

// An idle connection, listed so that a drain can close it at once, and so that it is closed
// when its deadline passes.
struct IdleLink {
  IdleLink* prev = this;
  IdleLink* next = this;
  io::Stream* stream = nullptr;
  io::Clock::time_point deadline{};
  bool linked() const noexcept { return next != this; }
  void unlink() noexcept {
    prev->next = next;
    next->prev = prev;
    prev = next = this;
  }
  void link_after(IdleLink& head) noexcept {
    next = head.next;
    prev = &head;
    head.next->prev = this;
    head.next = this;
  }
};

// Connections waiting for a request, earliest deadline first, with one loop timer armed at
// (or before) the first deadline. Every request begins and ends such a wait: a timer of its
// own per wait cost a heap insertion and removal each time, this costs a list link. Each
// queue holds one kind of wait (one timeout), so a new link almost always goes at the end.
struct IdleQueue {
  IdleLink head;
  io::detail::TimerNode timer;
  io::Loop* loop = nullptr;

  void push(IdleLink& link, io::Clock::time_point deadline) {
    link.deadline = deadline;
    IdleLink* after = head.prev;
    while (after != &head && after->deadline > deadline) after = after->prev;
    link.link_after(*after);
    if (link.prev != &head) return;
    // The new first: the timer must not wait past it (a timer set earlier just fires early).
    if (timer.pending() && timer.when <= deadline) return;
    loop = &io::Loop::current();
    timer.fire = &IdleQueue::expire;
    timer.context = this;
    loop->add_timer(timer, deadline);
  }
  // Closes every connection past its deadline (each ends from inside close(), off the list
  // first), then waits for the next deadline.
  static void expire(io::detail::TimerNode* node) noexcept {
    auto* q = static_cast<IdleQueue*>(node->context);
    auto now = io::Clock::now();
    while (q->head.linked() && q->head.next->deadline <= now) {
      IdleLink* link = q->head.next;
      link->unlink();
      link->stream->close();
    }
    if (q->head.linked()) q->loop->add_timer(q->timer, q->head.next->deadline);
  }
  // Closes every connection: the server drains.
  void close_all() noexcept {
    if (timer.pending()) loop->cancel_timer(timer);
    while (head.linked()) {
      IdleLink* link = head.next;
      link->unlink();
      link->stream->close();
    }
  }
};

// One worker thread's share: touched only on that thread.
struct Worker {
  bool draining = false;
  IdleQueue fresh;  // connections waiting for their first request (header_timeout)
  IdleQueue kept;   // kept-alive connections waiting for the next one (keep_alive_timeout)
  std::vector<std::unique_ptr<Exchange>> spares;
  std::int64_t date_second = -1;
  char date[64] = {};  // "Date: <IMF-fixdate>\r\n"
  std::size_t date_len = 0;
  std::string log_line;

  std::string_view date_line() {
    std::int64_t now = ::time(nullptr);
    if (now != date_second) {
      date_second = now;
      std::memcpy(date, "Date: ", 6);
      text::format_http_date(now, std::span<char, 29>(date + 6, 29));
      std::memcpy(date + 35, "\r\n", 2);
      date_len = 37;
    }
    return {date, date_len};
  }
};

void append_number(std::string& out, std::uint64_t n) {
  char buf[24];
  char* p = buf + sizeof buf;
  do {
    *--p = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n);
  out.append(p, static_cast<std::size_t>(buf + sizeof buf - p));
}

// The length first: most names are none of these, and this runs for every field of every
// response.
bool framing_header(std::string_view name) noexcept {
  switch (name.size()) {
    case 14: return iequals(name, "Content-Length");
    case 17: return iequals(name, "Transfer-Encoding");
    case 10: return iequals(name, "Connection");
    default: return false;
  }
}

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

// A client's address as 16 bytes (IPv4 as IPv4-mapped IPv6), the key of the per-address
// connection count: small enough to live in every connection's frame.
using ClientKey = std::array<unsigned char, 16>;
struct ClientKeyHash {
  std::size_t operator()(const ClientKey& k) const noexcept {
    std::uint64_t a;
    std::uint64_t b;
    std::memcpy(&a, k.data(), 8);
    std::memcpy(&b, k.data() + 8, 8);
    return std::hash<std::uint64_t>{}(a * 0x9E3779B97F4A7C15ULL ^ b);
  }
};

ClientKey client_key(const net::Address& a) {
  ClientKey key{};
  if (a.is_ipv4()) {
    auto* sin = reinterpret_cast<const sockaddr_in*>(a.data());
    key[10] = key[11] = 0xff;
    std::memcpy(key.data() + 12, &sin->sin_addr, 4);
  } else if (a.is_ipv6()) {
    auto* sin6 = reinterpret_cast<const sockaddr_in6*>(a.data());
    std::memcpy(key.data(), &sin6->sin6_addr, 16);
  }
  return key;
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  Router router;
  ParserLimits parser_limits;
  std::string server_line;  // "Server: wire\r\n", or empty
  std::unique_ptr<io::TcpServer> tcp;

  std::mutex workers_mutex;
  std::vector<std::unique_ptr<Worker>> workers;

  std::mutex clients_mutex;
  std::unordered_map<ClientKey, std::size_t, ClientKeyHash> clients;  // connections per address
  bool admit(const ClientKey& key) {
    std::lock_guard lock(clients_mutex);
    std::size_t& count = clients[key];
    if (count >= options.limits.max_connections_per_client) return false;
    ++count;
    return true;
  }
  void release(const ClientKey& key) {
    std::lock_guard lock(clients_mutex);
    auto it = clients.find(key);
    if (it != clients.end() && --it->second == 0) clients.erase(it);
  }

  Worker& worker();
  void drain_worker();
  io::Task<void> serve(io::Stream& stream, const net::Address& peer);
  io::Task<void> serve_tls(io::Stream& stream, const net::Address& peer,
                           io::Clock::time_point first_deadline);
  template <typename S>
  io::Task<void> serve_connection(S& stream, io::Stream& socket, const net::Address& peer,
                                  io::Clock::time_point first_deadline);
  void log(Worker& w, const net::Address& peer, std::string_view request_line, int status,
           std::uint64_t bytes);
};

namespace {
thread_local const Server::Impl* t_owner = nullptr;
thread_local Worker* t_worker = nullptr;
}  // namespace

Worker& Server::Impl::worker() {
  if (t_owner != this) {
    std::lock_guard lock(workers_mutex);
    workers.push_back(std::make_unique<Worker>());
    t_worker = workers.back().get();
    t_owner = this;
  }
  return *t_worker;
}

void Server::Impl::drain_worker() {
  Worker& w = worker();
  w.draining = true;
  // Closing an idle connection's socket ends its wait (operation_canceled); the connection
  // runs to its end from inside close().
  w.fresh.close_all();
  w.kept.close_all();
}

void Server::Impl::log(Worker& w, const net::Address& peer, std::string_view request_line,
                       int status, std::uint64_t bytes) {
  if (!options.access_log) return;
  std::string& line = w.log_line;
  line.clear();
  line += peer.host();  // from the socket: known even for a request that could not be parsed
  line += " - - [";
  line += text::format_log_date(::time(nullptr));
  line += "] \"";
  append_escaped(line, request_line);
  line += "\" ";
  append_number(line, static_cast<std::uint64_t>(status));
  line += ' ';
  if (bytes) {
    append_number(line, bytes);
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

// --- one connection --------------------------------------------------------------------------

namespace {

// The time as the worker's loop read it after its last epoll_wait: the deadlines here count
// in seconds, and reading the clock several times per request showed in profiles.
io::Clock::time_point loop_now() noexcept { return io::Loop::current().now(); }

// The lingering close (RFC 9112 §9.6): no more sending, then read and drop what the client
// still sends, for `time` at most, so that closing does not reset the connection (a reset may
// erase the answer before the client has read it, and fails the client's writes).
io::Task<void> linger_close(io::Stream& sock, io::Clock::duration time) {
  sock.shutdown_write();
  auto until = io::Clock::now() + time;
  std::size_t total = 0;
  std::byte sink[4096];
  while (total < kLingerBytes) {
    auto now = io::Clock::now();
    if (now >= until) break;
    sock.set_read_timeout(until - now);
    std::error_code ec;
    std::size_t n = co_await sock.read_some(std::span(sink), ec);
    if (ec || n == 0) break;
    total += n;
  }
}

template <typename S>
class Connection;

// A streamed request body, read on demand by the handler.
template <typename S>
class StreamedBody final : public ServerRequest::BodySource {
 public:
  explicit StreamedBody(Connection<S>& c) : c_(c) {}
  io::Task<std::size_t> read(std::span<std::byte> buffer) override { return c_.read_body_some(buffer); }

 private:
  Connection<S>& c_;
};

// Writes ServerResponse::stream bodies: chunked, or raw until the close for HTTP/1.0.
template <typename S>
class ChunkWriter final : public BodyWriter {
 public:
  ChunkWriter(Connection<S>& c, bool chunked, bool discard) : c_(c), chunked_(chunked), discard_(discard) {}
  using BodyWriter::write;
  io::Task<void> write(std::span<const std::byte> data) override {
    if (data.empty() || discard_) co_return;
    if (!c_.ok) throw std::system_error(std::make_error_code(std::errc::broken_pipe), "write");
    sent += data.size();
    if (!chunked_) {
      co_await c_.send(data);
    } else {
      std::string& head = c_.x->scratch;
      head.clear();
      char buf[24];
      int n = std::snprintf(buf, sizeof buf, "%zx\r\n", data.size());
      head.append(buf, static_cast<std::size_t>(n));
      if (data.size() <= 4096) {
        head.append(reinterpret_cast<const char*>(data.data()), data.size());
        head += "\r\n";
        co_await c_.send(std::as_bytes(std::span(head)));
      } else {
        co_await c_.send(std::as_bytes(std::span(head)));
        co_await c_.send(data);
        co_await c_.send(std::as_bytes(std::span("\r\n", 2)));
      }
    }
    if (!c_.ok) throw std::system_error(std::make_error_code(std::errc::broken_pipe), "write");
  }
  std::uint64_t sent = 0;

 private:
  Connection<S>& c_;
  bool chunked_;
  bool discard_;
};

template <typename S>
class Connection {
 public:
  static constexpr bool kPlain = std::is_same_v<S, io::Stream>;

  Connection(Server::Impl& server, Worker& worker, S& stream, io::Stream& socket,
             const net::Address& client)
      : srv(server), w(worker), s(stream), sock(socket), peer(client) {}
  ~Connection() { give_back(false); }

  Server::Impl& srv;
  Worker& w;
  S& s;
  io::Stream& sock;
  const net::Address& peer;
  Exchange* x = nullptr;
  bool ok = true;              // no read or write has failed

  // Takes an Exchange from the worker's spares (or makes one).
  void take() {
    if (x) return;
    if (!w.spares.empty()) {
      x = w.spares.back().release();
      w.spares.pop_back();
    } else {
      x = new Exchange(srv.parser_limits);
    }
  }
  // Gives the Exchange back when the parser sits between messages with nothing buffered;
  // otherwise (or when `reusable` is false) it is destroyed.
  void give_back(bool reusable) {
    if (!x) return;
    if (reusable && !x->buffered() && !x->parser.error() && w.spares.size() < kMaxSpares) {
      x->begin = x->end = 0;
      if (x->out.capacity() > 64 * 1024) std::string().swap(x->out);
      x->out.clear();
      w.spares.emplace_back(x);
    } else {
      delete x;
    }
    x = nullptr;
  }

  bool tls_pending() noexcept {
    if constexpr (kPlain) {
      return false;
    } else {
      return s.engine().input_buffered() > 0 || s.engine().plaintext_buffered() > 0;
    }
  }

  // Sends everything; false (and ok = false) on failure.
  io::Task<bool> send(std::span<const std::byte> data) {
    std::error_code ec;
    co_await s.write_all(data, ec);
    if (ec) ok = false;
    co_return ok;
  }
  io::Task<bool> send(std::string_view text) { return send(std::as_bytes(std::span(text))); }

  // Reads more bytes into the (empty) input buffer within `deadline`: the count, 0 at
  // EOF; `ec` says why a read failed (timed_out past the deadline).
  io::Task<std::size_t> fill(io::Clock::time_point deadline, std::error_code& ec) {
    x->begin = x->end = 0;
    auto now = loop_now();
    if (now >= deadline) {
      ec = std::make_error_code(std::errc::timed_out);
      co_return 0;
    }
    sock.set_read_timeout(deadline - now);
    std::size_t n = co_await s.read_some(std::span(x->in.get(), kInputSize), ec);
    if (!ec) x->end = n;
    co_return n;
  }

  // The deadline by which more body bytes must have arrived: the grace period, then the
  // minimum rate over the body so far.
  io::Clock::time_point body_deadline() const {
    const auto& l = srv.options.limits;
    if (l.min_body_rate == 0) return loop_now() + l.body_grace;
    auto allowed = std::chrono::duration_cast<io::Clock::duration>(
        std::chrono::duration<double>(static_cast<double>(x->body_read) / static_cast<double>(l.min_body_rate)));
    return x->body_start + l.body_grace + allowed;
  }

  // Fails the body with `status` (the connection closes after the answer).
  void fail_body(int status) {
    x->body_failed = true;
    x->body_done = true;
    x->body_status = status;
  }

  // The next body event (data or end), reading as needed. need_more only on failure.
  io::Task<Event> next_body_event() {
    auto& p = x->parser;
    int stalled = 0;
    for (;;) {
      Event ev = p.next();
      if (ev.kind == EventKind::data || ev.kind == EventKind::end) co_return ev;
      if (ev.kind == EventKind::upgrade) {
        p.continue_after_upgrade();
        co_return Event{EventKind::end, {}};
      }
      if (ev.kind == EventKind::error) {
        fail_body(status_for_error(p.error()));
        co_return Event{};
      }
      if (x->buffered()) {
        std::size_t used = p.feed(std::span<const std::byte>(x->in.get() + x->begin, x->end - x->begin));
        // Twice nothing taken and no event between: the parser takes no more bytes.
        stalled = used == 0 ? stalled + 1 : 0;
        if (stalled > 1) {
          fail_body(400);
          co_return Event{};
        }
        x->begin += used;
        continue;
      }
      if (x->expect_continue) {
        x->expect_continue = false;
        if (!co_await send(std::string_view("HTTP/1.1 100 Continue\r\n\r\n"))) {
          fail_body(0);
          co_return Event{};
        }
      }
      std::error_code ec;
      std::size_t n = co_await fill(body_deadline(), ec);
      if (ec == std::errc::timed_out) {
        fail_body(408);
        co_return Event{};
      }
      if (ec) {
        ok = false;
        fail_body(0);
        co_return Event{};
      }
      if (n == 0) {
        p.feed_eof();  // truncated: the next next() is the error
        ok = false;
      }
    }
  }

  // Up to buffer.size() bytes of the body; 0 at its end (or after a failure: x->body_failed).
  io::Task<std::size_t> read_body_some(std::span<std::byte> buffer) {
    if (x->body_done || buffer.empty()) co_return 0;
    while (x->pending.empty()) {
      Event ev = co_await next_body_event();
      if (ev.kind == EventKind::end) {
        x->body_done = true;
        co_return 0;
      }
      if (ev.kind != EventKind::data) {
        throw Error(Errc::bad_message, "the request body could not be read");
      }
      if (x->body_read + ev.data.size() > x->body_limit) {
        fail_body(413);
        throw std::system_error(make_error_code(wire::Errc::limit_exceeded),
                                "the request body is larger than the limit");
      }
      x->body_read += ev.data.size();
      x->pending = ev.data;
    }
    std::size_t n = std::min(buffer.size(), x->pending.size());
    std::memcpy(buffer.data(), x->pending.data(), n);
    x->pending.remove_prefix(n);
    co_return n;
  }

  // Reads the whole body into `into`. false: x->body_failed says why.
  io::Task<bool> read_whole_body(std::string& into) {
    while (!x->body_done) {
      Event ev = co_await next_body_event();
      if (ev.kind == EventKind::end) {
        x->body_done = true;
        break;
      }
      if (ev.kind != EventKind::data) co_return false;
      if (x->body_read + ev.data.size() > x->body_limit) {
        fail_body(413);
        co_return false;
      }
      x->body_read += ev.data.size();
      into.append(ev.data.data(), ev.data.size());
    }
    co_return true;
  }

  // Reads and drops what is left of the body, up to `limit` bytes. false: it could not
  // (too long, too slow, broken): the connection must close.
  io::Task<bool> drain(std::uint64_t limit) {
    x->pending = {};
    std::uint64_t dropped = 0;
    while (!x->body_done) {
      Event ev = co_await next_body_event();
      if (ev.kind == EventKind::end) {
        x->body_done = true;
        break;
      }
      if (ev.kind != EventKind::data) co_return false;
      dropped += ev.data.size();
      x->body_read += ev.data.size();
      if (dropped > limit) co_return false;
    }
    co_return true;
  }

  // After an error answer: stop sending, read (and drop) what the client still sends for a
  // while, so that closing does not reset the connection before the answer is read.
  // Over TLS the same, after close_notify: what the client still sends is read from the
  // socket beneath as it is (records) and dropped.
  io::Task<void> linger() {
    if constexpr (!kPlain) {
      try {
        co_await s.shutdown();  // close_notify, flushed
      } catch (const std::exception&) {
        co_return;
      }
    }
    co_await linger_close(sock, kLingerTime);
  }

  // Encodes the status line and header section of `res` into x->out. `length`: the body's
  // Content-Length, or nullopt for a streamed body (chunked when `chunked`).
  void encode_head(const ServerResponse& res, std::optional<std::uint64_t> length, bool chunked,
                   bool keep, Version version) {
    std::string& out = x->out;
    out.clear();
    out += "HTTP/1.1 ";
    append_number(out, static_cast<std::uint64_t>(res.status));
    out += ' ';
    out += res.reason.empty() ? reason_phrase(res.status) : std::string_view(res.reason);
    out += "\r\n";
    bool has_date = false;
    bool has_server = false;
    for (auto field : res.headers) {
      if (framing_header(field.name)) continue;
      if (field.name.size() == 4 && iequals(field.name, "Date")) has_date = true;
      if (field.name.size() == 6 && iequals(field.name, "Server")) has_server = true;
      out += field.name;
      out += ": ";
      out += field.value;
      out += "\r\n";
    }
    if (!has_server) out += srv.server_line;
    if (!has_date) out += w.date_line();
    if (length) {
      out += "Content-Length: ";
      append_number(out, *length);
      out += "\r\n";
    } else if (chunked) {
      out += "Transfer-Encoding: chunked\r\n";
    }
    if (!keep) {
      out += "Connection: close\r\n";
    } else if (version.minor == 0) {
      out += "Connection: keep-alive\r\n";
    }
    out += "\r\n";
  }

  // Whether a handler's response can be sent as it is: the field names are tokens and the
  // values and reason have no CR, LF or NUL (else it could inject protocol lines).
  static bool valid(const ServerResponse& res) {
    if (res.status < 200 || res.status > 999) return false;
    for (char c : res.reason) {
      if (c == '\r' || c == '\n' || c == '\0') return false;
    }
    for (auto field : res.headers) {
      if (!is_valid_field_name(field.name) || !is_valid_field_value(field.value)) return false;
    }
    return true;
  }

  // Answers an error found before any handler ran, then closes (lingering).
  io::Task<void> refuse(int status, std::string_view line) {
    ServerResponse res = ServerResponse::error(status);
    if (x->req) srv.router.run_after(*x->req, res);
    take();
    encode_head(res, res.body.size(), false, false, Version{});
    x->out += res.body;
    std::uint64_t size = res.body.size();
    bool sent = co_await send(std::string_view(x->out));
    srv.log(w, peer, line, status, size);
    if (sent) co_await linger();
  }

  // Sends `res` as the answer to the current request. false: the connection closes.
  io::Task<bool> respond(ServerResponse& res, bool head_only, bool keep, Version version,
                         std::uint64_t& body_bytes) {
    bool no_body = res.status == 204 || res.status == 304 || (res.status >= 100 && res.status < 200);
    if (no_body) {
      encode_head(res, std::nullopt, false, keep, version);
      co_return co_await send(std::string_view(x->out));
    }
    if (res.file) {
      encode_head(res, res.file.length(), false, keep, version);
      if (!co_await send(std::string_view(x->out))) co_return false;
      if (head_only || res.file.length() == 0) co_return true;
      body_bytes = res.file.length();
      co_return co_await send_file(res.file);
    }
    if (res.stream) {
      bool chunked = version.minor >= 1;
      if (!chunked) keep = false;
      encode_head(res, std::nullopt, chunked, keep, version);
      if (!co_await send(std::string_view(x->out))) co_return false;
      if (head_only) co_return keep;
      ChunkWriter<S> writer(*this, chunked, false);
      try {
        co_await res.stream(writer);
      } catch (const std::exception& e) {
        // Too late for an error status: the body ends without its last chunk, and the
        // connection closes, so the client sees it is incomplete.
        body_bytes = writer.sent;
        std::fprintf(stderr, "wire http: streaming the response body failed: %s\n", e.what());
        co_return false;
      }
      body_bytes = writer.sent;
      if (chunked && !co_await send(std::string_view("0\r\n\r\n"))) co_return false;
      co_return keep;
    }
    encode_head(res, res.body.size(), false, keep, version);
    if (head_only) co_return co_await send(std::string_view(x->out));
    body_bytes = res.body.size();
    if (res.body.size() <= kInlineBody) {
      x->out += res.body;
      co_return co_await send(std::string_view(x->out));
    }
    if (!co_await send(std::string_view(x->out))) co_return false;
    co_return co_await send(std::string_view(res.body));
  }

  io::Task<bool> send_file(const FileBody& file) {
    if constexpr (kPlain) {
      try {
        co_await sock.sendfile(file.fd(), static_cast<long long>(file.offset()), file.length());
      } catch (const std::exception&) {
        ok = false;
      }
      co_return ok;
    } else {
      std::vector<std::byte> buffer(64 * 1024);
      std::uint64_t offset = file.offset();
      std::uint64_t left = file.length();
      while (left > 0) {
        std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer.size()));
        ssize_t n = ::pread(file.fd(), buffer.data(), want, static_cast<off_t>(offset));
        if (n <= 0) {
          if (n < 0 && errno == EINTR) continue;
          ok = false;  // the file shrank or failed: the response cannot be completed
          co_return false;
        }
        if (!co_await send(std::span<const std::byte>(buffer.data(), static_cast<std::size_t>(n)))) co_return false;
        offset += static_cast<std::uint64_t>(n);
        left -= static_cast<std::uint64_t>(n);
      }
      co_return true;
    }
  }

  // Reads a request head; serves it; answers. false: the connection closes.
  io::Task<bool> exchange(io::Clock::time_point deadline) {
    auto& p = x->parser;
    bool started = x->buffered();
    int stalled = 0;
    // --- the head
    for (;;) {
      Event ev = p.next();
      if (ev.kind == EventKind::head) break;
      if (ev.kind == EventKind::error) {
        co_await refuse(status_for_error(p.error()), "-");
        co_return false;
      }
      if (ev.kind == EventKind::upgrade) {
        // The last request asked to switch protocols (Upgrade, CONNECT); it was answered
        // without 101, so HTTP/1.1 goes on.
        p.continue_after_upgrade();
        continue;
      }
      if (ev.kind != EventKind::need_more) continue;
      if (x->buffered()) {
        std::size_t used = p.feed(std::span<const std::byte>(x->in.get() + x->begin, x->end - x->begin));
        // Twice nothing taken and no event between: the parser takes no more bytes.
        stalled = used == 0 ? stalled + 1 : 0;
        if (stalled > 1) co_return false;
        x->begin += used;
        continue;
      }
      std::error_code ec;
      std::size_t n = co_await fill(deadline, ec);
      if (ec == std::errc::timed_out) {
        if (started) co_await refuse(408, "-");  // a head too slow: slowloris
        co_return false;
      }
      if (ec || n == 0) co_return false;  // closed or reset: nothing to answer
      started = true;
    }

    const Request& head = p.request();
    ServerRequest request(head, peer, !kPlain);
    x->req = &request;
    struct Forget {
      ServerRequest*& r;
      ~Forget() { r = nullptr; }
    } forget{x->req};
    x->request_line.clear();
    if (srv.options.access_log) {  // only the access log shows it
      x->request_line += head.method;
      x->request_line += ' ';
      x->request_line += head.target;
      x->request_line += head.version.minor == 0 ? " HTTP/1.0" : " HTTP/1.1";
    }

    x->body_read = 0;
    x->pending = {};
    x->body_failed = false;
    x->body_status = 0;
    const BodyFraming framing = p.framing();
    const bool has_body = framing == BodyFraming::chunked ||
                          (framing == BodyFraming::content_length && p.content_length().value_or(0) > 0);
    request.set_body_info(has_body, p.content_length());
    x->body_done = !has_body;
    if (!has_body) {
      // The end follows the head at once (and an upgrade event after it, which the next
      // head's loop takes).
      p.next();
    }
    x->expect_continue = false;
    if (auto expect = head.headers.get("Expect")) {
      if (!iequals(trim_ows(*expect), "100-continue")) {
        co_await refuse(417, x->request_line);
        co_return false;
      }
      x->expect_continue = has_body && head.version.minor >= 1;
    }
    bool keep = p.keep_alive() && head.method != "CONNECT";
    const bool head_only = head.method == "HEAD";

    // --- routing and the body
    ServerResponse res;
    int status = 0;
    std::string allow;
    const Router& router = srv.router;
    const Router::Route* route = nullptr;
    try {
      route = router.match(request, status, allow);
    } catch (const UrlError&) {
      status = 400;  // a malformed %-escape in the path
    }
    bool handled = false;
    if (!route) {
      res = status == 204 ? ServerResponse(204) : ServerResponse::error(status);
      if (!allow.empty()) res.headers.add("Allow", allow);
      handled = true;
    } else if (auto early = router.run_before(request)) {
      res = std::move(*early);
      handled = true;
    }
    const RouteOptions* ropts = route ? &router.options(*route) : nullptr;
    x->body_limit = ropts && ropts->max_body ? *ropts->max_body : srv.options.limits.max_body;
    x->body_start = loop_now();

    StreamedBody<S> source(*this);
    if (!handled) {
      if (has_body && p.content_length() && *p.content_length() > x->body_limit) {
        co_await refuse(413, x->request_line);  // said too large up front: refused unread
        co_return false;
      }
      if (has_body && ropts->stream_body) {
        request.set_body_source(&source);
      } else if (has_body && !co_await read_whole_body(request.body)) {
        if (x->body_status) co_await refuse(x->body_status, x->request_line);
        co_return false;
      }
      try {
        if (router.is_sync(*route)) {
          res = router.call_sync(*route, request);
        } else {
          res = co_await router.call(*route, request);
        }
      } catch (const std::exception& e) {
        // A failed body read surfaces here as the handler's exception: answered below.
        if (!x->body_failed) std::fprintf(stderr, "wire http: the handler for %s %s failed: %s\n", head.method.c_str(),
                                       head.target.c_str(), e.what());
        res = ServerResponse::error(500);
      }
      if (x->body_failed) {
        if (x->body_status) co_await refuse(x->body_status, x->request_line);
        co_return false;
      }
    }
    router.run_after(request, res);
    if (!valid(res)) {
      std::fprintf(stderr, "wire http: the response to %s %s has an invalid status, reason or header: "
                   "answered 500 instead\n", head.method.c_str(), head.target.c_str());
      res = ServerResponse::error(500);
    }

    // --- the answer
    if (!x->body_done) {
      // A body the handler did not read: it must not be parsed as the next request. A client
      // waiting for 100 Continue sends none; a short one is drained after the answer.
      if (x->expect_continue) {
        keep = false;
      } else if (framing == BodyFraming::content_length &&
                 *p.content_length() - x->body_read > srv.options.limits.max_drain) {
        keep = false;
      }
    }
    if (res.close || w.draining) keep = false;
    std::uint64_t body_bytes = 0;
    bool sent = co_await respond(res, head_only, keep, head.version, body_bytes);
    srv.log(w, peer, x->request_line, res.status, body_bytes);
    if (!sent || !ok) co_return false;
    if (!keep || (!x->body_done && !co_await drain(srv.options.limits.max_drain))) {
      // Closing on a body the client may still be sending: linger, as refuse() does, so that
      // the close is not a reset that can destroy the answer before the client has read it.
      if (!x->body_done && ok) co_await linger();
      co_return false;
    }
    co_return !w.draining;
  }
};

}  // namespace

// Over the per-address limit: 503, and close.
// The lingering close, as for every refusal (nginx's limit_conn 503 lingers too): without it
// the close resets the connection, and the 503 may never be read.
template <typename S>
io::Task<void> refuse_busy(S& stream, io::Stream& socket) {
  static constexpr std::string_view busy =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
      "Content-Length: 34\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
      "503 too many connections from you\n";
  std::error_code ec;
  co_await stream.write_all(std::as_bytes(std::span(busy)), ec);
  if (ec) co_return;
  if constexpr (!std::is_same_v<S, io::Stream>) {
    try {
      co_await stream.shutdown();  // close_notify, flushed
    } catch (const std::exception&) {
      co_return;
    }
  }
  co_await linger_close(socket, kLingerTime);
}

template <typename S>
io::Task<void> Server::Impl::serve_connection(S& stream, io::Stream& socket, const net::Address& peer,
                                              io::Clock::time_point first_deadline) {
  // Connections per client address.
  struct Slot {
    Server::Impl& im;
    ClientKey key;
    bool admitted;
    ~Slot() {
      if (admitted) im.release(key);
    }
  } slot{*this, client_key(peer), false};
  slot.admitted = admit(slot.key);
  if (!slot.admitted) {
    co_await refuse_busy(stream, socket);
    co_return;
  }

  Worker& w = worker();
  Connection<S> c(*this, w, stream, socket, peer);
  IdleLink idle;
  idle.stream = &socket;
  struct Unlink {
    IdleLink& l;
    ~Unlink() { l.unlink(); }
  } unlink{idle};
  auto deadline = first_deadline;
  bool first = true;  // the first head's deadline runs from the accept, not from its first byte
  for (;;) {
    if ((!c.x || !c.x->buffered()) && !c.tls_pending()) {
      // Idle: wait for the next request without holding any buffer (TLS's included).
      c.give_back(true);
      if constexpr (!std::is_same_v<S, io::Stream>) stream.release_buffers();
      if (w.draining) co_return;
      std::error_code ec;
      if (loop_now() >= deadline) co_return;
      // The queue closes the socket at the deadline: the wait needs no timer of its own.
      socket.set_read_timeout(std::nullopt);
      (first ? w.fresh : w.kept).push(idle, deadline);
      co_await socket.wait_readable(ec);
      idle.unlink();
      if (ec || w.draining || !socket.is_open()) co_return;  // idle too long, or draining
      if (!first) deadline = loop_now() + options.limits.header_timeout;
    }
    first = false;
    c.take();
    if (!co_await c.exchange(deadline)) break;
    deadline = c.x->buffered() ? loop_now() + options.limits.header_timeout
                               : loop_now() + options.limits.keep_alive_timeout;
  }
  c.give_back(false);
}

// Not a coroutine for plain HTTP: the connection's own task is the handler's, so an idle
// connection holds one frame less.
io::Task<void> Server::Impl::serve(io::Stream& stream, const net::Address& peer) {
  stream.set_write_timeout(options.limits.write_timeout);
  auto first_deadline = loop_now() + options.limits.header_timeout;
  if (!options.tls) return serve_connection(stream, stream, peer, first_deadline);
  return serve_tls(stream, peer, first_deadline);
}

// A client that speaks plain HTTP to the TLS port: its first byte is a method's capital
// letter, where a TLS client's is 22 (a handshake record). It gets a plain-text 400 saying so,
// as nginx answers, rather than a silent close. True if it was such a client (answered).
static io::Task<bool> plain_http_on_tls_port(io::Stream& socket, io::Clock::time_point deadline,
                                             std::string_view server_line, Worker& w) {
  if (loop_now() >= deadline) co_return false;
  std::error_code ec;
  socket.set_read_timeout(deadline - loop_now());
  co_await socket.wait_readable(ec);
  if (ec) co_return false;  // the handshake below meets the same end
  unsigned char first = 0;
  ssize_t n = ::recv(socket.fd(), &first, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n != 1 || first < 'A' || first > 'Z') co_return false;
  static constexpr std::string_view kBody = "400 a plain HTTP request came to an HTTPS port\n";
  std::string answer = "HTTP/1.1 400 Bad Request\r\n";
  answer += server_line;
  answer += w.date_line();
  answer += "Content-Type: text/plain; charset=utf-8\r\nContent-Length: ";
  append_number(answer, kBody.size());
  answer += "\r\nConnection: close\r\n\r\n";
  answer += kBody;
  co_await socket.write_all(std::as_bytes(std::span(answer)), ec);
  if (!ec) co_await linger_close(socket, kLingerTime);
  co_return true;
}

io::Task<void> Server::Impl::serve_tls(io::Stream& stream, const net::Address& peer,
                                       io::Clock::time_point first_deadline) {
  tls::AsyncStream tls(std::move(stream), *options.tls);
  io::Stream& socket = tls.next_layer();
  if (co_await plain_http_on_tls_port(socket, first_deadline, server_line, worker())) co_return;
  try {
    co_await io::with_timeout(tls.handshake(), first_deadline - loop_now());
  } catch (const std::exception&) {
    co_return;  // not a TLS client, a bad one, or too slow
  }
  co_await serve_connection(tls, socket, peer, first_deadline);
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
  tcp.limits.idle_timeout = std::nullopt;   // the HTTP layer sets each read's deadline
  tcp.limits.write_timeout = l.write_timeout;
  Impl* self = impl_.get();
  im.tcp = std::make_unique<io::TcpServer>(
      tcp, [self](io::Stream& s, const net::Address& peer) { return self->serve(s, peer); });
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
  return std::string(impl_->options.tls ? "https" : "http") + "://" + host + ":" +
         std::to_string(a.port()) + "/";
}

std::size_t Server::connections() const noexcept { return impl_->tcp->connections(); }

io::ShutdownReport Server::shutdown(std::chrono::milliseconds grace) { return impl_->tcp->shutdown(grace); }

io::ShutdownReport Server::run_until_signal(std::chrono::milliseconds grace) {
  return impl_->tcp->run_until_signal(grace);
}

}  // namespace wire::http
