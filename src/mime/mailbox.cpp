// SPDX-License-Identifier: MIT
// Addresses, RFC 5322 §3.4 (and §3.2 for the lexical tokens, §4.4 for the obsolete forms a
// reader accepts), RFC 6532 §3.2 (UTF-8 in atext, quoted strings and domains), RFC 5321
// §4.5.3.1 (lengths).
#include "wire/mime/mailbox.hpp"

#include <optional>
#include <stdexcept>

#include "syntax.hpp"
#include "wire/mime/charset.hpp"
#include "wire/mime/encoded_word.hpp"
#include "wire/mime/error.hpp"
#include "wire/text/chars.hpp"

namespace wire::mime {
namespace {

constexpr std::size_t kMaxLocal = 64;
constexpr std::size_t kMaxDomain = 255;

// RFC 5322 §3.2.3 atext, with RFC 6532's UTF8-non-ascii (checked for form separately).
bool is_atext(char c) noexcept { return detail::is_atext(c) || static_cast<unsigned char>(c) >= 0x80; }

// RFC 5322 §3.2.3 dot-atom-text = 1*atext *("." 1*atext)
bool is_dot_atom_text(std::string_view s) noexcept {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '.') {
      if (s[i + 1] == '.') return false;
    } else if (!is_atext(s[i])) {
      return false;
    }
  }
  return true;
}

// RFC 5322 §3.2.4 qtext (with UTF-8) and the characters a quoted-pair may carry.
bool is_qtext(char c) noexcept { return c != '"' && c != '\\' && (text::is_vchar(c) || static_cast<unsigned char>(c) >= 0x80); }
bool is_quotable(char c) noexcept { return text::is_vchar(c) || c == ' ' || c == '\t' || static_cast<unsigned char>(c) >= 0x80; }
// RFC 5322 §3.4.1 dtext
bool is_dtext(char c) noexcept { return c != '[' && c != ']' && c != '\\' && (text::is_vchar(c) || static_cast<unsigned char>(c) >= 0x80); }

// A local part in its shortest form: a dot-atom when the text allows, else a quoted-string.
std::string local_part_of(std::string_view unquoted) {
  if (is_dot_atom_text(unquoted)) return std::string(unquoted);
  std::string q = "\"";
  for (char c : unquoted) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  q += '"';
  return q;
}

// --- the lexer ---------------------------------------------------------------------------------

struct Token {
  enum Kind : std::uint8_t { atom, quoted, literal, special } kind = atom;
  std::string text;  // atom, the quoted-string's content, "[...]", or the special character
  bool space_before = false;
};

struct Failure {};  // thrown inside the parser, turned into Errc::bad_address at its edge

std::vector<Token> lex(std::string_view s) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  bool space = false;
  while (i < s.size()) {
    char c = s[i];
    if (text::is_ows(c)) {
      space = true;
      ++i;
      continue;
    }
    if (c == '(') {  // a comment, nested, with quoted-pairs (RFC 5322 §3.2.2)
      int depth = 0;
      do {
        if (i >= s.size()) throw Failure{};
        char d = s[i++];
        if (d == '\\') {
          if (i >= s.size()) throw Failure{};
          ++i;
        } else if (d == '(') {
          ++depth;
        } else if (d == ')') {
          --depth;
        }
      } while (depth > 0);
      space = true;
      continue;
    }
    Token t;
    t.space_before = space;
    space = false;
    if (c == '"') {
      t.kind = Token::quoted;
      ++i;
      for (;;) {
        if (i >= s.size()) throw Failure{};
        char d = s[i++];
        if (d == '"') break;
        if (d == '\\') {
          if (i >= s.size() || !is_quotable(s[i])) throw Failure{};
          t.text += s[i++];
        } else if (is_qtext(d) || text::is_ows(d)) {
          t.text += d;
        } else {
          throw Failure{};
        }
      }
    } else if (c == '[') {
      t.kind = Token::literal;
      t.text = "[";
      ++i;
      for (;;) {
        if (i >= s.size()) throw Failure{};
        char d = s[i++];
        if (d == ']') break;
        if (!is_dtext(d)) throw Failure{};
        t.text += d;
      }
      t.text += ']';
    } else if (is_atext(c)) {
      std::size_t j = i;
      while (j < s.size() && is_atext(s[j])) ++j;
      t.kind = Token::atom;
      t.text.assign(s.substr(i, j - i));
      i = j;
    } else if (c == '<' || c == '>' || c == ':' || c == ';' || c == '@' || c == ',' || c == '.') {
      t.kind = Token::special;
      t.text.assign(1, c);
      ++i;
    } else {
      throw Failure{};  // ')', ']', '\\', a control character
    }
    tokens.push_back(std::move(t));
  }
  return tokens;
}

