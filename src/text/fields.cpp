// SPDX-License-Identifier: MIT
// Field sections of mail and MIME (RFC 5322 §2.2, §3.6.8, §4.5; RFC 2046 §5.1 for parts).
#include "wire/text/fields.hpp"

#include "wire/error.hpp"

#include <stdexcept>

#include "wire/text/chars.hpp"

namespace wire::text {
namespace {

// RFC 5322 §2.1.1: a line is at most 998 characters without its CRLF.
constexpr std::size_t kMaxLine = 998;

// RFC 5322 §3.6.8: ftext = %d33-57 / %d59-126
constexpr bool is_ftext(char c) noexcept { return c > 32 && c < 127 && c != ':'; }

std::string describe_fields(int value) {
  switch (static_cast<FieldErrc>(value)) {
    case FieldErrc::bad_field_line:
      return "malformed header field line";
    case FieldErrc::section_too_large:
      return "header section too large";
    case FieldErrc::too_many_fields:
      return "too many header fields";
    case FieldErrc::truncated:
      return "input ended inside a header field line";
  }
  return "unknown header field error " + std::to_string(value);
}

}  // namespace

const std::error_category& field_category() noexcept {
  static const wire::detail::NamedCategory category("fields", describe_fields);
  return category;
}

void append_field(std::string& out, std::string_view name, std::string_view value, std::size_t fold_width) {
  if (name.empty()) throw std::invalid_argument("empty header field name");
  for (char c : name) {
    if (!is_ftext(c)) throw std::invalid_argument("header field name '" + std::string(name) + "' is not printable ASCII");
  }
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') {
      throw std::invalid_argument("header field " + std::string(name) + ": CR, LF or NUL in the value");
    }
    if (is_control(c) && c != '\t') {
      throw std::invalid_argument("header field " + std::string(name) + ": a control character in the value");
    }
  }
  std::size_t start = out.size();
  out += name;
  out += ": ";
  if (fold_width == 0) {
    out += value;
    out += "\r\n";
    return;
  }
  // Greedy folding: each word with the white space before it goes on the current line if it
  // fits, else on a new line (which then starts with that white space, RFC 5322 §2.2.3).
  std::size_t line_start = start;
  bool line_has_word = false;  // a break before the first word would leave "Name:" alone
  std::size_t i = 0;
  while (i < value.size()) {
    std::size_t ws_end = i;
    while (ws_end < value.size() && is_ows(value[ws_end])) ++ws_end;
    std::size_t word_end = ws_end;
    while (word_end < value.size() && !is_ows(value[word_end])) ++word_end;
    std::string_view chunk = value.substr(i, word_end - i);
    bool has_word = word_end > ws_end;
    if (has_word && ws_end > i && line_has_word && out.size() - line_start + chunk.size() > fold_width) {
      if (out.size() - line_start > kMaxLine) break;
      out += "\r\n";
      line_start = out.size();
    }
    out += chunk;
    line_has_word = line_has_word || has_word;
    i = word_end;
  }
  if (out.size() - line_start > kMaxLine) {
    out.resize(start);
    throw std::invalid_argument("header field " + std::string(name) + ": a line longer than 998 octets");
  }
  out += "\r\n";
}

// --- reading ---------------------------------------------------------------------------------

void FieldParser::fail(FieldErrc e) {
  if (!error_) error_ = make_error_code(e);
}

void FieldParser::reset() {
  fields_.clear();
  line_.clear();
  name_.clear();
  value_.clear();
  have_field_ = false;
  bytes_ = 0;
  done_ = false;
  error_ = {};
}

bool FieldParser::flush_field() {
  if (!have_field_) return true;
  have_field_ = false;
  if (fields_.size() >= limits_.max_fields) {
    fail(FieldErrc::too_many_fields);
    return false;
  }
  // The white space after the colon goes; what ends a value stays (RFC 5322 §3.2.5
  // unstructured ends in *WSP, and Python's email keeps it too).
  std::string_view value = value_;
  while (!value.empty() && is_ows(value.front())) value.remove_prefix(1);
  fields_.add(name_, value);
  return true;
}

// One complete line (without its line break) is in line_.
bool FieldParser::end_line() {
  std::string_view line = line_;
  for (char c : line) {
    if (c == '\r' || c == '\0') {  // RFC 5322 §2.2: CR only as part of CRLF
      fail(FieldErrc::bad_field_line);
      return false;
    }
  }
  if (line.empty()) {
    if (!flush_field()) return false;
    done_ = true;
    return true;
  }
  if (is_ows(line.front())) {  // a continuation: unfolding keeps the white space (§2.2.3)
    if (!have_field_) {
      fail(FieldErrc::bad_field_line);
      return false;
    }
    value_ += line;
    line_.clear();
    return true;
  }
  if (!flush_field()) return false;
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    fail(FieldErrc::bad_field_line);
    return false;
  }
  std::string_view name = line.substr(0, colon);
  while (!name.empty() && is_ows(name.back())) name.remove_suffix(1);  // RFC 5322 §4.5.3 obs
  if (name.empty()) {
    fail(FieldErrc::bad_field_line);
    return false;
  }
  for (char c : name) {
    if (!is_ftext(c)) {
      fail(FieldErrc::bad_field_line);
      return false;
    }
  }
  name_.assign(name);
  value_.assign(line.substr(colon + 1));
  have_field_ = true;
  line_.clear();
  return true;
}

std::size_t FieldParser::feed(std::string_view bytes) {
  if (done_ || error_) return 0;
  std::size_t i = 0;
  while (i < bytes.size()) {
    std::size_t lf = bytes.find('\n', i);
    std::size_t end = lf == std::string_view::npos ? bytes.size() : lf;
    line_.append(bytes.substr(i, end - i));
    if (lf == std::string_view::npos) {
      // The line so far counts, but a lone CR may be the start of the empty line, which does not.
      if (line_ != "\r" && bytes_ + line_.size() > limits_.max_bytes) fail(FieldErrc::section_too_large);
      return error_ ? end : bytes.size();
    }
    i = lf + 1;
    bool blank = line_.empty() || line_ == "\r";
    if (!blank) {
      bytes_ += line_.size() + 1;
      if (bytes_ > limits_.max_bytes) {
        fail(FieldErrc::section_too_large);
        return i;
      }
    }
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    if (!end_line()) return i;
    if (done_) return i;
  }
  return i;
}

void FieldParser::finish() {
  if (done_ || error_) return;
  if (!line_.empty()) {
    fail(FieldErrc::truncated);
    return;
  }
  if (flush_field()) done_ = true;
}

}  // namespace wire::text
