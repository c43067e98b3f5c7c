// SPDX-License-Identifier: MIT
// wire::mime::Message: what a mail message to be sent is made of (RFC 5322 fields, bodies,
// attachments). MessageWriter turns it into bytes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/mime/mailbox.hpp"
#include "wire/text/headers.hpp"

namespace wire::mime {

/// A file, or bytes in memory, attached to a message (always sent in base64).
///   msg.attachments.push_back(Attachment::from_file("report.pdf"));
struct Attachment {
  std::filesystem::path file;  ///< read in pieces as the message goes out (used unless empty)
  std::string data;            ///< the bytes, in memory, when `file` is empty
  std::string filename;        ///< the name the reader sees; default: the file's own name
  std::string content_type;    ///< a Content-Type value; default: guess_content_type(filename)
  bool show_inline = false;    ///< Content-Disposition inline rather than attachment
  std::string content_id;      ///< a Content-ID ("<id@host>"), for cid: links from HTML; optional

  static Attachment from_file(std::filesystem::path file, std::string content_type = {});
  static Attachment from_data(std::string filename, std::string data, std::string content_type = {});
};

/// A message to build. Fields left empty are left out (or generated: Date, Message-ID).
///   Message m;
///   m.from = {"Anna", "anna@example.com"};  m.to = {{"", "bob@example.org"}};
///   m.subject = "Grüße";  m.text = "Hello Bob\n";
///   m.attachments.push_back(Attachment::from_file("report.pdf"));
struct Message {
  Mailbox from;
  std::optional<Mailbox> sender;  ///< RFC 5322 §3.6.2, when someone sends for `from`
  std::vector<Mailbox> to, cc;
  std::vector<Mailbox> bcc;       ///< recipients() includes them; the header does not
  std::vector<Mailbox> reply_to;
  std::string subject;            ///< UTF-8
  std::optional<std::int64_t> date;  ///< seconds since the Unix epoch; default: now
  int utc_offset_minutes = 0;        ///< the zone the Date is written in
  std::string message_id;         ///< "<left@right>"; default: make_message_id() with From's domain
  std::string text;               ///< the text/plain body (UTF-8; LF, CRLF or CR line breaks)
  std::string html;               ///< the text/html body; with `text`, multipart/alternative
  std::vector<Attachment> attachments;
  /// More fields, written after the others (In-Reply-To, References, X-Mailer, ...);
  /// non-ASCII values become encoded-words. The fields the writer makes cannot be set here.
  text::Headers headers;

  /// Every address in To, Cc and Bcc, in that order: the SMTP envelope's recipients.
  std::vector<std::string> recipients() const;
  /// True if an address (From, Sender, To, Cc, Bcc, Reply-To) holds UTF-8: the message must go
  /// to a server offering SMTPUTF8 (RFC 6531).
  bool needs_smtputf8() const;
};

/// A new, unique Message-ID (RFC 5322 §3.6.4): "<" time "." 128 random bits "@" domain ">".
/// A `domain` that is not an ASCII dot-atom is replaced by "localhost".
std::string make_message_id(std::string_view domain);

}  // namespace wire::mime
