// SPDX-License-Identifier: MIT
// An LD_PRELOAD library that injects faults into the socket calls of the program it is loaded
// into, as a network and a kernel can: short reads and writes, EINTR, EAGAIN storms,
// ECONNRESET and EPIPE, at the Nth operation. Only TCP sockets are touched (a regular file, a
// pipe, an eventfd, a signalfd or an epoll descriptor never is), so the program's own
// machinery runs as usual. Driven by tests/fault/test_faults.py.
//
//   WIRE_FAULT="read:short=7:1:0;write:eagain:3:200"  LD_PRELOAD=libwire_fault_shim.so wire ...
//
// WIRE_FAULT holds rules separated by ';', each  CLASS:ACTION[=ARG]:FIRST[:COUNT[:EVERY]]
//   CLASS   read   (recv, recvfrom, recvmsg, read, readv)
//           write  (send, sendto, sendmsg, write, writev, sendfile)
//           accept (accept, accept4)
//   ACTION  short=N  the call moves at most 1..N bytes (a pseudo-random number each time)
//           eintr    fails with EINTR, having done nothing
//           eagain   fails with EAGAIN (non-blocking sockets only: a blocking socket cannot)
//           reset    fails with ECONNRESET (ECONNABORTED for accept), and the connection is
//                    broken: later reads see EOF, later writes EPIPE, the peer a hang-up
//           epipe    (write) fails with EPIPE and raises SIGPIPE unless MSG_NOSIGNAL was
//                    given, as the kernel does; the connection is broken as for reset
//   FIRST   the first operation of the class (counted from 1, on TCP sockets only, and only
//           where the action applies) that gets the fault
//   COUNT   how many operations get it (default 1; 0: every one from FIRST on)
//   EVERY   every EVERY-th operation from FIRST gets it (default 1: consecutive ones)
// Each rule counts the operations of its class; when several are due on one call, a failure
// wins over a short call, and otherwise the rule written first.
// WIRE_FAULT_SEED seeds the short lengths; WIRE_FAULT_LOG names a file that gets a line per
// injection (the first 100 per rule) and one per rule at exit: "wire-fault: RULE: N of M".
//
// Why the shim also wraps epoll: wire's streams are edge-triggered and remember that a short
// read drained the socket. A real short read or EAGAIN is followed by an edge when more data
// comes; an injected one leaves data behind that no edge announces. So every descriptor that
// got a short or EAGAIN result is owed a readiness report, which the next epoll_wait() on an
// epoll instance it is registered with delivers (at once, without blocking): what the program
// sees is the kernel's behaviour with the data arriving a little later.
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

enum class OpClass { read, write, accept };
enum class Action { none, short_io, eintr, eagain, reset, epipe };

struct Rule {
  OpClass cls = OpClass::read;
  Action action = Action::none;
  unsigned long arg = 1;  // short: the most bytes per call
  unsigned long first = 1;
  unsigned long count = 1;
  unsigned long every = 1;
  char text[96] = {};
  std::atomic<unsigned long> seen{0};      // operations it applied to
  std::atomic<unsigned long> injected{0};  // faults it injected
};

constexpr int kMaxRules = 16;
constexpr int kMaxFd = 65536;
Rule g_rules[kMaxRules];
int g_rule_count = 0;
int g_log_fd = -1;
std::atomic<std::uint64_t> g_random{0x9e3779b97f4a7c15ULL};

// Per descriptor: readiness owed to the program, a broken connection, and the epoll
// registration (to deliver what is owed).
struct FdState {
  std::atomic<std::uint32_t> owed{0};
  std::atomic<int> broken{0};  // errno of the fault that broke it, or 0
  int epfd = -1;               // guarded by g_registry
  std::uint32_t events = 0;
  std::uint64_t data = 0;
};
FdState g_fds[kMaxFd];
pthread_mutex_t g_registry = PTHREAD_MUTEX_INITIALIZER;
std::atomic<int> g_owed_count{0};  // descriptors with owed != 0 (a hint; scans check each)
std::atomic<int> g_max_fd{0};

