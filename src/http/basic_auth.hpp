// SPDX-License-Identifier: MIT
// "Basic <base64(user:password)>" (RFC 7617), for Authorization and Proxy-Authorization.
#pragma once

#include <openssl/evp.h>

#include <string>
#include <string_view>

namespace wire::http::detail {

inline std::string basic_credentials(std::string_view user, std::string_view password) {
  std::string plain = std::string(user) + ":" + std::string(password);
  std::string out(4 * ((plain.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(plain.data()), static_cast<int>(plain.size()));
  out.resize(static_cast<std::size_t>(n));
  return "Basic " + out;
}

}  // namespace wire::http::detail
