// SPDX-License-Identifier: MIT
// Whether two socket addresses are the same host: the rule against FTP bounce and data
// connection theft, which client and server both apply.
#pragma once

#include <string>
#include <string_view>

#include "wire/net/address.hpp"

namespace wire::ftp::detail {

/// `a` and `b` name the same IP address, whatever their ports; an IPv4 address and its
/// IPv4-mapped IPv6 form (::ffff:a.b.c.d, what a dual-stack socket reports) are the same.
inline bool same_host(const net::Address& a, const net::Address& b) {
  auto plain = [](std::string host) {
    constexpr std::string_view kMapped = "::ffff:";
    if (host.size() > kMapped.size() && host.compare(0, kMapped.size(), kMapped) == 0 &&
        host.find('.') != std::string::npos) {
      host.erase(0, kMapped.size());
    }
    return host;
  };
  return plain(a.host()) == plain(b.host());
}

}  // namespace wire::ftp::detail
