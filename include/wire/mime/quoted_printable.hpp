// SPDX-License-Identifier: MIT
// The quoted-printable transfer encoding (RFC 2045 §6.7): mostly-ASCII text that stays
// readable, lines of at most 76 characters.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace wire::mime {

/// The quoted-printable form of `text`, whose line breaks are CRLF (they stay hard line
/// breaks): bytes other than printable ASCII, and '=', as "=XX"; a space or tab that ends a
/// line encoded too; lines broken with a soft break ("=" CRLF) to at most 76 characters.
///   quoted_printable_encode("Grüße\r\n");  // "Gr=C3=BC=C3=9Fe\r\n"
std::string quoted_printable_encode(std::string_view text);

/// Decodes a quoted-printable body in pieces. Soft line breaks ("=" CRLF, or "=" LF, with any
/// white space between) vanish; white space at the end of a line is deleted (a transport may
/// have added it); hard line breaks pass through as they are (CRLF, or LF in a stored file).
/// A '=' not followed by two hex digits or a line break is kept as it is, the robust reading
/// RFC 2045 §6.7 (1) suggests. Holds back at most a few bytes (white space and a "=X")
/// until the next piece shows what they are.
///   QuotedPrintableDecoder dec; std::string out;
///   dec.update("Gr=C3=BC=C3=", out); dec.update("9Fe", out); dec.finish(out);  // "Grüße"
class QuotedPrintableDecoder {
 public:
  /// Appends what `text` decodes to, holding back what the next piece decides.
  void update(std::string_view text, std::string& out);
  /// The body ended: appends what was held back (white space at the end dropped).
  void finish(std::string& out);

 private:
  std::size_t decode(std::string_view in, bool final, std::string& out);
  std::string held_;
};

}  // namespace wire::mime
