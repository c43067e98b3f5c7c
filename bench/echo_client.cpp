// SPDX-License-Identifier: MIT
// Echo load client for bench/echo.sh: one thread, one epoll set, plain POSIX.
//
// Load mode (the default): opens --connections sockets to --host:--port and
// runs a ping-pong on each: write --size bytes, read --size bytes back, check
// that they are the bytes sent, repeat. After --warmup seconds it measures for
// --duration seconds and prints one line:
//
//   msgs_per_s=... p50_us=... p99_us=... p999_us=... errors=0 msgs=... ...
//
// Round-trip latency is from the first byte written to the last byte read,
// kept in a log-linear histogram (resolution better than 1.6%). With
// --server-pid P it also reads P's CPU time (utime+stime, /proc/P/stat) at the
// start and end of the measured window and prints server_cpu_us_per_msg, and
// other_cpu_pct: the CPU the rest of the machine used in that window (from
// /proc/stat, in % of one core), which tells a disturbed run.
// Any error (refused, reset, early close, a byte that differs) is counted; the
// exit status is 1 if there was any.
//
// Reconnect mode (--reconnect): a connection rate test. Each of the
// --connections slots loops: open a new non-blocking socket and connect, write
// --size bytes, read them back and check them, close, and start again. The
// line has the same fields, but a "msg" is one whole connection: msgs_per_s is
// connections completed per second (each with one echo), p50/p99/p999 are of
// the time from socket() to close() returning, and the CPU fields are per
// connection; it ends with mode=reconnect. A slot that fails (refused, reset,
// timed out, wrong bytes) counts an error and is not restarted.
//
// Idle mode (--idle N): opens N connections, sends one byte on each and waits
// for it to come back (so the server has accepted and served every one; skip
// with --no-ping), prints `connected=N`, then holds them until a line or EOF
// on standard input, or SIGINT/SIGTERM, and closes them.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
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
#include <string_view>
#include <vector>

#include "bench_common.hpp"

namespace {

using namespace bench;

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  int connections = 64;
  std::size_t size = 64;
  double duration = 5.0;
  double warmup = 1.0;
  int idle = 0;
  bool ping = true;
  bool reconnect = false;
  long server_pid = 0;
  double timeout = 60.0;  // for establishing the connections
};

}  // namespace

const char* const bench::program_name = "echo_client";

[[noreturn]] void bench::usage(const char* why) {
  if (why) std::fprintf(stderr, "echo_client: %s\n", why);
  std::fprintf(stderr,
               "usage: echo_client --port P [--host A] [--connections N] [--size M]\n"
               "                   [--duration S] [--warmup S] [--server-pid PID]\n"
               "                   [--timeout S] [--reconnect]\n"
               "       echo_client --port P [--host A] --idle N [--no-ping] [--timeout S]\n");
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
    if (arg == "--host") o.host = next();
    else if (arg == "--port") o.port = static_cast<int>(parse_long(next(), "--port", 1, 65535));
    else if (arg == "--connections")
      o.connections = static_cast<int>(parse_long(next(), "--connections", 1, 1000000));
    else if (arg == "--size")
      o.size = static_cast<std::size_t>(parse_long(next(), "--size", 1, 64L << 20));
    else if (arg == "--duration") o.duration = parse_double(next(), "--duration", 0.01, 3600);
    else if (arg == "--warmup") o.warmup = parse_double(next(), "--warmup", 0, 3600);
    else if (arg == "--idle") o.idle = static_cast<int>(parse_long(next(), "--idle", 1, 1000000));
    else if (arg == "--no-ping" && !has_value) o.ping = false;
    else if (arg == "--reconnect" && !has_value) o.reconnect = true;
    else if (arg == "--server-pid") o.server_pid = parse_long(next(), "--server-pid", 1, 1L << 30);
    else if (arg == "--timeout") o.timeout = parse_double(next(), "--timeout", 0.01, 3600);
    else if (arg == "--help" || arg == "-h") usage();
    else usage(("unknown option " + arg).c_str());
  }
  if (o.port == 0) usage("--port is required");
  if (o.reconnect && o.idle > 0) usage("--reconnect and --idle exclude each other");
  return o;
}

void set_timeouts(int fd, std::int64_t ns) {
  ns = std::max<std::int64_t>(ns, 1'000'000);
  timeval tv{static_cast<time_t>(ns / 1'000'000'000), static_cast<suseconds_t>(ns % 1'000'000'000 / 1000)};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);  // connect() honours it too
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

