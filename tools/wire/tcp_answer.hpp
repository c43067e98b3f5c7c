// SPDX-License-Identifier: MIT
// How `wire tcp serve` answers a connection (tcp_answer.cpp): the coroutine TcpServer runs per
// client, kept apart from the command so that tests/cli can hold connections on it and count
// what each costs (echo_budget_test.cpp).
#pragma once

#include <chrono>
#include <string>

#include "tcp_printer.hpp"
#include "wire/io/stream.hpp"
#include "wire/io/task.hpp"
#include "wire/net/address.hpp"

namespace wire::tls {
class Context;
}

namespace wire::cli {

/// What every connection of one `wire tcp serve` shares; it outlives the server.
struct AnswerOptions {
  bool echo = false;            ///< send each message back
  std::string reply;            ///< else send this
  Printer* printer = nullptr;   ///< "Received: ..." for each message (none: --quiet)
  const tls::Context* tls = nullptr;  ///< TLS on every connection (none: plain)
  std::chrono::milliseconds handshake_timeout{60'000};
  bool quiet = false;           ///< no note on stderr for a failed handshake
};

/// The task that answers `stream` until it closes, goes idle past its read timeout or fails.
/// Not a coroutine itself: a plain connection's task is the answering loop's own, so an idle
/// one holds that one frame beside TcpServer's (no frame in between, no peer string unless a
/// printer names it). `rethrow`: a failed TLS handshake is thrown (the --once server) instead
/// of ending the connection quietly.
io::Task<void> answer_connection(io::Stream& stream, const net::Address& peer, const AnswerOptions& options,
                                 bool rethrow = false);

}  // namespace wire::cli
