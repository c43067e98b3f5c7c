// SPDX-License-Identifier: MIT
#include "wire/mime/error.hpp"

namespace wire::mime {
namespace {

std::string describe_mime(int value) {
  switch (static_cast<Errc>(value)) {
    case Errc::bad_header_line:
      return "malformed header line";
    case Errc::header_too_large:
      return "header section too large";
    case Errc::too_many_headers:
      return "too many header fields";
    case Errc::truncated_header:
      return "message ended inside a header";
    case Errc::bad_boundary:
      return "multipart without a usable boundary";
    case Errc::bad_delimiter:
      return "transport padding after a boundary too long";
    case Errc::truncated:
      return "multipart body ended before its close delimiter";
    case Errc::too_many_parts:
      return "too many parts";
    case Errc::too_deep:
      return "multiparts nested too deep";
    case Errc::message_too_large:
      return "message too large";
    case Errc::bad_base64:
      return "base64 body does not decode";
    case Errc::bad_address:
      return "malformed address";
  }
  return "unknown MIME error " + std::to_string(value);
}

}  // namespace

const std::error_category& error_category() noexcept {
  static const wire::detail::NamedCategory category("mime", describe_mime);
  return category;
}

}  // namespace wire::mime
