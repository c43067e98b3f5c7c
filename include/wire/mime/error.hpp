// SPDX-License-Identifier: MIT
// wire::mime errors: what was wrong with a received message (or an address being parsed), as
// values and as exceptions. What is wrong with a message the caller builds is the caller's
// mistake: std::invalid_argument, before a byte is produced.
#pragma once

#include <string>
#include <system_error>

#include "wire/error.hpp"

namespace wire::mime {

/// Why a message (or an address list) was refused. Compare with
/// `ec == wire::mime::Errc::too_deep`.
enum class Errc {
  bad_header_line = 1,  ///< a header line that is not "name: value" nor its continuation; a bare CR or NUL
  header_too_large,     ///< a header section (the message's or a part's) larger than the limit
  too_many_headers,     ///< more fields in a header section than the limit
  truncated_header,     ///< the input ended inside a header line (or inside a part's header section)
  bad_boundary,         ///< a multipart Content-Type without a usable boundary parameter
  bad_delimiter,        ///< transport padding after a boundary longer than 1000 characters
  truncated,            ///< a multipart body ended before its close delimiter
  too_many_parts,       ///< more parts in the message than the limit
  too_deep,             ///< multiparts nested deeper than the limit
  message_too_large,    ///< more bytes than the limit
  bad_base64,           ///< a base64 body that does not decode (data after the padding, a lone sextet)
  bad_address,          ///< an address or address list that does not parse (RFC 5322 §3.4)
};

/// The category of wire::mime::Errc values; its name() is "mime".
const std::error_category& error_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept { return {static_cast<int>(e), error_category()}; }

/// A received message (or address) that does not parse, as an exception.
///   try { auto m = mime::parse_message(bytes); } catch (const mime::Error& e) { e.code(); }
class Error : public wire::Error {
 public:
  using wire::Error::Error;
  Error(Errc code, const std::string& what) : wire::Error(make_error_code(code), what) {}
};

}  // namespace wire::mime

template <>
struct std::is_error_code_enum<wire::mime::Errc> : std::true_type {};
