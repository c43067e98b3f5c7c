// SPDX-License-Identifier: MIT
#include "wire/net/resolver.hpp"

#include <netdb.h>

#include <algorithm>
#include <memory>
#include <string>

#include "wire/error.hpp"

namespace wire::net {

std::vector<Address> resolve(std::string_view host, std::uint16_t port,
                             const ResolveOptions& options, std::error_code& ec) {
  ec.clear();
  addrinfo hints{};
  hints.ai_family = options.family ? static_cast<int>(*options.family) : AF_UNSPEC;
  hints.ai_socktype = options.socket_type;
  // AI_ADDRCONFIG is left out on purpose: it hides ::1 on hosts whose only IPv6
  // address is loopback, which breaks dual-stack loopback servers and tests.
  hints.ai_flags = AI_NUMERICSERV | (options.passive ? AI_PASSIVE : 0);

  std::string node(host);
  // IPv6 literals may arrive in brackets from URLs and command lines.
  if (node.size() >= 2 && node.front() == '[' && node.back() == ']') {
    node = node.substr(1, node.size() - 2);
  }
  std::string service = std::to_string(port);
  addrinfo* raw = nullptr;
  int rc = ::getaddrinfo(node.empty() && options.passive ? nullptr : node.c_str(),
                         service.c_str(), &hints, &raw);
  if (rc != 0) {
    ec = rc == EAI_SYSTEM ? std::error_code(errno, std::system_category())
                          : std::error_code(rc, resolver_category());
    return {};
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(raw, &::freeaddrinfo);
  std::vector<Address> out;
  for (auto* ai = raw; ai; ai = ai->ai_next) {
    if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
    auto a = Address::from_sockaddr(ai->ai_addr, ai->ai_addrlen);
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  }
  if (out.empty()) ec = std::error_code(EAI_NONAME, resolver_category());
  return out;
}

std::vector<Address> resolve(std::string_view host, std::uint16_t port,
                             const ResolveOptions& options) {
  std::error_code ec;
  auto out = resolve(host, port, options, ec);
  if (ec) throw_error(ec, "resolve " + std::string(host));
  return out;
}

}  // namespace wire::net
