// SPDX-License-Identifier: MIT
#include "wire/error.hpp"

#include <netdb.h>

namespace wire {
namespace {

std::string describe_wire(int value) {
  switch (static_cast<Errc>(value)) {
    case Errc::unexpected_eof:
      return "connection closed by peer before the expected data arrived";
    case Errc::limit_exceeded:
      return "size limit exceeded";
    case Errc::bad_line_ending:
      return "a bare CR or LF where CRLF ends lines";
  }
  return "unknown wire error " + std::to_string(value);
}

class ResolverCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "resolver"; }
  std::string message(int value) const override { return ::gai_strerror(value); }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const wire::detail::NamedCategory category("wire", describe_wire);
  return category;
}

const std::error_category& resolver_category() noexcept {
  static const ResolverCategory category;
  return category;
}

void throw_error(std::error_code ec, const std::string& what) {
  if (ec == std::errc::timed_out) throw TimeoutError(what);
  throw std::system_error(ec, what);
}

}  // namespace wire
