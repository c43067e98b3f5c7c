// SPDX-License-Identifier: MIT
// libcurl peer of bench/http_get.sh: one easy handle reused for N sequential
// GETs (libcurl keeps the connection alive between them), the body discarded
// by the write callback; or, with --download, one GET whose body the callback
// writes to --output. TCP_NODELAY on (libcurl's default, set anyway), a 64 KiB
// receive buffer (CURLOPT_BUFFERSIZE) like wire's client.
//
//   curl_get --url URL --size BYTES [--requests N] [--download [--output FILE]]
//
// Every response must be 200 with --size bytes of body, on one connection;
// prints requests, bytes, seconds, cpu_us, connects (new connections made).
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

struct sink {
  int fd;          // -1: discard
  long long got;   // body bytes of the current response
};

static size_t on_data(char* data, size_t size, size_t count, void* user) {
  struct sink* s = user;
  size_t n = size * count;
  s->got += (long long)n;
  for (size_t done = 0; s->fd >= 0 && done < n;) {
    ssize_t w = write(s->fd, data + done, n - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      return 0;  // makes libcurl fail the transfer with CURLE_WRITE_ERROR
    }
    done += (size_t)w;
  }
  return n;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_us(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
         (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static void usage(const char* why) {
  if (why) fprintf(stderr, "curl_get: %s\n", why);
  fprintf(stderr, "usage: curl_get --url URL --size BYTES [--requests N] [--download [--output FILE]]\n");
  exit(2);
}

int main(int argc, char** argv) {
  const char* url = NULL;
  const char* output = "/dev/null";
  long requests = 1;
  long long size = -1;
  int download = 0;
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    if (!strcmp(a, "--download")) {
      download = 1;
      continue;
    }
    if (i + 1 >= argc) usage("missing value");
    const char* v = argv[++i];
    if (!strcmp(a, "--url")) url = v;
    else if (!strcmp(a, "--requests")) requests = atol(v);
    else if (!strcmp(a, "--size")) size = atoll(v);
    else if (!strcmp(a, "--output")) output = v;
    else usage("unknown option");
  }
  if (!url || size < 0 || requests < 1) usage("--url and --size are required");
  if (download) requests = 1;

  struct sink sink = {-1, 0};
  if (download) {
    sink.fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (sink.fd < 0) {
      fprintf(stderr, "curl_get: cannot open %s: %s\n", output, strerror(errno));
      return 1;
    }
  }
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    fprintf(stderr, "curl_get: curl_global_init failed\n");
    return 1;
  }
  CURL* h = curl_easy_init();
  if (!h) {
    fprintf(stderr, "curl_get: curl_easy_init failed\n");
    return 1;
  }
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 64L * 1024);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);

  long long total = 0, connects = 0;
  double cpu0 = cpu_us(), t0 = now_s();
  for (long i = 0; i < requests; ++i) {
    sink.got = 0;
    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
      fprintf(stderr, "curl_get: GET %s #%ld: %s\n", url, i + 1, curl_easy_strerror(rc));
      return 1;
    }
    long status = 0, n = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &n);
    connects += n;
    if (status != 200 || sink.got != size) {
      fprintf(stderr, "curl_get: GET %s #%ld: status %ld, body of %lld bytes, expected 200 and %lld\n",
              url, i + 1, status, sink.got, size);
      return 1;
    }
    total += sink.got;
  }
  double t1 = now_s(), cpu1 = cpu_us();
  curl_easy_cleanup(h);
  curl_global_cleanup();
  if (sink.fd >= 0) close(sink.fd);
  printf("requests=%ld bytes=%lld seconds=%.6f cpu_us=%.0f connects=%lld\n", requests, total, t1 - t0,
         cpu1 - cpu0, connects);
  return 0;
}
