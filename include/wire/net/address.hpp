// SPDX-License-Identifier: MIT
// Socket addresses: IPv4, IPv6 (with scope id) and Unix-domain paths.
#pragma once

#include <sys/socket.h>

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wire::net {

/// Address families wire speaks. `local` is AF_UNIX.
enum class Family : int { ipv4 = AF_INET, ipv6 = AF_INET6, local = AF_UNIX };

/// A socket address held by value (a sockaddr_storage and its length).
///   auto a = Address::parse("[::1]:8080");   a.to_string() == "[::1]:8080"
///   auto u = Address::unix_path("/run/app.sock");
class Address {
 public:
  /// An empty address (family AF_UNSPEC); only useful as a placeholder.
  Address() noexcept;

  /// An IPv4 or IPv6 literal and a port: "127.0.0.1", "::1", "fe80::1%eth0".
  /// @throws std::invalid_argument naming the bad input.
  static Address ip(std::string_view literal, std::uint16_t port);
  /// "1.2.3.4:80", "[::1]:80", "[fe80::1%eth0]:80"; a string starting with '/' is a
  /// Unix path, one starting with '@' a Linux abstract Unix name.
  /// @throws std::invalid_argument naming the bad input.
  static Address parse(std::string_view text);
  /// Like parse(), but std::nullopt instead of an exception.
  static std::optional<Address> try_parse(std::string_view text) noexcept;
  /// A Unix-domain path; a leading '@' names an abstract socket (Linux).
  /// @throws std::invalid_argument if the path does not fit in sockaddr_un.
  static Address unix_path(std::string_view path);
  /// Copies a sockaddr returned by the kernel.
  /// @throws std::invalid_argument if len is larger than sockaddr_storage.
  static Address from_sockaddr(const sockaddr* sa, socklen_t len);

  Family family() const noexcept { return static_cast<Family>(storage_.ss_family); }
  bool is_ipv4() const noexcept { return storage_.ss_family == AF_INET; }
  bool is_ipv6() const noexcept { return storage_.ss_family == AF_INET6; }
  bool is_unix() const noexcept { return storage_.ss_family == AF_UNIX; }
  bool empty() const noexcept { return storage_.ss_family == AF_UNSPEC; }

  /// The IP literal without brackets or port ("::1", "fe80::1%eth0"), or the Unix path.
  std::string host() const;
  /// The port; 0 for Unix addresses.
  std::uint16_t port() const noexcept;
  /// IPv6 scope id (interface index); 0 otherwise.
  std::uint32_t scope_id() const noexcept;
  /// True for 127.0.0.0/8, ::1 and IPv4-mapped loopback.
  bool is_loopback() const noexcept;

  /// "1.2.3.4:80", "[::1]:80", "[fe80::1%eth0]:80", "/path", "@abstract".
  std::string to_string() const;

  /// A copy with another port (IP addresses only).
  Address with_port(std::uint16_t port) const;

  const sockaddr* data() const noexcept { return reinterpret_cast<const sockaddr*>(&storage_); }
  sockaddr* data() noexcept { return reinterpret_cast<sockaddr*>(&storage_); }
  socklen_t size() const noexcept { return size_; }
  /// For calls that write the address back (accept, recvfrom): capacity, then set_size().
  static constexpr socklen_t capacity() noexcept { return sizeof(sockaddr_storage); }
  void set_size(socklen_t size) noexcept { size_ = size; }

  friend bool operator==(const Address& a, const Address& b) noexcept;

 private:
  sockaddr_storage storage_;
  socklen_t size_;
};

/// A host name or literal and a port, as written on a command line: "example.com:80",
/// "[::1]:8080", "127.0.0.1:25". Nothing is resolved.
struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};

/// Splits "host:port" or "[v6]:port". @throws std::invalid_argument naming the bad input.
HostPort split_host_port(std::string_view text);

/// Parses a decimal port 0-65535. @throws std::invalid_argument naming the bad input.
std::uint16_t parse_port(std::string_view text);

/// Whether `text` is an IPv4 or IPv6 address literal ("127.0.0.1", "::1"), not a name.
bool is_ip_literal(std::string_view text) noexcept;

}  // namespace wire::net
