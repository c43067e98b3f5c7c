// SPDX-License-Identifier: MIT
// The server's shared state (Server::Impl), a worker's share, and one connection's
// conversation: reading commands (server_session.cpp) and the commands that read more than
// a line — DATA, STARTTLS, AUTH (server_data.cpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "wire/dialogue/command_parser.hpp"
#include "wire/io/server_kit.hpp"
#include "wire/io/tcp_server.hpp"
#include "wire/net/input_buffer.hpp"
#include "wire/smtp/maildir.hpp"
#include "wire/smtp/server.hpp"
#include "wire/tls/any_stream.hpp"

namespace wire::smtp::detail {

// One worker thread's share.
struct Worker {
  io::IdleQueue idle;  // connections waiting for their next command
  std::string chunk;   // message bytes between the parser and the sink
};

}  // namespace wire::smtp::detail

namespace wire::smtp {

struct Server::Impl {
  ServerOptions options;
  std::string hostname;
  std::optional<Maildir> maildir;
  std::unique_ptr<io::TcpServer> tcp;
  io::PerWorker<detail::Worker> workers;
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> ids{0};

  io::Task<void> serve(io::Stream& stream, const net::Address& peer);
  // 421, then the lingering close: over the per-address limit, or over the whole.
  io::Task<void> refuse_busy(io::Stream& stream, const net::Address& peer, bool per_client);
  void log(std::string_view line) const {
    if (options.log) options.log(line);
  }
};

}  // namespace wire::smtp

namespace wire::smtp::detail {

// One connection, from the greeting to QUIT (or a limit, or the client going away).
class Conversation {
 public:
  Conversation(Server::Impl& server, Worker& worker, tls::AnyStream& stream, const net::Address& peer);
  ~Conversation() { link_.unlink(); }
  Conversation(const Conversation&) = delete;
  Conversation& operator=(const Conversation&) = delete;

  io::Task<void> run();

 private:
  // Replies, buffered until the next read (RFC 2920 §3.2: a pipelined group's replies go together).
  void reply(int code, std::string_view enhanced, std::string_view text);
  io::Task<bool> flush();
  // The end: close_notify over TLS, then the lingering close.
  io::Task<void> close();
  // Reading: flushes the replies, waits in the worker's idle queue, reads.
  io::Task<std::size_t> read_more(std::span<std::byte> space, std::error_code& ec);
  io::Task<std::optional<std::string>> read_line();  // a SASL response line

  // One command; false: the connection ends.
  io::Task<bool> dispatch(const dialogue::Command& command);
  bool refuse_line(std::error_code why);
  bool over_limits();
  void hello(std::string_view arg, bool extended);
  void mail(std::string_view arg);
  void rcpt(std::string_view arg);
  void reset_transaction();
  bool auth_offered() const;
  io::Task<bool> data();
  io::Task<bool> receive_data(std::optional<Maildir::Delivery>& file, std::string& whole, std::optional<Verdict>& refused);
  Verdict finish_message(std::optional<Maildir::Delivery>& file, const std::string& whole);
  std::string trace_fields();
  io::Task<bool> starttls(std::string_view arg);
  io::Task<bool> auth(std::string_view arg);
  io::Task<std::optional<std::string>> sasl_response(std::string_view challenge, std::string_view initial);

  Server::Impl& srv_;
  Worker& w_;
  tls::AnyStream& s_;
  const ServerLimits& limits_;
  net::InputBuffer in_;
  dialogue::CommandParser parser_;
  std::string out_;
  Session session_;
  bool in_mail_ = false;
  bool smtputf8_ = false;
  std::size_t commands_without_mail_ = 0;
  std::size_t errors_ = 0;
  std::uint64_t message_size_ = 0;
  io::Clock::time_point started_;
  io::IdleLink link_;
};

}  // namespace wire::smtp::detail
