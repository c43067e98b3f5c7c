// SPDX-License-Identifier: MIT
// TLS load client for bench/tls.sh: one thread, one epoll set, OpenSSL used
// directly (SSL_set_fd on non-blocking sockets), so that its own cost is the
// same whichever server it measures and owes nothing to wire.
//
// Handshake mode (--mode handshake, the default): each of --connections slots
// loops: a new socket, connect, a full TLS handshake (never a resumption: the
// client keeps no session and offers none; a resumed session counts as an
// error), then --exchange:
//   echo      write --message and read it back (wire, openssl_echo, s_server -rev:
//             the default message is a palindrome line, which -rev sends back unchanged)
//   greeting  read --message, which the server sends unasked (nginx `return`)
//   none      nothing
// then close_notify and close (a FIN; --close rst sends a RST instead), and
// again. The exchange makes sure the server really finished its side of the
// handshake before the connection counts. After --warmup seconds it measures
// for --duration seconds (or until --count handshakes) and prints one line:
//
//   hs_per_s=... p50_us=... p99_us=... errors=0 handshakes=... tickets_per_hs=2.00
//   version=TLSv1.3 cipher=TLS_AES_128_GCM_SHA256 group=X25519 sig=RSASSA-PSS+SHA256 ...
//
// p50/p99 are of the whole cycle, socket() to close().
//
// Bulk mode (--mode bulk): --connections connections each handshake once,
// then stream: write --size bytes at a time while less than --window bytes
// are unanswered, read what comes back and compare every byte with what was
// sent (a per-connection offset into a fixed pseudo-random pattern). It prints
// mb_per_s: megabytes (10^6 bytes) echoed back and verified per second.
//
// --tls 1.3|1.2, --ciphersuites (TLS 1.3), --cipher (TLS 1.2), --groups and
// --sigalgs restrict what the client offers, so every server negotiates the
// same; the line reports what was negotiated, and a handshake that negotiates
// something else than the first is an error.
//
// With --server-pid P[,P...] it reads the CPU time (utime+stime, /proc/P/stat)
// of those processes at the start and end of the measured window and prints
// server_cpu_us_per_hs (or server_cpu_us_per_mb), and other_cpu_pct: what the
// rest of the machine used in that window (from /proc/stat, in % of one core).
// Any error makes the exit status 1. Every wait is bounded by --timeout.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bench_common.hpp"

namespace {

using namespace bench;

struct Options {
  bool bulk = false;
  std::string host = "127.0.0.1";
  int port = 0;
  int connections = 0;  // 0: 16 for handshakes, 4 for bulk
  double duration = 5.0;
  double warmup = 1.0;
  long count = 0;  // handshake mode: stop after this many measured handshakes
  enum class Exchange { echo, greeting, none } exchange = Exchange::echo;
  std::string message = "wire-eriw\n";
  std::size_t size = 16 * 1024;     // bulk: bytes per SSL_write
  std::size_t window = 256 * 1024;  // bulk: unanswered bytes per connection
  std::vector<long> server_pids;
  std::string tls = "1.3";
  std::string ciphersuites = "TLS_AES_128_GCM_SHA256";
  std::string cipher = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";
  std::string groups = "X25519";
  std::string sigalgs;  // empty: OpenSSL's default list
  std::string server_name = "localhost";
  double timeout = 10.0;  // a connection that makes no progress this long fails
  bool rst = false;
};

}  // namespace

const char* const bench::program_name = "tls_client";

[[noreturn]] void bench::usage(const char* why) {
  if (why) std::fprintf(stderr, "tls_client: %s\n", why);
  std::fprintf(stderr,
               "usage: tls_client --port P [--mode handshake|bulk] [--host A] [--connections N]\n"
               "                  [--duration S] [--warmup S] [--count N] [--server-pid P[,P...]]\n"
               "                  [--exchange echo|greeting|none] [--message TEXT]\n"
               "                  [--size BYTES] [--window BYTES] [--tls 1.3|1.2]\n"
               "                  [--ciphersuites S] [--cipher S] [--groups G] [--sigalgs S]\n"
               "                  [--server-name NAME] [--timeout S] [--close fin|rst]\n");
  std::exit(2);
}

