// SPDX-License-Identifier: MIT
// wire::http::CookieJar: what a client remembers of Set-Cookie (RFC 6265).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/http/headers.hpp"
#include "wire/http/url.hpp"

namespace wire::http {

/// Cookies by RFC 6265's rules: Domain (a cookie for a host sets only that host
/// unless it names a parent domain of it; never for an IP address, and never for a public
/// suffix such as "com" or "co.uk", by the Public Suffix List through libpsl, as curl does),
/// Path, Secure (https only), Max-Age and Expires (dates as §5.1.1 reads them). Saved and
/// loaded in the Netscape cookie-file format curl's -c and -b use. Safe to share between
/// clients on several threads.
///   auto jar = std::make_shared<wire::http::CookieJar>();
///   options.cookies = jar;   // ClientOptions
class CookieJar {
 public:
  using Clock = std::chrono::system_clock;

  /// Takes the Set-Cookie fields of a response from `url`.
  void store(const Url& url, const Headers& response_headers, Clock::time_point now = Clock::now());
  /// The Cookie header value for a request to `url` ("a=1; b=2"), or "" if none apply.
  std::string header_for(const Url& url, Clock::time_point now = Clock::now()) const;
  std::size_t size() const;
  void clear();

  /// Writes the live cookies in the Netscape cookie-file format (what curl -c writes, and
  /// curl -b, wget and Python's MozillaCookieJar read): a comment header, then a line per
  /// cookie of seven tab-separated fields: domain, subdomains TRUE/FALSE, path, secure
  /// TRUE/FALSE, expiry in Unix seconds (0: a session cookie), name, value.
  void write_netscape(std::ostream& out, Clock::time_point now = Clock::now()) const;
  /// Adds the cookies of a Netscape cookie file; comments, blank and malformed lines, expired
  /// cookies and cookies for a public suffix are skipped. Returns how many were added.
  std::size_t read_netscape(std::istream& in, Clock::time_point now = Clock::now());

  static constexpr std::size_t kMaxCookies = 3000;

 private:
  struct Cookie {
    std::string name;
    std::string value;
    std::string domain;  // lowercase, no leading dot
    std::string path;
    bool host_only = true;
    bool secure = false;
    bool http_only = false;  // kept for the cookie file; this jar serves HTTP only anyway
    std::optional<Clock::time_point> expires;  // none: until the jar goes
    std::uint64_t created = 0;                 // order of arrival, for eviction and ties
  };
  void store_one(const Url& url, std::string_view line, Clock::time_point now);
  void add(Cookie c, Clock::time_point now);  // replaces the same name, domain and path

  mutable std::mutex mutex_;
  std::vector<Cookie> cookies_;
  std::uint64_t sequence_ = 0;
};

}  // namespace wire::http
