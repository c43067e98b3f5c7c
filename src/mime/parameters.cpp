// SPDX-License-Identifier: MIT
// MIME parameters: RFC 2045 §5.1 (syntax), RFC 2231 §3 (continuations), §4 (charsets),
// §7 (attribute-char, what need not be percent-encoded).
#include "wire/mime/parameters.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "syntax.hpp"
#include "wire/mime/charset.hpp"
#include "wire/mime/encoded_word.hpp"
#include "wire/text/chars.hpp"

namespace wire::mime {
namespace {

constexpr std::size_t kMaxSections = 1000;
constexpr std::size_t kMaxSegment = 76;  // a parameter (with its ';') fits a folded line of 78
constexpr char kHex[] = "0123456789ABCDEF";

// RFC 2231 §7: attribute-char := any US-ASCII CHAR but SPACE, CTLs, "*", "'", "%", tspecials
bool is_attribute_char(char c) noexcept {
  return detail::is_mime_token_char(c) && c != '*' && c != '\'' && c != '%';
}

struct Raw {
  std::string name;  // lowercased, with its RFC 2231 '*' suffixes
  std::string value;
  bool quoted = false;
};

std::vector<Raw> lex_parameters(std::string_view s) {
  std::vector<Raw> out;
  std::size_t i = 0;
  while (i < s.size()) {
    detail::skip_cfws(s, i);
    if (i >= s.size()) break;
    if (s[i] == ';') {
      ++i;
      continue;
    }
    std::size_t name_start = i;
    while (i < s.size() && s[i] != '=' && s[i] != ';' && !text::is_ows(s[i]) && s[i] != '(') ++i;
    std::string_view name = s.substr(name_start, i - name_start);
    detail::skip_cfws(s, i);
    if (i >= s.size() || s[i] != '=' || name.empty()) {  // no value: dropped
      while (i < s.size() && s[i] != ';') ++i;
      continue;
    }
    ++i;
    detail::skip_cfws(s, i);
    Raw r;
    r.name = text::to_lower(name);
    if (i < s.size() && s[i] == '"') {
      r.quoted = true;
      ++i;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        r.value += s[i++];
      }
      if (i < s.size()) ++i;  // the closing quote (an unclosed string runs to the end)
    } else {
      std::size_t start = i;
      while (i < s.size() && s[i] != ';' && !text::is_ows(s[i]) && s[i] != '(') ++i;
      r.value.assign(s.substr(start, i - start));
    }
    while (i < s.size() && s[i] != ';') ++i;  // whatever else before the next ';'
    out.push_back(std::move(r));
  }
  return out;
}

std::string percent_decode_lenient(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && text::is_hex(s[i + 1]) && text::is_hex(s[i + 2])) {
      out += static_cast<char>(text::hex_value(s[i + 1]) * 16 + text::hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// A plain value: unquoted already; encoded-words decoded (see the header); UTF-8 kept.
std::string plain_value(const std::string& v) {
  if (v.find("=?") != std::string::npos) {
    DecodedText d = decode_words(v);
    if (d.text != v) return d.text;
  }
  return v;
}

}  // namespace

Parameters Parameters::parse(std::string_view text) {
  struct Section {
    std::string value;
    bool extended = false;
  };
  struct Group {
    std::optional<std::string> plain;
    std::map<std::size_t, Section> sections;  // RFC 2231 §3, by number; "name*=" is section 0
    bool rfc2231 = false;
  };
  std::vector<std::string> order;
  std::map<std::string, Group> groups;
  for (Raw& r : lex_parameters(text)) {
    std::string name = r.name;
    bool extended = !name.empty() && name.back() == '*';
    if (extended) name.pop_back();
    std::optional<std::size_t> section;
    std::size_t star = name.rfind('*');
    if (star != std::string::npos && star + 1 < name.size() && name.size() - star <= 5 &&
        std::all_of(name.begin() + static_cast<std::ptrdiff_t>(star) + 1, name.end(), text::is_digit)) {
      section = static_cast<std::size_t>(std::stoul(name.substr(star + 1)));
      name.resize(star);
    }
    if (name.empty()) continue;
    auto [it, fresh] = groups.try_emplace(name);
    if (fresh) order.push_back(name);
    Group& g = it->second;
    if (!section && !extended) {
      if (!g.plain) g.plain = plain_value(r.value);
      continue;
    }
    std::size_t n = section.value_or(0);
    if (n >= kMaxSections) continue;
    g.rfc2231 = true;
    g.sections.try_emplace(n, Section{std::move(r.value), extended && !r.quoted});
  }
  Parameters out;
  for (const std::string& name : order) {
    Group& g = groups[name];
    if (!g.rfc2231) {
      out.list_.push_back({name, std::move(*g.plain)});
      continue;
    }
    // Join the sections from 0 in order while they follow one another (RFC 2231 §3).
    std::string bytes, charset;
    std::size_t expect = 0;
    for (auto& [n, sec] : g.sections) {
      if (n != expect) break;
      ++expect;
      std::string_view v = sec.value;
      if (sec.extended && n == 0) {  // charset'language'text (RFC 2231 §4)
        std::size_t q1 = v.find('\'');
        std::size_t q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
        if (q2 != std::string_view::npos) {
          charset.assign(v.substr(0, q1));
          v.remove_prefix(q2 + 1);
        }
      }
      bytes += sec.extended ? percent_decode_lenient(v) : std::string(v);
    }
    if (expect == 0) {  // no section 0: fall back on the plain value, if any
      if (g.plain) out.list_.push_back({name, std::move(*g.plain)});
      continue;
    }
    std::optional<std::string> utf8 = charset.empty() ? std::optional<std::string>(bytes) : to_utf8(bytes, charset);
    out.list_.push_back({name, utf8 ? std::move(*utf8) : std::move(bytes)});
  }
  return out;
}

std::optional<std::string_view> Parameters::get(std::string_view name) const noexcept {
  for (const Parameter& p : list_) {
    if (text::iequals(p.name, name)) return std::string_view(p.value);
  }
  return std::nullopt;
}

void Parameters::set(std::string_view name, std::string value) {
  std::string lower = text::to_lower(name);
  for (Parameter& p : list_) {
    if (p.name == lower) {
      p.value = std::move(value);
      return;
    }
  }
  list_.push_back({std::move(lower), std::move(value)});
}

std::string Parameters::str() const {
  std::string out;
  for (const Parameter& p : list_) {
    out += "; ";
    out += format_parameter(p.name, p.value);
  }
  return out;
}

std::string format_parameter(std::string_view name, std::string_view value) {
  if (name.empty() || !std::all_of(name.begin(), name.end(), is_attribute_char)) {
    throw std::invalid_argument("parameter name '" + std::string(name) + "' is not a token");
  }
  if (text::has_line_break(value)) throw std::invalid_argument("parameter " + std::string(name) + ": CR, LF or NUL in the value");
  if (!is_utf8(value)) throw std::invalid_argument("parameter " + std::string(name) + ": the value is not UTF-8");
  bool printable = std::all_of(value.begin(), value.end(), [](char c) { return text::is_vchar(c) || c == ' '; });
  std::string quoted = std::string(name) + "=\"";
  for (char c : value) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  quoted += '"';
  // +1: the ';' that may follow it on its line. A value that looks like an encoded-word goes
  // in RFC 2231 form, where no reader takes it for RFC 2047 (see Parameters::parse).
  if (printable && quoted.size() + 1 <= kMaxSegment && value.find("=?") == std::string_view::npos) return quoted;
  // RFC 2231: percent-encoded UTF-8, in sections that each fit a line.
  std::string encoded;
  for (char ch : value) {
    if (is_attribute_char(ch)) {
      encoded += ch;
    } else {
      auto c = static_cast<unsigned char>(ch);
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
  }
  std::string single = std::string(name) + "*=utf-8''" + encoded;
  if (single.size() + 1 <= kMaxSegment) return single;
  std::string out;
  std::size_t i = 0;
  for (std::size_t n = 0; i < encoded.size(); ++n) {
    std::string head = std::string(name) + "*" + std::to_string(n) + "*=" + (n == 0 ? "utf-8''" : "");
    if (head.size() + 4 > kMaxSegment) throw std::invalid_argument("parameter name '" + std::string(name) + "' too long");
    std::size_t room = kMaxSegment - 1 - head.size();
    std::size_t end = std::min(encoded.size(), i + room);
    // Never cut a %XX: step back to before the '%' if one would be split.
    if (end < encoded.size()) {
      if (encoded[end - 1] == '%') end -= 1;
      else if (end >= 2 && encoded[end - 2] == '%') end -= 2;
    }
    if (!out.empty()) out += "; ";
    out += head;
    out.append(encoded, i, end - i);
    i = end;
  }
  return out;
}

}  // namespace wire::mime
