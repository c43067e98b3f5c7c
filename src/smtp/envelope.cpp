// SPDX-License-Identifier: MIT
#include "wire/smtp/envelope.hpp"

#include <stdexcept>

#include "wire/mime/mailbox.hpp"
#include "wire/text/chars.hpp"

namespace wire::smtp {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

void check_path(std::string_view address, bool smtputf8, std::string_view what) {
  if (!is_valid_path_address(address, smtputf8)) {
    std::string shown;
    for (char c : address.substr(0, 200)) {
      auto u = static_cast<unsigned char>(c);
      shown += (u < 0x20 || u == 0x7f) ? '?' : c;
    }
    throw std::invalid_argument("SMTP " + std::string(what) + ": '" + shown + "' is not an address that may be sent" +
                                (is_utf8_address(address) && !smtputf8 ? " without SMTPUTF8" : ""));
  }
}

}  // namespace

std::string encode_xtext(std::string_view text) {
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < '!' || u > '~' || c == '+' || c == '=') {
      out += '+';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::string> decode_xtext(std::string_view xtext) {
  std::string out;
  for (std::size_t i = 0; i < xtext.size(); ++i) {
    if (xtext[i] != '+') {
      out += xtext[i];
      continue;
    }
    if (i + 2 >= xtext.size()) return std::nullopt;
    if (!text::is_hex(xtext[i + 1]) || !text::is_hex(xtext[i + 2])) return std::nullopt;
    out += static_cast<char>(text::hex_value(xtext[i + 1]) * 16 + text::hex_value(xtext[i + 2]));
    i += 2;
  }
  return out;
}

bool is_utf8_address(std::string_view address) noexcept {
  for (char c : address) {
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  }
  return false;
}

bool is_valid_path_address(std::string_view address, bool utf8) noexcept {
  for (char c : address) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;  // CR, LF, NUL, TAB: a line break or worse
  }
  if (!utf8 && is_utf8_address(address)) return false;
  return mime::is_valid_address(address);
}

std::vector<std::string> mail_arguments(std::string_view from, std::optional<std::uint64_t> size, bool eight_bit,
                                        bool smtputf8, const DsnRequest* dsn) {
  if (!from.empty()) check_path(from, smtputf8, "MAIL FROM");
  std::vector<std::string> args{"FROM:<" + std::string(from) + ">"};
  if (size) args.push_back("SIZE=" + std::to_string(*size));  // RFC 1870 §6
  if (eight_bit) args.emplace_back("BODY=8BITMIME");         // RFC 6152 §2
  if (smtputf8) args.emplace_back("SMTPUTF8");               // RFC 6531 §3.4
  if (dsn) {
    if (!dsn->ret.empty()) {
      if (!text::iequals(dsn->ret, "FULL") && !text::iequals(dsn->ret, "HDRS")) {
        throw std::invalid_argument("SMTP DSN: RET must be FULL or HDRS");
      }
      args.push_back("RET=" + text::to_upper(dsn->ret));  // RFC 3461 §4.3
    }
    if (!dsn->envid.empty()) args.push_back("ENVID=" + encode_xtext(dsn->envid));  // §4.4
  }
  return args;
}

std::vector<std::string> rcpt_arguments(std::string_view to, bool smtputf8, const DsnRequest* dsn) {
  check_path(to, smtputf8, "RCPT TO");
  std::vector<std::string> args{"TO:<" + std::string(to) + ">"};
  if (dsn && !dsn->notify.empty()) {
    std::string notify = text::to_upper(dsn->notify);
    for (char c : notify) {
      if (!text::is_alpha(c) && c != ',') throw std::invalid_argument("SMTP DSN: NOTIFY must be NEVER or SUCCESS,FAILURE,DELAY");
    }
    args.push_back("NOTIFY=" + notify);  // RFC 3461 §4.1
  }
  if (dsn && dsn->orcpt) {
    // §4.2: ORCPT=addr-type;xtext; UTF-8 addresses use utf-8 (RFC 6533), sent here as xtext.
    args.push_back("ORCPT=rfc822;" + encode_xtext(to));
  }
  return args;
}

std::optional<std::string_view> PathArgument::param(std::string_view keyword) const noexcept {
  for (const auto& [k, v] : params) {
    if (text::iequals(k, keyword)) return std::string_view(v);
  }
  return std::nullopt;
}

namespace {

// The "<...>" path at the start of `s`: its content, with `s` left after the ">". A ">" in a
// quoted local part does not end it.
std::optional<std::string_view> take_path(std::string_view& s) {
  if (s.empty() || s[0] != '<') return std::nullopt;
  bool quoted = false;
  for (std::size_t i = 1; i < s.size(); ++i) {
    char c = s[i];
    if (quoted && c == '\\') {
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == '>' && !quoted) {
      std::string_view path = s.substr(1, i - 1);
      s.remove_prefix(i + 1);
      return path;
    }
  }
  return std::nullopt;
}

}  // namespace

PathErrc parse_path_argument(std::string_view arg, std::string_view prefix, bool utf8, PathArgument& out) {
  out = {};
  if (!text::istarts_with(arg, prefix)) return PathErrc::bad_syntax;
  arg.remove_prefix(prefix.size());
  while (!arg.empty() && arg[0] == ' ') arg.remove_prefix(1);  // "MAIL FROM: <a>": tolerated
  auto path = take_path(arg);
  if (!path) return PathErrc::bad_syntax;
  std::string_view address = *path;
  // RFC 5321 §4.1.2, §C: an obsolete source route "@a,@b:" is accepted and dropped.
  if (!address.empty() && address[0] == '@') {
    std::size_t colon = address.find(':');
    if (colon == std::string_view::npos) return PathErrc::bad_address;
    address.remove_prefix(colon + 1);
  }
  if (address.empty()) {
    if (!text::iequals(prefix, "FROM:")) return PathErrc::bad_address;  // <> is only a reverse-path
  } else if (!is_valid_path_address(address, utf8) &&
             !(text::iequals(prefix, "TO:") && text::iequals(address, "postmaster"))) {  // §4.5.1
    return PathErrc::bad_address;
  }
  out.address = std::string(address);
  if (!arg.empty() && arg[0] != ' ') return PathErrc::bad_syntax;
  while (!arg.empty()) {
    while (!arg.empty() && arg[0] == ' ') arg.remove_prefix(1);
    if (arg.empty()) break;
    std::size_t end = arg.find(' ');
    std::string_view item = arg.substr(0, end);
    arg = end == std::string_view::npos ? std::string_view() : arg.substr(end);
    std::size_t eq = item.find('=');
    std::string_view keyword = item.substr(0, eq);
    // esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"); a value is printable, no "=" or SP.
    if (keyword.empty() || keyword[0] == '-') return PathErrc::bad_param;
    for (char c : keyword) {
      if (!text::is_alpha(c) && !text::is_digit(c) && c != '-') return PathErrc::bad_param;
    }
    std::string_view value = eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
    if (eq != std::string_view::npos && value.empty()) return PathErrc::bad_param;
    for (char c : value) {
      auto u = static_cast<unsigned char>(c);
      if (c == '=' || u < 0x21 || (u > 0x7e && !utf8)) return PathErrc::bad_param;
    }
    out.params.emplace_back(text::to_upper(keyword), std::string(value));
  }
  return PathErrc::ok;
}

}  // namespace wire::smtp
