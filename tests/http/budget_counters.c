/* SPDX-License-Identifier: MIT
 * The system-call half of the budget tests' counting layer (budget_counters.h): each libc
 * entry point wire's code calls, defined here with glibc's own prototype, counts itself and
 * forwards to the definition after this executable's (libc's). A call wire starts making
 * through an entry point missing here would not be counted: the list is every one that
 * src/io, src/net and src/http call (grep '::[a-z_0-9]*(' there), and the budget test's figures
 * were checked against `strace -f -c` of the same exchanges when they were set.
 */
#define _GNU_SOURCE 1

#include "budget_counters.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <unistd.h>

static const char* const kNames[WIRE_CALL_COUNT] = {
    "recv",     "recvfrom", "recvmsg",     "read",        "readv",       "pread",  "send",
    "sendto",   "sendmsg",  "write",       "writev",      "sendfile",    "epoll_wait", "epoll_ctl",
    "accept4",  "close",    "shutdown",    "openat",      "openat2",     "syscall", "fstat",
    "fstatat",  "setsockopt", "getsockopt", "fcntl",      "ioctl",       "getpeername",
    "getsockname", "poll",  "timerfd_settime",
};

static atomic_ulong counts[WIRE_CALL_COUNT];
static atomic_ulong allocations;
static atomic_int counting;
static atomic_int parked;
static _Thread_local int excluded;

static pthread_mutex_t hold_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hold_cond = PTHREAD_COND_INITIALIZER;
static int held;

const char* wire_budget_name(int call) { return call >= 0 && call < WIRE_CALL_COUNT ? kNames[call] : "?"; }
unsigned long wire_budget_calls(int call) { return atomic_load(&counts[call]); }
unsigned long wire_budget_allocations(void) { return atomic_load(&allocations); }
void wire_budget_exclude_this_thread(void) { excluded = 1; }
int wire_budget_counting_here(void) { return !excluded && atomic_load_explicit(&counting, memory_order_relaxed); }
void wire_budget_count_allocation(void) { atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed); }
int wire_budget_parked(void) { return atomic_load(&parked); }

void wire_budget_start(void) {
  for (int i = 0; i < WIRE_CALL_COUNT; ++i) atomic_store(&counts[i], 0);
  atomic_store(&allocations, 0);
  atomic_store(&counting, 1);
}

void wire_budget_stop(void) { atomic_store(&counting, 0); }

void wire_budget_hold(void) {
  pthread_mutex_lock(&hold_mutex);
  held = 1;
  pthread_mutex_unlock(&hold_mutex);
}

void wire_budget_release(void) {
  pthread_mutex_lock(&hold_mutex);
  held = 0;
  pthread_cond_broadcast(&hold_cond);
  pthread_mutex_unlock(&hold_mutex);
}

static void count(enum wire_budget_call call) {
  if (wire_budget_counting_here()) atomic_fetch_add_explicit(&counts[call], 1, memory_order_relaxed);
}

/* The next definition of `name` after this executable's; resolved once (a race between two
 * threads stores the same value). */
static void* next_symbol(void** slot, const char* name) {
  if (!*slot) {
    *slot = dlsym(RTLD_NEXT, name);
    if (!*slot) abort();
  }
  return *slot;
}

/* NEXT(type, name): the function pointer `next` of the given type, for `name`. */
#define NEXT(type, name)                              \
  static void* slot_;                                 \
  __typeof__(type) next;                              \
  {                                                   \
    void* p_ = next_symbol(&slot_, name);             \
    __builtin_memcpy(&next, &p_, sizeof next);        \
  }

/* --- reading ------------------------------------------------------------------------------ */

ssize_t recv(int fd, void* buf, size_t n, int flags) {
  NEXT(ssize_t (*)(int, void*, size_t, int), "recv");
  count(WIRE_CALL_RECV);
  return next(fd, buf, n, flags);
}

ssize_t recvfrom(int fd, void* __restrict buf, size_t n, int flags, __SOCKADDR_ARG addr,
                 socklen_t* __restrict len) {
  NEXT(ssize_t (*)(int, void*, size_t, int, __SOCKADDR_ARG, socklen_t*), "recvfrom");
  count(WIRE_CALL_RECVFROM);
  return next(fd, buf, n, flags, addr, len);
}

ssize_t recvmsg(int fd, struct msghdr* msg, int flags) {
  NEXT(ssize_t (*)(int, struct msghdr*, int), "recvmsg");
  count(WIRE_CALL_RECVMSG);
  return next(fd, msg, flags);
}

ssize_t read(int fd, void* buf, size_t n) {
  NEXT(ssize_t (*)(int, void*, size_t), "read");
  count(WIRE_CALL_READ);
  return next(fd, buf, n);
}

