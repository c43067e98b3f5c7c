// SPDX-License-Identifier: MIT
// The idle-connection client of bench/http_server.sh: what an HTTP server's
// user-space memory grows by per idle keep-alive connection.
//
//   idle_conns --port P [--host A] --connections N --server-pid PID [--path /]
//              [--parallel N] [--timeout S] [--settle S]
//
// With the fd limit raised to its hard maximum (N needs N descriptors here),
// it makes one GET on a connection of its own and closes it (the server's first
// request, whatever it allocates once, is behind us), waits --settle seconds
// and reads the server's VmRSS from /proc/PID/status. Then it opens N
// connections, at most --parallel (4) of them connecting or waiting for
// their answer at a time, all in one epoll set: each sends one
// `GET PATH HTTP/1.1` and reads the whole response (status 200, Content-Length
// body), and then stays open and idle. When all N have been answered it waits
// --settle seconds (1), reads VmRSS again, checks that the server closed none
// of them, and prints one line of key=value fields:
//
//   connections=N rss_before_kib=A rss_after_kib=B kib_per_conn=(B-A)/N
//   closed_by_server=0 threads_before=T threads_after=U seconds=S
//
// then resets every connection (SO_LINGER 0: no TIME_WAIT left behind) and
// exits 0; 1 on any failure (a refused or reset connection, a status other
// than 200, a server that closed an idle connection, the --timeout (60 s) for
// the whole run passed). RSS is user-space memory only: the kernel's socket
// buffers are not in it.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_common.hpp"

const char* const bench::program_name = "idle_conns";

[[noreturn]] void bench::usage(const char* why) {
  if (why) std::fprintf(stderr, "idle_conns: %s\n", why);
  std::fprintf(stderr,
               "usage: idle_conns --port P [--host A] --connections N --server-pid PID [--path /]\n"
               "                  [--parallel N] [--timeout S] [--settle S]\n");
  std::exit(2);
}

namespace {

using bench::now_ns;

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  long connections = 0;
  long server_pid = 0;
  std::string path = "/";
  long parallel = 4;
  double timeout = 60;
  double settle = 1;
};

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "idle_conns: %s\n", what.c_str());
  std::exit(1);
}

// A field of /proc/PID/status ("VmRSS", "Threads") as a number, or -1.
long status_field(long pid, const char* key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  const std::size_t n = std::strlen(key);
  while (std::getline(in, line)) {
    if (line.compare(0, n, key) == 0 && line.size() > n && line[n] == ':') {
      return std::strtol(line.c_str() + n + 1, nullptr, 10);
    }
  }
  return -1;
}

enum class State { connecting, reading, idle };

struct Conn {
  int fd = -1;
  State state = State::connecting;
  std::string in;  // the response so far (freed once answered)
};

// Whether `in` holds a whole response: -1 not yet, 0 complete and 200, 1 bad.
int response_done(const std::string& in, std::string& why) {
  auto end = in.find("\r\n\r\n");
  if (end == std::string::npos) return in.size() > 65536 ? (why = "header too long", 1) : -1;
  if (in.compare(0, 9, "HTTP/1.1 ") != 0 && in.compare(0, 9, "HTTP/1.0 ") != 0) {
    why = "not an HTTP response: " + in.substr(0, 40);
    return 1;
  }
  if (in.compare(9, 3, "200") != 0) {
    why = "status " + in.substr(9, 3);
    return 1;
  }
  long length = -1;
  for (std::size_t p = in.find("\r\n") + 2; p < end;) {
    auto eol = in.find("\r\n", p);
    std::string line = in.substr(p, eol - p);
    p = eol + 2;
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == "content-length") length = std::strtol(line.c_str() + colon + 1, nullptr, 10);
  }
  if (length < 0) {
    why = "no Content-Length";
    return 1;
  }
  const auto have = static_cast<long>(in.size() - (end + 4));
  if (have < length) return -1;
  if (have > length) {
    why = "more bytes than the Content-Length";
    return 1;
  }
  return 0;
}

int open_socket(const sockaddr_storage& addr, socklen_t len) {
  int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) fail(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), len) < 0 && errno != EINPROGRESS) {
    fail(std::string("connect: ") + std::strerror(errno));
  }
  return fd;
}

void reset_close(int fd) {
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

// One blocking GET on a connection of its own (the warm-up), bounded by `deadline`.
void one_get(const sockaddr_storage& addr, socklen_t len, const std::string& request,
             std::int64_t deadline) {
  int fd = open_socket(addr, len);
  pollfd p{fd, POLLOUT, 0};
  std::string in, why;
  bool sent = false;
  for (;;) {
    const auto left_ms = (deadline - now_ns()) / 1'000'000;
    if (left_ms <= 0) fail("warm-up request timed out");
    int r = ::poll(&p, 1, static_cast<int>(left_ms));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    if (!sent) {
      int err = 0;
      socklen_t el = sizeof err;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
      if (err) fail(std::string("warm-up connect: ") + std::strerror(err));
      if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
        fail("warm-up send failed");
      }
      sent = true;
      p.events = POLLIN;
      continue;
    }
    char buf[16384];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) fail("warm-up: connection closed before the response");
    in.append(buf, static_cast<std::size_t>(n));
    int d = response_done(in, why);
    if (d == 1) fail("warm-up: " + why);
    if (d == 0) break;
  }
  reset_close(fd);
}

