// SPDX-License-Identifier: MIT
// Reply helpers and the encoding of replies (RFC 959 §4.2, RFC 5321 §4.2).
#include "wire/dialogue/reply.hpp"

#include <string>

#include "wire/dialogue/error.hpp"
#include "wire/text/chars.hpp"

namespace wire::dialogue {

std::string Reply::text() const {
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i) out += '\n';
    out += lines[i];
  }
  return out;
}

namespace {

void append_code(std::string& out, int code, char separator) {
  out += static_cast<char>('0' + code / 100);
  out += static_cast<char>('0' + code / 10 % 10);
  out += static_cast<char>('0' + code % 10);
  out += separator;
}

}  // namespace

void encode_reply(std::string& out, Syntax syntax, int code, std::span<const std::string_view> lines,
                  std::error_code& ec) {
  ec.clear();
  if (code < 100 || code > 599) {
    ec = Errc::invalid_reply_code;
    return;
  }
  for (std::string_view line : lines) {
    if (text::has_line_break(line)) {
      ec = Errc::invalid_argument;
      return;
    }
  }
  if (lines.empty()) {
    append_code(out, code, ' ');
    out += "\r\n";
    return;
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    bool first = i == 0, last = i + 1 == lines.size();
    if (last) {
      append_code(out, code, ' ');
    } else if (first || syntax == Syntax::smtp) {
      append_code(out, code, '-');
    } else if (!lines[i].empty() && text::is_digit(lines[i][0])) {
      out += ' ';  // RFC 959 §4.2: pad a line between that begins with a digit
    }
    out += lines[i];
    out += "\r\n";
  }
}

void encode_reply(std::string& out, Syntax syntax, int code, std::span<const std::string_view> lines) {
  std::error_code ec;
  encode_reply(out, syntax, code, lines, ec);
  if (ec) throw LocalError(static_cast<Errc>(ec.value()), "encode reply " + std::to_string(code) + ": " + ec.message());
}

void encode_reply(std::string& out, Syntax syntax, int code, std::initializer_list<std::string_view> lines) {
  encode_reply(out, syntax, code, std::span<const std::string_view>(lines.begin(), lines.size()));
}

void encode_reply(std::string& out, int code, std::string_view text) {
  encode_reply(out, Syntax::ftp, code, std::span<const std::string_view>(&text, 1));
}

}  // namespace wire::dialogue