namespace {

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool has_value = false;
    if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
      has_value = true;
    }
    auto next = [&]() -> const char* {
      if (has_value) return value.c_str();
      if (i + 1 >= argc) usage((arg + " needs a value").c_str());
      return argv[++i];
    };
    if (arg == "--mode") {
      std::string m = next();
      if (m == "bulk") o.bulk = true;
      else if (m != "handshake") usage("--mode is handshake or bulk");
    } else if (arg == "--host") o.host = next();
    else if (arg == "--port") o.port = static_cast<int>(parse_long(next(), "--port", 1, 65535));
    else if (arg == "--connections")
      o.connections = static_cast<int>(parse_long(next(), "--connections", 1, 10000));
    else if (arg == "--duration") o.duration = parse_double(next(), "--duration", 0.01, 3600);
    else if (arg == "--warmup") o.warmup = parse_double(next(), "--warmup", 0, 3600);
    else if (arg == "--count") o.count = parse_long(next(), "--count", 1, 1L << 40);
    else if (arg == "--exchange") {
      std::string e = next();
      if (e == "echo") o.exchange = Options::Exchange::echo;
      else if (e == "greeting") o.exchange = Options::Exchange::greeting;
      else if (e == "none") o.exchange = Options::Exchange::none;
      else usage("--exchange is echo, greeting or none");
    } else if (arg == "--message") {
      o.message = next();
      if (o.message.empty() || o.message.size() > 4096) usage("--message is 1 to 4096 bytes");
    } else if (arg == "--size")
      o.size = static_cast<std::size_t>(parse_long(next(), "--size", 1, 64 * 1024));
    else if (arg == "--window")
      o.window = static_cast<std::size_t>(parse_long(next(), "--window", 1, 64L << 20));
    else if (arg == "--server-pid") {
      std::stringstream list(next());
      std::string pid;
      while (std::getline(list, pid, ',')) {
        if (!pid.empty()) o.server_pids.push_back(parse_long(pid.c_str(), "--server-pid", 1, 1L << 30));
      }
    } else if (arg == "--tls") {
      o.tls = next();
      if (o.tls != "1.3" && o.tls != "1.2") usage("--tls is 1.3 or 1.2");
    } else if (arg == "--ciphersuites") o.ciphersuites = next();
    else if (arg == "--cipher") o.cipher = next();
    else if (arg == "--groups") o.groups = next();
    else if (arg == "--sigalgs") o.sigalgs = next();
    else if (arg == "--server-name") o.server_name = next();
    else if (arg == "--timeout") o.timeout = parse_double(next(), "--timeout", 0.01, 3600);
    else if (arg == "--close") {
      std::string c = next();
      if (c == "rst") o.rst = true;
      else if (c != "fin") usage("--close is fin or rst");
    } else if (arg == "--help" || arg == "-h") usage();
    else usage(("unknown option " + arg).c_str());
  }
  if (o.port == 0) usage("--port is required");
  if (o.connections == 0) o.connections = o.bulk ? 4 : 16;
  return o;
}

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

std::string openssl_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

// The pattern every connection streams in bulk mode: pseudo-random bytes,
// kPattern long, followed by a copy of its first kMaxChunk bytes so that any
// offset below kPattern gives kMaxChunk contiguous bytes.
constexpr std::size_t kPattern = (1u << 20) + 4093;
constexpr std::size_t kMaxChunk = 64 * 1024;

std::vector<char> make_pattern() {
  std::vector<char> out(kPattern + kMaxChunk);
  std::uint64_t rng = 0x9e3779b97f4a7c15ULL;
  for (std::size_t i = 0; i < kPattern; ++i) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    out[i] = static_cast<char>(rng);
  }
  std::memcpy(out.data() + kPattern, out.data(), kMaxChunk);
  return out;
}

