/* SPDX-License-Identifier: MIT
 * An LD_PRELOAD library for test_download_writes.py: counts, in the process it is loaded
 * into, the socket reads that returned bytes (recv, recvfrom, read on a socket) and the
 * write(2) calls to regular files, with their bytes, and writes the three counts to the file
 * named by WIRE_IO_COUNT_FILE when the process exits. Each call is forwarded unchanged to
 * the next definition (libc's).
 */
#define _GNU_SOURCE 1

#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static atomic_ulong socket_reads;
static atomic_ulong file_writes;
static atomic_ulong file_bytes;

static void* next(const char* name) {
  void* p = dlsym(RTLD_NEXT, name);
  if (!p) abort();
  return p;
}

static int is_kind(int fd, mode_t kind) {
  struct stat st;
  return fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == kind;
}

ssize_t recv(int fd, void* buf, size_t n, int flags) {
  static ssize_t (*real)(int, void*, size_t, int);
  if (!real) *(void**)&real = next("recv");
  ssize_t r = real(fd, buf, n, flags);
  if (r > 0 && !(flags & MSG_PEEK)) atomic_fetch_add(&socket_reads, 1);
  return r;
}

ssize_t recvfrom(int fd, void* __restrict buf, size_t n, int flags, __SOCKADDR_ARG addr,
                 socklen_t* __restrict len) {
  static ssize_t (*real)(int, void*, size_t, int, __SOCKADDR_ARG, socklen_t*);
  if (!real) *(void**)&real = next("recvfrom");
  ssize_t r = real(fd, buf, n, flags, addr, len);
  if (r > 0 && !(flags & MSG_PEEK)) atomic_fetch_add(&socket_reads, 1);
  return r;
}

ssize_t read(int fd, void* buf, size_t n) {
  static ssize_t (*real)(int, void*, size_t);
  if (!real) *(void**)&real = next("read");
  ssize_t r = real(fd, buf, n);
  if (r > 0 && is_kind(fd, S_IFSOCK)) atomic_fetch_add(&socket_reads, 1);
  return r;
}

ssize_t write(int fd, const void* buf, size_t n) {
  static ssize_t (*real)(int, const void*, size_t);
  if (!real) *(void**)&real = next("write");
  ssize_t r = real(fd, buf, n);
  if (is_kind(fd, S_IFREG)) {
    atomic_fetch_add(&file_writes, 1);
    if (r > 0) atomic_fetch_add(&file_bytes, (unsigned long)r);
  }
  return r;
}

__attribute__((destructor)) static void report(void) {
  const char* path = getenv("WIRE_IO_COUNT_FILE");
  if (!path) return;
  FILE* f = fopen(path, "w");
  if (!f) return;
  fprintf(f, "socket_reads=%lu file_writes=%lu file_bytes=%lu\n", atomic_load(&socket_reads),
          atomic_load(&file_writes), atomic_load(&file_bytes));
  fclose(f);
}
