// SPDX-License-Identifier: MIT
// What `wire tcp serve` prints, off the connections' threads (tcp_printer.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace wire::cli {

/// Writes "Received: <data>\n" for each message on stdout from a thread of its own, so that a
/// stdout that does not keep up (a stalled pipe, a slow terminal) never stalls a connection:
/// print() queues and returns at once. The queue is bounded, per connection (kPerConnection
/// bytes waiting) and in all (kTotal); a message past a bound is skipped, and once that
/// connection's queue has drained a note on stderr says how many of its bytes were not
/// printed. On a terminal, bytes other than printable ASCII are escaped (\n, \r, \t, \\,
/// \xHH): what a client sends cannot drive the terminal.
///   Printer printer;  auto source = printer.source("127.0.0.1:5000");
///   printer.print(source, bytes);
class Printer {
 public:
  static constexpr std::size_t kPerConnection = 1 << 20;
  static constexpr std::size_t kTotal = 16 << 20;
  struct Source;  // one connection's share of the queue

  Printer();
  /// Waits (up to 5 s) for what is queued to be written, then stops the thread.
  ~Printer();
  Printer(const Printer&) = delete;
  Printer& operator=(const Printer&) = delete;

  /// A connection's handle, named by `peer` in notes.
  std::shared_ptr<Source> source(std::string peer);
  /// Queues one message (never waits); skips it past a bound. Thread-safe.
  void print(const std::shared_ptr<Source>& source, std::span<const std::byte> data);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

/// `data` as a terminal may show it: printable ASCII as it is, `\` doubled, CR, LF and TAB as
/// \r, \n, \t, every other byte as \xHH.
std::string escape_for_terminal(std::string_view data);

}  // namespace wire::cli
