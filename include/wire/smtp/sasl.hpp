// SPDX-License-Identifier: MIT
// The SASL messages of SMTP AUTH (RFC 4954): PLAIN (RFC 4616), LOGIN, and XOAUTH2
// (Google's and Microsoft's OAuth 2.0 bearer form), base64 as they go on the wire.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wire::smtp {

/// PLAIN's message, base64: authzid NUL user NUL password (RFC 4616 §2).
///   sasl_plain("anna", "secret");   // "AGFubmEAc2VjcmV0"
/// @throws std::invalid_argument for a NUL in any of them (it would move the fields).
std::string sasl_plain(std::string_view user, std::string_view password, std::string_view authzid = {});
/// XOAUTH2's message, base64: "user=" user ^A "auth=Bearer " token ^A ^A.
/// @throws std::invalid_argument for a control character in either.
std::string sasl_xoauth2(std::string_view user, std::string_view token);

/// PLAIN's fields, as a server reads them.
struct PlainCredentials {
  std::string authzid;
  std::string user;
  std::string password;
};
/// Decodes a PLAIN message (base64); nullopt if it is not base64 or not three fields.
std::optional<PlainCredentials> parse_sasl_plain(std::string_view base64);

}  // namespace wire::smtp
