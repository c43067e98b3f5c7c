// SPDX-License-Identifier: MIT
// Benchmark peer: a Boost.Asio echo server written with C++20 coroutines, the
// way the Asio documentation's cpp20 echo example does it (co_spawn one
// awaitable per connection; async_read_some into a buffer, then async_write).
//
//   asio_echo PORT [--threads N] [--host ADDRESS]
//
// One io_context. With --threads 1 (the default) it runs on the main thread
// with a concurrency hint of 1, which lets Asio skip its cross-thread locking
// fast paths; with N > 1 the same io_context runs on N threads.
// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>
// (fixed in later Boosts); libstdc++ 12 no longer pulls it in indirectly.
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;

namespace {

awaitable<void> echo(tcp::socket socket) {
  try {
    char data[1024];
    for (;;) {
      std::size_t n = co_await socket.async_read_some(asio::buffer(data), use_awaitable);
      co_await asio::async_write(socket, asio::buffer(data, n), use_awaitable);
    }
  } catch (const std::exception&) {
    // End of stream or a reset: the connection is done.
  }
}

awaitable<void> listener(tcp::acceptor acceptor) {
  for (;;) {
    tcp::socket socket = co_await acceptor.async_accept(use_awaitable);
    socket.set_option(tcp::no_delay(true));
    co_spawn(acceptor.get_executor(), echo(std::move(socket)), asio::detached);
  }
}

[[noreturn]] void usage() {
  std::fprintf(stderr, "usage: asio_echo PORT [--threads N] [--host ADDRESS]\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) usage();
  int port = std::atoi(argv[1]);
  int threads = 1;
  std::string host = "127.0.0.1";
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
      threads = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--host") == 0 && i + 1 < argc) {
      host = argv[++i];
    } else {
      usage();
    }
  }
  if (port < 0 || port > 65535 || threads < 1) usage();

  try {
    asio::io_context io(threads);
    tcp::endpoint endpoint(asio::ip::make_address(host), static_cast<unsigned short>(port));
    tcp::acceptor acceptor(io, endpoint);  // opens, sets SO_REUSEADDR, binds, listens
    std::fprintf(stderr, "asio_echo: listening on %s:%u (%d thread%s)\n", host.c_str(),
                 acceptor.local_endpoint().port(), threads, threads == 1 ? "" : "s");

    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](auto, auto) { io.stop(); });
    co_spawn(io, listener(std::move(acceptor)), asio::detached);

    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& t : pool) t.join();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "asio_echo: %s\n", e.what());
    return 1;
  }
  return 0;
}
