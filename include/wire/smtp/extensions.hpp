// SPDX-License-Identifier: MIT
// The service extensions a server lists in its EHLO reply (RFC 5321 §4.1.1.1, §2.2.2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wire/dialogue/reply.hpp"

namespace wire::smtp {

/// What a server offers: each EHLO line after the first is a keyword and its parameters.
/// Keywords compare without regard to case.
///   Extensions ext = Extensions::parse(ehlo_reply);
///   if (ext.pipelining()) ...;  ext.size();  ext.auth_mechanisms();
class Extensions {
 public:
  /// From a 250 reply to EHLO; the first line is the server's name and greeting.
  static Extensions parse(const dialogue::Reply& ehlo);

  /// The server's domain (the first word of the first line).
  const std::string& domain() const noexcept { return domain_; }
  bool has(std::string_view keyword) const noexcept;
  /// The parameters after the keyword ("" if none); nullopt if the keyword is absent.
  std::optional<std::string_view> params(std::string_view keyword) const noexcept;

  bool pipelining() const noexcept { return has("PIPELINING"); }           ///< RFC 2920
  bool starttls() const noexcept { return has("STARTTLS"); }               ///< RFC 3207
  bool eight_bit_mime() const noexcept { return has("8BITMIME"); }         ///< RFC 6152
  bool smtputf8() const noexcept { return has("SMTPUTF8"); }               ///< RFC 6531
  bool dsn() const noexcept { return has("DSN"); }                         ///< RFC 3461
  bool enhanced_status_codes() const noexcept { return has("ENHANCEDSTATUSCODES"); }  ///< RFC 2034
  /// SIZE (RFC 1870): the largest message the server takes, 0 for no fixed limit; nullopt if
  /// SIZE is not offered.
  std::optional<std::uint64_t> size() const noexcept;
  /// AUTH's mechanisms (RFC 4954 §3), upper-cased; also the old "AUTH=" form.
  std::vector<std::string> auth_mechanisms() const;
  bool offers_auth(std::string_view mechanism) const;

  /// Every keyword and its parameters, in the server's order (keywords upper-cased).
  const std::vector<std::pair<std::string, std::string>>& items() const noexcept { return items_; }

 private:
  std::string domain_;
  std::vector<std::pair<std::string, std::string>> items_;
};

}  // namespace wire::smtp