ssize_t readv(int fd, const struct iovec* iov, int n) {
  NEXT(ssize_t (*)(int, const struct iovec*, int), "readv");
  count(WIRE_CALL_READV);
  return next(fd, iov, n);
}

ssize_t pread(int fd, void* buf, size_t n, off_t offset) {
  NEXT(ssize_t (*)(int, void*, size_t, off_t), "pread");
  count(WIRE_CALL_PREAD);
  return next(fd, buf, n, offset);
}

ssize_t pread64(int fd, void* buf, size_t n, off64_t offset) {
  NEXT(ssize_t (*)(int, void*, size_t, off64_t), "pread64");
  count(WIRE_CALL_PREAD);
  return next(fd, buf, n, offset);
}

/* --- writing ------------------------------------------------------------------------------ */

ssize_t send(int fd, const void* buf, size_t n, int flags) {
  NEXT(ssize_t (*)(int, const void*, size_t, int), "send");
  count(WIRE_CALL_SEND);
  return next(fd, buf, n, flags);
}

ssize_t sendto(int fd, const void* buf, size_t n, int flags, __CONST_SOCKADDR_ARG addr, socklen_t len) {
  NEXT(ssize_t (*)(int, const void*, size_t, int, __CONST_SOCKADDR_ARG, socklen_t), "sendto");
  count(WIRE_CALL_SENDTO);
  return next(fd, buf, n, flags, addr, len);
}

ssize_t sendmsg(int fd, const struct msghdr* msg, int flags) {
  NEXT(ssize_t (*)(int, const struct msghdr*, int), "sendmsg");
  count(WIRE_CALL_SENDMSG);
  return next(fd, msg, flags);
}

ssize_t write(int fd, const void* buf, size_t n) {
  NEXT(ssize_t (*)(int, const void*, size_t), "write");
  count(WIRE_CALL_WRITE);
  return next(fd, buf, n);
}

ssize_t writev(int fd, const struct iovec* iov, int n) {
  NEXT(ssize_t (*)(int, const struct iovec*, int), "writev");
  count(WIRE_CALL_WRITEV);
  return next(fd, iov, n);
}

ssize_t sendfile(int out, int in, off_t* offset, size_t n) {
  NEXT(ssize_t (*)(int, int, off_t*, size_t), "sendfile");
  count(WIRE_CALL_SENDFILE);
  return next(out, in, offset, n);
}

ssize_t sendfile64(int out, int in, off64_t* offset, size_t n) {
  NEXT(ssize_t (*)(int, int, off64_t*, size_t), "sendfile64");
  count(WIRE_CALL_SENDFILE);
  return next(out, in, offset, n);
}

/* --- the loop ----------------------------------------------------------------------------- */

int epoll_wait(int epfd, struct epoll_event* events, int max, int timeout) {
  NEXT(int (*)(int, struct epoll_event*, int, int), "epoll_wait");
  if (excluded) return next(epfd, events, max, timeout);
  count(WIRE_CALL_EPOLL_WAIT);
  atomic_fetch_add(&parked, 1);
  int n = next(epfd, events, max, timeout);
  atomic_fetch_sub(&parked, 1);
  pthread_mutex_lock(&hold_mutex);
  while (held) pthread_cond_wait(&hold_cond, &hold_mutex);
  pthread_mutex_unlock(&hold_mutex);
  return n;
}

int epoll_ctl(int epfd, int op, int fd, struct epoll_event* event) {
  NEXT(int (*)(int, int, int, struct epoll_event*), "epoll_ctl");
  count(WIRE_CALL_EPOLL_CTL);
  return next(epfd, op, fd, event);
}

int timerfd_settime(int fd, int flags, const struct itimerspec* value, struct itimerspec* old) {
  NEXT(int (*)(int, int, const struct itimerspec*, struct itimerspec*), "timerfd_settime");
  count(WIRE_CALL_TIMERFD_SETTIME);
  return next(fd, flags, value, old);
}

int poll(struct pollfd* fds, nfds_t n, int timeout) {
  NEXT(int (*)(struct pollfd*, nfds_t, int), "poll");
  count(WIRE_CALL_POLL);
  return next(fds, n, timeout);
}

/* --- descriptors -------------------------------------------------------------------------- */

int accept4(int fd, __SOCKADDR_ARG addr, socklen_t* __restrict len, int flags) {
  NEXT(int (*)(int, __SOCKADDR_ARG, socklen_t*, int), "accept4");
  count(WIRE_CALL_ACCEPT4);
  return next(fd, addr, len, flags);
}

