// SPDX-License-Identifier: MIT
// The Content-Disposition field (RFC 2183): inline or attachment, and the file name.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "wire/mime/parameters.hpp"

namespace wire::mime {

/// How a part is meant to be shown, and under what file name.
///   auto cd = ContentDisposition::parse("attachment; filename*=utf-8''R%C3%A9sum%C3%A9.pdf");
///   cd->is_attachment();  // true      cd->filename();  // "Résumé.pdf"
struct ContentDisposition {
  std::string type = "attachment";  ///< lowercased: "inline", "attachment", "form-data", ...
  Parameters params;

  /// Parses a Content-Disposition value; nullopt if it does not begin with a token.
  static std::optional<ContentDisposition> parse(std::string_view value);

  bool is_attachment() const noexcept { return type == "attachment"; }
  /// The filename parameter, decoded (RFC 2231 or, as many mailers write, RFC 2047).
  std::optional<std::string_view> filename() const noexcept { return params.get("filename"); }
  /// The field value: the type and the parameters (Parameters::str()).
  std::string str() const { return type + params.str(); }

  friend bool operator==(const ContentDisposition&, const ContentDisposition&) = default;
};

}  // namespace wire::mime
