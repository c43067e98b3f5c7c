/* SPDX-License-Identifier: MIT
 * The counting layer of the budget tests (budget_counters.c, budget_alloc.cpp): the libc
 * entry points of every system call wire's io, net and http code makes, and operator new,
 * defined in the test executable, so that they are found before libc's and libstdc++'s (the
 * static wire libraries bind to them at link time, shared ones through the dynamic linker).
 * Each counts its call, then forwards to the next definition (dlsym(RTLD_NEXT)). No ptrace, no
 * seccomp, no strace: it runs wherever the test does.
 *
 * Calls are counted only while counting is on, and only on threads that did not exclude
 * themselves: the test's own thread (its client) excludes itself, so what is counted is the
 * server's worker thread.
 */
#ifndef WIRE_TESTS_HTTP_BUDGET_COUNTERS_H
#define WIRE_TESTS_HTTP_BUDGET_COUNTERS_H

#ifdef __cplusplus
extern "C" {
#endif

/* The calls counted, named after the libc function (the system call it makes, where the
 * name differs, in the comment). */
enum wire_budget_call {
  WIRE_CALL_RECV,        /* recvfrom */
  WIRE_CALL_RECVFROM,
  WIRE_CALL_RECVMSG,
  WIRE_CALL_READ,
  WIRE_CALL_READV,
  WIRE_CALL_PREAD,       /* pread64 */
  WIRE_CALL_SEND,        /* sendto */
  WIRE_CALL_SENDTO,
  WIRE_CALL_SENDMSG,
  WIRE_CALL_WRITE,
  WIRE_CALL_WRITEV,
  WIRE_CALL_SENDFILE,
  WIRE_CALL_EPOLL_WAIT,
  WIRE_CALL_EPOLL_CTL,
  WIRE_CALL_ACCEPT4,
  WIRE_CALL_CLOSE,
  WIRE_CALL_SHUTDOWN,
  WIRE_CALL_OPENAT,
  WIRE_CALL_OPENAT2,     /* through syscall(SYS_openat2) */
  WIRE_CALL_SYSCALL,     /* syscall() with any other number */
  WIRE_CALL_FSTAT,       /* newfstatat */
  WIRE_CALL_FSTATAT,     /* newfstatat */
  WIRE_CALL_SETSOCKOPT,
  WIRE_CALL_GETSOCKOPT,
  WIRE_CALL_FCNTL,
  WIRE_CALL_IOCTL,
  WIRE_CALL_GETPEERNAME,
  WIRE_CALL_GETSOCKNAME,
  WIRE_CALL_POLL,
  WIRE_CALL_TIMERFD_SETTIME,
  WIRE_CALL_COUNT
};

/* The name of a call ("recv"). */
const char* wire_budget_name(int call);
/* The calls of one kind counted since wire_budget_start(). */
unsigned long wire_budget_calls(int call);
/* Allocations (operator new, every form) counted since wire_budget_start(). */
unsigned long wire_budget_allocations(void);

/* Zeroes the counters and starts counting. */
void wire_budget_start(void);
/* Stops counting; the counters keep their values. */
void wire_budget_stop(void);
/* The calling thread is never counted (the test's client). */
void wire_budget_exclude_this_thread(void);
/* Whether a call on this thread is counted now (for budget_alloc.cpp). */
int wire_budget_counting_here(void);
void wire_budget_count_allocation(void);

/* How many counted threads are inside epoll_wait now: 1 when the worker is parked, having
 * finished all it had to do. */
int wire_budget_parked(void);

/* While held, a counted thread returning from epoll_wait waits before it goes on: the test
 * lines up what the server will find (a connection and its request both queued) so that
 * what the server does is one path, not a race between the client and the server. */
void wire_budget_hold(void);
void wire_budget_release(void);

#ifdef __cplusplus
}
#endif

#endif