struct Conn {
  enum State { kIdle, kConnecting, kHandshake, kWrite, kRead, kStream, kDead };
  State state = kIdle;
  int fd = -1;
  SSL* ssl = nullptr;
  std::uint64_t cycle = 0;
  std::int64_t start_ns = 0;
  std::int64_t progress_ns = 0;  // the last time it moved forward
  std::size_t done = 0;          // handshake mode: bytes of the message written, then read
  unsigned tickets = 0;
  // bulk
  std::uint64_t sent = 0, received = 0;
  std::size_t base = 0;  // this connection's offset into the pattern
  std::size_t pending = 0;  // bytes of an SSL_write to retry (same buffer and length)
  bool ready = false;       // on the ready list: stopped before the socket would block
};

int ticket_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

int on_new_session(SSL* ssl, SSL_SESSION*) {
  if (auto* c = static_cast<Conn*>(SSL_get_ex_data(ssl, ticket_index()))) ++c->tickets;
  return 0;  // not kept: every handshake is a full one
}

SSL_CTX* make_context(const Options& o) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) return nullptr;
  int version = o.tls == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION;
  SSL_CTX_set_min_proto_version(ctx, version);
  SSL_CTX_set_max_proto_version(ctx, version);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  // Sessions are counted (tickets_per_hs) but never stored or offered.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx, on_new_session);
  SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  bool ok = true;
  if (version == TLS1_3_VERSION) {
    ok = SSL_CTX_set_ciphersuites(ctx, o.ciphersuites.c_str()) == 1;
  } else {
    ok = SSL_CTX_set_cipher_list(ctx, o.cipher.c_str()) == 1;
  }
  ok = ok && SSL_CTX_set1_groups_list(ctx, o.groups.c_str()) == 1;
  if (!o.sigalgs.empty()) ok = ok && SSL_CTX_set1_sigalgs_list(ctx, o.sigalgs.c_str()) == 1;
  if (!ok) {
    std::fprintf(stderr, "tls_client: bad cipher, group or sigalg list: %s\n", openssl_errors().c_str());
    SSL_CTX_free(ctx);
    return nullptr;
  }
  return ctx;
}

// What a handshake negotiated, for the report and to check they all agree.
struct Negotiated {
  std::string version, cipher, group, sig;
  bool operator==(const Negotiated&) const = default;
};

Negotiated negotiated(SSL* ssl) {
  Negotiated n;
  n.version = SSL_get_version(ssl);
  const char* cipher = SSL_get_cipher_name(ssl);
  n.cipher = cipher ? cipher : "?";
  int group = static_cast<int>(SSL_get_negotiated_group(ssl));
  const char* gname = group > 0 ? OBJ_nid2sn(group) : nullptr;
  n.group = gname ? gname : (group > 0 ? std::to_string(group) : "none");
  int type = 0, hash = 0;
  if (SSL_get_peer_signature_type_nid(ssl, &type) == 1 && SSL_get_peer_signature_nid(ssl, &hash) == 1) {
    const char* t = OBJ_nid2sn(type);
    const char* h = OBJ_nid2sn(hash);
    n.sig = std::string(t ? t : "?") + "+" + (h ? h : "?");
  } else {
    n.sig = "none";
  }
  return n;
}

class Client {
 public:
  explicit Client(const Options& o) : o_(o), conns_(static_cast<std::size_t>(o.connections)) {}