template <typename F>
F real(const char* name) {
  void* p = ::dlsym(RTLD_NEXT, name);
  if (!p) {
    static const char msg[] = "wire-fault: dlsym failed\n";
    ::syscall(SYS_write, 2, msg, sizeof msg - 1);
    ::abort();
  }
  return reinterpret_cast<F>(p);
}

#define REAL(name) \
  static auto real_##name = real<decltype(&::name)>(#name)

void log_line(const char* fmt, ...) {
  if (g_log_fd < 0) return;
  char line[256];
  va_list ap;
  va_start(ap, fmt);
  int n = std::vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n > 0) ::syscall(SYS_write, g_log_fd, line, static_cast<std::size_t>(n) < sizeof line ? n : sizeof line - 1);
}

bool parse_ulong(const char*& p, unsigned long& out) {
  char* end = nullptr;
  errno = 0;
  unsigned long v = std::strtoul(p, &end, 10);
  if (end == p || errno != 0) return false;
  out = v;
  p = end;
  return true;
}

bool parse_rule(const char* text, std::size_t len, Rule& r) {
  if (len >= sizeof r.text) return false;
  std::memcpy(r.text, text, len);
  r.text[len] = '\0';
  const char* p = r.text;
  auto word = [&](const char* w) {
    std::size_t n = std::strlen(w);
    if (std::strncmp(p, w, n) != 0) return false;
    p += n;
    return true;
  };
  if (word("read:")) {
    r.cls = OpClass::read;
  } else if (word("write:")) {
    r.cls = OpClass::write;
  } else if (word("accept:")) {
    r.cls = OpClass::accept;
  } else {
    return false;
  }
  if (word("short")) {
    r.action = Action::short_io;
    r.arg = 1;
    if (*p == '=' && !(++p, parse_ulong(p, r.arg))) return false;
    if (r.arg == 0 || r.cls == OpClass::accept) return false;
  } else if (word("eintr")) {
    r.action = Action::eintr;
  } else if (word("eagain")) {
    r.action = Action::eagain;
  } else if (word("reset")) {
    r.action = Action::reset;
  } else if (word("epipe")) {
    r.action = Action::epipe;
    if (r.cls != OpClass::write) return false;
  } else {
    return false;
  }
  if (*p++ != ':' || !parse_ulong(p, r.first) || r.first == 0) return false;
  if (*p == ':' && !(++p, parse_ulong(p, r.count))) return false;
  if (*p == ':' && (!(++p, parse_ulong(p, r.every)) || r.every == 0)) return false;
  return *p == '\0';
}

[[noreturn]] void bad_config(const char* what) {
  char line[512];
  int n = std::snprintf(line, sizeof line, "wire-fault: bad WIRE_FAULT: %s\n", what);
  ::syscall(SYS_write, 2, line, n > 0 ? static_cast<std::size_t>(n) : 0);
  ::_exit(121);
}

__attribute__((constructor)) void init() {
  if (const char* log = std::getenv("WIRE_FAULT_LOG")) {
    g_log_fd = static_cast<int>(::syscall(SYS_openat, AT_FDCWD, log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  }
  if (const char* seed = std::getenv("WIRE_FAULT_SEED")) g_random = std::strtoull(seed, nullptr, 10) | 1;
  const char* spec = std::getenv("WIRE_FAULT");
  if (!spec || !*spec) return;
  while (*spec) {
    const char* end = std::strchr(spec, ';');
    std::size_t len = end ? static_cast<std::size_t>(end - spec) : std::strlen(spec);
    if (len > 0) {
      if (g_rule_count == kMaxRules) bad_config("more than 16 rules");
      if (!parse_rule(spec, len, g_rules[g_rule_count])) bad_config(spec);
      ++g_rule_count;
    }
    spec += len;
    if (*spec == ';') ++spec;
  }
  log_line("wire-fault: pid %d, %d rule(s)\n", static_cast<int>(::getpid()), g_rule_count);
}

__attribute__((destructor)) void report() {
  for (int i = 0; i < g_rule_count; ++i) {
    log_line("wire-fault: %s: %lu of %lu\n", g_rules[i].text, g_rules[i].injected.load(), g_rules[i].seen.load());
  }
}

bool is_tcp_socket(int fd) {
  if (fd < 0 || fd >= kMaxFd) return false;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) return false;
  int domain = 0, type = 0;
  socklen_t len = sizeof domain;
  if (::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0) return false;
  len = sizeof type;
  if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0) return false;
  return (domain == AF_INET || domain == AF_INET6) && type == SOCK_STREAM;
}

