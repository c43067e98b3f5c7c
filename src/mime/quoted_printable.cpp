// SPDX-License-Identifier: MIT
// Quoted-printable, RFC 2045 §6.7: rules (1) general 8-bit representation, (2) literal
// representation, (3) white space, (4) line breaks, (5) soft line breaks.
#include "wire/mime/quoted_printable.hpp"

#include "wire/text/chars.hpp"

namespace wire::mime {
namespace {

constexpr std::size_t kMaxLine = 76;        // rule (5)
constexpr std::size_t kMaxHeldSpace = 1000;  // white space held back to see whether it ends a line
constexpr char kHex[] = "0123456789ABCDEF";

// Rule (2): 33-60 and 62-126 may stand for themselves.
constexpr bool is_literal(unsigned char c) noexcept { return c >= 33 && c <= 126 && c != '='; }

}  // namespace

std::string quoted_printable_encode(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t eol = text.find("\r\n", pos);
    bool hard = eol != std::string_view::npos;
    std::string_view line = text.substr(pos, (hard ? eol : text.size()) - pos);
    std::size_t column = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
      auto c = static_cast<unsigned char>(line[i]);
      bool last = i + 1 == line.size();
      char token[3];
      std::size_t len = 1;
      // Rule (3): a space or tab at the end of a line would be taken for transport padding.
      if (is_literal(c) || ((c == ' ' || c == '\t') && !last)) {
        token[0] = static_cast<char>(c);
      } else {
        token[0] = '=';
        token[1] = kHex[c >> 4];
        token[2] = kHex[c & 15];
        len = 3;
      }
      // Rule (5): a soft break when the token would not leave room for the '=' of one
      // (the line's last token needs no such room).
      if (column + len > (last ? kMaxLine : kMaxLine - 1)) {
        out += "=\r\n";
        column = 0;
      }
      out.append(token, len);
      column += len;
    }
    if (!hard) break;
    out += "\r\n";  // rule (4)
    pos = eol + 2;
  }
  return out;
}

std::size_t QuotedPrintableDecoder::decode(std::string_view in, bool final, std::string& out) {
  const std::size_t n = in.size();
  std::size_t i = 0;
  while (i < n) {
    char c = in[i];
    if (c == '=') {
      if (i + 1 == n) {
        if (!final) return i;
        return n;  // a soft break at the very end
      }
      char a = in[i + 1];
      if (text::is_hex(a)) {
        if (i + 2 == n && !final) return i;
        if (i + 2 < n && text::is_hex(in[i + 2])) {
          out += static_cast<char>(text::hex_value(a) * 16 + text::hex_value(in[i + 2]));
          i += 3;
          continue;
        }
        out += '=';
        ++i;
        continue;
      }
      // "=" then white space (added in transport) then a line break: a soft break.
      std::size_t j = i + 1;
      while (j < n && text::is_ows(in[j]) && j - i <= kMaxHeldSpace) ++j;
      if (j == n && !final && j - i <= kMaxHeldSpace) return i;
      if (j == n && final) return n;
      if (in[j] == '\n') {
        i = j + 1;
        continue;
      }
      if (in[j] == '\r') {
        if (j + 1 == n && !final) return i;
        if (j + 1 < n && in[j + 1] == '\n') {
          i = j + 2;
          continue;
        }
      }
      out += '=';  // rule (1), robustly: a '=' that starts nothing is itself
      ++i;
      continue;
    }
    if (text::is_ows(c)) {
      std::size_t j = i;
      while (j < n && text::is_ows(in[j])) ++j;
      bool ends_line = false;
      if (j == n) {
        if (!final && j - i <= kMaxHeldSpace) return i;
        ends_line = final;
      } else if (in[j] == '\n') {
        ends_line = true;
      } else if (in[j] == '\r') {
        if (j + 1 == n && !final) return i;
        ends_line = j + 1 < n && in[j + 1] == '\n';
      }
      if (!ends_line) out.append(in.substr(i, j - i));  // rule (3): trailing white space goes
      i = j;
      continue;
    }
    if (c == '\r') {
      if (i + 1 == n && !final) return i;
      if (i + 1 < n && in[i + 1] == '\n') {
        out += "\r\n";
        i += 2;
        continue;
      }
      out += '\r';
      ++i;
      continue;
    }
    std::size_t j = i + 1;
    while (j < n && in[j] != '=' && in[j] != '\r' && !text::is_ows(in[j])) ++j;
    out.append(in.substr(i, j - i));
    i = j;
  }
  return n;
}

void QuotedPrintableDecoder::update(std::string_view text, std::string& out) {
  if (held_.empty()) {
    std::size_t used = decode(text, false, out);
    held_.assign(text.substr(used));
    return;
  }
  std::string work = std::move(held_);
  work.append(text);
  std::size_t used = decode(work, false, out);
  held_.assign(std::string_view(work).substr(used));
}

void QuotedPrintableDecoder::finish(std::string& out) {
  decode(held_, true, out);
  held_.clear();
}

}  // namespace wire::mime
