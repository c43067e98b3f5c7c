// SPDX-License-Identifier: MIT
// The command parser: a byte-at-a-time state machine over CRLF-framed lines (RFC 959 §4.1,
// RFC 5321 §2.3.8 and §4.1.1).
//
// Rule 1: every decision is made at a fixed byte of the stream, so a command stream fed
// whole, byte by byte or split anywhere gives the same events.
// Rule 2: every event consumes at least the byte that completed it, and feed() returns right
// after it: the server answers one command before it parses the next.
// Rule 3: a refused line is not stored; the parser skips to the CRLF that ends it and starts
// afresh, so no refusal is sticky and no line costs more memory than the limit.
#include "wire/dialogue/command_parser.hpp"

#include <stdexcept>

#include "wire/text/chars.hpp"

namespace wire::dialogue {

CommandParser::CommandParser(Syntax syntax, const CommandLimits& limits) : syntax_(syntax), limits_(limits) {}

std::size_t CommandParser::feed(std::span<const std::byte> bytes) {
  return feed(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

void CommandParser::refuse(Errc e) {
  pending_ = {CommandEvent::bad_line, make_error_code(e)};
  line_.clear();
  skipping_ = true;
}

std::size_t CommandParser::feed(std::string_view bytes) {
  if (eof_) return 0;
  if (pending_.kind != CommandEvent::need_more) {
    throw std::logic_error("CommandParser::feed() called before next() reported the last event");
  }
  const std::size_t max = limits_.max_line_length;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (skipping_) {
      if (c == '\n' && (cr_ || limits_.accept_bare_lf)) skipping_ = false;
      cr_ = c == '\r';
      continue;
    }
    if (cr_) {
      cr_ = false;
      if (c == '\n') {
        end_line();
        return i + 1;
      }
      // RFC 5321 §2.3.8: CR only as part of CRLF. The byte after it belongs to the refused
      // line; a CR there may begin the CRLF that ends it.
      refuse(Errc::bare_cr);
      cr_ = c == '\r';
      return i + 1;
    }
    switch (c) {
      case '\r':
        cr_ = true;
        if (line_.size() + 2 > max) {
          refuse(Errc::line_too_long);
          return i + 1;
        }
        break;
      case '\n':
        if (limits_.accept_bare_lf) {
          end_line();
        } else {
          refuse(Errc::bare_lf);  // not a line end (RFC 5321 §2.3.8): the line goes on to CRLF
        }
        return i + 1;
      case '\0':
        refuse(Errc::nul_byte);
        return i + 1;
      default:
        // The line with this byte and the shortest line end it may have must fit.
        if (line_.size() + (limits_.accept_bare_lf ? 1 : 2) + 1 > max) {
          refuse(Errc::line_too_long);
          return i + 1;
        }
        line_ += c;
    }
  }
  return bytes.size();
}

void CommandParser::end_line() {
  std::string_view l = line_;
  if (syntax_ == Syntax::ftp) {
    // RFC 959 §4.1.3, RFC 854: Telnet IAC IP / IAC DM (the Synch) before ABOR, STAT, QUIT.
    std::size_t start = 0;
    while (start < l.size() && static_cast<unsigned char>(l[start]) >= 0xF0) ++start;
    l.remove_prefix(start);
  }
  std::size_t verb_end = 0;
  while (verb_end < l.size() && text::is_alpha(l[verb_end])) ++verb_end;
  if (verb_end == 0 || (verb_end < l.size() && l[verb_end] != ' ')) {
    pending_ = {CommandEvent::bad_line, make_error_code(Errc::malformed_command)};
  } else {
    command_.verb.assign(l.substr(0, verb_end));
    for (char& ch : command_.verb) ch = text::to_upper(ch);
    command_.arg.assign(verb_end < l.size() ? l.substr(verb_end + 1) : std::string_view());
    pending_ = {CommandEvent::command, {}};
  }
  line_.clear();
}

void CommandParser::feed_eof() {
  if (eof_) return;
  if (pending_.kind != CommandEvent::need_more) {
    throw std::logic_error("CommandParser::feed_eof() called before next() reported the last event");
  }
  eof_ = true;
  if (!skipping_ && (cr_ || !line_.empty())) pending_ = {CommandEvent::bad_line, make_error_code(Errc::truncated_command)};
}

CommandEvent CommandParser::next() {
  CommandEvent ev = pending_;
  pending_ = {};
  return ev;
}

}  // namespace wire::dialogue
