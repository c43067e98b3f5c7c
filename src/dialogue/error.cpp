// SPDX-License-Identifier: MIT
#include "wire/dialogue/error.hpp"

namespace wire::dialogue {
namespace {

std::string describe_dialogue(int value) {
  switch (static_cast<Errc>(value)) {
    case Errc::malformed_reply:
      return "malformed reply line";
    case Errc::code_mismatch:
      return "a line of a multi-line reply has another code";
    case Errc::line_too_long:
      return "line too long";
    case Errc::too_many_lines:
      return "too many lines in a reply";
    case Errc::reply_too_large:
      return "reply too large";
    case Errc::bare_cr:
      return "CR not followed by LF";
    case Errc::bare_lf:
      return "LF without CR";
    case Errc::nul_byte:
      return "NUL byte in a line";
    case Errc::truncated_reply:
      return "connection closed inside a reply";
    case Errc::unexpected_reply:
      return "reply with no command outstanding";
    case Errc::malformed_command:
      return "malformed command line";
    case Errc::truncated_command:
      return "connection closed inside a command line";
    case Errc::invalid_verb:
      return "command verb is not ASCII letters";
    case Errc::invalid_argument:
      return "CR, LF or NUL in a command argument or reply text";
    case Errc::invalid_reply_code:
      return "reply code outside 100-599";
  }
  return "unknown dialogue error " + std::to_string(value);
}

}  // namespace

const std::error_category& error_category() noexcept {
  static const wire::detail::NamedCategory category("dialogue", describe_dialogue);
  return category;
}

}  // namespace wire::dialogue
