// SPDX-License-Identifier: MIT
// cpp-httplib peer of bench/http_server.sh: httplib::Server answering
//   GET /    200 "Hello, World!" (Content-Type: text/plain), and
//   GET /1m  the file ROOT/1m, through httplib's own static files (set_mount_point("/", ROOT):
//            it reads the whole file into the response for each request).
//
//   httplib_server PORT ROOT [--threads N]
//
// httplib serves each connection on one thread of its pool for as long as the
// connection lives (keep-alive included), so a pool of 1 would serve one
// connection at a time and leave the others waiting: the script passes as many
// threads as it opens connections (--threads, default 8, httplib's own default
// on a small machine), all on the one core the server is pinned to. Changed
// from httplib's defaults, as nginx's are in the script: keep-alive up to
// 1,000,000 requests per connection (httplib: 5) and 300 s between requests
// (httplib: 5 s), and TCP_NODELAY (httplib: off; set_tcp_nodelay sets it on the
// listening socket, which Linux copies to every accepted one). Its listen
// backlog stays 5: CPPHTTPLIB_LISTEN_BACKLOG is compiled into Debian's
// libcpp-httplib. Prints nothing; stops on SIGTERM (the default action).
#include <httplib.h>

#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
  if (argc != 3 && argc != 5) {
    std::fprintf(stderr, "usage: httplib_server PORT ROOT [--threads N]\n");
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const std::string root = argv[2];
  std::size_t threads = 8;
  if (argc == 5) {
    if (std::string(argv[3]) != "--threads" || std::atol(argv[4]) < 1) {
      std::fprintf(stderr, "usage: httplib_server PORT ROOT [--threads N]\n");
      return 2;
    }
    threads = static_cast<std::size_t>(std::atol(argv[4]));
  }

  httplib::Server server;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(1'000'000);
  server.set_keep_alive_timeout(300);
  server.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("Hello, World!", "text/plain");
  });
  // Static files are looked up before the handlers; "/" itself would be ROOT/index.html,
  // which does not exist, so it falls through to the handler above.
  if (!server.set_mount_point("/", root)) {
    std::fprintf(stderr, "httplib_server: %s is not a directory\n", root.c_str());
    return 1;
  }
  if (!server.listen("127.0.0.1", port)) {
    std::fprintf(stderr, "httplib_server: cannot listen on 127.0.0.1:%d\n", port);
    return 1;
  }
  return 0;
}