int close(int fd) {
  NEXT(int (*)(int), "close");
  count(WIRE_CALL_CLOSE);
  return next(fd);
}

int shutdown(int fd, int how) {
  NEXT(int (*)(int, int), "shutdown");
  count(WIRE_CALL_SHUTDOWN);
  return next(fd, how);
}

/* openat and openat64 alike: the mode argument is there only when the flags create a file. */
static int forward_openat(int (*next)(int, const char*, int, ...), int dir, const char* path, int flags,
                          va_list ap) {
  count(WIRE_CALL_OPENAT);
  mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
  return next(dir, path, flags, mode);
}

int openat(int dir, const char* path, int flags, ...) {
  NEXT(int (*)(int, const char*, int, ...), "openat");
  va_list ap;
  va_start(ap, flags);
  int fd = forward_openat(next, dir, path, flags, ap);
  va_end(ap);
  return fd;
}

int openat64(int dir, const char* path, int flags, ...) {
  NEXT(int (*)(int, const char*, int, ...), "openat64");
  va_list ap;
  va_start(ap, flags);
  int fd = forward_openat(next, dir, path, flags, ap);
  va_end(ap);
  return fd;
}

long syscall(long number, ...) {
  NEXT(long (*)(long, ...), "syscall");
  count(number == SYS_openat2 ? WIRE_CALL_OPENAT2 : WIRE_CALL_SYSCALL);
  va_list ap;
  va_start(ap, number);
  long a[6];
  for (int i = 0; i < 6; ++i) a[i] = va_arg(ap, long);
  va_end(ap);
  return next(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

int fstat(int fd, struct stat* st) {
  NEXT(int (*)(int, struct stat*), "fstat");
  count(WIRE_CALL_FSTAT);
  return next(fd, st);
}

int fstat64(int fd, struct stat64* st) {
  NEXT(int (*)(int, struct stat64*), "fstat64");
  count(WIRE_CALL_FSTAT);
  return next(fd, st);
}

int fstatat(int dir, const char* __restrict path, struct stat* __restrict st, int flags) {
  NEXT(int (*)(int, const char*, struct stat*, int), "fstatat");
  count(WIRE_CALL_FSTATAT);
  return next(dir, path, st, flags);
}

int fstatat64(int dir, const char* __restrict path, struct stat64* __restrict st, int flags) {
  NEXT(int (*)(int, const char*, struct stat64*, int), "fstatat64");
  count(WIRE_CALL_FSTATAT);
  return next(dir, path, st, flags);
}

int fcntl(int fd, int cmd, ...) {
  NEXT(int (*)(int, int, ...), "fcntl");
  count(WIRE_CALL_FCNTL);
  va_list ap;
  va_start(ap, cmd);
  void* arg = va_arg(ap, void*);
  va_end(ap);
  return next(fd, cmd, arg);
}

int fcntl64(int fd, int cmd, ...) {
  NEXT(int (*)(int, int, ...), "fcntl64");
  count(WIRE_CALL_FCNTL);
  va_list ap;
  va_start(ap, cmd);
  void* arg = va_arg(ap, void*);
  va_end(ap);
  return next(fd, cmd, arg);
}

int ioctl(int fd, unsigned long request, ...) {
  NEXT(int (*)(int, unsigned long, ...), "ioctl");
  count(WIRE_CALL_IOCTL);
  va_list ap;
  va_start(ap, request);
  void* arg = va_arg(ap, void*);
  va_end(ap);
  return next(fd, request, arg);
}

/* --- sockets' options and names ----------------------------------------------------------- */

int setsockopt(int fd, int level, int name, const void* value, socklen_t len) {
  NEXT(int (*)(int, int, int, const void*, socklen_t), "setsockopt");
  count(WIRE_CALL_SETSOCKOPT);
  return next(fd, level, name, value, len);
}

int getsockopt(int fd, int level, int name, void* __restrict value, socklen_t* __restrict len) {
  NEXT(int (*)(int, int, int, void*, socklen_t*), "getsockopt");
  count(WIRE_CALL_GETSOCKOPT);
  return next(fd, level, name, value, len);
}

int getpeername(int fd, __SOCKADDR_ARG addr, socklen_t* __restrict len) {
  NEXT(int (*)(int, __SOCKADDR_ARG, socklen_t*), "getpeername");
  count(WIRE_CALL_GETPEERNAME);
  return next(fd, addr, len);
}

int getsockname(int fd, __SOCKADDR_ARG addr, socklen_t* __restrict len) {
  NEXT(int (*)(int, __SOCKADDR_ARG, socklen_t*), "getsockname");
  count(WIRE_CALL_GETSOCKNAME);
  return next(fd, addr, len);
}
