// SPDX-License-Identifier: MIT
// cpp-httplib peer of bench/http_get.sh: one httplib::Client with keep-alive
// for N sequential GETs, each body in the Result as usual; or, with --download,
// one GET whose body a ContentReceiver writes to --output (never held whole).
// TCP_NODELAY on (set_tcp_nodelay; httplib's default is off).
//
//   httplib_get --url http://HOST:PORT/PATH --size BYTES [--requests N] [--download [--output FILE]]
//
// Every response must be 200 with --size bytes of body. Prints requests, bytes,
// seconds and cpu_us like bench/http_get_client.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <httplib.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "get_peer.hpp"

namespace {

constexpr const char* kName = "httplib_get";

[[noreturn]] void usage(const char* why) { get_peer::usage(kName, why); }
[[noreturn]] void fail(const std::string& what) { get_peer::fail(kName, what); }
using get_peer::cpu_us;

}  // namespace

int main(int argc, char** argv) {
  const get_peer::Options options = get_peer::parse(kName, argc, argv);
  const std::string& url = options.url;
  const std::string& output = options.output;
  const long requests = options.requests;
  const long long size = options.size;
  const bool download = options.download;
  // http://HOST:PORT/PATH, which is all the script passes.
  const std::string prefix = "http://";
  if (url.compare(0, prefix.size(), prefix) != 0) usage("--url must be http://HOST:PORT/PATH");
  auto slash = url.find('/', prefix.size());
  std::string authority = url.substr(prefix.size(), slash - prefix.size());
  std::string path = slash == std::string::npos ? "/" : url.substr(slash);
  auto colon = authority.rfind(':');
  if (colon == std::string::npos) usage("--url must have a port");
  std::string host = authority.substr(0, colon);
  int port = std::atoi(authority.c_str() + colon + 1);

  int out_fd = -1;
  if (download) {
    out_fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out_fd < 0) fail("cannot open " + output + ": " + std::strerror(errno));
  }
  long long total = 0;

  double cpu0 = cpu_us();
  auto t0 = std::chrono::steady_clock::now();
  httplib::Client client(host, port);
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);
  for (long i = 0; i < requests; ++i) {
    long long got = 0;
    bool write_failed = false;
    httplib::Result result = download
        ? client.Get(path, [&](const char* data, std::size_t n) {
            for (std::size_t done = 0; done < n;) {
              ssize_t w = ::write(out_fd, data + done, n - done);
              if (w < 0) {
                if (errno == EINTR) continue;
                write_failed = true;
                return false;
              }
              done += static_cast<std::size_t>(w);
            }
            got += static_cast<long long>(n);
            return true;
          })
        : client.Get(path);
    if (!result) {
      fail("GET " + url + " #" + std::to_string(i + 1) + ": " + httplib::to_string(result.error()) +
           (write_failed ? std::string(" (write: ") + std::strerror(errno) + ")" : ""));
    }
    if (result->status != 200) {
      fail("GET " + url + " #" + std::to_string(i + 1) + ": status " + std::to_string(result->status));
    }
    if (!download) got = static_cast<long long>(result->body.size());
    if (got != size) {
      fail("GET " + url + " #" + std::to_string(i + 1) + ": body of " + std::to_string(got) +
           " bytes, expected " + std::to_string(size));
    }
    total += got;
  }
  auto t1 = std::chrono::steady_clock::now();
  double cpu1 = cpu_us();
  client.stop();
  if (out_fd >= 0) ::close(out_fd);
  std::printf("requests=%ld bytes=%lld seconds=%.6f cpu_us=%.0f\n", requests, total,
              std::chrono::duration<double>(t1 - t0).count(), cpu1 - cpu0);
  return 0;
}
