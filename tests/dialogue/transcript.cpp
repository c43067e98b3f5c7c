// SPDX-License-Identifier: MIT
#include "transcript.hpp"

#include <stdexcept>

namespace wire::dialogue::test {
namespace {

// The driver loop every codec of the dialogue shares: `drain` takes next() until need_more
// and returns false once the codec stopped for good.
template <typename Codec, typename Drain>
Run run(Codec& codec, std::string_view input, Split split, bool eof, Drain drain) {
  Run out;
  bool stopped = false;
  std::string buffer;
  for (std::string_view piece : wire::test::cut(input, split)) {
    buffer += piece;
    if (stopped) continue;
    // Bounded: every round either consumes bytes or stops.
    for (int guard = 0; guard < 1'000'000; ++guard) {
      std::size_t n = codec.feed(buffer);
      stopped = !drain(out.lines);
      buffer.erase(0, n);
      if (n == 0 || stopped) break;
    }
  }
  if (eof && !stopped) {
    codec.feed_eof();
    drain(out.lines);
  }
  out.rest = buffer;
  return out;
}

}  // namespace

std::string reply_line(const Reply& reply) {
  std::string out = "reply " + std::to_string(reply.code);
  for (const std::string& line : reply.lines) out += " {" + line + "}";
  return out;
}

std::string error_line(Errc code) { return "error: " + make_error_code(code).message(); }
std::string bad_line(Errc code) { return "bad: " + make_error_code(code).message(); }

Run run_replies(std::string_view input, Split split, Syntax syntax, bool eof, const ReplyLimits& limits) {
  ReplyParser parser(syntax, limits);
  return run(parser, input, split, eof, [&](std::vector<std::string>& lines) {
    for (int guard = 0; guard < 1'000'000; ++guard) {
      switch (parser.next().kind) {
        case ReplyEvent::need_more:
          return true;
        case ReplyEvent::reply:
          lines.push_back(reply_line(parser.reply()));
          break;
        case ReplyEvent::error:
          lines.push_back("error: " + parser.error().message());
          return false;
      }
    }
    throw std::logic_error("next() did not run out of events");
  });
}

Run run_commands(std::string_view input, Split split, Syntax syntax, bool eof, const CommandLimits& limits) {
  CommandParser parser(syntax, limits);
  return run(parser, input, split, eof, [&](std::vector<std::string>& lines) {
    for (int guard = 0; guard < 1'000'000; ++guard) {
      CommandEvent ev = parser.next();
      switch (ev.kind) {
        case CommandEvent::need_more:
          return true;
        case CommandEvent::command:
          lines.push_back("command " + parser.command().verb + " {" + parser.command().arg + "}");
          break;
        case CommandEvent::bad_line:
          lines.push_back("bad: " + ev.error.message());
          break;
      }
    }
    throw std::logic_error("next() did not run out of events");
  });
}

Run run_dialogue(std::string_view input, Split split, Syntax syntax, const std::vector<std::string>& commands,
                 bool eof, Greeting greeting) {
  ClientDialogue dialogue(syntax, {}, greeting);
  for (const std::string& c : commands) {
    if (!c.empty() && c[0] == '=') {
      dialogue.expect(std::string_view(c).substr(1));
      continue;
    }
    std::size_t sp = c.find(' ');
    if (sp == std::string::npos) {
      dialogue.send(c);
    } else {
      dialogue.send(std::string_view(c).substr(0, sp), std::string_view(c).substr(sp + 1));
    }
  }
  return run(dialogue, input, split, eof, [&](std::vector<std::string>& lines) {
    for (int guard = 0; guard < 1'000'000; ++guard) {
      DialogueEvent ev = dialogue.next();
      std::string who = "#" + std::to_string(ev.id) + (ev.verb.empty() ? "" : " " + std::string(ev.verb));
      switch (ev.kind) {
        case DialogueEvent::need_more:
          return true;
        case DialogueEvent::preliminary:
          lines.push_back(who + " preliminary " + reply_line(dialogue.reply()).substr(6));
          break;
        case DialogueEvent::reply:
          lines.push_back(who + " " + reply_line(dialogue.reply()));
          break;
        case DialogueEvent::closing:
          lines.push_back("closing " + reply_line(dialogue.reply()).substr(6));
          break;
        case DialogueEvent::error:
          lines.push_back("error: " + dialogue.error().message());
          return false;
      }
    }
    throw std::logic_error("next() did not run out of events");
  });
}

}  // namespace wire::dialogue::test
