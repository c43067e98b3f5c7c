// SPDX-License-Identifier: MIT
// Benchmark peer: a minimal edge-triggered epoll echo server in C, the floor
// that wire's event loop is measured against.
//
//   epoll_echo PORT [--host ADDRESS]
//
// One thread. Every socket is non-blocking and registered once with
// EPOLLIN | EPOLLOUT | EPOLLET. On readiness a connection reads until EAGAIN
// and writes each chunk straight back; whatever the kernel does not take is
// kept in a per-connection pending buffer, flushed on the next EPOLLOUT edge.
// While a connection has more than PENDING_LIMIT bytes pending it stops
// reading (backpressure), and resumes once the buffer drains. An idle
// connection costs one small struct: no buffer is allocated until a write
// comes up short.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum { MAX_EVENTS = 256, READ_CHUNK = 64 * 1024, PENDING_LIMIT = 1024 * 1024 };

struct conn {
  int fd;
  int read_paused;  // stopped reading while too much output is pending
  char* pending;    // bytes not yet written back
  size_t pending_off, pending_len, pending_cap;
};

static char chunk[READ_CHUNK];
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

static void conn_close(struct conn* c) {
  close(c->fd);  // also removes it from the epoll set
  free(c->pending);
  free(c);
}

// Appends data to the pending buffer. Returns -1 when out of memory.
static int pending_append(struct conn* c, const char* data, size_t n) {
  if (c->pending_off > 0 && c->pending_off == c->pending_len) c->pending_off = c->pending_len = 0;
  if (c->pending_len + n > c->pending_cap) {
    if (c->pending_off > 0) {  // compact first
      memmove(c->pending, c->pending + c->pending_off, c->pending_len - c->pending_off);
      c->pending_len -= c->pending_off;
      c->pending_off = 0;
    }
    if (c->pending_len + n > c->pending_cap) {
      size_t cap = c->pending_cap ? c->pending_cap : 4096;
      while (cap < c->pending_len + n) cap *= 2;
      char* p = realloc(c->pending, cap);
      if (!p) return -1;
      c->pending = p;
      c->pending_cap = cap;
    }
  }
  memcpy(c->pending + c->pending_len, data, n);
  c->pending_len += n;
  return 0;
}

// Writes out the pending buffer. Returns 0 when it is empty, 1 when the
// socket is full again, -1 on error.
static int flush_pending(struct conn* c) {
  while (c->pending_off < c->pending_len) {
    ssize_t n = write(c->fd, c->pending + c->pending_off, c->pending_len - c->pending_off);
    if (n > 0) {
      c->pending_off += (size_t)n;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return 1;
    } else {
      return -1;
    }
  }
  c->pending_off = c->pending_len = 0;
  if (c->pending_cap > READ_CHUNK) {  // give back a buffer grown by a burst
    free(c->pending);
    c->pending = NULL;
    c->pending_cap = 0;
  }
  return 0;
}

// Sends data back: straight to the socket if nothing is queued, the rest to
// the pending buffer. Returns -1 on error.
static int echo_back(struct conn* c, const char* data, size_t len) {
  size_t done = 0;
  if (c->pending_len == c->pending_off) {
    while (done < len) {
      ssize_t n = write(c->fd, data + done, len - done);
      if (n > 0) {
        done += (size_t)n;
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        break;
      } else {
        return -1;
      }
    }
  }
  if (done < len) return pending_append(c, data + done, len - done);
  return 0;
}

// Reads until EAGAIN (or until too much is pending). Returns -1 when the
// connection is finished: closed by the peer or failed.
static int on_readable(struct conn* c) {
  for (;;) {
    if (c->pending_len - c->pending_off > PENDING_LIMIT) {
      c->read_paused = 1;  // resumed from on_writable once the peer reads
      return 0;
    }
    ssize_t n = read(c->fd, chunk, sizeof chunk);
    if (n > 0) {
      if (echo_back(c, chunk, (size_t)n) < 0) return -1;
    } else if (n == 0) {
      return -1;
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return 0;
    } else {
      return -1;
    }
  }
}

static int on_writable(struct conn* c) {
  int r = flush_pending(c);
  if (r < 0) return -1;
  if (r == 0 && c->read_paused) {
    c->read_paused = 0;
    return on_readable(c);  // edge-triggered: the unread input raises no new edge
  }
  return 0;
}

static void accept_all(int listener, int ep) {
  for (;;) {
    int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) perror("epoll_echo: accept4");
      return;  // EAGAIN; or out of descriptors: retried on the next connection
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct conn* c = calloc(1, sizeof *c);
    if (!c) {
      close(fd);
      continue;
    }
    c->fd = fd;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
      perror("epoll_echo: epoll_ctl");
      conn_close(c);
    }
  }
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: epoll_echo PORT [--host ADDRESS]\n");
    return 2;
  }
  int port = atoi(argv[1]);
  const char* host = "127.0.0.1";
  for (int i = 2; i < argc; ++i) {
    if (strcmp(argv[i], "--host") == 0 && i + 1 < argc) {
      host = argv[++i];
    } else {
      fprintf(stderr, "usage: epoll_echo PORT [--host ADDRESS]\n");
      return 2;
    }
  }

  signal(SIGPIPE, SIG_IGN);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)port);
  if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
    fprintf(stderr, "epoll_echo: bad IPv4 address %s\n", host);
    return 2;
  }
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (listener < 0 || bind(listener, (struct sockaddr*)&addr, sizeof addr) < 0 ||
      listen(listener, SOMAXCONN) < 0) {
    perror("epoll_echo: listen");
    return 1;
  }
  socklen_t len = sizeof addr;
  getsockname(listener, (struct sockaddr*)&addr, &len);
  fprintf(stderr, "epoll_echo: listening on %s:%u\n", host, ntohs(addr.sin_port));

  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event lev = {.events = EPOLLIN | EPOLLET, .data.ptr = NULL};
  if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, listener, &lev) < 0) {
    perror("epoll_echo: epoll");
    return 1;
  }

  struct epoll_event events[MAX_EVENTS];
  while (!stop_requested) {
    int n = epoll_wait(ep, events, MAX_EVENTS, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      perror("epoll_echo: epoll_wait");
      return 1;
    }
    for (int i = 0; i < n; ++i) {
      struct conn* c = events[i].data.ptr;
      if (!c) {
        accept_all(listener, ep);
        continue;
      }
      uint32_t e = events[i].events;
      int dead = 0;
      if (e & (EPOLLOUT | EPOLLERR)) dead = on_writable(c) < 0;
      if (!dead && (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) dead = on_readable(c) < 0;
      if (dead) conn_close(c);
    }
  }
  close(ep);
  close(listener);
  return 0;
}
