// SPDX-License-Identifier: MIT
#include "wire/net/address.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <charconv>
#include <cstddef>
#include <cstring>
#include <stdexcept>

namespace wire::net {
namespace {

std::invalid_argument bad(std::string_view text, std::string_view why) {
  return std::invalid_argument("invalid address '" + std::string(text) + "': " + std::string(why));
}

// Parses "fe80::1%eth0" / "fe80::1%2" into a sockaddr_in6; false if not IPv6.
bool parse_ipv6(std::string_view literal, sockaddr_in6& sin6, std::string& why) {
  std::string text(literal);
  std::string scope;
  if (auto pct = text.find('%'); pct != std::string::npos) {
    scope = text.substr(pct + 1);
    text.resize(pct);
    if (scope.empty()) {
      why = "empty IPv6 scope id";
      return false;
    }
  }
  std::memset(&sin6, 0, sizeof sin6);
  sin6.sin6_family = AF_INET6;
  if (::inet_pton(AF_INET6, text.c_str(), &sin6.sin6_addr) != 1) {
    why = "not an IPv6 address";
    return false;
  }
  if (!scope.empty()) {
    std::uint32_t id = 0;
    auto [end, ec] = std::from_chars(scope.data(), scope.data() + scope.size(), id);
    if (ec == std::errc() && end == scope.data() + scope.size()) {
      sin6.sin6_scope_id = id;
    } else if (unsigned index = ::if_nametoindex(scope.c_str()); index != 0) {
      sin6.sin6_scope_id = index;
    } else {
      why = "unknown interface '" + scope + "' in IPv6 scope id";
      return false;
    }
  }
  return true;
}

// Fills `storage` from an IP literal; false, with `why` set, if it is not one.
bool parse_ip(std::string_view literal, std::uint16_t port, sockaddr_storage& storage,
              socklen_t& size, std::string& why) {
  if (literal.empty()) {
    why = "empty host";
    return false;
  }
  // inet_pton() and if_nametoindex() read C strings: what follows a NUL would be ignored.
  if (literal.find('\0') != std::string_view::npos) {
    why = "NUL byte in the address";
    return false;
  }
  std::string text(literal);
  sockaddr_in sin{};
  if (::inet_pton(AF_INET, text.c_str(), &sin.sin_addr) == 1) {
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    std::memcpy(&storage, &sin, sizeof sin);
    size = sizeof sin;
    return true;
  }
  if (text.find(':') == std::string::npos) {
    why = "not an IPv4 address (four decimal numbers 0-255) nor an IPv6 one";
    return false;
  }
  sockaddr_in6 sin6{};
  if (!parse_ipv6(literal, sin6, why)) return false;
  sin6.sin6_port = htons(port);
  std::memcpy(&storage, &sin6, sizeof sin6);
  size = sizeof sin6;
  return true;
}

}  // namespace

Address::Address() noexcept : storage_{}, size_(0) { storage_.ss_family = AF_UNSPEC; }

Address Address::ip(std::string_view literal, std::uint16_t port) {
  Address a;
  std::string why;
  if (!parse_ip(literal, port, a.storage_, a.size_, why)) throw bad(literal, why);
  return a;
}

Address Address::parse(std::string_view text) {
  if (text.empty()) throw bad(text, "empty");
  if (text.front() == '/' || text.front() == '@') return unix_path(text);
  HostPort hp = split_host_port(text);
  Address a;
  std::string why;
  if (parse_ip(hp.host, hp.port, a.storage_, a.size_, why)) return a;
  // Name the whole input, not only the host part; inside brackets keep the literal's
  // own reason (e.g. an unknown interface in the scope id).
  if (text.front() == '[') throw bad(text, why + " inside the brackets");
  throw bad(text, "host is not an IP literal (use resolve() for names)");
}

std::optional<Address> Address::try_parse(std::string_view text) noexcept {
  try {
    return parse(text);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

Address Address::unix_path(std::string_view path) {
  Address a;
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  if (path.empty()) throw bad(path, "empty Unix path");
  // The kernel ends a path (not an abstract name) at its first NUL: refuse rather than bind
  // or connect to a shorter path than the one given.
  if (path.front() != '@' && path.find('\0') != std::string_view::npos) throw bad(path, "NUL byte in Unix path");
  // sun_path need not be NUL-terminated, but we keep room for one for printing.
  if (path.size() >= sizeof sun.sun_path) {
    throw bad(path, "Unix path longer than " + std::to_string(sizeof sun.sun_path - 1) + " bytes");
  }
  std::memcpy(sun.sun_path, path.data(), path.size());
  socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
  if (path.front() == '@') {
    sun.sun_path[0] = '\0';  // Linux abstract namespace: the length, not a NUL, ends it
  } else {
    len += 1;  // count the terminating NUL, as the kernel does for paths
  }
  std::memcpy(&a.storage_, &sun, sizeof sun);
  a.size_ = len;
  return a;
}

Address Address::from_sockaddr(const sockaddr* sa, socklen_t len) {
  if (len > sizeof(sockaddr_storage)) {
    throw std::invalid_argument("sockaddr of " + std::to_string(len) + " bytes is too long");
  }
  Address a;
  std::memcpy(&a.storage_, sa, len);
  a.size_ = len;
  return a;
}

std::string Address::host() const {
  char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 2] = {};
  switch (storage_.ss_family) {
    case AF_INET: {
      auto* sin = reinterpret_cast<const sockaddr_in*>(&storage_);
      ::inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf);
      return buf;
    }
    case AF_INET6: {
      auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&storage_);
      ::inet_ntop(AF_INET6, &sin6->sin6_addr, buf, sizeof buf);
      std::string out = buf;
      if (sin6->sin6_scope_id != 0) {
        char name[IF_NAMESIZE] = {};
        out += '%';
        out += ::if_indextoname(sin6->sin6_scope_id, name) ? std::string(name)
                                                            : std::to_string(sin6->sin6_scope_id);
      }
      return out;
    }
    case AF_UNIX: {
      auto* sun = reinterpret_cast<const sockaddr_un*>(&storage_);
      auto offset = offsetof(sockaddr_un, sun_path);
      if (size_ <= offset) return {};  // unnamed (e.g. a client's end)
      std::size_t n = size_ - offset;
      if (sun->sun_path[0] == '\0') return "@" + std::string(sun->sun_path + 1, n - 1);
      return std::string(sun->sun_path, ::strnlen(sun->sun_path, n));
    }
    default:
      return {};
  }
}

