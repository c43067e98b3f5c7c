// SPDX-License-Identifier: MIT
// The Content-Type field (RFC 2045 §5): a media type and its parameters.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "wire/mime/parameters.hpp"

namespace wire::mime {

/// A media type with its parameters, as Content-Type gives it.
///   auto ct = ContentType::parse("Text/HTML; charset=\"UTF-8\"");
///   ct->mime_type();  // "text/html"      ct->params.get("charset");  // "UTF-8"
struct ContentType {
  std::string type = "text";      ///< lowercased
  std::string subtype = "plain";  ///< lowercased
  Parameters params;

  /// Parses a Content-Type value; nullopt if it does not begin with token "/" token (a reader
  /// then takes text/plain; charset=us-ascii, RFC 2045 §5.2).
  static std::optional<ContentType> parse(std::string_view value);

  /// "type/subtype"
  std::string mime_type() const { return type + "/" + subtype; }
  bool is_multipart() const noexcept { return type == "multipart"; }
  /// The field value: "type/subtype" and the parameters (Parameters::str()).
  std::string str() const { return mime_type() + params.str(); }

  friend bool operator==(const ContentType&, const ContentType&) = default;
};

/// The media type for a file name's extension ("a.pdf" -> "application/pdf"), from a short
/// table of the common ones; application/octet-stream for the rest.
std::string guess_content_type(std::string_view filename);

}  // namespace wire::mime