bool nonblocking(int fd, int flags) {
  if (flags & MSG_DONTWAIT) return true;
  int fl = ::fcntl(fd, F_GETFL);
  return fl >= 0 && (fl & O_NONBLOCK);
}

void owe(int fd, std::uint32_t events) {
  if (fd < 0 || fd >= kMaxFd) return;
  if (g_fds[fd].owed.fetch_or(events) == 0) g_owed_count.fetch_add(1);
  int max = g_max_fd.load();
  while (fd > max && !g_max_fd.compare_exchange_weak(max, fd)) {
  }
}

void forget(int fd) {
  if (fd < 0 || fd >= kMaxFd) return;
  if (g_fds[fd].owed.exchange(0) != 0) g_owed_count.fetch_sub(1);
  g_fds[fd].broken = 0;
  pthread_mutex_lock(&g_registry);
  g_fds[fd].epfd = -1;
  pthread_mutex_unlock(&g_registry);
}

// Breaks the connection as a reset does: the peer sees it end (RST when the program closes
// the descriptor, thanks to a zero linger), and this side's later calls fail.
void break_connection(int fd, int err) {
  linger lg{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  ::shutdown(fd, SHUT_RDWR);
  g_fds[fd].broken = err;
}

std::uint64_t next_random() {
  // xorshift64*, shared by every thread: the lengths need not be independent, only varied.
  std::uint64_t x = g_random.load(std::memory_order_relaxed);
  std::uint64_t y;
  do {
    y = x;
    y ^= y >> 12;
    y ^= y << 25;
    y ^= y >> 27;
  } while (!g_random.compare_exchange_weak(x, y, std::memory_order_relaxed));
  return y * 0x2545F4914F6CDD1DULL;
}

// The decision for one call: the action and, for a short one, the length allowed.
struct Fault {
  Action action = Action::none;
  std::size_t limit = 0;
  int rule = -1;
};

// Every rule of the class counts the call; of those whose turn it is, a failure wins over a
// short call (so "read:short=..." and "read:reset:N" combine), and among equals the first.
Fault decide(OpClass cls, int fd, int flags, const char* call) {
  Fault f;
  if (g_rule_count == 0 || !is_tcp_socket(fd)) return f;
  unsigned long nth = 0;
  for (int i = 0; i < g_rule_count; ++i) {
    Rule& r = g_rules[i];
    if (r.cls != cls) continue;
    if (r.action == Action::eagain && !nonblocking(fd, flags)) continue;
    unsigned long n = r.seen.fetch_add(1) + 1;
    if (n < r.first) continue;
    unsigned long k = n - r.first;
    if (k % r.every != 0 || (r.count != 0 && k / r.every >= r.count)) continue;
    bool stronger = f.action == Action::none || (f.action == Action::short_io && r.action != Action::short_io);
    if (!stronger) continue;
    f.action = r.action;
    f.rule = i;
    nth = n;
  }
  if (f.rule >= 0) {
    Rule& r = g_rules[f.rule];
    unsigned long done = r.injected.fetch_add(1) + 1;
    if (r.action == Action::short_io) f.limit = 1 + next_random() % r.arg;
    if (done <= 100) log_line("wire-fault: %s: %s#%lu on fd %d\n", r.text, call, nth, fd);
  }
  return f;
}

// For the calls that fail outright; returns true (errno set) if this one does.
bool fail_now(const Fault& f, OpClass cls, int fd, bool nosignal) {
  switch (f.action) {
    case Action::eintr:
      errno = EINTR;
      return true;
    case Action::eagain:
      owe(fd, cls == OpClass::write ? EPOLLOUT : EPOLLIN);
      errno = EAGAIN;
      return true;
    case Action::reset:
      if (cls == OpClass::accept) {
        errno = ECONNABORTED;
        return true;
      }
      break_connection(fd, ECONNRESET);
      errno = ECONNRESET;
      return true;
    case Action::epipe:
      break_connection(fd, EPIPE);
      if (!nosignal) ::pthread_kill(::pthread_self(), SIGPIPE);
      errno = EPIPE;
      return true;
    default:
      return false;
  }
}

// A connection this shim broke: reads see EOF, writes EPIPE (with SIGPIPE unless asked not).
bool broken_read(int fd, ssize_t& r) {
  if (fd < 0 || fd >= kMaxFd || g_fds[fd].broken == 0) return false;
  r = 0;
  return true;
}

bool broken_write(int fd, bool nosignal, ssize_t& r) {
  if (fd < 0 || fd >= kMaxFd || g_fds[fd].broken == 0) return false;
  if (!nosignal) ::pthread_kill(::pthread_self(), SIGPIPE);
  errno = EPIPE;
  r = -1;
  return true;
}

// Fewer bytes for a short call: the iovecs cut to `limit` bytes in total.
int cut_iov(const iovec* iov, int count, std::size_t limit, iovec* out, int capacity) {
  int n = 0;
  for (int i = 0; i < count && limit > 0 && n < capacity; ++i) {
    out[n] = iov[i];
    if (out[n].iov_len > limit) out[n].iov_len = limit;
    limit -= out[n].iov_len;
    ++n;
  }
  return n;
}

template <typename Call>
ssize_t read_like(int fd, int flags, std::size_t len, const char* name, Call call) {
  ssize_t r;
  if (broken_read(fd, r)) return r;
  Fault f = decide(OpClass::read, fd, flags, name);
  if (fail_now(f, OpClass::read, fd, true)) return -1;
  if (f.action == Action::short_io && f.limit < len) {
    r = call(f.limit);
    if (r > 0) owe(fd, EPOLLIN);  // what is left is announced as if it came later
    return r;
  }
  return call(len);
}

template <typename Call>
ssize_t write_like(int fd, int flags, std::size_t len, bool nosignal, const char* name, Call call) {
  ssize_t r;
  if (broken_write(fd, nosignal, r)) return r;
  Fault f = decide(OpClass::write, fd, flags, name);
  if (fail_now(f, OpClass::write, fd, nosignal)) return -1;
  if (f.action == Action::short_io && f.limit < len) {
    r = call(f.limit);
    if (r > 0) owe(fd, EPOLLOUT);
    return r;
  }
  return call(len);
}

// After epoll_wait() returned `n` events: adds what is owed to descriptors registered with
// `epfd`, merged into an event for the same registration or appended while there is room.
int deliver_owed(int epfd, epoll_event* events, int n, int maxevents) {
  if (g_owed_count.load() == 0) return n;
  int max = g_max_fd.load();
  pthread_mutex_lock(&g_registry);
  for (int fd = 0; fd <= max && fd < kMaxFd; ++fd) {
    FdState& s = g_fds[fd];
    if (s.owed.load() == 0 || s.epfd != epfd) continue;
    std::uint32_t bits = s.owed.load() & s.events & (EPOLLIN | EPOLLOUT);
    if (bits == 0) continue;  // not watched for that yet: owed until it is
    int at = -1;
    for (int i = 0; i < n; ++i) {
      if (events[i].data.u64 == s.data) at = i;
    }
    if (at < 0 && n == maxevents) continue;
    if (at < 0) {
      at = n++;
      events[at].events = 0;
      events[at].data.u64 = s.data;
    }
    events[at].events |= bits;
    if ((s.owed.fetch_and(~bits) & ~bits) == 0) g_owed_count.fetch_sub(1);
  }
  pthread_mutex_unlock(&g_registry);
  return n;
}

bool owes(int epfd) {
  if (g_owed_count.load() == 0) return false;
  int max = g_max_fd.load();
  pthread_mutex_lock(&g_registry);
  bool any = false;
  for (int fd = 0; fd <= max && fd < kMaxFd && !any; ++fd) {
    const FdState& s = g_fds[fd];
    any = s.epfd == epfd && (s.owed.load() & s.events & (EPOLLIN | EPOLLOUT)) != 0;
  }
  pthread_mutex_unlock(&g_registry);
  return any;
}

}  // namespace