// A blocking connect bounded by the deadline; returns the socket or -1.
int connect_one(const sockaddr_storage& addr, socklen_t len, std::int64_t deadline) {
  int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    std::perror("echo_client: socket");
    return -1;
  }
  set_timeouts(fd, deadline - now_ns());
  for (;;) {
    if (connect(fd, reinterpret_cast<const sockaddr*>(&addr), len) == 0) break;
    if (errno == EINTR && now_ns() < deadline) continue;
    std::perror("echo_client: connect");
    close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

int run_idle(const Options& o) {
  socklen_t len = 0;
  auto addr = resolve(o.host, o.port, len);
  const std::int64_t deadline = now_ns() + static_cast<std::int64_t>(o.timeout * 1e9);
  std::vector<int> fds;
  fds.reserve(static_cast<std::size_t>(o.idle));
  int status = 0;
  for (int i = 0; i < o.idle && !g_stop; ++i) {
    if (now_ns() >= deadline) {
      std::fprintf(stderr, "echo_client: timed out after %zu connections\n", fds.size());
      status = 1;
      break;
    }
    int fd = connect_one(addr, len, deadline);
    if (fd < 0) {
      std::fprintf(stderr, "echo_client: connection %d failed\n", i + 1);
      status = 1;
      break;
    }
    fds.push_back(fd);
    if (o.ping) {
      set_timeouts(fd, deadline - now_ns());
      char out = static_cast<char>('a' + i % 26), in = 0;
      ssize_t n = send(fd, &out, 1, MSG_NOSIGNAL);
      if (n == 1) {
        do n = recv(fd, &in, 1, 0);
        while (n < 0 && errno == EINTR && !g_stop);
      }
      if (n != 1 || in != out) {
        std::fprintf(stderr, "echo_client: no echo on connection %d\n", i + 1);
        status = 1;
        break;
      }
    }
  }
  std::printf("connected=%zu\n", fds.size());
  std::fflush(stdout);
  if (status == 0) {
    // Hold until a line (or EOF) on stdin, or a signal.
    pollfd p{STDIN_FILENO, POLLIN, 0};
    while (!g_stop) {
      int r = poll(&p, 1, -1);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) break;
      char c;
      ssize_t n = read(STDIN_FILENO, &c, 1);
      if (n <= 0 || c == '\n') break;
    }
  }
  for (int fd : fds) close(fd);
  return status;
}

// The measured window: the CPU counters at its start and end.
struct Window {
  bool measuring = false;
  std::int64_t start = 0, end = 0;
  double server_cpu0 = -1, server_cpu1 = -1, client_cpu0 = 0, client_cpu = 0;
  double machine_busy0 = -1, machine_busy1 = -1;

  void begin(const Options& o, std::int64_t now) {
    measuring = true;
    start = now;
    if (o.server_pid) server_cpu0 = process_cpu_us(o.server_pid);
    client_cpu0 = self_cpu_us();
    machine_busy0 = machine_busy_us();
  }
  void finish(const Options& o) {
    end = now_ns();
    server_cpu1 = o.server_pid ? process_cpu_us(o.server_pid) : -1;
    client_cpu = self_cpu_us() - client_cpu0;
    machine_busy1 = machine_busy_us();
  }
};

// Prints the key=value line (then `extra`, if any) and returns the exit status.
int report(const Options& o, const Window& w, const Histogram& hist, std::uint64_t msgs,
           std::uint64_t errors, const char* extra = "") {
  const std::size_t m = o.size;
  const double secs = static_cast<double>(w.end - w.start) / 1e9;
  const double rate = w.measuring && secs > 0 ? static_cast<double>(msgs) / secs : 0;
  const double client_cpu = w.client_cpu;
  std::printf("msgs_per_s=%.0f p50_us=%.1f p99_us=%.1f p999_us=%.1f errors=%llu msgs=%llu "
              "seconds=%.3f connections=%d size=%zu client_cpu_pct=%.1f client_cpu_us_per_msg=%.3f",
              rate, hist.quantile(0.50) / 1e3, hist.quantile(0.99) / 1e3,
              hist.quantile(0.999) / 1e3, static_cast<unsigned long long>(errors),
              static_cast<unsigned long long>(msgs), secs, o.connections, m,
              secs > 0 ? client_cpu / (secs * 1e4) : 0.0,
              msgs > 0 ? client_cpu / static_cast<double>(msgs) : 0.0);
  if (o.server_pid) {
    const double server_cpu0 = w.server_cpu0, server_cpu1 = w.server_cpu1;
    if (server_cpu0 >= 0 && server_cpu1 >= 0 && msgs > 0) {
      const double cpu = server_cpu1 - server_cpu0;
      std::printf(" server_cpu_pct=%.1f server_cpu_us_per_msg=%.3f", cpu / (secs * 1e4),
                  cpu / static_cast<double>(msgs));
    } else {
      std::printf(" server_cpu_pct=NA server_cpu_us_per_msg=NA");
    }
    // What the rest of the machine used meanwhile (other processes, kernel
    // threads, the hypervisor's steal): a measure of how disturbed the run was.
    if (server_cpu0 >= 0 && server_cpu1 >= 0 && w.machine_busy0 >= 0 && w.machine_busy1 >= 0 &&
        secs > 0) {
      const double other =
          (w.machine_busy1 - w.machine_busy0) - (server_cpu1 - server_cpu0) - client_cpu;
      std::printf(" other_cpu_pct=%.1f", std::max(0.0, other) / (secs * 1e4));
    }
  }
  std::printf("%s\n", extra);
  std::fflush(stdout);
  if (g_stop) return 1;
  return errors == 0 && msgs > 0 ? 0 : 1;
}

