// SPDX-License-Identifier: MIT
// RFC 2047: encoded-words in header fields. Decoding follows §6 (and reads what common
// mailers write that the RFC does not allow: words written together, unpadded base64);
// encoding follows §2 (at most 75 characters), §4 (B and Q) and §5 (3) (the Q characters a
// phrase allows, used everywhere so one encoder serves both).
#include "wire/mime/encoded_word.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "syntax.hpp"
#include "wire/mime/charset.hpp"
#include "wire/text/base64.hpp"
#include "wire/text/chars.hpp"

namespace wire::mime {
namespace {

constexpr std::size_t kMaxWord = 75;  // RFC 2047 §2
constexpr std::size_t kMinWord = 24;  // room for one 4-byte character in either encoding
constexpr std::size_t kOverhead = 12;  // "=?utf-8?q?" and "?="
constexpr char kHex[] = "0123456789ABCDEF";

// The length every word must keep to so that "Name: " word fits 78 columns, and " " word too.
std::size_t word_limit(std::size_t name_length) {
  std::size_t room = name_length + 2 < 78 ? 76 - name_length : 0;
  return std::clamp(room, kMinWord, kMaxWord);
}

void check_text(std::string_view s, const char* what) {
  if (text::has_line_break(s)) throw std::invalid_argument(std::string(what) + ": CR, LF or NUL in the text");
  if (!is_utf8(s)) throw std::invalid_argument(std::string(what) + ": the text is not UTF-8");
}

// RFC 2047 §5 (3): in a phrase, Q may leave only these as they are.
bool q_literal(char c) noexcept {
  return text::is_alpha(c) || text::is_digit(c) || c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
}
std::size_t q_length(unsigned char c) noexcept { return (q_literal(static_cast<char>(c)) || c == ' ') ? 1 : 3; }

void q_append(std::string& out, std::string_view bytes) {
  for (char ch : bytes) {
    auto c = static_cast<unsigned char>(ch);
    if (c == ' ') {
      out += '_';
    } else if (q_literal(ch)) {
      out += ch;
    } else {
      out += '=';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
}

// The end of the UTF-8 character starting at s[i] (s is valid UTF-8).
std::size_t char_end(std::string_view s, std::size_t i) {
  ++i;
  while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xc0) == 0x80) ++i;
  return i;
}

// `segment` as encoded-words of at most `limit` characters each, separated by single spaces.
void encode_segment(std::string& out, std::string_view segment, std::size_t limit) {
  std::size_t q_total = 0;
  for (char c : segment) q_total += q_length(static_cast<unsigned char>(c));
  bool use_b = text::base64_length(segment.size()) < q_total;
  std::size_t room = limit - kOverhead;
  std::size_t i = 0;
  bool first = true;
  while (i < segment.size()) {
    // Take whole characters while the word's encoded text fits.
    std::size_t end = i, used = 0;
    while (end < segment.size()) {
      std::size_t next = char_end(segment, end);
      std::size_t cost = 0;
      if (use_b) {
        cost = text::base64_length(next - i) - used;
      } else {
        for (std::size_t k = end; k < next; ++k) cost += q_length(static_cast<unsigned char>(segment[k]));
      }
      if (used + cost > room) break;
      used += cost;
      end = next;
    }
    if (!first) out += ' ';
    first = false;
    std::string_view piece = segment.substr(i, end - i);
    if (use_b) {
      out += "=?utf-8?b?";
      out += text::base64_encode(piece);
    } else {
      out += "=?utf-8?q?";
      q_append(out, piece);
    }
    out += "?=";
    i = end;
  }
}

struct Token {
  std::string_view space;  // the white space before the word
  std::string_view word;
};

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t w = i;
    while (w < s.size() && text::is_ows(s[w])) ++w;
    std::size_t e = w;
    while (e < s.size() && !text::is_ows(s[e])) ++e;
    tokens.push_back({s.substr(i, w - i), s.substr(w, e - w)});
    i = e;
  }
  return tokens;
}

bool has_control(std::string_view s) noexcept {
  return std::any_of(s.begin(), s.end(), [](char c) { return text::is_control(c); });
}

// Words that must be encoded: not ASCII, control characters, something a reader would take
// for an encoded-word, or too long for a folded line.
bool needs_encoding(std::string_view word, std::size_t limit) {
  return !is_ascii(word) || has_control(word) || word.find("=?") != std::string_view::npos || word.size() > limit;
}

std::optional<std::string> decode_q(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') {
      out += ' ';
    } else if (c == '=' && i + 2 < s.size() && text::is_hex(s[i + 1]) && text::is_hex(s[i + 2])) {
      out += static_cast<char>(text::hex_value(s[i + 1]) * 16 + text::hex_value(s[i + 2]));
      i += 2;
    } else {
      out += c;  // a stray '=' is kept, as RFC 2045 §6.7 suggests for bodies
    }
  }
  return out;
}

