// SPDX-License-Identifier: MIT
// Percent-encoding (RFC 3986 §2.1): URLs, HTML form data, FTP and SMTP URL paths.
#pragma once

#include <string>
#include <string_view>

#include "wire/text/url.hpp"  // UrlError

namespace wire::text {

/// Percent-encodes every byte of `text` except the unreserved characters (RFC 3986 §2.3:
/// ALPHA DIGIT - . _ ~) and those listed in `keep`, with uppercase hex:
///   percent_encode("a b/c", "/")  // "a%20b/c"
std::string percent_encode(std::string_view text, std::string_view keep = {});
/// Decodes %XX escapes (and '+' as a space if `plus_as_space`, for HTML form data); throws
/// UrlError if a '%' is not followed by two hex digits.
std::string percent_decode(std::string_view text, bool plus_as_space = false);

}  // namespace wire::text
