// SPDX-License-Identifier: MIT
// wire::mime::MessageWriter: a Message as bytes, pulled a piece at a time (what an SMTP client
// sends after DATA), so an attachment of any size is read from its file as it goes out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "wire/mime/message.hpp"
#include "wire/text/source.hpp"

namespace wire::mime {

/// Options for MessageWriter.
struct WriterOptions {
  /// Boundaries are this plus "-1", "-2", ... (reproducible output, tests); empty: random
  /// (text::make_boundary()).
  std::string boundary;
};

/// Writes a Message (RFC 5322, MIME: RFC 2045-2047, 2183, 2231) as a text::Source. Every field
/// is checked in the constructor, before a byte is produced; then read() gives the message in
/// pieces. Lines end in CRLF, none is over 998 octets (header lines are folded at 78), and the
/// output is 7-bit unless an address holds UTF-8 (needs_smtputf8()):
///   - text and HTML bodies: 7bit if ASCII with short lines, else quoted-printable or base64,
///     whichever is shorter (RFC 2045 §6.7, §6.8); a final line break is added if missing;
///   - attachments: base64 in lines of 76, read from their files 48 KiB at a time;
///   - Subject, display names and other fields: RFC 2047 encoded-words where needed;
///   - file names: RFC 2231 (filename*=utf-8''...), never RFC 2047 (which §5 forbids there).
///
///   MessageWriter w(msg);
///   char buf[64 * 1024];
///   while (std::size_t n = w.read(buf)) send(buf, n);
class MessageWriter final : public text::Source {
 public:
  /// @throws std::invalid_argument for a CR, LF or NUL in any field, an invalid address, an
  ///   empty From, text that is not UTF-8, a field name that is not printable ASCII or that
  ///   the writer sets itself; std::system_error for an attachment file that is not there.
  explicit MessageWriter(const Message& message, const WriterOptions& options = {});
  ~MessageWriter() override;
  MessageWriter(MessageWriter&&) noexcept;
  MessageWriter& operator=(MessageWriter&&) noexcept;

  using text::Source::read;
  /// The next bytes of the message; 0 at the end.
  /// @throws std::system_error if an attachment's file cannot be read (or has shrunk).
  std::size_t read(std::span<char> out) override;
  /// The message's exact length in bytes (for SMTP's SIZE, RFC 1870).
  std::optional<std::uint64_t> size() const override;

  /// The Message-ID written (the given one, or the one generated).
  const std::string& message_id() const noexcept { return message_id_; }
  /// The SMTP envelope's recipients: Message::recipients().
  const std::vector<std::string>& recipients() const noexcept { return recipients_; }
  /// Message::needs_smtputf8().
  bool needs_smtputf8() const noexcept { return smtputf8_; }

 private:
  std::string head_;                   // the header section, and a body held in memory
  std::size_t head_off_ = 0;
  std::unique_ptr<text::Source> body_;  // a multipart body, read after head_
  std::string message_id_;
  std::vector<std::string> recipients_;
  bool smtputf8_ = false;
};

/// The whole message in memory (small messages, tests): what a MessageWriter reads.
std::string as_bytes(const Message& message, const WriterOptions& options = {});

}  // namespace wire::mime
