// SPDX-License-Identifier: MIT
// A web server in ten lines: a route with a parameter, and the files of ./public.
//   ./http_server 8080 ./public    then    curl http://127.0.0.1:8080/hello/world
#include <string>

#include <wire/http.hpp>

int main(int argc, char** argv) {
  using namespace wire::http;
  Router router;
  router.get("/hello/{name}", [](ServerRequest& req) {
    return ServerResponse::text("Hello, " + std::string(req.param("name")) + "!\n");
  });
  router.files("/", argc > 2 ? argv[2] : ".");
  Server server({.port = static_cast<std::uint16_t>(argc > 1 ? std::stoi(argv[1]) : 8080)}, std::move(router));
  server.run_until_signal();  // Ctrl-C: finish the requests in flight, then return
}
