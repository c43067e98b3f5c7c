// SPDX-License-Identifier: MIT
// What the FTP codec's reply parsers share: the code check and the throwing form.
#pragma once

#include <string>
#include <string_view>
#include <system_error>

#include "wire/dialogue/reply.hpp"
#include "wire/ftp/error.hpp"

namespace wire::ftp::detail {

/// {} when the reply has the code a command succeeds with, Errc::unexpected_code otherwise.
inline std::error_code check_code(const dialogue::Reply& reply, int expected) {
  return reply.code == expected ? std::error_code{} : make_error_code(Errc::unexpected_code);
}

/// The throwing form of a reply parser: what `parse(reply, ec)` returns, or an ftp::Error
/// naming the command and the reply's code.
///   return detail::parse_or_throw<HostPort>(parse_pasv_reply, reply, "PASV");
template <typename T>
T parse_or_throw(T (*parse)(const dialogue::Reply&, std::error_code&), const dialogue::Reply& reply,
                 std::string_view command) {
  std::error_code ec;
  T value = parse(reply, ec);
  if (ec) throw Error(ec, std::string(command) + ": " + ec.message() + " (reply " + std::to_string(reply.code) + ")");
  return value;
}

}  // namespace wire::ftp::detail
