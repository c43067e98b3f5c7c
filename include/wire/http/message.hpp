// SPDX-License-Identifier: MIT
// wire::http::Request and Response: the head of an HTTP/1.1 message (bodies travel apart).
#pragma once

#include <string>
#include <utility>
#include <string_view>

#include "wire/http/headers.hpp"

namespace wire::http {

/// HTTP-version of a message: HTTP/1.1 unless said otherwise. Only 1.0 and 1.1 are spoken.
struct Version {
  int major = 1;
  int minor = 1;
  friend bool operator==(const Version&, const Version&) = default;
};

/// A request head: method, request-target, version and header fields. The body is not part
/// of it: the parser reports it as data events, the caller sends it after encode_head().
///   Request req{"GET", "/index.html"}; req.headers.add("Host", "example.com");
struct Request {
  std::string method = "GET";
  std::string target = "/";  ///< as sent: origin-form "/a?b", absolute-form, authority-form or "*"
  Version version;
  Headers headers;

  Request() = default;
  Request(std::string m, std::string t, Headers h = {})
      : method(std::move(m)), target(std::move(t)), headers(std::move(h)) {}
};

/// A response head: version, status code, reason phrase and header fields.
///   Response res{404}; res.headers.add("Content-Length", "0");
struct Response {
  Version version;
  int status = 200;
  std::string reason;  ///< empty: encode_head() sends the standard phrase for `status`
  Headers headers;

  Response() = default;
  explicit Response(int s, std::string r = {}, Headers h = {})
      : status(s), reason(std::move(r)), headers(std::move(h)) {}
};

/// The standard reason phrase of `status` ("OK", "Not Found"), or "" for one without.
std::string_view reason_phrase(int status) noexcept;

}  // namespace wire::http
