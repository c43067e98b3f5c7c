// SPDX-License-Identifier: MIT
// `wire tcp serve` and `wire tcp send`: the tutorial's TCP server and client.
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <array>
#include <csignal>
#include <vector>
#include <stdexcept>
#include <thread>

#include "commands.hpp"
#include "wire/io.hpp"
#include "wire/net.hpp"

namespace wire::cli {
namespace {

using namespace std::chrono_literals;

// At most about 31 years: longer would overflow the steady_clock deadlines
// (nanoseconds in 64 bits) that the timeouts become.
constexpr double max_timeout_seconds = 1e9;

std::chrono::milliseconds to_ms(double seconds, const char* option) {
  if (!(seconds > 0) || !(seconds <= max_timeout_seconds)) {
    throw std::invalid_argument(std::string(option) +
                                " must be a positive number of seconds, at most 1e9");
  }
  return std::chrono::milliseconds(static_cast<long long>(std::ceil(seconds * 1000)));
}

struct ServeOptions {
  std::string host = "localhost";
  std::uint16_t port = 12345;
  std::string reply = "Hello, client!";
  bool echo = false;
  bool once = false;
  bool quiet = false;
  double idle_timeout = 60;
  int max_connections = 10000;
  unsigned threads = 0;
  std::string accept = "reuseport";
};

// Answers one connection until it closes, goes idle or fails; a coroutine per
// connection on wire::io's runtime (and the --once server's only one). Reads land in one buffer per worker thread and are answered before the
// connection waits again, so an idle connection holds no buffer at all.
io::Task<void> answer_messages(io::Stream& stream, const ServeOptions& options) {
  thread_local std::array<std::byte, 64 * 1024> buffer;
  for (;;) {
    std::error_code ec;
    std::size_t n = co_await stream.read_some(buffer, ec);
    if (ec || n == 0) co_return;  // closed, reset or idle past the timeout
    std::span<const std::byte> data(buffer.data(), n);
    if (!options.quiet) {
      print_line("Received: ", std::string_view(reinterpret_cast<const char*>(data.data()), n));
    }
    if (!options.echo) data = std::as_bytes(std::span(options.reply));
    // Usually one send takes it all; what it leaves must be copied out of the
    // shared buffer before this connection waits (another may read into it).
    std::size_t sent = co_await stream.write_some(data, ec);
    if (ec) co_return;
    if (sent < data.size()) {
      std::vector<std::byte> rest(data.begin() + static_cast<std::ptrdiff_t>(sent), data.end());
      co_await stream.write_all(rest, ec);
      if (ec) co_return;
    }
  }
}

void serve(const ServeOptions& options) {
  // Checked before listening: a bad value must fail the command, not a connection.
  const auto idle_timeout = to_ms(options.idle_timeout, "--idle-timeout");
  if (options.once) {
    // The tutorial's server: one connection, on this thread, with the same
    // answering coroutine as the many-connection server.
    io::run([](const ServeOptions& opts, std::chrono::milliseconds idle) -> io::Task<void> {
      io::Listener listener(net::tcp_listen(opts.host, opts.port));
      std::cerr << "wire: listening on " << listener.local_address().to_string() << std::endl;
      auto accepted = co_await listener.accept();
      accepted.stream.set_read_timeout(idle);
      accepted.stream.set_write_timeout(idle);
      co_await answer_messages(accepted.stream, opts);
    }(options, idle_timeout));
    return;
  }
  io::ServerOptions server_options;
  server_options.host = options.host;
  server_options.port = options.port;
  server_options.threads = options.threads;
  server_options.accept_mode =
      options.accept == "one" ? io::AcceptMode::one_acceptor : io::AcceptMode::reuse_port;
  server_options.limits.max_connections = static_cast<std::size_t>(options.max_connections);
  server_options.limits.idle_timeout = idle_timeout;
  io::TcpServer server(server_options, [&options](io::Stream& stream, const net::Address&) {
    return answer_messages(stream, options);
  });
  io::SignalSet signals{SIGINT, SIGTERM};  // blocked before the workers start
  server.start();
  std::cerr << "wire: listening on " << server.local_address().to_string() << std::endl;
  io::run(signals.wait());
  auto report = server.shutdown(5s);
  std::cerr << "wire: stopped; " << report.finished << " connection(s) finished, " << report.cut
            << " cut" << std::endl;
}

struct SendOptions {
  std::string host;
  std::uint16_t port = 0;
  std::string message;
  std::string file;
  double timeout = 10;
};

std::string read_input(const std::string& path) {
  std::ifstream in;
  std::istream* stream = &std::cin;
  if (path != "-") {
    in.open(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    stream = &in;
  }
  return {std::istreambuf_iterator<char>(*stream), std::istreambuf_iterator<char>()};
}

void send(const SendOptions& options) {
  auto timeout = to_ms(options.timeout, "--timeout");
  std::string payload = options.file.empty() ? options.message : read_input(options.file);
  if (options.message == "-" && options.file.empty()) payload = read_input("-");

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto sock = net::tcp_connect(options.host, options.port, timeout);
  sock.send_all(payload);
  // Half-close: the server sees end of input, answers, and closes; the whole
  // answer is what arrives before that close.
  sock.shutdown(net::Shutdown::write);
  std::string response;
  std::string buffer(64 * 1024, '\0');
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) {
      throw TimeoutError("waiting for the response from " + sock.peer_address().to_string() +
                         " (" + std::to_string(response.size()) + " bytes so far)");
    }
    sock.set_timeout(left);
    std::error_code ec;
    auto n = sock.recv(std::as_writable_bytes(std::span(buffer)), ec);
    if (ec == std::errc::timed_out) continue;  // reported above with the byte count
    if (ec == std::errc::connection_reset && !response.empty()) break;  // closed without a FIN
    if (ec) throw_error(ec, "recv from " + sock.peer_address().to_string());
    if (n == 0) break;
    response.append(buffer.data(), n);
  }
  print_line("Response: ", response);
}

}  // namespace

