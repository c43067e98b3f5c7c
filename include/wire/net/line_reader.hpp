// SPDX-License-Identifier: MIT
// Lines through an InputBuffer: where a line ends (the caller's choice of CRLF rules), and
// read_line() for blocking streams. wire/io/reader.hpp has the coroutine form.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "wire/error.hpp"
#include "wire/net/input_buffer.hpp"

namespace wire::net {

/// What ends a line.
enum class LineEnd : std::uint8_t {
  /// Only CRLF; a bare CR or LF anywhere in the line is an error (Errc::bad_line_ending).
  /// What a server reading commands needs (RFC 5321 §2.3.8: a bare LF ends no SMTP line).
  crlf,
  /// LF, with a CR just before it dropped; a CR elsewhere stays in the line. What a tolerant
  /// client reads (Python's ftplib and smtplib accept both).
  lf,
};

/// Where the first line of some bytes ends.
struct LineScan {
  enum class Status : std::uint8_t {
    line,             ///< a whole line: `length` bytes, then its end (`consumed` with it)
    need_more,        ///< no end yet, and the line may still fit
    too_long,         ///< longer than the limit, end or no end
    bad_line_ending,  ///< a bare CR or LF (LineEnd::crlf only)
  };
  Status status = Status::need_more;
  std::size_t length = 0;
  std::size_t consumed = 0;
};

/// Looks for a whole line of at most `max` bytes (without its end) at the start of `bytes`.
///   scan_line("USER anna\r\nPASS", 512, LineEnd::crlf)  // {line, 9, 11}
LineScan scan_line(std::string_view bytes, std::size_t max, LineEnd end) noexcept;

/// Throws what a failed scan means (limit_exceeded, bad_line_ending), naming `what`.
[[noreturn]] void throw_line_error(LineScan::Status status, std::size_t max, const std::string& what);

/// Reads one line from a blocking stream (net::Socket, tls::Stream: anything with
/// `recv(std::span<std::byte>)`) through `buffer`, which keeps what arrives after the line for
/// the next call: one recv() per buffer-full, never one per line and no peeking. Returns the
/// line without its end, viewing `buffer` (valid until its next read); std::nullopt when the
/// stream ended between lines.
///   net::InputBuffer in;
///   while (auto line = net::read_line(sock, in, 8192)) std::cout << *line << "\n";
/// @throws std::system_error: wire::Errc::limit_exceeded past `max`, Errc::bad_line_ending,
///         Errc::unexpected_eof inside a line; the stream's own errors and timeouts.
template <typename Stream>
std::optional<std::string_view> read_line(Stream& stream, InputBuffer& buffer, std::size_t max,
                                          LineEnd end = LineEnd::crlf) {
  for (;;) {
    LineScan scan = scan_line(buffer.view(), max, end);
    if (scan.status == LineScan::Status::line) {
      std::string_view line = buffer.view().substr(0, scan.length);
      buffer.consume(scan.consumed);  // the bytes stay where they are until the next read
      return line;
    }
    if (scan.status != LineScan::Status::need_more) throw_line_error(scan.status, max, "read_line");
    if (buffer.size() == buffer.capacity()) buffer.reserve(std::max(max + 2, buffer.capacity()));
    std::size_t n = stream.recv(buffer.space());
    if (n == 0) {
      if (buffer.empty()) return std::nullopt;
      throw std::system_error(make_error_code(Errc::unexpected_eof), "read_line: the stream ended inside a line");
    }
    buffer.commit(n);
  }
}

}  // namespace wire::net
