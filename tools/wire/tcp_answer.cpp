// SPDX-License-Identifier: MIT
#include "tcp_answer.hpp"

#include <array>
#include <iostream>
#include <memory>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "wire/io/timeout.hpp"
#include "wire/tls.hpp"

namespace wire::cli {
namespace {

using Source = std::shared_ptr<Printer::Source>;

// What one send() left of a message in the worker's shared buffer: copied out before the
// connection waits (another connection may read into that buffer meanwhile), then written.
// A frame of its own, made only on this rare path, so that the answering loop's frame, which
// every idle connection holds, carries neither the copy nor write_all's task.
io::Task<void> write_rest(io::Stream& stream, std::span<const std::byte> rest, std::error_code& ec) {
  std::vector<std::byte> copy(rest.begin(), rest.end());
  co_await stream.write_all(copy, ec);
}

// Answers one connection until it closes, goes idle or fails, over a plain io::Stream or a
// tls::AsyncStream. Reads land in one buffer per worker thread and are answered before the
// connection waits again, so an idle plain connection holds no buffer at all. What it prints
// goes through the printer's queue (none with --quiet): a stdout that does not keep up stalls
// no connection.
template <typename Stream>
io::Task<void> answer_messages(Stream& stream, const AnswerOptions& options, Source source) {
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
    if (options.printer) options.printer->print(source, data);
    if (!options.echo) data = std::as_bytes(std::span(options.reply));
    if constexpr (is_tls) {
      // The engine encrypts up to 64 KiB before the first wait, so the shared
      // buffer is free again before another connection can read into it.
      static_assert(sizeof buffer <= tls::kWriteChunk);
      co_await stream.write_all(data, ec);
      if (ec) co_return;
    } else {
      // Usually one send takes it all, tried without an awaiter: the write's awaiter would
      // take a place in this frame, which every idle connection holds (write_rest waits).
      std::size_t sent = stream.try_write_some(data, ec);
      if (ec) co_return;
      if (sent < data.size()) {
        co_await write_rest(stream, data.subspan(sent), ec);
        if (ec) co_return;
      }
    }
  }
}

// A TLS connection: the handshake within its deadline, then the same answering loop. A
// failed handshake ends only this connection, unless `rethrow` (the --once server reports it
// as the command's error).
io::Task<void> answer_tls(io::Stream& plain, const AnswerOptions& options, Source source, bool rethrow) {
  tls::AsyncStream stream(std::move(plain), *options.tls);
  try {
    co_await io::with_timeout(stream.handshake(), options.handshake_timeout);
  } catch (const std::exception& e) {
    if (rethrow) throw;
    if (!options.quiet) std::cerr << "wire: " << e.what() << std::endl;
    co_return;
  }
  co_await answer_messages(stream, options, std::move(source));
}

}  // namespace

io::Task<void> answer_connection(io::Stream& stream, const net::Address& peer, const AnswerOptions& options,
                                 bool rethrow) {
  Source source = options.printer ? options.printer->source(peer.to_string()) : nullptr;
  if (options.tls) return answer_tls(stream, options, std::move(source), rethrow);
  return answer_messages(stream, options, std::move(source));
}

}  // namespace wire::cli