void sleep_s(double s) {
  std::this_thread::sleep_for(std::chrono::duration<double>(s));
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) bench::usage(("missing value for " + a).c_str());
    const char* v = argv[++i];
    if (a == "--host") o.host = v;
    else if (a == "--port") o.port = static_cast<int>(bench::parse_long(v, "--port", 1, 65535));
    else if (a == "--connections") o.connections = bench::parse_long(v, "--connections", 1, 1'000'000);
    else if (a == "--server-pid") o.server_pid = bench::parse_long(v, "--server-pid", 1, 1L << 30);
    else if (a == "--path") o.path = v;
    else if (a == "--parallel") o.parallel = bench::parse_long(v, "--parallel", 1, 100'000);
    else if (a == "--timeout") o.timeout = bench::parse_double(v, "--timeout", 0.1, 3600);
    else if (a == "--settle") o.settle = bench::parse_double(v, "--settle", 0, 60);
    else bench::usage(("unknown option " + a).c_str());
  }
  if (!o.port || !o.connections || !o.server_pid) bench::usage("--port, --connections and --server-pid are required");

  // Each connection is a descriptor here: the soft limit up to the hard one.
  rlimit rl{};
  ::getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur != RLIM_INFINITY && static_cast<rlim_t>(o.connections) + 16 > rl.rlim_cur) {
    fail("--connections " + std::to_string(o.connections) + " needs more descriptors than the limit (" +
         std::to_string(rl.rlim_cur) + ")");
  }

  socklen_t len = 0;
  const sockaddr_storage addr = bench::resolve(o.host, o.port, len);
  const std::string request =
      "GET " + o.path + " HTTP/1.1\r\nHost: " + o.host + ":" + std::to_string(o.port) + "\r\n\r\n";
  const std::int64_t t0 = now_ns();
  const std::int64_t deadline = t0 + static_cast<std::int64_t>(o.timeout * 1e9);

  one_get(addr, len, request, deadline);
  sleep_s(o.settle);
  const long rss_before = status_field(o.server_pid, "VmRSS");
  const long threads_before = status_field(o.server_pid, "Threads");
  if (rss_before < 0) fail("cannot read /proc/" + std::to_string(o.server_pid) + "/status");

  int ep = ::epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) fail(std::string("epoll_create1: ") + std::strerror(errno));
  std::vector<Conn> conns(static_cast<std::size_t>(o.connections));
  long started = 0, answered = 0, in_flight = 0;
  std::vector<epoll_event> events(256);
  std::string why;
  while (answered < o.connections) {
    while (started < o.connections && in_flight < o.parallel) {
      Conn& c = conns[static_cast<std::size_t>(started)];
      c.fd = open_socket(addr, len);
      epoll_event ev{};
      ev.events = EPOLLOUT;
      ev.data.u64 = static_cast<std::uint64_t>(started);
      if (::epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev) < 0) fail(std::string("epoll_ctl: ") + std::strerror(errno));
      ++started;
      ++in_flight;
    }
    const auto left_ms = (deadline - now_ns()) / 1'000'000;
    if (left_ms <= 0) {
      fail("timed out after " + std::to_string(o.timeout) + " s with " + std::to_string(answered) + " of " +
           std::to_string(o.connections) + " connections answered");
    }
    int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()),
                         static_cast<int>(std::min<std::int64_t>(left_ms, 1000)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(std::string("epoll_wait: ") + std::strerror(errno));
    for (int i = 0; i < n; ++i) {
      const auto idx = static_cast<std::size_t>(events[i].data.u64);
      Conn& c = conns[idx];
      const std::string which = "connection " + std::to_string(idx + 1);
      if (c.state == State::connecting) {
        int err = 0;
        socklen_t el = sizeof err;
        ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &el);
        if (err) fail(which + ": connect: " + std::strerror(err));
        ssize_t w = ::send(c.fd, request.data(), request.size(), MSG_NOSIGNAL);
        if (w != static_cast<ssize_t>(request.size())) fail(which + ": send failed");
        c.state = State::reading;
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = idx;
        ::epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
        continue;
      }
      if (c.state != State::reading) continue;
      for (;;) {
        char buf[4096];
        ssize_t r = ::recv(c.fd, buf, sizeof buf, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && errno == EAGAIN) break;
        if (r < 0) fail(which + ": recv: " + std::strerror(errno));
        if (r == 0) fail(which + ": closed by the server before its response");
        c.in.append(buf, static_cast<std::size_t>(r));
        int d = response_done(c.in, why);
        if (d == 1) fail(which + ": " + why);
        if (d == 0) {
          c.state = State::idle;
          std::string().swap(c.in);
          ::epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
          ++answered;
          --in_flight;
          break;
        }
      }
    }
  }
  const double open_s = static_cast<double>(now_ns() - t0) / 1e9;

  sleep_s(o.settle);
  const long rss_after = status_field(o.server_pid, "VmRSS");
  const long threads_after = status_field(o.server_pid, "Threads");
  if (rss_after < 0) fail("the server exited (no /proc/" + std::to_string(o.server_pid) + "/status)");

  // Still open? A closed one is readable (EOF) or hung up.
  std::vector<pollfd> pfds;
  pfds.reserve(conns.size());
  for (const Conn& c : conns) pfds.push_back({c.fd, POLLIN | POLLRDHUP, 0});
  int closed = ::poll(pfds.data(), pfds.size(), 0);
  if (closed < 0) fail(std::string("poll: ") + std::strerror(errno));

  std::printf("connections=%ld rss_before_kib=%ld rss_after_kib=%ld kib_per_conn=%.3f "
              "closed_by_server=%d threads_before=%ld threads_after=%ld seconds=%.3f\n",
              o.connections, rss_before, rss_after,
              static_cast<double>(rss_after - rss_before) / static_cast<double>(o.connections), closed,
              threads_before, threads_after, open_s);
  std::fflush(stdout);
  for (const Conn& c : conns) reset_close(c.fd);
  ::close(ep);
  if (closed > 0) {
    std::fprintf(stderr, "idle_conns: the server closed %d of the %ld idle connections\n", closed,
                 o.connections);
    return 1;
  }
  return 0;
}
