// SPDX-License-Identifier: MIT
// Base64 (RFC 4648 §4): whole strings for credentials and tokens (HTTP Basic, SMTP AUTH), and
// streaming with MIME's line length for message bodies (RFC 2045 §6.8).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace wire::text {

/// `data` in base64, padded, on one line:  base64_encode("user:pass")  // "dXNlcjpwYXNz"
std::string base64_encode(std::string_view data);
std::string base64_encode(std::span<const std::byte> data);
/// Decodes base64 strictly: the alphabet only (no whitespace), length a multiple of four,
/// padding only at the end and with the unused bits zero (RFC 4648 §3.5); nullopt otherwise.
std::optional<std::string> base64_decode(std::string_view text);
/// The length of the base64 of `n` bytes (without line breaks).
constexpr std::size_t base64_length(std::size_t n) noexcept { return (n + 2) / 3 * 4; }

/// Encodes a stream in pieces into lines of at most `line_length` characters ended by CRLF,
/// as a MIME body (RFC 2045 §6.8: 76 at most).
///   Base64Encoder enc; std::string out;
///   enc.update(chunk1, out); enc.update(chunk2, out); enc.finish(out);
class Base64Encoder {
 public:
  /// `line_length` is rounded down to a multiple of 4 (at least 4).
  explicit Base64Encoder(std::size_t line_length = 76) noexcept;
  /// Appends the base64 of `data` to `out`, holding back up to two bytes for the next call.
  void update(std::string_view data, std::string& out);
  void update(std::span<const std::byte> data, std::string& out);
  /// Appends the bytes held back, the padding and the last CRLF (none after an empty input).
  void finish(std::string& out);

 private:
  void put_group(const unsigned char* in, std::size_t n, std::string& out);
  std::size_t line_length_;
  std::size_t column_ = 0;
  unsigned char held_[3] = {};
  std::size_t held_count_ = 0;
};

/// Decodes a MIME base64 body in pieces: characters outside the alphabet (line breaks, spaces)
/// are skipped, as RFC 2045 §6.8 says, and decoding stops at the padding.
///   Base64Decoder dec; std::string out;
///   if (!dec.update(part1, out) || !dec.update(part2, out) || !dec.finish(out)) { /* bad */ }
class Base64Decoder {
 public:
  /// Appends what `text` decodes to. false if alphabet characters follow the padding.
  bool update(std::string_view text, std::string& out);
  /// false if the input ended inside a group that cannot be decoded (one character of it).
  bool finish(std::string& out);

 private:
  std::uint32_t bits_ = 0;
  int count_ = 0;  // sextets in bits_
  bool padded_ = false;
};

}  // namespace wire::text
