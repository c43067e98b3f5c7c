// SPDX-License-Identifier: MIT
// wire::mime::Part: a received message read whole into a tree of parts, as Python's
// email.message_from_bytes gives it; built on MessageParser.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/mime/mailbox.hpp"
#include "wire/mime/parser.hpp"

namespace wire::mime {

/// A message, or one part of one: its header, its decoded body or its parts.
///   Part msg = parse_message(bytes);
///   msg.subject();                               // decoded
///   msg.addresses("From")[0].address;
///   if (const Part* t = msg.find_text("plain")) t->text();
///   for (const Part* a : msg.attachments()) save(*a->filename(), a->body);
struct Part {
  PartInfo info;            ///< header fields, media type, disposition, transfer encoding
  std::string body;         ///< the decoded bytes (of a leaf part)
  std::vector<Part> parts;  ///< the parts of a multipart, in order

  const text::Headers& headers() const noexcept { return info.headers; }
  bool is_multipart() const noexcept { return info.is_multipart(); }
  /// Content-Disposition attachment, or a file name (and not disposition inline).
  bool is_attachment() const;
  std::optional<std::string> filename() const { return info.filename(); }
  /// The body of a text part in UTF-8, converted from its charset; bytes as they are if the
  /// charset is not known (is_known_charset()).
  std::string text() const;

  /// The first field named `name` with its encoded-words decoded (RFC 2047); "" if none.
  std::string decoded(std::string_view name) const;
  /// decoded("Subject").
  std::string subject() const { return decoded("Subject"); }
  /// The mailboxes of every field named `name` (From, To, Cc, Reply-To), in order.
  /// @throws Error (Errc::bad_address) if one does not parse.
  std::vector<Mailbox> addresses(std::string_view name) const;
  /// The Date field (RFC 5322 §3.3), if present and valid, in seconds since the Unix epoch.
  std::optional<std::int64_t> date() const;

  /// The first part, depth-first, that is text/`subtype` and not an attachment (the body a
  /// reader shows, as Python's get_body); nullptr if none.
  const Part* find_text(std::string_view subtype = "plain") const;
  /// Every leaf part that is_attachment(), depth-first.
  std::vector<const Part*> attachments() const;
};

/// Parses a whole message. Its bytes go through a MessageParser in pieces, so the tree and
/// the message are what is held, no second copy.
/// @throws Error with the MessageParser's error if the message does not parse.
Part parse_message(std::string_view bytes, const ParserLimits& limits = {});

}  // namespace wire::mime
