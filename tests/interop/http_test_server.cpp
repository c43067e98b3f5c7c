// SPDX-License-Identifier: MIT
// The server of tests/interop/test_http_server.py: a wire::http::Server with a few routes that
// clients which are not ours (curl, Python's http.client and urllib, raw sockets) talk to.
//
//   http_test_server [--host H] [--port P] [--threads N] [--tls-cert F --tls-key F]
//                    [--files DIR] [--grace S]
//
//   GET  /hello          "Hello, World!"
//   POST /sha256         the body, streamed (up to 2 GiB): "<hex sha256> <length>"
//   PUT  /upload/{name}  the same
//   GET  /stream/{n}     n chunks "chunk <i>\n" (i from 0), sent chunked
//   GET  /echo-headers   the request's header fields, one "Name: value\n" line each, in order
//   GET  /files/...      the files of DIR (Router::files), with --files DIR
//
// Prints `listening on 127.0.0.1:PORT` on stdout once it accepts connections; SIGTERM or SIGINT
// stops it gracefully (what is in flight finishes, within --grace seconds), and it exits 0.
#include <openssl/evp.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

#include "wire/http/server.hpp"
#include "wire/io/loop.hpp"
#include "wire/io/signal.hpp"
#include "wire/tls/context.hpp"

namespace {

using wire::http::BodyWriter;
using wire::http::ServerRequest;
using wire::http::ServerResponse;
namespace io = wire::io;

constexpr std::uint64_t kMaxUpload = 2ULL << 30;  // 2 GiB
constexpr long kMaxChunks = 1'000'000;

// Reads the streamed body of `req` to its end: "<hex sha256> <length>".
io::Task<ServerResponse> hash_body(ServerRequest& req) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!md || EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr) != 1) throw std::runtime_error("EVP_DigestInit_ex");
  auto buffer = std::make_unique<std::byte[]>(64 * 1024);
  std::uint64_t length = 0;
  for (;;) {
    std::size_t n = co_await req.read_body(std::span(buffer.get(), 64 * 1024));
    if (n == 0) break;
    EVP_DigestUpdate(md.get(), buffer.get(), n);
    length += n;
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(md.get(), digest, &size);
  std::string answer;
  char hex[3];
  for (unsigned int i = 0; i < size; ++i) {
    std::snprintf(hex, sizeof hex, "%02x", digest[i]);
    answer += hex;
  }
  answer += ' ';
  answer += std::to_string(length);
  co_return ServerResponse::text(std::move(answer));
}

io::Task<void> produce_chunks(BodyWriter& out, long n) {
  for (long i = 0; i < n; ++i) {
    std::string chunk = "chunk " + std::to_string(i) + "\n";
    co_await out.write(chunk);
  }
}

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "http_test_server: %s\nusage: http_test_server [--host H] [--port P] [--threads N] "
               "[--tls-cert F --tls-key F] [--files DIR] [--grace S]\n",
               why);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  long port = 0;
  long threads = 2;
  double grace = 10;
  std::string cert;
  std::string key;
  std::string files;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (i + 1 >= argc) usage("every option takes a value");
    const char* value = argv[++i];
    if (arg == "--host") {
      host = value;
    } else if (arg == "--port") {
      port = std::atol(value);
    } else if (arg == "--threads") {
      threads = std::atol(value);
    } else if (arg == "--tls-cert") {
      cert = value;
    } else if (arg == "--tls-key") {
      key = value;
    } else if (arg == "--files") {
      files = value;
    } else if (arg == "--grace") {
      grace = std::atof(value);
    } else {
      usage("unknown option");
    }
  }
  if (port < 0 || port > 65535 || threads < 0 || threads > 64 || !(grace > 0)) usage("bad value");
  if (cert.empty() != key.empty()) usage("--tls-cert and --tls-key go together");

  try {
    wire::http::Router router;
    router.get("/hello", [](ServerRequest&) { return ServerResponse::text("Hello, World!"); });
    wire::http::RouteOptions streamed{.stream_body = true, .max_body = kMaxUpload};
    router.post("/sha256", [](ServerRequest& req) { return hash_body(req); }, streamed);
    router.put("/upload/{name}", [](ServerRequest& req) { return hash_body(req); }, streamed);
    router.get("/stream/{n}", [](ServerRequest& req) {
      std::string_view text = req.param("n");
      char* end = nullptr;
      std::string copy(text);
      long n = std::strtol(copy.c_str(), &end, 10);
      if (copy.empty() || *end != '\0' || n < 0 || n > kMaxChunks) return ServerResponse::error(400);
      return ServerResponse::streamed("text/plain; charset=utf-8",
                                      [n](BodyWriter& out) { return produce_chunks(out, n); });
    });
    router.get("/echo-headers", [](ServerRequest& req) {
      std::string lines;
      for (auto field : req.headers()) {
        lines += field.name;
        lines += ": ";
        lines += field.value;
        lines += '\n';
      }
      return ServerResponse::text(std::move(lines));
    });
    if (!files.empty()) router.files("/files", files);

    wire::http::ServerOptions options;
    options.host = host;
    options.port = static_cast<std::uint16_t>(port);
    options.threads = static_cast<unsigned>(threads);
    if (!cert.empty()) options.tls = wire::tls::Context::server(cert, key);
    wire::http::Server server(std::move(options), std::move(router));
    // Blocked before the workers start (they inherit the mask), as `wire http serve` does:
    // the signal is read here, never handled on a worker.
    io::SignalSet signals{SIGINT, SIGTERM};
    server.start();
    std::cout << "listening on 127.0.0.1:" << server.local_address().port() << std::endl;
    int signal = 0;
    {
      io::Loop loop;
      signal = loop.run(signals.wait());
    }
    auto report = server.shutdown(std::chrono::milliseconds(static_cast<long long>(grace * 1000)));
    std::cerr << "http_test_server: signal " << signal << "; stopped; " << report.finished
              << " connection(s) finished, " << report.cut << " cut" << std::endl;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "http_test_server: %s\n", e.what());
    return 1;
  }
  return 0;
}
