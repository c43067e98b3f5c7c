// SPDX-License-Identifier: MIT
// What an AsyncClient holds, shared by client.cpp (connecting, EHLO, STARTTLS, AUTH) and
// client_send.cpp (the mail transaction and the data).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "wire/dialogue/client_dialogue.hpp"
#include "wire/net/input_buffer.hpp"
#include "wire/smtp/client.hpp"
#include "wire/smtp/data_encoder.hpp"

namespace wire::smtp::detail {

/// A dialogue reply as the client reports it: the enhanced status code (RFC 3463) taken off
/// the front of each line when its class matches the reply's first digit (RFC 2034 §4).
Reply to_reply(const dialogue::Reply& raw);

}  // namespace wire::smtp::detail

namespace wire::smtp {

struct AsyncClient::State {
  State(std::string h, std::uint16_t p, ClientOptions o)
      : host(std::move(h)), port(p), options(std::move(o)), dialogue(dialogue::Syntax::smtp, options.limits) {}

  std::string host;
  std::uint16_t port;
  ClientOptions options;
  std::string peer;  // "host:port"
  tls::AnyStream stream;
  net::InputBuffer in{16 * 1024};
  dialogue::ClientDialogue dialogue;
  Extensions ext;
  bool esmtp = false;
  Reply greeting;
  bool needs_reset = false;  // a transaction failed half-way: RSET before the next MAIL
  bool pipelined = false;
  bool broken = false;       // the dialogue cannot go on (a write failed, data cut short)
  std::string held;                    // a message's last piece and end, written by the next flush()
  SendResult* awaiting_end = nullptr;  // ... whose reply the next open_transaction reads first

  /// Writes what is held and what the dialogue holds (commands sent with dialogue.send()).
  io::Task<void> flush(std::chrono::milliseconds timeout);
  /// Writes `bytes` as they are (a SASL response line, message data).
  io::Task<void> write(std::string_view bytes, std::chrono::milliseconds timeout);
  /// The next reply, within `timeout`; `what` names the command for errors.
  io::Task<dialogue::Reply> next_reply(std::chrono::milliseconds timeout, std::string_view what);
  /// Sends a command and reads its reply (nothing else may be outstanding).
  io::Task<dialogue::Reply> exchange(std::string_view verb, std::span<const std::string_view> args,
                                     std::string_view what);
  [[noreturn]] void fail_io(std::error_code ec, std::string_view what);
};

}  // namespace wire::smtp
