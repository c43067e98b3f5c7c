// SPDX-License-Identifier: MIT
// The reply parser: a byte-at-a-time state machine over lines (RFC 959 §4.2, RFC 5321 §4.2).
//
// Rule 1: every decision is made at a fixed byte of the stream (a line end, the byte that
// passes a limit, the byte after a CR), never at the end of whatever buffer arrived, so a
// reply fed whole, byte by byte or split anywhere gives the same events and the same error.
// Rule 2: feed() returns right after the line end that completes a reply, so the bytes after
// it stay with the caller (the STARTTLS rule in reply_parser.hpp).
#include "wire/dialogue/reply_parser.hpp"

#include <stdexcept>
#include <utility>

#include "wire/text/chars.hpp"

namespace wire::dialogue {
namespace {

int code_of(std::string_view line) noexcept { return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0'); }

}  // namespace

ReplyParser::ReplyParser(Syntax syntax, const ReplyLimits& limits) : syntax_(syntax), limits_(limits) {}

bool ReplyParser::in_reply() const noexcept { return !error_ && (multiline_ || cr_ || !line_.empty()); }

void ReplyParser::fail(Errc e) noexcept {
  error_ = make_error_code(e);
  ready_ = false;
}

std::size_t ReplyParser::feed(std::span<const std::byte> bytes) {
  return feed(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::size_t ReplyParser::feed(std::string_view bytes) {
  if (error_ || eof_) return 0;
  if (ready_) throw std::logic_error("ReplyParser::feed() called before next() reported the reply");
  if (reported_) {
    reply_.code = 0;
    reply_.lines.clear();
    reported_ = false;
  }
  const std::size_t max = limits_.max_line_length;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    char c = bytes[i];
    if (cr_) {
      if (c != '\n') {  // RFC 959 §4.2, RFC 5321 §2.3.8: CR only as part of CRLF
        fail(Errc::bare_cr);
        return i;
      }
      cr_ = false;
      if (Errc e = end_line(2); e != Errc{}) {
        fail(e);
        return i;
      }
      if (ready_) return i + 1;
      continue;
    }
    switch (c) {
      case '\r':
        if (line_.size() + 2 > max) {
          fail(Errc::line_too_long);
          return i;
        }
        cr_ = true;
        break;
      case '\n':
        if (!limits_.accept_bare_lf) {
          fail(Errc::bare_lf);
          return i;
        }
        if (Errc e = end_line(1); e != Errc{}) {
          fail(e);
          return i;
        }
        if (ready_) return i + 1;
        break;
      case '\0':
        fail(Errc::nul_byte);
        return i;
      default:
        // The line with this byte and the shortest line end (LF) must fit.
        if (line_.size() + 2 > max) {
          fail(Errc::line_too_long);
          return i;
        }
        line_ += c;
    }
  }
  return bytes.size();
}

Errc ReplyParser::end_line(std::size_t terminator) {
  const std::string_view l = line_;
  reply_bytes_ += l.size() + terminator;
  if (reply_bytes_ > limits_.max_reply_bytes) return Errc::reply_too_large;

  const bool has_code = l.size() >= 3 && text::is_digit(l[0]) && text::is_digit(l[1]) && text::is_digit(l[2]);
  const char sep = l.size() > 3 ? l[3] : '\0';  // '\0': the line ends after the code
  const bool last_form = has_code && (sep == '\0' || sep == ' ');
  const bool more_form = has_code && sep == '-';
  std::string_view text = l.size() > 4 ? l.substr(4) : std::string_view();

  if (!multiline_) {
    // RFC 959 §4.2: reply codes begin with 1-5.
    if (!(last_form || more_form) || l[0] < '1' || l[0] > '5') return Errc::malformed_reply;
    reply_.code = code_of(l);
    reply_.lines.emplace_back(text);
    multiline_ = more_form;
  } else {
    const bool same = has_code && code_of(l) == reply_.code;
    if (syntax_ == Syntax::smtp) {
      // RFC 5321 §4.2.1: every line carries the code.
      if (!(last_form || more_form)) return Errc::malformed_reply;
      if (!same) return Errc::code_mismatch;
      reply_.lines.emplace_back(text);
    } else if (same && (last_form || more_form)) {
      reply_.lines.emplace_back(text);
    } else if (last_form) {
      return Errc::code_mismatch;  // RFC 959 §4.2: such a line between would have been padded
    } else {
      reply_.lines.emplace_back(l);
    }
    multiline_ = !(same && last_form);
  }
  if (reply_.lines.size() > limits_.max_lines) return Errc::too_many_lines;
  line_.clear();
  if (!multiline_) {
    ready_ = true;
    reply_bytes_ = 0;
  }
  return Errc{};
}

void ReplyParser::feed_eof() {
  if (error_ || eof_) return;
  eof_ = true;
  if (ready_) return;
  if (in_reply()) fail(Errc::truncated_reply);
}

ReplyEvent ReplyParser::next() {
  if (error_) return {ReplyEvent::error};
  if (!ready_) return {};
  ready_ = false;
  reported_ = true;
  return {ReplyEvent::reply};
}

}  // namespace wire::dialogue
