// SPDX-License-Identifier: MIT
// POCO peer of bench/http_get.sh: one Poco::Net::HTTPClientSession with
// keep-alive for N sequential GETs, each body read whole into a string
// (StreamCopier::copyToString, the usual way); or, with --download, one GET whose
// body is read from the response stream in 64 KiB reads and written to --output.
// TCP_NODELAY on.
//
//   poco_get --url http://HOST:PORT/PATH --size BYTES [--requests N] [--download [--output FILE]]
//
// Every response must be 200 with --size bytes of body. Prints requests, bytes,
// seconds and cpu_us like bench/http_get_client.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <istream>
#include <string>

#include "get_peer.hpp"
#include <vector>

namespace {

constexpr const char* kName = "poco_get";

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

  try {
    Poco::URI uri(url);
    const std::string path = uri.getPathAndQuery();
    int out_fd = -1;
    if (download) {
      out_fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (out_fd < 0) fail("cannot open " + output + ": " + std::strerror(errno));
    }
    std::vector<char> buffer(64 * 1024);
    long long total = 0;

    double cpu0 = cpu_us();
    auto t0 = std::chrono::steady_clock::now();
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    session.setKeepAlive(true);
    for (long i = 0; i < requests; ++i) {
      Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path,
                                     Poco::Net::HTTPMessage::HTTP_1_1);
      session.sendRequest(request);
      if (i == 0) session.socket().setNoDelay(true);
      Poco::Net::HTTPResponse response;
      std::istream& body = session.receiveResponse(response);
      if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
        fail("GET " + url + " #" + std::to_string(i + 1) + ": status " +
             std::to_string(static_cast<int>(response.getStatus())));
      }
      long long got = 0;
      if (download) {
        for (;;) {
          body.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
          std::streamsize n = body.gcount();
          if (n <= 0) break;
          for (std::streamsize done = 0; done < n;) {
            ssize_t w = ::write(out_fd, buffer.data() + done, static_cast<std::size_t>(n - done));
            if (w < 0) {
              if (errno == EINTR) continue;
              fail(std::string("write: ") + std::strerror(errno));
            }
            done += w;
          }
          got += n;
        }
      } else {
        std::string text;
        Poco::StreamCopier::copyToString(body, text);
        got = static_cast<long long>(text.size());
      }
      if (got != size) {
        fail("GET " + url + " #" + std::to_string(i + 1) + ": body of " + std::to_string(got) +
             " bytes, expected " + std::to_string(size));
      }
      total += got;
    }
    auto t1 = std::chrono::steady_clock::now();
    double cpu1 = cpu_us();
    session.reset();
    if (out_fd >= 0) ::close(out_fd);
    std::printf("requests=%ld bytes=%lld seconds=%.6f cpu_us=%.0f\n", requests, total,
                std::chrono::duration<double>(t1 - t0).count(), cpu1 - cpu0);
  } catch (const Poco::Exception& e) {
    fail(e.displayText());
  } catch (const std::exception& e) {
    fail(e.what());
  }
  return 0;
}