void add_tcp_commands(CLI::App& app) {
  auto* tcp = app.add_subcommand("tcp", "The tutorial's TCP server and client");
  tcp->require_subcommand(1);

  auto serve_opts = std::make_shared<ServeOptions>();
  auto* serve_cmd = tcp->add_subcommand(
      "serve", "Print each message received as 'Received: <data>' and answer it");
  serve_cmd->add_option("--host", serve_opts->host, "Address or name to listen on")
      ->capture_default_str();
  serve_cmd->add_option("--port", serve_opts->port, "Port (0: any free port)")
      ->capture_default_str();
  auto* reply = serve_cmd->add_option("--reply", serve_opts->reply, "Text sent back to each message")
                    ->capture_default_str();
  serve_cmd->add_flag("--echo", serve_opts->echo, "Send each message back instead")
      ->excludes(reply);
  serve_cmd->add_flag("--once", serve_opts->once, "Serve one connection, then exit");
  serve_cmd->add_flag("--quiet,-q", serve_opts->quiet, "Do not print the messages");
  serve_cmd->add_option("--idle-timeout", serve_opts->idle_timeout,
                        "Close a connection silent for this many seconds")
      ->capture_default_str();
  serve_cmd->add_option("--max-connections", serve_opts->max_connections,
                        "Connections served at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  serve_cmd->add_option("--accept", serve_opts->accept,
                        "reuseport: a listener per worker; one: one acceptor hands out connections")
      ->capture_default_str()
      ->check(CLI::IsMember({"reuseport", "one"}));
  serve_cmd->add_option("--threads", serve_opts->threads, "Worker threads (0: one per core)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1024));
  serve_cmd->callback([serve_opts] { serve(*serve_opts); });

  auto send_opts = std::make_shared<SendOptions>();
  auto* send_cmd = tcp->add_subcommand(
      "send", "Send MESSAGE, then print the whole answer as 'Response: <data>'");
  send_cmd->add_option("host", send_opts->host, "Server name or address")->required();
  send_cmd->add_option("port", send_opts->port, "Server port")->required();
  auto* message = send_cmd->add_option("message", send_opts->message, "Text to send ('-': stdin)");
  auto* file = send_cmd->add_option("--file,-f", send_opts->file, "Send this file's bytes ('-': stdin)");
  message->excludes(file);
  send_cmd->add_option("--timeout", send_opts->timeout,
                       "Seconds for the connect and the whole exchange")
      ->capture_default_str();
  send_cmd->callback([send_opts, message, file] {
    if (message->count() == 0 && file->count() == 0) {
      throw std::invalid_argument("tcp send: give a MESSAGE or --file");
    }
    send(*send_opts);
  });
}

std::vector<DemoStep> tcp_demo_steps() {
  DemoStep step;
  step.title = "TCP: the tutorial's server and client";
  step.run = [] {
    // The tutorial's programs, with a free port instead of 12345.
    auto server = net::tcp_listen("127.0.0.1", 0);
    auto address = server.local_address();
    std::cout << "  server listening on " << address.to_string() << "\n";
    std::string received;
    std::thread server_side([&] {
      auto [client, peer] = server.accept();
      client.set_timeout(10s);
      received = client.recv(1024);
      client.send_all("Hello, client!");
    });
    std::string response;
    try {
      auto client = net::tcp_connect("127.0.0.1", address.port(), 10s);
      client.send_all("Hello, server!");
      response = client.recv(1024);
    } catch (...) {
      server.close();  // unblocks the server thread's accept
      server_side.join();
      throw;
    }
    server_side.join();
    std::cout << "  server: Received: " << received << "\n";
    std::cout << "  client: Response: " << response << "\n";
    return received == "Hello, server!" && response == "Hello, client!";
  };
  return {step};
}

}  // namespace wire::cli
