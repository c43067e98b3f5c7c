// SPDX-License-Identifier: MIT
// Non-ASCII text in header fields (RFC 2047): encoded-words, "=?utf-8?q?Gr=C3=BC=C3=9Fe?=",
// decoded when a message is read and written when one is built.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace wire::mime {

/// One encoded-word, decoded.
struct DecodedWord {
  std::string text;     ///< UTF-8, or the raw bytes when the charset is not known
  std::string charset;  ///< as written, without an RFC 2231 §5 language suffix ("*en")
  bool known_charset = true;
};

/// Decodes `token` if it is one encoded-word (RFC 2047 §2): "=?" charset "?" B|Q "?" text
/// "?=", encoding letters in either case; nullopt if it is not one or its text does not decode.
///   decode_word("=?ISO-8859-1?Q?Gr=FC=DFe?=")->text;  // "Grüße"
std::optional<DecodedWord> decode_word(std::string_view token);

/// The text of a header field value with its encoded-words decoded.
struct DecodedText {
  std::string text;             ///< UTF-8, where every charset was known
  std::string unknown_charset;  ///< the first charset not known (its words are left as bytes); empty if none
};

/// Decodes the encoded-words of an unstructured field value (Subject, Comments, ...), RFC 2047
/// §6: white space between two encoded-words is dropped, other white space is kept. A token
/// that is encoded-words written together without space ("=?a?q?x?==?a?q?y?=") is decoded
/// too, as most readers do; anything else that fails to decode is left as it is.
///   decode_words("Re: =?utf-8?q?Gr=C3=BC=C3=9Fe?= =?utf-8?b?IGF1cw==?=").text;  // "Re: Grüße aus"
DecodedText decode_words(std::string_view value);

/// An unstructured field value (UTF-8) ready to be written after "Name: " (`name_length` is
/// the name's length): words that need it — non-ASCII, control characters, looking like an
/// encoded-word, or too long for a line — become encoded-words (B or Q, whichever is shorter)
/// of at most 75 characters (RFC 2047 §2) each holding whole UTF-8 characters; neighbouring
/// such words share encoded-words. Every word of the result fits a line of 78 when folded.
///   encode_unstructured("Grüße aus Köln", 7);  // "=?utf-8?q?Gr=C3=BC=C3=9Fe?= aus =?utf-8?q?K=C3=B6ln?="
/// @throws std::invalid_argument if `utf8` is not UTF-8 or holds a CR, LF or NUL.
std::string encode_unstructured(std::string_view utf8, std::size_t name_length);

/// A display name (an RFC 5322 phrase) ready to be written before an address: atoms as they
/// are, a quoted-string if it has specials, encoded-words (RFC 2047 §5 (3)) if it is not
/// ASCII or too long; fits folding at 78 like encode_unstructured().
///   encode_phrase("Smith, John", 2);  // "\"Smith, John\""
/// @throws std::invalid_argument if `utf8` is not UTF-8 or holds a CR, LF or NUL.
std::string encode_phrase(std::string_view utf8, std::size_t name_length);

}  // namespace wire::mime