  int run() {
    addr_ = resolve(o_.host, o_.port, addr_len_);
    ctx_ = make_context(o_);
    if (!ctx_) return 1;
    if (o_.bulk) pattern_ = make_pattern();
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    if (ep_ < 0) {
      std::perror("tls_client: epoll_create1");
      return 1;
    }
    const std::int64_t t0 = now_ns();
    measure_start_ = t0 + static_cast<std::int64_t>(o_.warmup * 1e9);
    end_ = measure_start_ + static_cast<std::int64_t>(o_.duration * 1e9);
    // Stalls are checked against the timeout; the whole run ends by then too.
    const std::int64_t hard_end = end_ + static_cast<std::int64_t>(o_.timeout * 1e9);
    if (o_.warmup <= 0) begin_measuring(t0);
    for (std::size_t i = 0; i < conns_.size(); ++i) {
      conns_[i].base = (i * 104729) % kPattern;
      open(conns_[i]);
    }

    std::vector<epoll_event> events(std::min<std::size_t>(conns_.size(), 1024));
    std::vector<Conn*> ready;
    std::int64_t now = now_ns();
    std::int64_t next_stall_check = now + 100'000'000;
    while (!g_stop && !aborted_) {
      if (!measuring_ && now >= measure_start_) begin_measuring(now);
      if (now >= end_ || finished_) break;
      if (alive() == 0) break;
      std::int64_t wake = std::min(measuring_ ? end_ : measure_start_, next_stall_check);
      int timeout_ms = static_cast<int>(std::max<std::int64_t>(0, (wake - now + 999'999) / 1'000'000));
      if (!ready_.empty()) timeout_ms = 0;
      int n = epoll_wait(ep_, events.data(), static_cast<int>(events.size()), timeout_ms);
      if (n < 0 && errno != EINTR) {
        std::perror("tls_client: epoll_wait");
        return 1;
      }
      for (int i = 0; i < n; ++i) {
        Conn& c = *static_cast<Conn*>(events[i].data.ptr);
        if (c.state != Conn::kDead && c.state != Conn::kIdle) progress(c, events[i].events);
      }
      // Connections that stopped early for fairness go on where they were.
      ready.swap(ready_);
      for (Conn* c : ready) {
        c->ready = false;
        if (c->state == Conn::kStream) stream(*c);
      }
      ready.clear();
      now = now_ns();
      if (now >= next_stall_check) {
        next_stall_check = now + 100'000'000;
        for (Conn& c : conns_) {
          if (c.state != Conn::kDead && c.state != Conn::kIdle &&
              now - c.progress_ns > static_cast<std::int64_t>(o_.timeout * 1e9)) {
            fail(c, "no progress within --timeout");
          }
        }
      }
      if (now >= hard_end) break;
    }
    finish_window();
    for (Conn& c : conns_) release(c, false);
    close(ep_);
    SSL_CTX_free(ctx_);
    return report();
  }

 private:
  std::size_t alive() const {
    return static_cast<std::size_t>(std::count_if(conns_.begin(), conns_.end(), [](const Conn& c) {
      return c.state != Conn::kDead;
    }));
  }

  void begin_measuring(std::int64_t now) {
    measuring_ = true;
    start_ns_ = now;
    if (!o_.server_pids.empty()) server_cpu0_ = servers_cpu_us(o_.server_pids);
    client_cpu0_ = self_cpu_us();
    machine0_ = machine_busy_us();
    hist_.clear();
    handshakes_ = 0;
    tickets_ = 0;
    bytes_ = 0;
  }

  void finish_window() {
    stop_ns_ = now_ns();
    if (!measuring_) return;
    if (!o_.server_pids.empty()) server_cpu1_ = servers_cpu_us(o_.server_pids);
    client_cpu_ = self_cpu_us() - client_cpu0_;
    machine1_ = machine_busy_us();
  }

  // Frees the connection's SSL and socket. `clean`: send close_notify first.
  void release(Conn& c, bool clean) {
    if (c.ssl) {
      if (clean) SSL_shutdown(c.ssl);  // queues and tries to send close_notify; never waits
      SSL_free(c.ssl);
      c.ssl = nullptr;
    }
    if (c.fd >= 0) {
      if (o_.rst || !clean) {
        linger lg{1, 0};
        setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
      }
      close(c.fd);  // also leaves the epoll set
      c.fd = -1;
    }
    ERR_clear_error();
  }

  void fail(Conn& c, const std::string& what) {
    if (errors_ < 5) {
      std::fprintf(stderr, "tls_client: connection %zu, cycle %llu: %s\n",
                   static_cast<std::size_t>(&c - conns_.data()),
                   static_cast<unsigned long long>(c.cycle), what.c_str());
    }
    ++errors_;
    release(c, false);
    c.state = Conn::kDead;
    // Handshake mode goes on with a new connection in this slot, unless
    // errors pile up (a server that is down or refuses everything).
    if (!o_.bulk && errors_ < 100 && now_ns() < end_) {
      c.state = Conn::kIdle;
      open(c);
    } else if (errors_ >= 100) {
      aborted_ = true;
    }
  }

  std::string ssl_failure(Conn& c, const char* op, int r) {
    int err = SSL_get_error(c.ssl, r);
    std::string what = std::string(op) + " failed (SSL error " + std::to_string(err);
    if (err == SSL_ERROR_SYSCALL) what += errno ? std::string(", ") + std::strerror(errno) : ", EOF";
    if (err == SSL_ERROR_ZERO_RETURN) what += ", close_notify from the server";
    std::string detail = openssl_errors();
    if (!detail.empty()) what += ": " + detail;
    return what + ")";
  }

  void open(Conn& c) {
    ++c.cycle;
    c.done = 0;
    c.tickets = 0;
    c.sent = c.received = 0;
    c.pending = 0;
    c.start_ns = c.progress_ns = now_ns();
    c.fd = socket(addr_.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) return fail(c, std::string("socket: ") + std::strerror(errno));
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int rc;
    do rc = connect(c.fd, reinterpret_cast<const sockaddr*>(&addr_), addr_len_);
    while (rc < 0 && errno == EINTR);
    if (rc < 0 && errno != EINPROGRESS) return fail(c, std::string("connect: ") + std::strerror(errno));
    c.ssl = SSL_new(ctx_);
    if (!c.ssl) return fail(c, "SSL_new: " + openssl_errors());
    SSL_set_fd(c.ssl, c.fd);
    SSL_set_connect_state(c.ssl);
    SSL_set_ex_data(c.ssl, ticket_index(), &c);
    if (!o_.server_name.empty()) SSL_set_tlsext_host_name(c.ssl, o_.server_name.c_str());
    c.state = rc == 0 ? Conn::kHandshake : Conn::kConnecting;
    // Edge-triggered, registered once per socket; readiness it already has is
    // reported at once.
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = &c;
    if (epoll_ctl(ep_, EPOLL_CTL_ADD, c.fd, &ev) < 0) {
      return fail(c, std::string("epoll_ctl: ") + std::strerror(errno));
    }
  }

  // One cycle of handshake mode is complete.
  void completed(Conn& c) {
    const std::int64_t now = now_ns();
    if (!negotiated_set_) {
      negotiated_ = negotiated(c.ssl);
      negotiated_set_ = true;
    } else if (c.cycle % 64 == 1 && !(negotiated(c.ssl) == negotiated_)) {
      return fail(c, "negotiated other parameters than the first handshake");
    }
    if (SSL_session_reused(c.ssl)) return fail(c, "the session was resumed");
    if (measuring_) {
      ++handshakes_;
      tickets_ += c.tickets;
      hist_.add(static_cast<std::uint64_t>(now - c.start_ns));
      if (o_.count > 0 && handshakes_ >= static_cast<std::uint64_t>(o_.count)) finished_ = true;
    }
    release(c, true);
    c.state = Conn::kIdle;
    if (now < end_ && !finished_ && !g_stop) open(c);
  }

  // Moves a connection forward until it would block.
  void progress(Conn& c, std::uint32_t events) {
    for (;;) {
      switch (c.state) {
        case Conn::kIdle:
        case Conn::kDead:
          return;
        case Conn::kConnecting: {
          if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
          int err = 0;
          socklen_t len = sizeof err;
          if (getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
          if (err != 0) return fail(c, std::string("connect: ") + std::strerror(err));
          if (!(events & EPOLLOUT)) return fail(c, "connect: hang-up");
          c.state = Conn::kHandshake;
          break;
        }
        case Conn::kHandshake: {
          ERR_clear_error();
          errno = 0;
          int r = SSL_do_handshake(c.ssl);
          if (r != 1) {
            int err = SSL_get_error(c.ssl, r);
            if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return;
            return fail(c, ssl_failure(c, "handshake", r));
          }
          c.progress_ns = now_ns();
          if (o_.bulk) {
            if (!negotiated_set_) {
              negotiated_ = negotiated(c.ssl);
              negotiated_set_ = true;
            }
            c.state = Conn::kStream;
          } else if (o_.exchange == Options::Exchange::echo) {
            c.state = Conn::kWrite;
          } else if (o_.exchange == Options::Exchange::greeting) {
            c.state = Conn::kRead;
          } else {
            // Without an exchange, a TLS 1.3 client is done before the server
            // has read its Finished: the close may reach the server first.
            completed(c);
            if (c.state != Conn::kHandshake && c.state != Conn::kConnecting) return;
            events = 0;
          }
          break;
        }
        case Conn::kWrite: {
          ERR_clear_error();
          errno = 0;
          std::size_t n = 0;
          int r = SSL_write_ex(c.ssl, o_.message.data(), o_.message.size(), &n);
          if (r != 1) {
            int err = SSL_get_error(c.ssl, r);
            if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return;
            return fail(c, ssl_failure(c, "write", r));
          }
          c.state = Conn::kRead;
          c.done = 0;
          break;
        }
        case Conn::kRead: {
          ERR_clear_error();
          errno = 0;
          std::size_t n = 0;
          int r = SSL_read_ex(c.ssl, reply_.data() + c.done, o_.message.size() - c.done, &n);
          if (r != 1) {
            int err = SSL_get_error(c.ssl, r);
            if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return;
            return fail(c, ssl_failure(c, "read", r));
          }
          c.done += n;
          c.progress_ns = now_ns();
          if (c.done < o_.message.size()) break;
          if (std::memcmp(reply_.data(), o_.message.data(), o_.message.size()) != 0) {
            return fail(c, "the reply differs from the message");
          }
          completed(c);
          if (c.state != Conn::kHandshake && c.state != Conn::kConnecting) return;
          events = 0;  // the new socket's readiness comes as new events
          break;
        }
        case Conn::kStream:
          return stream(c);
      }
    }
  }

  // Bulk mode: write while the window allows, read and check what came back,
  // until both would block.
  void stream(Conn& c) {
    for (int rounds = 0;; ++rounds) {
      if (rounds == 16) {  // enough for now: the others' turn (resumed from the ready list)
        if (!c.ready) {
          c.ready = true;
          ready_.push_back(&c);
        }
        return;
      }
      bool write_blocked = false;
      while (c.sent - c.received < o_.window) {
        if (c.pending == 0) c.pending = std::min<std::size_t>(o_.size, o_.window - (c.sent - c.received));
        const char* data = pattern_.data() + (c.base + c.sent) % kPattern;
        ERR_clear_error();
        errno = 0;
        std::size_t n = 0;
        int r = SSL_write_ex(c.ssl, data, c.pending, &n);
        if (r != 1) {
          int err = SSL_get_error(c.ssl, r);
          if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) {
            write_blocked = true;
            break;
          }
          return fail(c, ssl_failure(c, "write", r));
        }
        c.sent += n;
        c.pending = 0;
      }
      ERR_clear_error();
      errno = 0;
      std::size_t n = 0;
      int r = SSL_read_ex(c.ssl, read_buf_.data(), read_buf_.size(), &n);
      if (r != 1) {
        int err = SSL_get_error(c.ssl, r);
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
          (void)write_blocked;
          return;  // the next edge (data, or room to write) calls again
        }
        return fail(c, ssl_failure(c, "read", r));
      }
      if (c.received + n > c.sent) return fail(c, "more bytes came back than were sent");
      const char* expect = pattern_.data() + (c.base + c.received) % kPattern;
      if (std::memcmp(read_buf_.data(), expect, n) != 0) return fail(c, "echoed bytes differ");
      c.received += n;
      c.progress_ns = now_ns();
      if (measuring_) bytes_ += n;
    }
  }

  int report() {
    const double secs = measuring_ ? static_cast<double>(stop_ns_ - start_ns_) / 1e9 : 0;
    const double units = o_.bulk ? static_cast<double>(bytes_) / 1e6 : static_cast<double>(handshakes_);
    const char* unit = o_.bulk ? "mb" : "hs";
    std::printf("mode=%s ", o_.bulk ? "bulk" : "handshake");
    if (o_.bulk) {
      std::printf("mb_per_s=%.1f bytes=%llu", secs > 0 ? units / secs : 0.0,
                  static_cast<unsigned long long>(bytes_));
    } else {
      std::printf("hs_per_s=%.0f handshakes=%llu p50_us=%.1f p99_us=%.1f tickets_per_hs=%.2f",
                  secs > 0 ? units / secs : 0.0, static_cast<unsigned long long>(handshakes_),
                  hist_.quantile(0.50) / 1e3, hist_.quantile(0.99) / 1e3,
                  handshakes_ ? static_cast<double>(tickets_) / static_cast<double>(handshakes_) : 0.0);
    }
    std::printf(" errors=%llu seconds=%.3f connections=%d client_cpu_pct=%.1f client_cpu_us_per_%s=%.3f",
                static_cast<unsigned long long>(errors_), secs, o_.connections,
                secs > 0 ? client_cpu_ / (secs * 1e4) : 0.0, unit,
                units > 0 ? client_cpu_ / units : 0.0);
    if (!o_.server_pids.empty()) {
      if (server_cpu0_ >= 0 && server_cpu1_ >= 0 && units > 0 && secs > 0) {
        const double cpu = server_cpu1_ - server_cpu0_;
        std::printf(" server_cpu_pct=%.1f server_cpu_us_per_%s=%.3f", cpu / (secs * 1e4), unit,
                    cpu / units);
        if (machine0_ >= 0 && machine1_ >= 0) {
          const double other = (machine1_ - machine0_) - cpu - client_cpu_;
          std::printf(" other_cpu_pct=%.1f", std::max(0.0, other) / (secs * 1e4));
        }
      } else {
        std::printf(" server_cpu_pct=NA server_cpu_us_per_%s=NA", unit);
      }
    }
    if (negotiated_set_) {
      std::printf(" version=%s cipher=%s group=%s sig=%s", negotiated_.version.c_str(),
                  negotiated_.cipher.c_str(), negotiated_.group.c_str(), negotiated_.sig.c_str());
    }
    std::printf("\n");
    std::fflush(stdout);
    if (g_stop || aborted_) return 1;
    return errors_ == 0 && units > 0 ? 0 : 1;
  }

  const Options& o_;
  std::vector<Conn> conns_;
  sockaddr_storage addr_{};
  socklen_t addr_len_ = 0;
  SSL_CTX* ctx_ = nullptr;
  int ep_ = -1;
  std::vector<char> pattern_;
  std::vector<Conn*> ready_;  // bulk: to resume without waiting for an edge
  std::array<char, kMaxChunk> read_buf_{};
  std::array<char, 4096> reply_{};

  bool measuring_ = false, finished_ = false, aborted_ = false;
  std::int64_t measure_start_ = 0, end_ = 0, start_ns_ = 0, stop_ns_ = 0;
  double server_cpu0_ = -1, server_cpu1_ = -1, client_cpu0_ = 0, client_cpu_ = 0;
  double machine0_ = -1, machine1_ = -1;
  Histogram hist_;
  std::uint64_t errors_ = 0, handshakes_ = 0, tickets_ = 0, bytes_ = 0;
  Negotiated negotiated_;
  bool negotiated_set_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  struct sigaction sa{};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  Client client(o);
  return client.run();
}
