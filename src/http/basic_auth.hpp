// SPDX-License-Identifier: MIT
// "Basic <base64(user:password)>" (RFC 7617), for Authorization and Proxy-Authorization.
#pragma once

#include <string>
#include <string_view>

#include "wire/text/base64.hpp"

namespace wire::http::detail {

inline std::string basic_credentials(std::string_view user, std::string_view password) {
  std::string plain = std::string(user) + ":" + std::string(password);
  return "Basic " + text::base64_encode(plain);
}

}  // namespace wire::http::detail
