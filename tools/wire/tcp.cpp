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
#include <type_traits>

#include "commands.hpp"
#include "options.hpp"
#include "wire/io.hpp"
#include "wire/net.hpp"
#include "wire/tls.hpp"

namespace wire::cli {
namespace {

using namespace std::chrono_literals;

struct ServeOptions {
  std::string host = "localhost";
  std::uint16_t port = 12345;
  std::string reply = "Hello, client!";
  bool echo = false;
  bool once = false;
  bool quiet = false;
  double idle_timeout = 60;
  ConnectionLimitOptions limits;
  unsigned threads = 0;
  std::string accept = "reuseport";
  TlsServerOptions tls;
};

// Answers one connection until it closes, goes idle or fails; a coroutine per
// connection on wire::io's runtime (and the --once server's only one), over a
// plain io::Stream or a tls::AsyncStream. Reads land in one buffer per worker
// thread and are answered before the connection waits again, so an idle plain
// connection holds no buffer at all.
template <typename Stream>
io::Task<void> answer_messages(Stream& stream, const ServeOptions& options) {
  constexpr bool is_tls = std::is_same_v<Stream, tls::AsyncStream>;
  thread_local std::array<std::byte, 64 * 1024> buffer;
  for (;;) {
    std::error_code ec;
    std::size_t n = co_await stream.read_some(buffer, ec);
    if constexpr (is_tls) {
      if (!ec && n == 0) co_await stream.shutdown();  // answer close_notify with ours
    }
    if (ec || n == 0) co_return;  // closed, reset or idle past the timeout
    std::span<const std::byte> data(buffer.data(), n);
    if (!options.quiet) {
      print_line("Received: ", std::string_view(reinterpret_cast<const char*>(data.data()), n));
    }
    if (!options.echo) data = std::as_bytes(std::span(options.reply));
    if constexpr (is_tls) {
      // The engine encrypts up to 64 KiB before the first wait, so the shared
      // buffer is free again before another connection can read into it.
      static_assert(sizeof buffer <= tls::kWriteChunk);
      co_await stream.write_all(data, ec);
      if (ec) co_return;
    } else {
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
}

// One connection, plain or TLS. A failed handshake ends only that connection;
// the --once server reports it as the command's error.
io::Task<void> answer_connection(io::Stream& plain, const std::optional<tls::Context>& tls_context,
                                 const ServeOptions& options, std::chrono::milliseconds handshake_timeout,
                                 bool rethrow) {
  if (!tls_context) {
    co_await answer_messages(plain, options);
    co_return;
  }
  tls::AsyncStream stream(std::move(plain), *tls_context);
  try {
    co_await io::with_timeout(stream.handshake(), handshake_timeout);
  } catch (const std::exception& e) {
    if (rethrow) throw;
    if (!options.quiet) std::cerr << "wire: " << e.what() << std::endl;
    co_return;
  }
  co_await answer_messages(stream, options);
}

void serve(const ServeOptions& options) {
  // Checked before listening: a bad value must fail the command, not a connection.
  const auto idle_timeout = seconds_to_ms(options.idle_timeout, "--idle-timeout");
  const std::optional<tls::Context> tls_context = options.tls.context(options.host);
  if (options.once) {
    // The tutorial's server: one connection, on this thread, with the same
    // answering coroutine as the many-connection server.
    io::run([](const ServeOptions& opts, const std::optional<tls::Context>& ctx,
               std::chrono::milliseconds idle) -> io::Task<void> {
      io::Listener listener(net::tcp_listen(opts.host, opts.port));
      std::cerr << "wire: listening on " << listener.local_address().to_string() << std::endl;
      auto accepted = co_await listener.accept();
      accepted.stream.set_read_timeout(idle);
      accepted.stream.set_write_timeout(idle);
      co_await answer_connection(accepted.stream, ctx, opts, idle, true);
    }(options, tls_context, idle_timeout));
    return;
  }
  io::ServerOptions server_options;
  server_options.host = options.host;
  server_options.port = options.port;
  server_options.threads = options.threads;
  server_options.accept_mode =
      options.accept == "one" ? io::AcceptMode::one_acceptor : io::AcceptMode::reuse_port;
  server_options.limits.max_connections = options.limits.max_connections;
  server_options.limits.idle_timeout = idle_timeout;
  io::TcpServer server(server_options, [&](io::Stream& stream, const net::Address&) {
    return answer_connection(stream, tls_context, options, idle_timeout, false);
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
  bool tls = false;
  TlsClientOptions tls_options;
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

// Reads until the end of data within `deadline`: `recv` gets the time left and
// returns 0 at the end.
template <typename Recv>
std::string read_to_end(Recv&& recv, std::chrono::steady_clock::time_point deadline,
                        const std::string& peer) {
  std::string response;
  std::string buffer(64 * 1024, '\0');
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) {
      throw TimeoutError("waiting for the response from " + peer + " (" +
                         std::to_string(response.size()) + " bytes so far)");
    }
    std::size_t n = 0;
    try {
      n = recv(std::as_writable_bytes(std::span(buffer)), left);
    } catch (const TimeoutError&) {
      continue;  // reported above with the byte count
    } catch (const std::system_error& e) {
      if (e.code() == std::errc::connection_reset && !response.empty()) break;  // closed without a FIN
      throw;
    }
    if (n == 0) break;
    response.append(buffer.data(), n);
  }
  return response;
}

void send(const SendOptions& options) {
  auto timeout = seconds_to_ms(options.timeout, "--timeout");
  std::string payload = options.file.empty() ? options.message : read_input(options.file);
  if (options.message == "-" && options.file.empty()) payload = read_input("-");

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string response;
  if (options.tls) {
    auto stream = tls::Stream::connect(options.tls_options.context(), options.host, options.port, timeout);
    stream.send_all(payload);
    // close_notify: the server sees the end of data, answers, and sends its own.
    stream.shutdown();
    bool truncated = false;
    response = read_to_end(
        [&](std::span<std::byte> buffer, std::chrono::milliseconds left) -> std::size_t {
          stream.socket().set_timeout(left);
          try {
            return stream.recv(buffer);
          } catch (const tls::Error& e) {
            // Many servers (Python's ssl among them) close without close_notify.
            // With no framing of its own, the answer may be cut: say so.
            if (e.code() != tls::Errc::truncated) throw;
            truncated = true;
            return 0;
          }
        },
        deadline, stream.socket().peer_address().to_string());
    if (truncated) {
      std::cerr << "wire: warning: the server closed the connection without close_notify; "
                   "the response may be truncated"
                << std::endl;
    }
  } else {
    auto sock = net::tcp_connect(options.host, options.port, timeout);
    sock.send_all(payload);
    // Half-close: the server sees end of input, answers, and closes; the whole
    // answer is what arrives before that close.
    sock.shutdown(net::Shutdown::write);
    response = read_to_end(
        [&](std::span<std::byte> buffer, std::chrono::milliseconds left) {
          sock.set_timeout(left);
          std::error_code ec;
          std::size_t n = sock.recv(buffer, ec);
          if (ec) throw_error(ec, "recv from " + sock.peer_address().to_string());
          return n;
        },
        deadline, sock.peer_address().to_string());
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
  add_seconds(serve_cmd, "--idle-timeout", serve_opts->idle_timeout, "Close a connection silent for this many seconds");
  serve_opts->limits.add_to(serve_cmd, false);
  serve_cmd->add_option("--accept", serve_opts->accept,
                        "reuseport: a listener per worker; one: one acceptor hands out connections")
      ->capture_default_str()
      ->check(CLI::IsMember({"reuseport", "one"}));
  serve_cmd->add_option("--threads", serve_opts->threads, "Worker threads (0: one per core)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1024));
  serve_opts->tls.add_to(serve_cmd);
  serve_cmd->callback([serve_opts] { serve(*serve_opts); });

  auto send_opts = std::make_shared<SendOptions>();
  auto* send_cmd = tcp->add_subcommand(
      "send", "Send MESSAGE, then print the whole answer as 'Response: <data>'");
  send_cmd->add_option("host", send_opts->host, "Server name or address")->required();
  send_cmd->add_option("port", send_opts->port, "Server port")->required();
  auto* message = send_cmd->add_option("message", send_opts->message, "Text to send ('-': stdin)");
  auto* file = send_cmd->add_option("--file,-f", send_opts->file, "Send this file's bytes ('-': stdin)");
  message->excludes(file);
  add_seconds(send_cmd, "--timeout", send_opts->timeout, "Seconds for the connect and the whole exchange");
  auto* tls_flag = send_cmd->add_flag("--tls", send_opts->tls,
                                      "Use TLS, verifying the server's certificate and name");
  send_opts->tls_options.add_to(send_cmd, tls_flag);
  send_cmd->callback([send_opts, message, file] {
    if (message->count() == 0 && file->count() == 0) {
      throw std::invalid_argument("tcp send: give a MESSAGE or --file");
    }
    send(*send_opts);
  });
}

namespace {

DemoStep tcp_step() {
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
  return step;
}

DemoStep tls_step() {
  DemoStep tls_step;
  tls_step.title = "TLS: the same exchange, encrypted and verified";
  tls_step.run = [] {
    // A certificate for "localhost" made now; the client trusts it alone and
    // checks that the server holds it and that the name matches.
    auto identity = tls::self_signed("localhost");
    auto server_ctx = tls::Context::server(identity);
    auto client_ctx = tls::Context::client(tls::Trust::added_only);
    client_ctx.add_ca_pem(identity.certificate_pem);

    auto server = net::tcp_listen("127.0.0.1", 0);
    auto port = server.local_address().port();
    std::cout << "  server listening on " << server.local_address().to_string()
              << " with a self-signed certificate for localhost\n";
    std::string received;
    std::string server_error;
    std::thread server_side([&] {
      try {
        auto [client, peer] = server.accept();
        client.set_timeout(10s);
        tls::Stream stream(std::move(client), server_ctx);
        received = stream.recv(1024);
        stream.send_all("Hello, client!");
        stream.shutdown();
      } catch (const std::exception& e) {
        server_error = e.what();
      }
    });
    std::string response;
    std::string details;
    try {
      auto client = tls::Stream::connect(client_ctx, "localhost", port, 10s);
      details = client.version() + ", " + client.engine().cipher() + ", certificate " +
                client.engine().peer_subject() + " verified";
      client.send_all("Hello, server!");
      response = client.recv(1024);
    } catch (...) {
      server.close();
      server_side.join();
      throw;
    }
    server_side.join();
    if (!server_error.empty()) std::cout << "  server error: " << server_error << "\n";
    std::cout << "  client: connected to localhost (" << details << ")\n";
    std::cout << "  server: Received: " << received << "\n";
    std::cout << "  client: Response: " << response << "\n";
    return received == "Hello, server!" && response == "Hello, client!";
  };
  return tls_step;
}

}  // namespace

std::vector<DemoStep> tcp_demo_steps() { return {tcp_step(), tls_step()}; }

}  // namespace wire::cli
