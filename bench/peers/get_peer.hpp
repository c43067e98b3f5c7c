// SPDX-License-Identifier: MIT
// What the C++ HTTP GET peers share: their command line (the one bench/http_get.sh
// gives every client), their own CPU time, and dying with a message.
#pragma once

#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace get_peer {

struct Options {
  std::string url;
  std::string output = "/dev/null";
  long requests = 1;
  long long size = -1;  // expected body size
  bool download = false;
};

[[noreturn]] inline void usage(const char* program, const char* why) {
  if (why) std::fprintf(stderr, "%s: %s\n", program, why);
  std::fprintf(stderr, "usage: %s --url URL --size BYTES [--requests N] [--download [--output FILE]]\n",
               program);
  std::exit(2);
}

[[noreturn]] inline void fail(const char* program, const std::string& what) {
  std::fprintf(stderr, "%s: %s\n", program, what.c_str());
  std::exit(1);
}

inline Options parse(const char* program, int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--download") {
      o.download = true;
      continue;
    }
    if (i + 1 >= argc) usage(program, "missing value");
    std::string v = argv[++i];
    if (a == "--url") o.url = v;
    else if (a == "--requests") o.requests = std::atol(v.c_str());
    else if (a == "--size") o.size = std::atoll(v.c_str());
    else if (a == "--output") o.output = v;
    else usage(program, "unknown option");
  }
  if (o.url.empty() || o.size < 0 || o.requests < 1) usage(program, "--url and --size are required");
  if (o.download) o.requests = 1;
  return o;
}

// This process's user + system CPU time in microseconds.
inline double cpu_us() {
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

}  // namespace get_peer
