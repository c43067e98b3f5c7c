// SPDX-License-Identifier: MIT
// Reading through a net::InputBuffer on the loop: lines, and the events of a sans-I/O codec.
// The same for io::Stream, tls::AsyncStream and tls::AnyStream: anything whose
// `read_some(std::span<std::byte>, std::error_code&)` can be awaited.
#pragma once

#include <concepts>
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>
#include <utility>

#include "wire/error.hpp"
#include "wire/io/task.hpp"
#include "wire/net/input_buffer.hpp"
#include "wire/net/line_reader.hpp"

namespace wire::io {

/// Reads one line through `buffer` (see net::read_line for the rules): the line without its
/// end, viewing `buffer` until its next read; std::nullopt at the end of the stream between
/// lines, or on an error, which `ec` then holds (Errc::limit_exceeded, bad_line_ending,
/// unexpected_eof inside a line, or the stream's).
///   net::InputBuffer in;
///   while (auto line = co_await io::read_line(stream, in, 512, net::LineEnd::crlf, ec)) { ... }
template <typename S>
Task<std::optional<std::string_view>> read_line(S& stream, net::InputBuffer& buffer, std::size_t max,
                                                net::LineEnd end, std::error_code& ec) {
  using Status = net::LineScan::Status;
  ec.clear();
  for (;;) {
    net::LineScan scan = net::scan_line(buffer.view(), max, end);
    if (scan.status == Status::line) {
      std::string_view line = buffer.view().substr(0, scan.length);
      buffer.consume(scan.consumed);
      co_return line;
    }
    if (scan.status != Status::need_more) {
      ec = make_error_code(scan.status == Status::too_long ? Errc::limit_exceeded : Errc::bad_line_ending);
      co_return std::nullopt;
    }
    if (buffer.size() == buffer.capacity()) buffer.reserve(std::max(max + 2, buffer.capacity()));
    std::size_t n = co_await stream.read_some(buffer.space(), ec);
    if (ec) co_return std::nullopt;
    if (n == 0) {
      if (!buffer.empty()) ec = make_error_code(Errc::unexpected_eof);
      co_return std::nullopt;
    }
    buffer.commit(n);
  }
}

/// The throwing form: std::nullopt only at the end of the stream between lines.
template <typename S>
Task<std::optional<std::string_view>> read_line(S& stream, net::InputBuffer& buffer, std::size_t max,
                                                net::LineEnd end = net::LineEnd::crlf) {
  std::error_code ec;
  auto line = co_await read_line(stream, buffer, max, end, ec);
  if (ec == std::errc::timed_out) throw TimeoutError("read_line: no line within the timeout");
  if (ec == Errc::limit_exceeded || ec == Errc::bad_line_ending) {
    net::throw_line_error(ec == Errc::limit_exceeded ? net::LineScan::Status::too_long
                                                      : net::LineScan::Status::bad_line_ending,
                          max, "read_line");
  }
  if (ec) throw std::system_error(ec, "read_line");
  co_return line;
}

/// The kind of event a codec's next() returns.
template <typename Codec>
using EventOf = decltype(std::declval<Codec&>().next());

/// Whether `codec` is a sans-I/O codec of wire's shape: feed(bytes) returns how many it used,
/// next() returns an event whose `kind` has a `need_more` value, feed_eof() ends the input.
template <typename Codec>
concept PullCodec = requires(Codec& c, std::span<const std::byte> bytes) {
  { c.feed(bytes) } -> std::convertible_to<std::size_t>;
  c.feed_eof();
  c.next().kind;
  decltype(c.next().kind)::need_more;
};

/// The next event of `codec`: one it has parsed already, else one from the bytes in `buffer`,
/// else one from more bytes that `read_more(std::span<std::byte> space, std::error_code& ec)`
/// awaits into the buffer's free space (returning the count; 0 is the end of the stream,
/// which the codec is told of with feed_eof()). An event of kind `need_more` comes back only
/// with `ec` set: the read failed (its error), or the stream ended where the codec needed more
/// (Errc::unexpected_eof). This is the one loop between a stream and a codec: the HTTP client
/// and server pull requests and responses with it, the dialogues replies and commands.
/// `read_more` is kept by value in the task, so a caller may return the task at once; pass
/// std::ref(reader) for a reader whose state must outlive the call.
///   auto ev = co_await io::next_event(parser, in,
///       [&](auto space, auto& ec) { return stream.read_some(space, ec); }, ec);
template <PullCodec Codec, typename ReadMore>
  requires std::invocable<ReadMore&, std::span<std::byte>, std::error_code&>
Task<EventOf<Codec>> next_event(Codec& codec, net::InputBuffer& buffer, ReadMore read_more, std::error_code& ec) {
  using Kind = decltype(codec.next().kind);
  ec.clear();
  bool ended = false;
  int idle_feeds = 0;
  for (;;) {
    EventOf<Codec> ev = codec.next();
    if (ev.kind != Kind::need_more) co_return ev;
    if (!buffer.empty()) {
      std::size_t used = codec.feed(buffer.bytes());
      buffer.consume(used);
      // A codec that takes nothing twice and says nothing between will take nothing more
      // (after an upgrade its caller did not continue): stop instead of reading on.
      if (used == 0 && ++idle_feeds > 1) {
        ec = std::make_error_code(std::errc::protocol_error);
        co_return ev;
      }
      if (used > 0) idle_feeds = 0;
      continue;
    }
    if (ended) {  // the codec was told of the end and still needs more: it ended cleanly
      ec = make_error_code(Errc::unexpected_eof);
      co_return ev;
    }
    std::size_t n = co_await read_more(buffer.space(), ec);
    if (ec) co_return ev;
    if (n == 0) {
      codec.feed_eof();
      ended = true;
      continue;
    }
    buffer.commit(n);
  }
}

/// next_event() reading from `stream` with its read_some().
template <PullCodec Codec, typename S>
  requires requires(S& s, std::span<std::byte> b, std::error_code& e) { s.read_some(b, e); }
Task<EventOf<Codec>> next_event(Codec& codec, net::InputBuffer& buffer, S& stream, std::error_code& ec) {
  return next_event(
      codec, buffer, [&stream](std::span<std::byte> space, std::error_code& e) { return stream.read_some(space, e); },
      ec);
}

}  // namespace wire::io