// Deterministic pseudo-random bytes (xorshift64) for the payloads.
std::vector<char> random_buffers(std::size_t bytes) {
  std::vector<char> out(bytes);
  std::uint64_t rng = 0x9e3779b97f4a7c15ULL;
  for (char& c : out) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    c = static_cast<char>(rng);
  }
  return out;
}

struct Conn {
  int fd = -1;
  std::uint64_t seq = 0;
  std::size_t sent = 0, received = 0;
  bool reading = false;
  bool dead = false;
  std::int64_t start_ns = 0;
  char* out = nullptr;  // the message being sent, --size bytes
  char* in = nullptr;   // what has come back of it
};

int run_load(const Options& o) {
  socklen_t len = 0;
  auto addr = resolve(o.host, o.port, len);
  const std::size_t m = o.size;
  const auto n_conns = static_cast<std::size_t>(o.connections);
  std::vector<Conn> conns(n_conns);
  // Each connection's payload is random bytes with its sequence number
  // stamped at the front: a byte echoed wrongly, late or twice is caught.
  std::vector<char> buffers = random_buffers(2 * m * n_conns);

  const std::int64_t connect_deadline = now_ns() + static_cast<std::int64_t>(o.timeout * 1e9);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) {
    std::perror("echo_client: epoll_create1");
    return 1;
  }
  for (std::size_t i = 0; i < n_conns; ++i) {
    Conn& c = conns[i];
    c.out = buffers.data() + 2 * m * i;
    c.in = c.out + m;
    c.fd = connect_one(addr, len, connect_deadline);
    if (c.fd < 0) return 1;
    fcntl(c.fd, F_SETFL, fcntl(c.fd, F_GETFL) | O_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = &c;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev) < 0) {
      std::perror("echo_client: epoll_ctl");
      return 1;
    }
  }

  Histogram hist;
  std::uint64_t errors = 0, msgs = 0;
  std::size_t alive = n_conns;
  bool measuring = false;

  auto fail = [&](Conn& c, const char* what) {
    if (errors < 5) {
      std::fprintf(stderr, "echo_client: connection %zu: %s\n",
                   static_cast<std::size_t>(&c - conns.data()), what);
    }
    ++errors;
    c.dead = true;
    close(c.fd);
    --alive;
  };
  auto start_message = [&](Conn& c) {
    ++c.seq;
    std::memcpy(c.out, &c.seq, std::min(m, sizeof c.seq));
    c.sent = c.received = 0;
    c.reading = false;
    c.start_ns = now_ns();
  };
  // Moves a connection forward until the socket would block.
  auto progress = [&](Conn& c) {
    for (;;) {
      if (!c.reading) {
        ssize_t n = send(c.fd, c.out + c.sent, m - c.sent, MSG_NOSIGNAL);
        if (n > 0) {
          c.sent += static_cast<std::size_t>(n);
          if (c.sent == m) {
            c.reading = true;
            return;  // the answer raises an EPOLLIN edge when it comes
          }
        } else if (n < 0 && errno == EINTR) {
          continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
          return;
        } else {
          return fail(c, std::strerror(errno));
        }
      } else {
        ssize_t n = recv(c.fd, c.in + c.received, m - c.received, 0);
        if (n > 0) {
          c.received += static_cast<std::size_t>(n);
          if (c.received == m) {
            if (std::memcmp(c.in, c.out, m) != 0) return fail(c, "echoed bytes differ");
            if (measuring) {
              hist.add(static_cast<std::uint64_t>(now_ns() - c.start_ns));
              ++msgs;
            }
            start_message(c);
          }
        } else if (n == 0) {
          return fail(c, "closed by the server");
        } else if (errno == EINTR) {
          continue;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
          return;
        } else {
          return fail(c, std::strerror(errno));
        }
      }
    }
  };

  const std::int64_t t0 = now_ns();
  const std::int64_t measure_start = t0 + static_cast<std::int64_t>(o.warmup * 1e9);
  const std::int64_t end = measure_start + static_cast<std::int64_t>(o.duration * 1e9);
  Window window;
  window.start = measure_start;
  auto begin_measuring = [&](std::int64_t now) {
    window.begin(o, now);
    measuring = true;
    hist.clear();
    msgs = 0;
  };
  if (o.warmup <= 0) begin_measuring(t0);
  for (Conn& c : conns) {
    start_message(c);
    progress(c);
  }

  std::vector<epoll_event> events(std::min<std::size_t>(n_conns, 1024));
  std::int64_t now = now_ns();
  while (alive > 0 && !g_stop) {
    if (!measuring && now >= measure_start) begin_measuring(now);
    if (now >= end) break;
    std::int64_t wake = measuring ? end : measure_start;
    int timeout_ms = static_cast<int>((wake - now + 999'999) / 1'000'000);
    int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), timeout_ms);
    if (n < 0 && errno != EINTR) {
      std::perror("echo_client: epoll_wait");
      return 1;
    }
    for (int i = 0; i < n; ++i) {
      Conn& c = *static_cast<Conn*>(events[i].data.ptr);
      if (!c.dead) progress(c);
    }
    now = now_ns();
  }
  window.finish(o);
  for (Conn& c : conns) {
    if (!c.dead) close(c.fd);
  }
  close(ep);
  return report(o, window, hist, msgs, errors);
}

