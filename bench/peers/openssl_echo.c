// SPDX-License-Identifier: MIT
// Benchmark peer: a minimal TLS echo server in C, OpenSSL used the canonical
// way (SSL_set_fd on a non-blocking socket: OpenSSL's own socket BIO reads
// and writes the descriptor), one thread, edge-triggered epoll. The "same
// OpenSSL, no wire" baseline that wire's TLS echo server is measured against.
//
//   openssl_echo PORT --cert CHAIN.pem --key KEY.pem [--host ADDRESS] [--read-ahead]
//
// Every socket is registered once with EPOLLIN | EPOLLOUT | EPOLLET. On
// readiness a connection runs SSL_do_handshake until it is done, then loops
// SSL_read into one shared 16 KiB buffer (a record's worth) and SSL_write of
// it back, until OpenSSL wants the socket (WANT_READ / WANT_WRITE, which it
// reports only after the socket said EAGAIN, so the next edge resumes it).
// What SSL_write could not take yet is copied to a per-connection buffer
// (allocated only then) and nothing is read until it has gone.
// The server context is set up like wire::tls::Context::server(): TLS 1.2
// minimum, no renegotiation, server cipher preference, a session id context,
// OpenSSL's defaults otherwise (2 session tickets per TLS 1.3 handshake).
// --read-ahead sets SSL_CTX_set_read_ahead (fewer recv calls: OpenSSL reads
// as much as the socket has instead of a record header, then its body).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum { MAX_EVENTS = 256, CHUNK = 16 * 1024 };

struct conn {
  int fd;
  SSL* ssl;
  int handshake_done;
  char* pending;  // plaintext SSL_write has not taken yet (CHUNK bytes when allocated)
  size_t pending_off, pending_len;
};

static char chunk[CHUNK];
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

static void conn_close(struct conn* c, int clean) {
  if (clean) SSL_shutdown(c->ssl);  // our close_notify, without waiting for an answer
  SSL_free(c->ssl);
  close(c->fd);  // also removes it from the epoll set
  free(c->pending);
  free(c);
  ERR_clear_error();
}

// Writes data back: `data` is the shared chunk or the connection's pending
// bytes. Returns 0 when all of it went, 1 when the rest was kept in `pending`
// for the next EPOLLOUT edge, -1 on error.
static int write_back(struct conn* c, const char* data, size_t len) {
  while (len > 0) {
    size_t n = 0;
    int r = SSL_write_ex(c->ssl, data, len, &n);
    if (r == 1) {
      data += n;
      len -= n;
      continue;
    }
    int err = SSL_get_error(c->ssl, r);
    if (err != SSL_ERROR_WANT_WRITE && err != SSL_ERROR_WANT_READ) return -1;
    if (c->pending && data >= c->pending && data < c->pending + CHUNK) {
      c->pending_off = (size_t)(data - c->pending);
    } else {  // kept, and retried with the same bytes
      if (!c->pending && !(c->pending = malloc(CHUNK))) return -1;
      memcpy(c->pending, data, len);
      c->pending_off = 0;
    }
    c->pending_len = len;
    return 1;
  }
  c->pending_off = c->pending_len = 0;
  return 0;
}

// Moves a connection forward until OpenSSL waits for the socket. Returns -1
// when the connection is finished (closed by the peer or failed), 0 otherwise.
static int drive(struct conn* c) {
  if (!c->handshake_done) {
    int r = SSL_do_handshake(c->ssl);
    if (r != 1) {
      int err = SSL_get_error(c->ssl, r);
      return err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE ? 0 : -1;
    }
    c->handshake_done = 1;
  }
  for (;;) {
    if (c->pending_len > 0) {
      int r = write_back(c, c->pending + c->pending_off, c->pending_len);
      if (r != 0) return r < 0 ? -1 : 0;
    }
    size_t n = 0;
    int r = SSL_read_ex(c->ssl, chunk, sizeof chunk, &n);
    if (r == 1) {
      int w = write_back(c, chunk, n);
      if (w != 0) return w < 0 ? -1 : 0;
      continue;
    }
    int err = SSL_get_error(c->ssl, r);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return 0;
    return -1;  // close_notify (SSL_ERROR_ZERO_RETURN), EOF or an error
  }
}

static void accept_all(int listener, int ep, SSL_CTX* ctx) {
  for (;;) {
    int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) perror("openssl_echo: accept4");
      return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct conn* c = calloc(1, sizeof *c);
    SSL* ssl = c ? SSL_new(ctx) : NULL;
    if (!ssl) {
      free(c);
      close(fd);
      continue;
    }
    c->fd = fd;
    c->ssl = ssl;
    SSL_set_fd(ssl, fd);
    SSL_set_accept_state(ssl);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
      perror("openssl_echo: epoll_ctl");
      conn_close(c, 0);
    }
  }
}

static void usage(void) {
  fprintf(stderr,
          "usage: openssl_echo PORT --cert CHAIN.pem --key KEY.pem [--host ADDRESS] [--read-ahead]\n");
  exit(2);
}

int main(int argc, char** argv) {
  if (argc < 2) usage();
  int port = atoi(argv[1]);
  const char* host = "127.0.0.1";
  const char* cert = NULL;
  const char* key = NULL;
  int read_ahead = 0;
  for (int i = 2; i < argc; ++i) {
    if (strcmp(argv[i], "--host") == 0 && i + 1 < argc) {
      host = argv[++i];
    } else if (strcmp(argv[i], "--cert") == 0 && i + 1 < argc) {
      cert = argv[++i];
    } else if (strcmp(argv[i], "--key") == 0 && i + 1 < argc) {
      key = argv[++i];
    } else if (strcmp(argv[i], "--read-ahead") == 0) {
      read_ahead = 1;
    } else {
      usage();
    }
  }
  if (!cert || !key || port <= 0 || port > 65535) usage();

  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) return 1;
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  static const unsigned char sid[] = "wire";
  SSL_CTX_set_session_id_context(ctx, sid, sizeof sid - 1);
  SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE);
  if (read_ahead) SSL_CTX_set_read_ahead(ctx, 1);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    fprintf(stderr, "openssl_echo: cannot use %s / %s\n", cert, key);
    ERR_print_errors_fp(stderr);
    return 1;
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
    fprintf(stderr, "openssl_echo: bad IPv4 address %s\n", host);
    return 2;
  }
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (listener < 0 || bind(listener, (struct sockaddr*)&addr, sizeof addr) < 0 ||
      listen(listener, 1024) < 0) {
    perror("openssl_echo: listen");
    return 1;
  }
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
  if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, listener, &lev) < 0) {
    perror("openssl_echo: epoll");
    return 1;
  }

  struct epoll_event events[MAX_EVENTS];
  while (!stop_requested) {
    int n = epoll_wait(ep, events, MAX_EVENTS, 500);
    if (n < 0) {
      if (errno == EINTR) continue;
      perror("openssl_echo: epoll_wait");
      return 1;
    }
    for (int i = 0; i < n; ++i) {
      struct conn* c = events[i].data.ptr;
      if (!c) {
        accept_all(listener, ep, ctx);
        continue;
      }
      int r = drive(c);
      if (r < 0) {
        conn_close(c, (SSL_get_shutdown(c->ssl) & SSL_RECEIVED_SHUTDOWN) != 0);
      }
    }
  }
  close(listener);
  close(ep);
  SSL_CTX_free(ctx);
  return 0;
}