// --- the parser --------------------------------------------------------------------------------

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  std::vector<Mailbox> address_list() {
    std::vector<Mailbox> out;
    for (;;) {
      while (is(",")) ++i_;  // RFC 5322 §4.4: empty list elements
      if (i_ == t_.size()) break;
      address(out, true);
      if (i_ == t_.size()) break;
      if (!is(",")) throw Failure{};
    }
    return out;
  }

 private:
  bool is(std::string_view special) const {
    return i_ < t_.size() && t_[i_].kind == Token::special && t_[i_].text == special;
  }
  bool is_word() const { return i_ < t_.size() && (t_[i_].kind == Token::atom || t_[i_].kind == Token::quoted); }

  // mailbox / group; the words before '<', ':' or '@' decide which.
  void address(std::vector<Mailbox>& out, bool group_allowed) {
    std::size_t first = i_;
    while (is_word() || is(".")) ++i_;
    std::size_t last = i_;
    if (is("<")) {
      ++i_;
      Mailbox m;
      m.name = phrase(first, last);
      // RFC 5322 §4.4 obs-route: "@a.example,@b.example:" before the addr-spec
      if (is("@")) {
        while (is("@") || is(",")) {
          if (is("@")) {
            ++i_;
            domain();
          } else {
            ++i_;
          }
        }
        if (!is(":")) throw Failure{};
        ++i_;
      }
      std::size_t local_first = i_;
      while (is_word() || is(".")) ++i_;
      m.address = addr_spec(local_first, i_);
      if (!is(">")) throw Failure{};
      ++i_;
      out.push_back(std::move(m));
      return;
    }
    if (is(":") && group_allowed) {
      if (first == last) throw Failure{};  // a group has a name
      ++i_;
      for (;;) {
        while (is(",")) ++i_;
        if (is(";")) break;
        if (i_ == t_.size()) throw Failure{};
        address(out, false);
        if (is(";")) break;
        if (!is(",")) throw Failure{};
      }
      ++i_;
      return;
    }
    if (is("@")) {
      Mailbox m;
      m.address = addr_spec(first, last);
      out.push_back(std::move(m));
      return;
    }
    throw Failure{};
  }

  // local-part "@" domain, the local part being the tokens [first, last) and i_ at the '@'.
  std::string addr_spec(std::size_t first, std::size_t last) {
    if (first == last || !is("@")) throw Failure{};
    std::string local;
    bool want_word = true;
    for (std::size_t k = first; k < last; ++k) {
      bool dot = t_[k].kind == Token::special;
      if (dot == want_word) throw Failure{};  // words and dots alternate
      local += t_[k].text;
      want_word = dot;
    }
    if (want_word) throw Failure{};
    ++i_;
    std::string d = domain();
    if (!is_utf8(local) || !is_utf8(d)) throw Failure{};
    std::string address = local_part_of(local);
    if (address.size() > kMaxLocal || d.size() > kMaxDomain) throw Failure{};
    return address + "@" + d;
  }

  std::string domain() {
    if (i_ < t_.size() && t_[i_].kind == Token::literal) return t_[i_++].text;
    std::string d;
    for (;;) {
      if (i_ >= t_.size() || t_[i_].kind != Token::atom) throw Failure{};
      d += t_[i_++].text;
      if (!is(".")) break;
      d += '.';
      ++i_;
    }
    return d;
  }

  // RFC 5322 §3.2.5 phrase (and §4.1 obs-phrase, with its dots), decoded into UTF-8.
  std::string phrase(std::size_t first, std::size_t last) const {
    std::string out;
    bool prev_encoded = false;
    for (std::size_t k = first; k < last; ++k) {
      const Token& t = t_[k];
      std::string piece;
      bool encoded = false;
      if (t.kind == Token::atom) {
        DecodedText d = decode_words(t.text);
        encoded = d.text != t.text;
        piece = std::move(d.text);
      } else if (t.kind == Token::quoted && t.text.find("=?") != std::string::npos) {
        piece = decode_words(t.text).text;  // not RFC 2047, but what many mailers write
      } else {
        piece = t.text;
      }
      // White space between two encoded-words is dropped (RFC 2047 §6.2), other runs of
      // white space become one space.
      if (!out.empty() && t.space_before && !(encoded && prev_encoded)) out += ' ';
      out += piece;
      prev_encoded = encoded;
    }
    return *to_utf8(out, "utf-8");
  }

  std::vector<Token> t_;
  std::size_t i_ = 0;
};

}  // namespace

