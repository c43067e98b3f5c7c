// SPDX-License-Identifier: MIT
// POCO peer of bench/http_server.sh: Poco::Net::HTTPServer answering
//   GET /    200 "Hello, World!" (Content-Type: text/plain), and
//   GET /1m  ROOT/1m with HTTPServerResponse::sendFile (POCO's way to send a file: it
//            copies the file through a stream into the socket).
//
//   poco_server PORT ROOT [--threads N]
//
// HTTPServer is a TCPServer: each connection is served by one thread of a pool
// for as long as it lives (keep-alive included), so a pool of 1 would serve one
// connection at a time. The pool starts with one thread and grows on demand to
// --threads (default 16, POCO's default pool size); the script passes as many as
// it opens connections, all on the one core the server is pinned to.
// Changed from POCO's defaults: 300 s between keep-alive requests (POCO: 10 s,
// so that idle connections stay), up to --threads connections queued for a
// thread (POCO: 64; a connection beyond the queue is closed), a listen backlog
// of 1024 (POCO: 64), and TCP_NODELAY: set on the listening socket, which
// Linux copies to every accepted one (POCO's HTTPServer has no option for it).
// Keep-alive requests per connection stay unlimited (POCO's default, 0).
// Prints nothing; stops on SIGTERM (the default action).
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>
#include <Poco/Timespan.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <ostream>
#include <string>

using namespace Poco::Net;

namespace {

std::string g_file;  // ROOT/1m

class Hello : public HTTPRequestHandler {
 public:
  void handleRequest(HTTPServerRequest&, HTTPServerResponse& res) override {
    res.setContentType("text/plain");
    res.setContentLength(13);
    res.send() << "Hello, World!";
  }
};

class File : public HTTPRequestHandler {
 public:
  void handleRequest(HTTPServerRequest&, HTTPServerResponse& res) override {
    res.sendFile(g_file, "application/octet-stream");
  }
};

class NotFound : public HTTPRequestHandler {
 public:
  void handleRequest(HTTPServerRequest&, HTTPServerResponse& res) override {
    res.setStatusAndReason(HTTPResponse::HTTP_NOT_FOUND);
    res.setContentLength(0);
    res.send();
  }
};

class Factory : public HTTPRequestHandlerFactory {
 public:
  HTTPRequestHandler* createRequestHandler(const HTTPServerRequest& req) override {
    if (req.getMethod() == HTTPRequest::HTTP_GET) {
      if (req.getURI() == "/") return new Hello;
      if (req.getURI() == "/1m") return new File;
    }
    return new NotFound;
  }
};

[[noreturn]] void usage() {
  std::fprintf(stderr, "usage: poco_server PORT ROOT [--threads N]\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 && argc != 5) usage();
  const int port = std::atoi(argv[1]);
  g_file = std::string(argv[2]) + "/1m";
  int threads = 16;
  if (argc == 5) {
    if (std::string(argv[3]) != "--threads" || std::atoi(argv[4]) < 1) usage();
    threads = std::atoi(argv[4]);
  }
  try {
    ServerSocket socket(SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)), 1024);
    socket.setNoDelay(true);
    auto* params = new HTTPServerParams;
    params->setMaxThreads(threads);
    params->setMaxQueued(threads);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(300, 0));
    params->setMaxKeepAliveRequests(0);  // unlimited
    Poco::ThreadPool pool(1, threads);
    HTTPServer server(new Factory, pool, socket, params);
    server.start();
    for (;;) pause();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "poco_server: %s\n", e.what());
    return 1;
  }
}
