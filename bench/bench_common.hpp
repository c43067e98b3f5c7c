// SPDX-License-Identifier: MIT
// What the load clients share: option parsing, clocks, a latency histogram,
// CPU accounting from /proc, and resolving the server. Each program defines
// `program_name` and `usage()`.
#pragma once

#include <netdb.h>
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
#include <vector>

namespace bench {

extern const char* const program_name;
[[noreturn]] void usage(const char* why = nullptr);

inline double parse_double(const char* s, const char* name, double lo, double hi) {
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(s, &end);
  if (errno || end == s || *end || !(v >= lo && v <= hi)) {
    usage((std::string("bad value for ") + name + ": " + s).c_str());
  }
  return v;
}

inline long parse_long(const char* s, const char* name, long lo, long hi) {
  long v = 0;
  auto [p, ec] = std::from_chars(s, s + std::strlen(s), v);
  if (ec != std::errc() || *p || v < lo || v > hi) {
    usage((std::string("bad value for ") + name + ": " + s).c_str());
  }
  return v;
}

inline std::int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Log-linear histogram of nanoseconds: exact below 128 ns, then 64 buckets
// per power of two (relative error under 1/64).
class Histogram {
 public:
  void add(std::uint64_t v) {
    ++buckets_[index(v)];
    ++count_;
  }
  void clear() {
    buckets_.fill(0);
    count_ = 0;
  }
  double quantile(double q) const {
    if (count_ == 0) return 0;
    auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
    rank = std::clamp<std::uint64_t>(rank, 1, count_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
      seen += buckets_[i];
      if (seen >= rank) return middle(i);
    }
    return middle(buckets_.size() - 1);
  }

 private:
  static constexpr int kSubBits = 6;
  static constexpr std::size_t kBuckets = 128 + (64 - 7) * 64;
  static std::size_t index(std::uint64_t v) {
    if (v < 128) return static_cast<std::size_t>(v);
    int b = 63 - __builtin_clzll(v);
    int shift = b - kSubBits;
    auto top = static_cast<std::size_t>(v >> shift);
    return 128 + static_cast<std::size_t>(b - 7) * 64 + (top - 64);
  }
  static double middle(std::size_t i) {
    if (i < 128) return static_cast<double>(i);
    std::size_t b = 7 + (i - 128) / 64;
    std::size_t top = 64 + (i - 128) % 64;
    int shift = static_cast<int>(b) - kSubBits;
    return std::ldexp(static_cast<double>(top), shift) + std::ldexp(1.0, shift) / 2;
  }
  std::array<std::uint64_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0;
};

// CPU time of a process (all its threads) in microseconds, or -1.
inline double process_cpu_us(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!in || !std::getline(in, line)) return -1;
  auto close_paren = line.rfind(')');
  if (close_paren == std::string::npos) return -1;
  std::istringstream fields(line.substr(close_paren + 2));
  std::string skip;
  for (int f = 3; f <= 13; ++f) fields >> skip;
  unsigned long long utime = 0, stime = 0;
  if (!(fields >> utime >> stime)) return -1;
  return static_cast<double>(utime + stime) * 1e6 / static_cast<double>(sysconf(_SC_CLK_TCK));
}

inline double servers_cpu_us(const std::vector<long>& pids) {
  double sum = 0;
  for (long pid : pids) {
    double v = process_cpu_us(pid);
    if (v < 0) return -1;
    sum += v;
  }
  return sum;
}

// Busy CPU time of the whole machine in microseconds, or -1.
inline double machine_busy_us() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                     steal = 0;
  if (!(in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal) ||
      cpu != "cpu") {
    return -1;
  }
  return static_cast<double>(user + nice + system + irq + softirq + steal) * 1e6 /
         static_cast<double>(sysconf(_SC_CLK_TCK));
}

inline double self_cpu_us() {
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  auto us = [](timeval t) {
    return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_usec);
  };
  return us(ru.ru_utime) + us(ru.ru_stime);
}

// The first address of host:port; exits with a message if there is none.
inline sockaddr_storage resolve(const std::string& host, int port, socklen_t& len) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (rc != 0 || !res) {
    std::fprintf(stderr, "%s: cannot resolve %s: %s\n", program_name, host.c_str(), gai_strerror(rc));
    std::exit(1);
  }
  sockaddr_storage ss{};
  std::memcpy(&ss, res->ai_addr, res->ai_addrlen);
  len = res->ai_addrlen;
  freeaddrinfo(res);
  return ss;
}

}  // namespace bench
