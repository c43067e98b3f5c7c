// SPDX-License-Identifier: MIT
// The FTP codec for single commands: PASV/EPSV replies, PORT/EPRT arguments, SIZE, MDTM, REST
// and 257 path names (RFC 959, RFC 1123 §4.1.2.6, RFC 2428, RFC 3659).
#include "wire/ftp/codec.hpp"

#include <arpa/inet.h>

#include <array>
#include <stdexcept>

#include "reply_check.hpp"
#include "number.hpp"
#include "wire/text/chars.hpp"
#include "wire/text/date.hpp"

namespace wire::ftp {
namespace {

// The line that carries a 213 or 257 reply's value: its first (and normally only) line.
// Spaces around it are dropped: a few servers pad the number.
std::string_view first_line(const dialogue::Reply& reply) {
  std::string_view line = reply.lines.empty() ? std::string_view() : std::string_view(reply.lines.front());
  while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
  while (!line.empty() && line.back() == ' ') line.remove_suffix(1);
  return line;
}

bool is_ipv4(std::string_view s) {
  if (s.size() > 15) return false;
  std::string z(s);
  in_addr a{};
  return inet_pton(AF_INET, z.c_str(), &a) == 1;
}

bool is_ipv6(std::string_view s) {
  if (s.size() > 45) return false;
  std::string z(s);
  in6_addr a{};
  return inet_pton(AF_INET6, z.c_str(), &a) == 1;
}

// The four numbers of a dotted-decimal IPv4 address, as inet_pton read it.
std::array<unsigned, 4> ipv4_octets(std::string_view s) {
  std::string z(s);
  in_addr a{};
  if (s.size() > 15 || inet_pton(AF_INET, z.c_str(), &a) != 1) {
    throw std::invalid_argument("not an IPv4 address: \"" + std::string(s.substr(0, 64)) + "\"");
  }
  const auto* b = reinterpret_cast<const unsigned char*>(&a.s_addr);
  return {b[0], b[1], b[2], b[3]};
}

std::string six_numbers(std::string_view ipv4, std::uint16_t port) {
  if (port == 0) throw std::invalid_argument("port 0 cannot be a data port");
  auto o = ipv4_octets(ipv4);
  return std::to_string(o[0]) + "," + std::to_string(o[1]) + "," + std::to_string(o[2]) + "," +
         std::to_string(o[3]) + "," + std::to_string(port >> 8) + "," + std::to_string(port & 0xff);
}

// Reads `n1,n2,n3,n4,p1,p2` at the start of `s`: each 1-3 digits, 0-255. Returns the bytes
// used, or 0.
std::size_t read_six(std::string_view s, HostPort& out) {
  unsigned n[6];
  std::size_t i = 0;
  for (int k = 0; k < 6; ++k) {
    if (k > 0) {
      if (i >= s.size() || s[i] != ',') return 0;
      ++i;
    }
    std::size_t start = i;
    while (i < s.size() && text::is_digit(s[i]) && i - start < 4) ++i;
    auto v = detail::decimal(s.substr(start, i - start), 255, 3);
    if (!v) return 0;
    n[k] = static_cast<unsigned>(*v);
  }
  out.host = std::to_string(n[0]) + "." + std::to_string(n[1]) + "." + std::to_string(n[2]) + "." +
             std::to_string(n[3]);
  out.port = static_cast<std::uint16_t>(n[4] * 256 + n[5]);
  return i;
}

}  // namespace

// --- PASV / EPSV -----------------------------------------------------------------------------

HostPort parse_pasv_reply(const dialogue::Reply& reply, std::error_code& ec) {
  if ((ec = detail::check_code(reply, 227))) return {};
  // RFC 1123 §4.1.2.6: scan for the numbers, wherever they are. The first position where six
  // numbers follow (not merely the first digit: "Entering Passive Mode v2 (...)" exists).
  const std::string all = reply.text();
  std::string_view text = all;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!text::is_digit(text[i]) || (i > 0 && (text::is_digit(text[i - 1]) || text[i - 1] == ','))) continue;
    HostPort hp;
    std::size_t n = read_six(text.substr(i), hp);
    // The run must not go on with more digits or another ",n" (seven numbers is not PASV).
    if (n == 0 || (i + n < text.size() && (text::is_digit(text[i + n]) || text[i + n] == ','))) continue;
    if (hp.port == 0) break;
    return hp;
  }
  ec = Errc::bad_pasv_reply;
  return {};
}

HostPort parse_pasv_reply(const dialogue::Reply& reply) {
  return detail::parse_or_throw<HostPort>(parse_pasv_reply, reply, "PASV");
}

std::uint16_t parse_epsv_reply(const dialogue::Reply& reply, std::error_code& ec) {
  if ((ec = detail::check_code(reply, 229))) return 0;
  // RFC 2428 §3: "(<d><d><d><tcp-port><d>)", the delimiter any of 33-126 but a digit.
  const std::string all = reply.text();
  std::string_view text = all;
  for (std::size_t open = text.find('('); open != std::string_view::npos; open = text.find('(', open + 1)) {
    std::string_view s = text.substr(open + 1);
    if (s.size() < 6) break;
    char d = s[0];
    if (d < 33 || d > 126 || text::is_digit(d) || s[1] != d || s[2] != d) continue;
    std::size_t end = s.find(d, 3);
    if (end == std::string_view::npos || end + 1 >= s.size() || s[end + 1] != ')') continue;
    auto port = detail::decimal(s.substr(3, end - 3), 65535, 5);
    if (!port || *port == 0) break;
    return static_cast<std::uint16_t>(*port);
  }
  ec = Errc::bad_epsv_reply;
  return 0;
}

