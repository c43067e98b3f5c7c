// SPDX-License-Identifier: MIT
// What the FTP codec's reply parsers share: the code check and the throwing form.
#pragma once

#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>

#include "wire/dialogue/reply.hpp"
#include "wire/ftp/error.hpp"

namespace wire::ftp::detail {

/// {} when the reply has the code a command succeeds with, Errc::unexpected_code otherwise.
inline std::error_code check_code(const dialogue::Reply& reply, int expected) {
  return reply.code == expected ? std::error_code{} : make_error_code(Errc::unexpected_code);
}

/// `value`, or an ftp::Error naming the command and the reply's code when `ec` is set.
template <typename T>
std::decay_t<T> value_or_throw(T&& value, const std::error_code& ec, std::string_view command, const dialogue::Reply& reply) {
  if (ec) throw Error(ec, std::string(command) + ": " + ec.message() + " (reply " + std::to_string(reply.code) + ")");
  return std::forward<T>(value);
}

}  // namespace wire::ftp::detail
