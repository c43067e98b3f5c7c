// SPDX-License-Identifier: MIT
// Name resolution over getaddrinfo.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

#include "wire/net/address.hpp"

namespace wire::net {

/// What resolve() asks getaddrinfo for.
struct ResolveOptions {
  std::optional<Family> family = std::nullopt;  ///< nullopt: both IPv6 and IPv4
  int socket_type = SOCK_STREAM; ///< SOCK_STREAM or SOCK_DGRAM
  bool passive = false;          ///< addresses to bind (an empty host means "any")
};

/// Every address `host` resolves to, in getaddrinfo's order (RFC 6724), without
/// duplicates. IP literals are returned without a DNS query.
///   for (auto& a : wire::net::resolve("localhost", 80)) ...
/// @throws std::system_error (category wire::resolver_category()) naming the host.
std::vector<Address> resolve(std::string_view host, std::uint16_t port,
                             const ResolveOptions& options = {});
/// Non-throwing form: on failure `ec` is set and the result is empty.
std::vector<Address> resolve(std::string_view host, std::uint16_t port,
                             const ResolveOptions& options, std::error_code& ec);

}  // namespace wire::net
