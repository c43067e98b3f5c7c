// SPDX-License-Identifier: MIT
#include "wire/smtp/sasl.hpp"

#include <stdexcept>

#include "wire/text/base64.hpp"

namespace wire::smtp {

std::string sasl_plain(std::string_view user, std::string_view password, std::string_view authzid) {
  for (std::string_view s : {user, password, authzid}) {
    if (s.find('\0') != std::string_view::npos) throw std::invalid_argument("SMTP AUTH PLAIN: NUL in a credential");
  }
  std::string message;
  message.reserve(user.size() + password.size() + authzid.size() + 2);
  message.append(authzid).push_back('\0');
  message.append(user).push_back('\0');
  message.append(password);
  return text::base64_encode(message);
}

std::string sasl_xoauth2(std::string_view user, std::string_view token) {
  for (std::string_view s : {user, token}) {
    for (char c : s) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        throw std::invalid_argument("SMTP AUTH XOAUTH2: a control character in the user or token");
      }
    }
  }
  std::string message = "user=";
  message.append(user).append("\x01" "auth=Bearer ").append(token).append("\x01\x01");
  return text::base64_encode(message);
}

std::optional<PlainCredentials> parse_sasl_plain(std::string_view base64) {
  auto decoded = text::base64_decode(base64);
  if (!decoded) return std::nullopt;
  std::string_view s = *decoded;
  std::size_t a = s.find('\0');
  if (a == std::string_view::npos) return std::nullopt;
  std::size_t b = s.find('\0', a + 1);
  if (b == std::string_view::npos || s.find('\0', b + 1) != std::string_view::npos) return std::nullopt;
  return PlainCredentials{std::string(s.substr(0, a)), std::string(s.substr(a + 1, b - a - 1)),
                          std::string(s.substr(b + 1))};
}

}  // namespace wire::smtp