bool is_valid_address(std::string_view address) noexcept {
  if (address.empty() || !is_utf8(address)) return false;
  std::size_t at = address.rfind('@');
  if (address.back() == ']') {
    // A domain literal may hold '@' (dtext, RFC 5322 §3.4.1) but never '[': it starts at the
    // last '[', right after the '@' that ends the local part.
    std::size_t open = address.rfind('[');
    at = open == std::string_view::npos || open == 0 || address[open - 1] != '@' ? std::string_view::npos : open - 1;
  }
  if (at == std::string_view::npos) return false;
  std::string_view local = address.substr(0, at), domain = address.substr(at + 1);
  if (local.empty() || local.size() > kMaxLocal || domain.empty() || domain.size() > kMaxDomain) return false;
  if (local.front() == '"') {
    if (local.size() < 2 || local.back() != '"') return false;
    for (std::size_t i = 1; i + 1 < local.size(); ++i) {
      char c = local[i];
      if (c == '\\') {
        if (i + 2 >= local.size() || !is_quotable(local[i + 1])) return false;
        ++i;
      } else if (!is_qtext(c) && c != ' ' && c != '\t') {
        return false;
      }
    }
  } else if (!is_dot_atom_text(local)) {
    return false;
  }
  if (domain.front() == '[') {
    if (domain.size() < 2 || domain.back() != ']') return false;
    for (char c : domain.substr(1, domain.size() - 2)) {
      if (!is_dtext(c)) return false;
    }
    return true;
  }
  return is_dot_atom_text(domain);
}

bool needs_smtputf8(std::string_view address) noexcept { return !is_ascii(address); }

std::string format_mailbox(const Mailbox& mailbox, std::size_t name_length) {
  if (text::has_line_break(mailbox.address)) throw std::invalid_argument("address: CR, LF or NUL in it");
  if (!is_valid_address(mailbox.address)) {
    throw std::invalid_argument("'" + mailbox.address + "' is not a valid address (RFC 5322 §3.4.1)");
  }
  std::string name = encode_phrase(mailbox.name, name_length);
  if (name.empty()) return mailbox.address;
  return name + " <" + mailbox.address + ">";
}

std::string format_address_list(std::span<const Mailbox> mailboxes, std::size_t name_length) {
  std::string out;
  for (const Mailbox& m : mailboxes) {
    if (!out.empty()) out += ", ";
    out += format_mailbox(m, name_length);
  }
  return out;
}

std::vector<Mailbox> parse_address_list(std::string_view value, std::error_code& ec) {
  ec.clear();
  try {
    return Parser(lex(value)).address_list();
  } catch (const Failure&) {
    ec = make_error_code(Errc::bad_address);
    return {};
  }
}

std::vector<Mailbox> parse_address_list(std::string_view value) {
  std::error_code ec;
  auto list = parse_address_list(value, ec);
  if (ec) throw Error(ec, "address list '" + std::string(value.substr(0, 200)) + "' does not parse");
  return list;
}

Mailbox parse_mailbox(std::string_view value) {
  std::error_code ec;
  auto list = parse_address_list(value, ec);
  if (ec || list.size() != 1) {
    throw Error(Errc::bad_address, "'" + std::string(value.substr(0, 200)) + "' is not one mailbox");
  }
  return std::move(list.front());
}

}  // namespace wire::mime
