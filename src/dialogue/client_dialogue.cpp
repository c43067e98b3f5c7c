// SPDX-License-Identifier: MIT
// The client dialogue: a FIFO of outstanding commands over the reply parser.
//
// Rule: replies come in the order of the commands (RFC 959 §4.2, RFC 5321 §4.1, RFC 2920
// §3.1), each command's 1yz replies before its one final reply; so the oldest outstanding
// entry is always the one a reply answers, and nothing else is needed to pair them.
#include "wire/dialogue/client_dialogue.hpp"

#include <algorithm>
#include <utility>

#include "wire/dialogue/command.hpp"

namespace wire::dialogue {

ClientDialogue::ClientDialogue(Syntax syntax, const ReplyLimits& limits, Greeting greeting)
    : parser_(syntax, limits) {
  if (greeting == Greeting::expected) outstanding_.push_back({0, {}});
}

std::uint64_t ClientDialogue::record(std::string_view verb) {
  outstanding_.push_back({next_id_, std::string(verb)});
  return next_id_++;
}

std::uint64_t ClientDialogue::send(std::string_view verb, std::span<const std::string_view> args) {
  encode_command(output_, verb, args);  // throws before writing anything
  return record(verb);
}

std::uint64_t ClientDialogue::send(std::string_view verb, std::string_view arg) {
  encode_command(output_, verb, arg);
  return record(verb);
}

std::uint64_t ClientDialogue::send(std::string_view verb, std::initializer_list<std::string_view> args) {
  return send(verb, std::span<const std::string_view>(args.begin(), args.size()));
}

std::uint64_t ClientDialogue::expect(std::string_view label) { return record(label); }

void ClientDialogue::consume_output(std::size_t n) noexcept { output_.erase(0, std::min(n, output_.size())); }

std::size_t ClientDialogue::feed(std::string_view bytes) {
  if (error_) return 0;
  return parser_.feed(bytes);
}

std::size_t ClientDialogue::feed(std::span<const std::byte> bytes) {
  return feed(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

void ClientDialogue::feed_eof() { parser_.feed_eof(); }

DialogueEvent ClientDialogue::next() {
  if (error_) return {DialogueEvent::error, 0, {}};
  switch (parser_.next().kind) {
    case ReplyEvent::need_more:
      return {};
    case ReplyEvent::error:
      error_ = parser_.error();
      return {DialogueEvent::error, 0, {}};
    case ReplyEvent::reply:
      break;
  }
  const Reply& r = parser_.reply();
  if (outstanding_.empty()) {
    // RFC 959 §4.2, RFC 5321 §3.8: a server about to close may say 421 unasked, once.
    if (r.code == 421 && !closed_) {
      closed_ = true;
      return {DialogueEvent::closing, 0, {}};
    }
    error_ = make_error_code(Errc::unexpected_reply);
    return {DialogueEvent::error, 0, {}};
  }
  Entry& oldest = outstanding_.front();
  if (r.positive_preliminary()) return {DialogueEvent::preliminary, oldest.id, oldest.verb};
  answered_ = std::move(oldest.verb);
  std::uint64_t id = oldest.id;
  outstanding_.pop_front();
  return {DialogueEvent::reply, id, answered_};
}

}  // namespace wire::dialogue