// One slot of --reconnect: a connection at a time, connect -> echo -> close.
struct Slot {
  enum State { kConnecting, kWriting, kReading };
  int fd = -1;
  State state = kConnecting;
  std::uint64_t seq = 0;
  std::size_t sent = 0, received = 0;
  bool dead = false;
  std::int64_t start_ns = 0;
  char* out = nullptr;  // the message to send, --size bytes
  char* in = nullptr;   // what has come back of it
};

int run_reconnect(const Options& o) {
  socklen_t len = 0;
  auto addr = resolve(o.host, o.port, len);
  const std::size_t m = o.size;
  const auto n_slots = static_cast<std::size_t>(o.connections);
  std::vector<Slot> slots(n_slots);
  std::vector<char> buffers = random_buffers(2 * m * n_slots);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) {
    std::perror("echo_client: epoll_create1");
    return 1;
  }

  Histogram hist;
  std::uint64_t errors = 0, msgs = 0;
  std::size_t alive = n_slots;
  Window window;

  const std::int64_t t0 = now_ns();
  const std::int64_t measure_start = t0 + static_cast<std::int64_t>(o.warmup * 1e9);
  const std::int64_t end = measure_start + static_cast<std::int64_t>(o.duration * 1e9);
  window.start = measure_start;

  auto fail = [&](Slot& c, const char* what) {
    if (errors < 5) {
      std::fprintf(stderr, "echo_client: slot %zu, connection %llu: %s\n",
                   static_cast<std::size_t>(&c - slots.data()),
                   static_cast<unsigned long long>(c.seq), what);
    }
    ++errors;
    c.dead = true;
    if (c.fd >= 0) close(c.fd);
    c.fd = -1;
    --alive;
  };
  // Opens the slot's next connection; false (and the slot failed) on error.
  auto open_next = [&](Slot& c) -> bool {
    ++c.seq;
    std::memcpy(c.out, &c.seq, std::min(m, sizeof c.seq));
    c.sent = c.received = 0;
    c.start_ns = now_ns();
    c.fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
      fail(c, std::strerror(errno));
      return false;
    }
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    // SO_LINGER {1, 0}: close() sends a RST and frees the socket at once. A
    // normal close from the client (the side closing first) would leave each
    // connection in TIME_WAIT for 60 s, and at tens of thousands of
    // connections a second the client would soon run out of ephemeral ports.
    // The echo has been read back in full before the close, so no data is lost.
    linger lg{1, 0};
    setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    int rc;
    do rc = connect(c.fd, reinterpret_cast<const sockaddr*>(&addr), len);
    while (rc < 0 && errno == EINTR);
    if (rc == 0) {
      c.state = Slot::kWriting;
    } else if (errno == EINPROGRESS) {
      c.state = Slot::kConnecting;  // EPOLLOUT (or EPOLLERR) when it is done
    } else {
      fail(c, (std::string("connect: ") + std::strerror(errno)).c_str());
      return false;
    }
    // Registered once connect() has started: an unconnected socket polls as
    // EPOLLHUP. Edge-triggered; a socket already writable is reported at once.
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = &c;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev) < 0) {
      fail(c, std::strerror(errno));
      return false;
    }
    return true;
  };
  // Moves a slot forward until its socket would block; `events` is the epoll
  // mask that woke it (0 when called otherwise). Every new connection is
  // opened only before `end`, so this returns by then.
  auto progress = [&](Slot& c, std::uint32_t events) {
    for (;;) {
      if (c.state == Slot::kConnecting) {
        if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
        int err = 0;
        socklen_t err_len = sizeof err;
        if (getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &err_len) < 0) err = errno;
        if (err != 0) return fail(c, (std::string("connect: ") + std::strerror(err)).c_str());
        if (!(events & EPOLLOUT)) return fail(c, "connect: hang-up");
        c.state = Slot::kWriting;
      } else if (c.state == Slot::kWriting) {
        ssize_t n = send(c.fd, c.out + c.sent, m - c.sent, MSG_NOSIGNAL);
        if (n > 0) {
          c.sent += static_cast<std::size_t>(n);
          if (c.sent == m) c.state = Slot::kReading;
        } else if (n < 0 && errno == EINTR) {
          continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
          return;
        } else {
          return fail(c, std::strerror(errno));
        }
      } else {
        ssize_t n = recv(c.fd, c.in + c.received, m - c.received, 0);
        if (n > 0) {
          c.received += static_cast<std::size_t>(n);
          if (c.received < m) continue;
          if (std::memcmp(c.in, c.out, m) != 0) return fail(c, "echoed bytes differ");
          close(c.fd);  // a RST (SO_LINGER above), no TIME_WAIT
          c.fd = -1;
          const std::int64_t now = now_ns();
          if (window.measuring) {
            hist.add(static_cast<std::uint64_t>(now - c.start_ns));
            ++msgs;
          }
          if (now >= end || g_stop) return;  // the slot stays closed
          if (!open_next(c)) return;
          events = 0;  // the new socket's readiness comes as new epoll events
        } else if (n == 0) {
          return fail(c, "closed by the server");
        } else if (errno == EINTR) {
          continue;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
          return;
        } else {
          return fail(c, std::strerror(errno));
        }
      }
    }
  };

  auto begin_measuring = [&](std::int64_t now) {
    window.begin(o, now);
    hist.clear();
    msgs = 0;
  };
  if (o.warmup <= 0) begin_measuring(t0);
  for (std::size_t i = 0; i < n_slots; ++i) {
    Slot& c = slots[i];
    c.out = buffers.data() + 2 * m * i;
    c.in = c.out + m;
    if (open_next(c)) progress(c, 0);
  }

  std::vector<epoll_event> events(std::min<std::size_t>(n_slots, 1024));
  std::int64_t now = now_ns();
  while (alive > 0 && !g_stop) {
    if (!window.measuring && now >= measure_start) begin_measuring(now);
    if (now >= end) break;
    std::int64_t wake = window.measuring ? end : measure_start;
    int timeout_ms = static_cast<int>((wake - now + 999'999) / 1'000'000);
    int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), timeout_ms);
    if (n < 0 && errno != EINTR) {
      std::perror("echo_client: epoll_wait");
      return 1;
    }
    for (int i = 0; i < n; ++i) {
      Slot& c = *static_cast<Slot*>(events[i].data.ptr);
      if (!c.dead && c.fd >= 0) progress(c, events[i].events);
    }
    now = now_ns();
  }
  window.finish(o);
  for (Slot& c : slots) {
    if (c.fd >= 0) close(c.fd);
  }
  close(ep);
  return report(o, window, hist, msgs, errors, " mode=reconnect");
}
}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  struct sigaction sa{};
  sa.sa_handler = on_signal;  // no SA_RESTART: blocking calls return EINTR
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  if (o.idle > 0) return run_idle(o);
  return o.reconnect ? run_reconnect(o) : run_load(o);
}
