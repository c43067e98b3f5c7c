// SPDX-License-Identifier: MIT
// Header field sections in the syntax of mail and MIME (RFC 5322 §2.2): written with folding,
// read with unfolding. A message's header and each part's header in a multipart body (RFC
// 2046 §5.1) are such sections; HTTP's are not (RFC 9112 forbids folding) and have their own
// parser in wire::http.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

#include "wire/text/headers.hpp"

namespace wire::text {

/// Appends "Name: value" and CRLF to `out`, folded (RFC 5322 §2.2.3): a line break is put
/// before white space wherever the line would pass `fold_width` columns, never inside a word,
/// and no line is left holding white space only. `fold_width` 0 writes one line, unfolded.
///   append_field(out, "Subject", "Weekly report", 78);  // "Subject: Weekly report\r\n"
/// @throws std::invalid_argument if `name` is not 1*ftext (printable ASCII but ':', RFC 5322
///   §3.6.8), if `value` holds a CR, LF, NUL (or another control character but HTAB), or,
///   when folding, if a word makes a line longer than 998 octets (RFC 5322 §2.1.1).
void append_field(std::string& out, std::string_view name, std::string_view value, std::size_t fold_width = 78);

/// Why a FieldParser stopped; compare with `ec == wire::text::FieldErrc::too_many_fields`.
enum class FieldErrc {
  bad_field_line = 1,  ///< not "name: value" nor a continuation of one; or a bare CR or a NUL
  section_too_large,   ///< more bytes than FieldLimits::max_bytes before the empty line
  too_many_fields,     ///< more fields than FieldLimits::max_fields
  truncated,           ///< the input ended inside a line of the section
};

/// The category of FieldErrc; its name() is "fields".
const std::error_category& field_category() noexcept;
inline std::error_code make_error_code(FieldErrc e) noexcept { return {static_cast<int>(e), field_category()}; }

/// The limits a FieldParser enforces. A value at the limit passes.
struct FieldLimits {
  std::size_t max_bytes = 64 * 1024;  ///< the section's bytes, line breaks included, the empty line not
  std::size_t max_fields = 1000;      ///< fields (a folded field counts once)
};

/// Reads a header field section as it arrives, up to the empty line that ends it: names as
/// they are, values unfolded (the line breaks of folding removed, RFC 5322 §2.2.3) without
/// the white space after the colon (white space at the end stays, as in Python's email). Lines may end in CRLF or in LF alone (mail stored in files
/// uses LF); a CR elsewhere, or a NUL, is an error. The obsolete white space before the colon
/// (RFC 5322 §4.5) is accepted. Errors are sticky.
///   FieldParser p; std::size_t n = p.feed(bytes);   // takes up to the end of the empty line
///   if (p.done()) use(p.fields()), body = bytes.substr(n);
class FieldParser {
 public:
  explicit FieldParser(const FieldLimits& limits = {}) : limits_(limits) {}

  /// Takes bytes up to and including the empty line that ends the section and returns how
  /// many it took: all of `bytes` while the section goes on, 0 once it is done or failed.
  std::size_t feed(std::string_view bytes);
  /// The input ended. A section whose last line was complete is done (a message may have no
  /// body, hence no empty line); ending inside a line is FieldErrc::truncated.
  void finish();
  /// Ready for a new section, with the same limits.
  void reset();

  bool done() const noexcept { return done_; }
  std::error_code error() const noexcept { return error_; }
  /// The fields read so far (all of them once done()).
  const Headers& fields() const noexcept { return fields_; }
  Headers& fields() noexcept { return fields_; }

 private:
  bool end_line();
  bool flush_field();
  void fail(FieldErrc e);

  FieldLimits limits_;
  Headers fields_;
  std::string line_;
  std::string name_, value_;  // the field being read, which a continuation line may extend
  bool have_field_ = false;
  std::size_t bytes_ = 0;
  bool done_ = false;
  std::error_code error_;
};

}  // namespace wire::text

template <>
struct std::is_error_code_enum<wire::text::FieldErrc> : std::true_type {};
