// SPDX-License-Identifier: MIT
// AsyncClient::State: the control connection, its dialogue, and the steps every call is made
// of (send a command, read its reply, open a data connection), shared by the client's sources.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "wire/dialogue/client_dialogue.hpp"
#include "wire/ftp/async_client.hpp"
#include "wire/ftp/error.hpp"
#include "wire/io/stream.hpp"
#include "wire/net/input_buffer.hpp"
#include "wire/tls/any_stream.hpp"

namespace wire::ftp {

namespace detail {

// Data connections are read and written this many bytes at a time.
inline constexpr std::size_t kDataBuffer = 256 * 1024;
// A listing (LIST, NLST, MLSD) larger than this is refused: it is read whole into memory.
inline constexpr std::size_t kMaxListing = 64 * 1024 * 1024;

// A reply, and whether it was preliminary (1yz) and which command it answers.
struct Answer {
  dialogue::Reply reply;
  std::uint64_t id = 0;
  bool preliminary = false;
};

// What a transfer command needs before its data connection exists: the connection itself
// (passive, made before the command is sent) or the listener the server connects to (active).
struct DataPlan {
  std::optional<io::Stream> connected;
  std::optional<io::Listener> listener;
};

// A data connection once open, and whether the command's final reply came already (a server
// may answer 2yz at once, without a 1yz).
struct DataChannel {
  tls::AnyStream stream;
  bool final_seen = false;
  dialogue::Reply final_reply;
};

}  // namespace detail

struct AsyncClient::State {
  ClientOptions options;
  std::string host;
  std::uint16_t port = 0;
  std::string name;  // "host:port", for messages
  std::string tls_name;
  std::optional<tls::Context> context;
  tls::AnyStream control;
  net::Address peer;   // the control connection's peer: where passive data connections go
  net::Address local;  // and its local address: where active ones are awaited
  net::InputBuffer in{16 * 1024};
  dialogue::ClientDialogue dialogue;
  std::string welcome;
  std::optional<Features> features;
  bool binary = false;         // TYPE I was accepted
  bool extended_refused = false;  // the server does not know EPSV/EPRT: PASV/PORT from now on
  bool protect = false;        // data connections are TLS (PROT P accepted)

  explicit State(const ClientOptions& o) : options(o), dialogue(dialogue::Syntax::ftp, o.reply_limits) {}

  // "FTP host:port: VERB arg" (PASS's argument hidden), the start of every message.
  std::string describe(std::string_view verb, std::string_view arg = {}) const;
  // A ReplyError for `reply`, naming "verb arg"; its command() is `command`, or `verb`.
  [[noreturn]] void refuse(const dialogue::Reply& reply, std::string_view verb, std::string_view arg,
                           std::string_view command = {}) const;

  // Sends a command (encoded first: CR, LF or NUL throw dialogue::LocalError, nothing sent).
  io::Task<std::uint64_t> send(std::string_view verb, std::string_view arg = {});
  // The next reply, preliminary or final.
  io::Task<detail::Answer> next_reply(std::string_view verb);
  // Sends a command and returns its final reply, 1yz replies skipped.
  io::Task<dialogue::Reply> exchange(std::string_view verb, std::string_view arg = {});
  // exchange(), and ReplyError unless the final reply is a 2yz (the codec checks exact codes).
  io::Task<dialogue::Reply> complete(std::string_view verb, std::string_view arg = {});

  // The control connection as TLS (after 234, or at once for implicit TLS).
  io::Task<void> start_tls();
  io::Task<void> read_greeting();

  // Data connections (client_data.cpp).
  io::Task<detail::DataPlan> plan_data();
  io::Task<detail::DataChannel> start_transfer(std::string_view verb, std::string_view arg, std::uint64_t offset);
  io::Task<void> finish_transfer(detail::DataChannel& data, std::string_view verb, std::string_view arg);
  // The end of an upload's data: close_notify (TLS) and FIN, then what the server still sends
  // is read up to its close (a lingering close, see .cpp).
  io::Task<void> end_upload(detail::DataChannel& data);
  io::Task<void> abort_transfer(detail::DataChannel& data);
  io::Task<std::string> read_listing(std::string_view verb, std::string_view arg);
};

// Refuses an argument that would break the command line (CR, LF, NUL) before anything of the
// call is sent: a transfer sends EPSV and connects before its command.
void check_argument(std::string_view what, std::string_view arg);

}  // namespace wire::ftp
