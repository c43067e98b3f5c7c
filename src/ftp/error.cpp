// SPDX-License-Identifier: MIT
#include "wire/ftp/error.hpp"

#include "wire/error.hpp"

namespace wire::ftp {
namespace {

std::string describe_ftp(int value) {
  switch (static_cast<Errc>(value)) {
    case Errc::unexpected_code:
      return "unexpected reply code";
    case Errc::bad_pasv_reply:
      return "no address and port in the 227 reply";
    case Errc::bad_epsv_reply:
      return "no port in the 229 reply";
    case Errc::bad_port_argument:
      return "malformed PORT argument";
    case Errc::bad_eprt_argument:
      return "malformed EPRT argument";
    case Errc::unsupported_protocol:
      return "network protocol not supported, use (1,2)";
    case Errc::bad_size_reply:
      return "malformed SIZE reply";
    case Errc::bad_time_val:
      return "malformed time-val";
    case Errc::bad_path_reply:
      return "no quoted path name in the 257 reply";
    case Errc::bad_restart_marker:
      return "malformed REST argument";
    case Errc::bad_facts:
      return "malformed MLSD/MLST entry";
    case Errc::unrepresentable_name:
      return "CR, LF or NUL in a name";
    case Errc::resume_past_end:
      return "the local file is longer than the server's: nothing to resume";
  }
  return "unknown ftp error " + std::to_string(value);
}

}  // namespace

const std::error_category& error_category() noexcept {
  static const wire::detail::NamedCategory category("ftp", describe_ftp);
  return category;
}

}  // namespace wire::ftp
