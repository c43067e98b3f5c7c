// SPDX-License-Identifier: MIT
// The encoding of command lines (RFC 959 §4.1, §5.3; RFC 5321 §4.1.1). Everything is checked
// before a byte is appended, so a refused command leaves the output as it was.
#include "wire/dialogue/command.hpp"

#include <algorithm>
#include <string>

#include "wire/dialogue/error.hpp"
#include "wire/text/chars.hpp"

namespace wire::dialogue {
namespace {

Errc check(std::string_view verb, std::span<const std::string_view> args) noexcept {
  if (verb.empty() || !std::all_of(verb.begin(), verb.end(), text::is_alpha)) return Errc::invalid_verb;
  for (std::string_view arg : args) {
    if (text::has_line_break(arg)) return Errc::invalid_argument;
  }
  return Errc{};
}

void append(std::string& out, std::string_view verb, std::span<const std::string_view> args) {
  std::size_t size = verb.size() + 2;
  for (std::string_view arg : args) size += arg.size() + 1;
  out.reserve(out.size() + size);
  out += verb;
  for (std::string_view arg : args) {
    out += ' ';
    out += arg;
  }
  out += "\r\n";
}

std::span<const std::string_view> one_or_none(const std::string_view& arg) noexcept {
  return {&arg, arg.empty() ? 0u : 1u};
}

}  // namespace

void encode_command(std::string& out, std::string_view verb, std::span<const std::string_view> args,
                    std::error_code& ec) {
  Errc e = check(verb, args);
  ec = e == Errc{} ? std::error_code{} : make_error_code(e);
  if (!ec) append(out, verb, args);
}

void encode_command(std::string& out, std::string_view verb, std::string_view arg, std::error_code& ec) {
  encode_command(out, verb, one_or_none(arg), ec);
}

void encode_command(std::string& out, std::string_view verb, std::span<const std::string_view> args) {
  Errc e = check(verb, args);
  if (e == Errc::invalid_verb) {
    throw LocalError(e, "command verb \"" + std::string(verb.substr(0, 32)) + "\" is not ASCII letters");
  }
  // The argument is not quoted in the message: it may be what the caller must not log.
  if (e != Errc{}) throw LocalError(e, "CR, LF or NUL in an argument of " + std::string(verb));
  append(out, verb, args);
}

void encode_command(std::string& out, std::string_view verb, std::string_view arg) {
  encode_command(out, verb, one_or_none(arg));
}

void encode_command(std::string& out, std::string_view verb, std::initializer_list<std::string_view> args) {
  encode_command(out, verb, std::span<const std::string_view>(args.begin(), args.size()));
}

}  // namespace wire::dialogue