std::optional<std::string> decode_b(std::string_view s) {
  if (auto strict = text::base64_decode(s)) return strict;
  // Unpadded base64, which many readers accept; nothing outside the alphabet, though.
  for (char c : s) {
    if (!text::is_alpha(c) && !text::is_digit(c) && c != '+' && c != '/' && c != '=') return std::nullopt;
  }
  text::Base64Decoder dec;
  std::string out;
  if (!dec.update(s, out) || !dec.finish(out)) return std::nullopt;
  return out;
}

// The length of the encoded-word that starts `s`, or 0.
std::size_t word_length(std::string_view s) {
  if (s.size() < 8 || s.substr(0, 2) != "=?") return 0;
  std::size_t q1 = s.find('?', 2);
  if (q1 == std::string_view::npos || q1 == 2 || q1 + 3 >= s.size() || s[q1 + 2] != '?') return 0;
  char enc = text::to_lower(s[q1 + 1]);
  if (enc != 'q' && enc != 'b') return 0;
  std::size_t end = s.find("?=", q1 + 3);
  if (end == std::string_view::npos) return 0;
  return end + 2;
}

}  // namespace

std::optional<DecodedWord> decode_word(std::string_view token) {
  std::size_t n = word_length(token);
  if (n == 0 || n != token.size()) return std::nullopt;
  std::size_t q1 = token.find('?', 2);
  std::string_view charset = token.substr(2, q1 - 2);
  charset = charset.substr(0, charset.find('*'));  // RFC 2231 §5: charset*language
  char enc = text::to_lower(token[q1 + 1]);
  std::string_view encoded = token.substr(q1 + 3, token.size() - 2 - (q1 + 3));
  for (char c : encoded) {
    if (c == '?' || c == ' ' || text::is_control(c)) return std::nullopt;
  }
  auto bytes = enc == 'q' ? decode_q(encoded) : decode_b(encoded);
  if (!bytes) return std::nullopt;
  DecodedWord w;
  w.charset = std::string(charset);
  if (auto utf8 = to_utf8(*bytes, charset)) {
    w.text = std::move(*utf8);
  } else {
    w.text = std::move(*bytes);
    w.known_charset = false;
  }
  return w;
}

DecodedText decode_words(std::string_view value) {
  DecodedText out;
  bool last_encoded = false;
  for (const Token& t : tokenize(value)) {
    // A token of one or more encoded-words and nothing else.
    std::string decoded;
    bool encoded = !t.word.empty();
    std::string unknown;
    for (std::string_view rest = t.word; encoded && !rest.empty();) {
      std::size_t n = word_length(rest);
      auto w = n > 0 ? decode_word(rest.substr(0, n)) : std::nullopt;
      if (!w) {
        encoded = false;
        break;
      }
      decoded += w->text;
      if (!w->known_charset && unknown.empty()) unknown = w->charset;
      rest.remove_prefix(n);
    }
    if (encoded) {
      if (!last_encoded) out.text += t.space;  // RFC 2047 §6.2: dropped only between words
      out.text += decoded;
      if (out.unknown_charset.empty()) out.unknown_charset = unknown;
    } else {
      out.text += t.space;
      out.text += t.word;
    }
    last_encoded = encoded;
  }
  return out;
}

std::string encode_unstructured(std::string_view utf8, std::size_t name_length) {
  check_text(utf8, "header text");
  std::size_t limit = word_limit(name_length);
  std::vector<Token> tokens = tokenize(utf8);
  std::string out;
  for (std::size_t i = 0; i < tokens.size();) {
    if (!needs_encoding(tokens[i].word, limit)) {
      out += tokens[i].space;
      out += tokens[i].word;
      ++i;
      continue;
    }
    // A run of words to encode, with the white space between them, becomes one segment.
    std::size_t j = i + 1;
    while (j < tokens.size() && !tokens[j].word.empty() && needs_encoding(tokens[j].word, limit)) ++j;
    out += tokens[i].space;
    const char* begin = tokens[i].word.data();
    const char* end = tokens[j - 1].word.data() + tokens[j - 1].word.size();
    encode_segment(out, std::string_view(begin, static_cast<std::size_t>(end - begin)), limit);
    i = j;
  }
  return out;
}

std::string encode_phrase(std::string_view utf8, std::size_t name_length) {
  check_text(utf8, "display name");
  std::size_t limit = word_limit(name_length);
  std::string_view name = text::trim_ows(utf8);
  if (name.empty()) return {};
  std::vector<Token> tokens = tokenize(name);
  bool ascii = is_ascii(name) && !has_control(name) && name.find("=?") == std::string_view::npos;
  if (ascii) {
    bool atoms = std::all_of(tokens.begin(), tokens.end(), [&](const Token& t) {
      return t.word.size() <= limit && std::all_of(t.word.begin(), t.word.end(), detail::is_atext);
    });
    if (atoms) return std::string(name);
    // A quoted-string (RFC 5322 §3.2.4), which may be folded at its spaces.
    std::string quoted = "\"";
    for (char c : name) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    quoted += '"';
    std::vector<Token> pieces = tokenize(quoted);
    bool fits = std::all_of(pieces.begin(), pieces.end(), [&](const Token& t) { return t.word.size() <= limit; });
    if (fits) return quoted;
  }
  std::string out;
  encode_segment(out, name, limit);
  return out;
}

}  // namespace wire::mime
