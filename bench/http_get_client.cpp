// SPDX-License-Identifier: MIT
// wire's side of bench/http_get.sh: one wire::http::Connection reused for N
// sequential keep-alive GETs, each body read whole (ClientResponse::read(), the
// http.client way) or in 64 KiB pieces (--read span); or, with --download, one
// GET whose body is streamed to --output in 64 KiB reads (ClientResponse::read(span)).
//
//   http_get_client --url http://127.0.0.1:PORT/small --requests 10000 --size 1024
//   http_get_client --url http://127.0.0.1:PORT/big --download --size 1073741824 [--output /dev/null]
//
// Every response must be 200 with exactly --size bytes of body; anything else is
// an error (exit 1). Prints one line of key=value fields: requests, bytes,
// seconds (from before the first request, which connects, to after the last
// body) and cpu_us (this process's user+system time over the same span).
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <exception>
#include <span>
#include <string>

#include "bench_common.hpp"
#include "wire/http/connection.hpp"
#include "wire/http/url.hpp"

namespace bench {
const char* const program_name = "http_get_client";
void usage(const char* why) {
  if (why) std::fprintf(stderr, "%s: %s\n", program_name, why);
  std::fprintf(stderr,
               "usage: %s --url http://HOST:PORT/PATH --size BYTES [--requests N] [--read string|span]\n"
               "       %s --url http://HOST:PORT/PATH --size BYTES --download [--output FILE]\n",
               program_name, program_name);
  std::exit(2);
}
}  // namespace bench

namespace {

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "%s: %s\n", bench::program_name, what.c_str());
  std::exit(1);
}

void write_all(int fd, const std::byte* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      fail(std::string("write: ") + std::strerror(errno));
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string url_text, output = "/dev/null", read_mode = "string";
  long requests = 1;
  long long size = -1;
  bool download = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) bench::usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    if (a == "--url") url_text = value();
    else if (a == "--requests") requests = bench::parse_long(value(), "--requests", 1, 100'000'000);
    else if (a == "--size") size = bench::parse_long(value(), "--size", 0, 1L << 40);
    else if (a == "--download") download = true;
    else if (a == "--output") output = value();
    else if (a == "--read") read_mode = value();
    else bench::usage(("unknown option " + a).c_str());
  }
  if (url_text.empty() || size < 0) bench::usage("--url and --size are required");
  if (read_mode != "string" && read_mode != "span") bench::usage("--read is string or span");
  if (download) requests = 1;

  try {
    auto url = wire::http::Url::parse_http(url_text);
    const std::string target = url.target();
    int out_fd = -1;
    if (download) {
      out_fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (out_fd < 0) fail("cannot open " + output + ": " + std::strerror(errno));
    }
    static std::array<std::byte, 64 * 1024> buffer;
    const auto expected = static_cast<std::size_t>(size);
    std::size_t total = 0;

    double cpu0 = bench::self_cpu_us();
    std::int64_t t0 = bench::now_ns();
    wire::http::Connection connection(url.scheme(), url.host(), url.port());
    for (long i = 0; i < requests; ++i) {
      connection.request("GET", target);
      auto& response = connection.getresponse();
      if (response.status() != 200) {
        fail("GET " + url_text + " #" + std::to_string(i + 1) + ": status " +
             std::to_string(response.status()));
      }
      std::size_t got = 0;
      if (download) {
        while (std::size_t n = response.read(std::span(buffer))) {
          write_all(out_fd, buffer.data(), n);
          got += n;
        }
      } else if (read_mode == "span") {
        while (std::size_t n = response.read(std::span(buffer))) got += n;
      } else {
        got = response.read().size();
      }
      if (got != expected) {
        fail("GET " + url_text + " #" + std::to_string(i + 1) + ": body of " + std::to_string(got) +
             " bytes, expected " + std::to_string(expected));
      }
      total += got;
    }
    std::int64_t t1 = bench::now_ns();
    double cpu1 = bench::self_cpu_us();
    connection.close();
    if (out_fd >= 0) ::close(out_fd);
    std::printf("requests=%ld bytes=%zu seconds=%.6f cpu_us=%.0f\n", requests, total,
                static_cast<double>(t1 - t0) / 1e9, cpu1 - cpu0);
  } catch (const std::exception& e) {
    fail(e.what());
  }
  return 0;
}