std::uint16_t Address::port() const noexcept {
  if (storage_.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  }
  if (storage_.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  }
  return 0;
}

std::uint32_t Address::scope_id() const noexcept {
  if (storage_.ss_family != AF_INET6) return 0;
  return reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_scope_id;
}

bool Address::is_loopback() const noexcept {
  if (storage_.ss_family == AF_INET) {
    auto addr = ntohl(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr.s_addr);
    return (addr >> 24) == 127;
  }
  if (storage_.ss_family == AF_INET6) {
    const auto& a6 = reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr;
    if (IN6_IS_ADDR_LOOPBACK(&a6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
  }
  return false;
}

std::string Address::to_string() const {
  switch (storage_.ss_family) {
    case AF_INET:
      return host() + ":" + std::to_string(port());
    case AF_INET6:
      return "[" + host() + "]:" + std::to_string(port());
    case AF_UNIX: {
      auto h = host();
      return h.empty() ? "(unnamed unix socket)" : h;
    }
    default:
      return "(no address)";
  }
}

Address Address::with_port(std::uint16_t port) const {
  Address a = *this;
  if (a.storage_.ss_family == AF_INET) {
    reinterpret_cast<sockaddr_in*>(&a.storage_)->sin_port = htons(port);
  } else if (a.storage_.ss_family == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(&a.storage_)->sin6_port = htons(port);
  } else {
    throw std::invalid_argument("with_port on a non-IP address " + to_string());
  }
  return a;
}

bool operator==(const Address& a, const Address& b) noexcept {
  if (a.storage_.ss_family != b.storage_.ss_family) return false;
  switch (a.storage_.ss_family) {
    case AF_INET: {
      auto* x = reinterpret_cast<const sockaddr_in*>(&a.storage_);
      auto* y = reinterpret_cast<const sockaddr_in*>(&b.storage_);
      return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    case AF_INET6: {
      auto* x = reinterpret_cast<const sockaddr_in6*>(&a.storage_);
      auto* y = reinterpret_cast<const sockaddr_in6*>(&b.storage_);
      return x->sin6_port == y->sin6_port && x->sin6_scope_id == y->sin6_scope_id &&
             std::memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
    }
    case AF_UNSPEC:
      return true;
    default:
      return a.size_ == b.size_ && std::memcmp(&a.storage_, &b.storage_, a.size_) == 0;
  }
}

std::uint16_t parse_port(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec == std::errc::invalid_argument || end != text.data() + text.size()) {
    throw std::invalid_argument("invalid port '" + std::string(text) + "': not a decimal number");
  }
  if (ec == std::errc::result_out_of_range || value > 65535) {
    throw std::invalid_argument("invalid port '" + std::string(text) + "': must be 0-65535");
  }
  return static_cast<std::uint16_t>(value);
}

HostPort split_host_port(std::string_view text) {
  if (text.empty()) throw bad(text, "empty");
  std::string_view host, port;
  if (text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) throw bad(text, "missing ']' after IPv6 literal");
    host = text.substr(1, close - 1);
    auto rest = text.substr(close + 1);
    if (rest.empty() || rest.front() != ':') throw bad(text, "expected ':port' after ']'");
    port = rest.substr(1);
    if (host.empty()) throw bad(text, "empty IPv6 literal");
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) throw bad(text, "missing ':port'");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      throw bad(text, "IPv6 literal must be in brackets, as in [::1]:80");
    }
    if (host.empty()) throw bad(text, "empty host");
  }
  try {
    return {std::string(host), parse_port(port)};
  } catch (const std::invalid_argument& e) {
    throw bad(text, e.what());
  }
}

bool is_ip_literal(std::string_view text) noexcept {
  if (text.find('\0') != std::string_view::npos) return false;  // see parse_ip()
  std::string s(text);
  unsigned char buf[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, s.c_str(), buf) == 1 || ::inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

}  // namespace wire::net