extern "C" {

ssize_t recv(int fd, void* buf, size_t len, int flags) {
  REAL(recv);
  // A peek looks without taking: cutting it short would change nothing the program relies on.
  if (flags & MSG_PEEK) return real_recv(fd, buf, len, flags);
  return read_like(fd, flags, len, "recv", [&](size_t n) { return real_recv(fd, buf, n, flags); });
}

ssize_t recvfrom(int fd, void* buf, size_t len, int flags, sockaddr* from, socklen_t* fromlen) {
  REAL(recvfrom);
  if (flags & MSG_PEEK) return real_recvfrom(fd, buf, len, flags, from, fromlen);
  return read_like(fd, flags, len, "recvfrom",
                   [&](size_t n) { return real_recvfrom(fd, buf, n, flags, from, fromlen); });
}

ssize_t read(int fd, void* buf, size_t len) {
  REAL(read);
  return read_like(fd, 0, len, "read", [&](size_t n) { return real_read(fd, buf, n); });
}

ssize_t readv(int fd, const iovec* iov, int count) {
  REAL(readv);
  std::size_t total = 0;
  for (int i = 0; i < count; ++i) total += iov[i].iov_len;
  return read_like(fd, 0, total, "readv", [&](size_t n) {
    if (n >= total) return real_readv(fd, iov, count);
    iovec cut[64];
    return real_readv(fd, cut, cut_iov(iov, count, n, cut, 64));
  });
}

ssize_t recvmsg(int fd, msghdr* msg, int flags) {
  REAL(recvmsg);
  if (flags & MSG_PEEK) return real_recvmsg(fd, msg, flags);
  std::size_t total = 0;
  for (std::size_t i = 0; i < msg->msg_iovlen; ++i) total += msg->msg_iov[i].iov_len;
  return read_like(fd, flags, total, "recvmsg", [&](size_t n) {
    if (n >= total) return real_recvmsg(fd, msg, flags);
    iovec cut[64];
    msghdr m = *msg;
    m.msg_iov = cut;
    m.msg_iovlen = static_cast<std::size_t>(cut_iov(msg->msg_iov, static_cast<int>(msg->msg_iovlen), n, cut, 64));
    ssize_t r = real_recvmsg(fd, &m, flags);
    msg->msg_flags = m.msg_flags;
    msg->msg_controllen = m.msg_controllen;
    msg->msg_namelen = m.msg_namelen;
    return r;
  });
}

ssize_t send(int fd, const void* buf, size_t len, int flags) {
  REAL(send);
  return write_like(fd, flags, len, flags & MSG_NOSIGNAL, "send",
                    [&](size_t n) { return real_send(fd, buf, n, flags); });
}

ssize_t sendto(int fd, const void* buf, size_t len, int flags, const sockaddr* to, socklen_t tolen) {
  REAL(sendto);
  return write_like(fd, flags, len, flags & MSG_NOSIGNAL, "sendto",
                    [&](size_t n) { return real_sendto(fd, buf, n, flags, to, tolen); });
}

ssize_t write(int fd, const void* buf, size_t len) {
  REAL(write);
  return write_like(fd, 0, len, false, "write", [&](size_t n) { return real_write(fd, buf, n); });
}

ssize_t writev(int fd, const iovec* iov, int count) {
  REAL(writev);
  std::size_t total = 0;
  for (int i = 0; i < count; ++i) total += iov[i].iov_len;
  return write_like(fd, 0, total, false, "writev", [&](size_t n) {
    if (n >= total) return real_writev(fd, iov, count);
    iovec cut[64];
    return real_writev(fd, cut, cut_iov(iov, count, n, cut, 64));
  });
}

ssize_t sendmsg(int fd, const msghdr* msg, int flags) {
  REAL(sendmsg);
  std::size_t total = 0;
  for (std::size_t i = 0; i < msg->msg_iovlen; ++i) total += msg->msg_iov[i].iov_len;
  return write_like(fd, flags, total, flags & MSG_NOSIGNAL, "sendmsg", [&](size_t n) {
    if (n >= total) return real_sendmsg(fd, msg, flags);
    iovec cut[64];
    msghdr m = *msg;
    m.msg_iov = cut;
    m.msg_iovlen = static_cast<std::size_t>(cut_iov(msg->msg_iov, static_cast<int>(msg->msg_iovlen), n, cut, 64));
    return real_sendmsg(fd, &m, flags);
  });
}

ssize_t sendfile(int out_fd, int in_fd, off_t* offset, size_t count) {
  REAL(sendfile);
  return write_like(out_fd, 0, count, false, "sendfile",
                    [&](size_t n) { return real_sendfile(out_fd, in_fd, offset, n); });
}

ssize_t sendfile64(int out_fd, int in_fd, off_t* offset, size_t count) {
  return sendfile(out_fd, in_fd, offset, count);
}

int accept4(int fd, sockaddr* addr, socklen_t* len, int flags) {
  REAL(accept4);
  Fault f = decide(OpClass::accept, fd, 0, "accept4");
  if (fail_now(f, OpClass::accept, fd, true)) return -1;
  int c = real_accept4(fd, addr, len, flags);
  forget(c);
  return c;
}

int accept(int fd, sockaddr* addr, socklen_t* len) {
  REAL(accept);
  Fault f = decide(OpClass::accept, fd, 0, "accept");
  if (fail_now(f, OpClass::accept, fd, true)) return -1;
  int c = real_accept(fd, addr, len);
  forget(c);
  return c;
}

int socket(int domain, int type, int protocol) {
  REAL(socket);
  int fd = real_socket(domain, type, protocol);
  forget(fd);
  return fd;
}

int close(int fd) {
  REAL(close);
  forget(fd);
  return real_close(fd);
}

int epoll_ctl(int epfd, int op, int fd, epoll_event* event) {
  REAL(epoll_ctl);
  int r = real_epoll_ctl(epfd, op, fd, event);
  if (r == 0 && fd >= 0 && fd < kMaxFd) {
    pthread_mutex_lock(&g_registry);
    if (op == EPOLL_CTL_DEL) {
      g_fds[fd].epfd = -1;
    } else {
      g_fds[fd].epfd = epfd;
      g_fds[fd].events = event->events;
      g_fds[fd].data = event->data.u64;
    }
    pthread_mutex_unlock(&g_registry);
  }
  return r;
}

int epoll_wait(int epfd, epoll_event* events, int maxevents, int timeout) {
  REAL(epoll_wait);
  // Owed readiness is due now: look without blocking, then add it.
  int n = real_epoll_wait(epfd, events, maxevents, owes(epfd) ? 0 : timeout);
  if (n < 0) return n;
  return deliver_owed(epfd, events, n, maxevents);
}

int epoll_pwait(int epfd, epoll_event* events, int maxevents, int timeout, const sigset_t* mask) {
  REAL(epoll_pwait);
  int n = real_epoll_pwait(epfd, events, maxevents, owes(epfd) ? 0 : timeout, mask);
  if (n < 0) return n;
  return deliver_owed(epfd, events, n, maxevents);
}

}  // extern "C"
