// SPDX-License-Identifier: MIT
// `wire tcp serve` and `wire tcp send`: the tutorial's TCP server and client.
#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <csignal>
#include <vector>
#include <stdexcept>
#include <thread>

#include "commands.hpp"
#include "exit_status.hpp"
#include "options.hpp"
#include "tcp_answer.hpp"
#include "tcp_printer.hpp"
#include "tcp_send.hpp"
#include "usage.hpp"
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

void serve(const ServeOptions& options) {
  // Checked before listening: a bad value must fail the command, not a connection.
  const auto idle_timeout = seconds_to_ms(options.idle_timeout, "--idle-timeout");
  const std::optional<tls::Context> tls_context = options.tls.context(options.host);
  std::optional<Printer> printer_storage;
  if (!options.quiet) printer_storage.emplace();
  AnswerOptions answer;
  answer.echo = options.echo;
  answer.reply = options.reply;
  answer.printer = printer_storage ? &*printer_storage : nullptr;
  answer.tls = tls_context ? &*tls_context : nullptr;
  answer.handshake_timeout = idle_timeout;
  answer.quiet = options.quiet;
  if (options.once) {
    // The tutorial's server: one connection, on this thread, with the same
    // answering coroutine as the many-connection server.
    io::run([](const ServeOptions& opts, const AnswerOptions& how,
               std::chrono::milliseconds idle) -> io::Task<void> {
      io::Listener listener(net::tcp_listen(opts.host, opts.port));
      std::cerr << "wire: listening on " << listener.local_address().to_string() << std::endl;
      auto accepted = co_await listener.accept();
      accepted.stream.set_read_timeout(idle);
      accepted.stream.set_write_timeout(idle);
      co_await answer_connection(accepted.stream, accepted.peer, how, true);
    }(options, answer, idle_timeout));
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
  io::TcpServer server(server_options, [&answer](io::Stream& stream, const net::Address& peer) {
    return answer_connection(stream, peer, answer);
  });
  io::SignalSet signals{SIGINT, SIGTERM};  // blocked before the workers start
  server.start();
  std::cerr << "wire: listening on " << server.local_address().to_string() << std::endl;
  io::run(signals.wait());
  auto report = server.shutdown(5s);
  std::cerr << "wire: stopped; " << report.finished << " connection(s) finished, " << report.cut
            << " cut" << std::endl;
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
      ->capture_default_str()
      ->check(whole_number(0, 65535));
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
      ->check(whole_number(0, 1024));
  serve_opts->tls.add_to(serve_cmd);
  serve_cmd->callback([serve_opts] { serve(*serve_opts); });

  auto send_opts = std::make_shared<SendOptions>();
  auto* send_cmd = tcp->add_subcommand(
      "send", "Send MESSAGE while printing the answer as 'Response: <data>' until the server closes");
  send_cmd->add_option("HOST", send_opts->host, "Server name or address")->required();
  send_cmd->add_option("PORT", send_opts->port, "Server port")->required()->check(whole_number(1, 65535));
  auto* message = send_cmd->add_option("MESSAGE", send_opts->message, "Text to send ('-': stdin)");
  auto* file = send_cmd->add_option("--file,-f", send_opts->file, "Send this file's bytes ('-': stdin)");
  message->excludes(file);
  add_seconds(send_cmd, "--timeout", send_opts->timeout, "Seconds for the connect and the whole exchange");
  auto* tls_flag = send_cmd->add_flag("--tls", send_opts->tls,
                                      "Use TLS, verifying the server's certificate and name");
  send_opts->tls_options.add_to(send_cmd, tls_flag);
  send_cmd->footer(kExitStatusHelp);
  send_cmd->callback([send_opts, message, file] {
    if (message->count() == 0 && file->count() == 0) {
      throw UsageError("tcp send: give a MESSAGE or --file");
    }
    tcp_send(*send_opts);
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