std::uint16_t parse_epsv_reply(const dialogue::Reply& reply) {
  return detail::parse_or_throw<std::uint16_t>(parse_epsv_reply, reply, "EPSV");
}

std::string pasv_reply_text(std::string_view ipv4, std::uint16_t port) {
  return "Entering Passive Mode (" + six_numbers(ipv4, port) + ").";
}

std::string epsv_reply_text(std::uint16_t port) {
  return "Entering Extended Passive Mode (|||" + std::to_string(port) + "|)";
}

// --- PORT / EPRT -----------------------------------------------------------------------------

std::string port_argument(std::string_view ipv4, std::uint16_t port) { return six_numbers(ipv4, port); }

std::string eprt_argument(std::string_view host, std::uint16_t port) {
  if (port == 0) throw std::invalid_argument("port 0 cannot be a data port");
  char proto;
  if (is_ipv4(host)) {
    proto = '1';
  } else if (is_ipv6(host)) {
    proto = '2';
  } else {
    throw std::invalid_argument("not an IP address: \"" + std::string(host.substr(0, 64)) + "\"");
  }
  return std::string("|") + proto + "|" + std::string(host) + "|" + std::to_string(port) + "|";
}

HostPort parse_port_argument(std::string_view arg, std::error_code& ec) {
  ec.clear();
  HostPort hp;
  std::size_t n = read_six(arg, hp);
  if (n == 0 || n != arg.size() || hp.port == 0) {
    ec = Errc::bad_port_argument;
    return {};
  }
  return hp;
}

HostPort parse_eprt_argument(std::string_view arg, std::error_code& ec) {
  ec.clear();
  // RFC 2428 §2: <d><net-prt><d><net-addr><d><tcp-port><d>
  if (arg.size() < 8 || arg[0] < 33 || arg[0] > 126 || arg.back() != arg[0]) {
    ec = Errc::bad_eprt_argument;
    return {};
  }
  const char d = arg[0];
  std::string_view fields[3];
  std::size_t at = 1;
  for (auto& field : fields) {
    std::size_t end = arg.find(d, at);
    if (end == std::string_view::npos) {
      ec = Errc::bad_eprt_argument;
      return {};
    }
    field = arg.substr(at, end - at);
    at = end + 1;
  }
  auto port = detail::decimal(fields[2], 65535, 5);
  if (at != arg.size() || !port || *port == 0 || !detail::decimal(fields[0], 255, 3)) {
    ec = Errc::bad_eprt_argument;
    return {};
  }
  if (fields[0] != "1" && fields[0] != "2") {
    ec = Errc::unsupported_protocol;
    return {};
  }
  if (fields[0] == "1" ? !is_ipv4(fields[1]) : !is_ipv6(fields[1])) {
    ec = Errc::bad_eprt_argument;
    return {};
  }
  return {std::string(fields[1]), static_cast<std::uint16_t>(*port)};
}

// --- SIZE / MDTM / REST ----------------------------------------------------------------------

std::uint64_t parse_size_reply(const dialogue::Reply& reply, std::error_code& ec) {
  if ((ec = detail::check_code(reply, 213))) return 0;
  auto size = detail::decimal(first_line(reply), UINT64_MAX);
  if (!size) {
    ec = Errc::bad_size_reply;
    return 0;
  }
  return *size;
}

std::uint64_t parse_size_reply(const dialogue::Reply& reply) {
  return detail::parse_or_throw<std::uint64_t>(parse_size_reply, reply, "SIZE");
}

std::int64_t parse_mdtm_reply(const dialogue::Reply& reply, std::error_code& ec) {
  if ((ec = detail::check_code(reply, 213))) return {};
  auto t = text::parse_time_val(first_line(reply));
  if (!t) {
    ec = Errc::bad_time_val;
    return {};
  }
  return *t;
}

std::int64_t parse_mdtm_reply(const dialogue::Reply& reply) {
  return detail::parse_or_throw<std::int64_t>(parse_mdtm_reply, reply, "MDTM");
}

std::string mdtm_reply_text(std::int64_t unix_seconds) {
  return text::format_time_val(unix_seconds);
}

std::uint64_t parse_rest_argument(std::string_view arg, std::error_code& ec) {
  ec.clear();
  auto offset = detail::decimal(arg, UINT64_MAX);
  if (!offset) {
    ec = Errc::bad_restart_marker;
    return 0;
  }
  return *offset;
}

// --- 257 -------------------------------------------------------------------------------------

std::string parse_path_reply(const dialogue::Reply& reply, std::error_code& ec) {
  if ((ec = detail::check_code(reply, 257))) return {};
  // RFC 959 Appendix II: 257<SP>"<directory-name>"<SP><commentary>, quotes inside doubled.
  std::string_view text = first_line(reply);
  std::size_t open = text.find('"');
  if (open != std::string_view::npos) {
    std::string path;
    for (std::size_t i = open + 1; i < text.size(); ++i) {
      if (text[i] != '"') {
        path += text[i];
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        path += '"';
        ++i;
      } else {
        if (!path.empty()) return path;
        break;
      }
    }
  }
  ec = Errc::bad_path_reply;
  return {};
}

std::string parse_path_reply(const dialogue::Reply& reply) {
  return detail::parse_or_throw<std::string>(parse_path_reply, reply, "257 path name");
}

std::string quote_path(std::string_view path) {
  std::string out = "\"";
  for (char c : path) {
    out += c;
    if (c == '"') out += '"';
  }
  out += '"';
  return out;
}

}  // namespace wire::ftp
