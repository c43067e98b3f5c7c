// SPDX-License-Identifier: MIT
#include "transcript.hpp"

#include <stdexcept>

namespace wire::mime::test {

std::vector<std::string> run(std::string_view input, Split split, const ParserLimits& limits) {
  MessageParser parser(limits);
  std::vector<std::string> lines;
  bool stopped = false;
  const PartInfo* data_part = nullptr;
  auto drain = [&] {
    for (int guard = 0; guard < 1'000'000; ++guard) {
      Event e = parser.next();
      switch (e.kind) {
        case EventKind::need_more:
          return;
        case EventKind::part_begin:
          lines.push_back("begin " + std::to_string(e.part->depth) + " " + e.part->content_type.mime_type());
          data_part = nullptr;
          break;
        case EventKind::data:
          if (e.data.empty()) throw std::logic_error("empty data event");
          if (data_part == e.part && !lines.empty() && lines.back().rfind("data ", 0) == 0) {
            lines.back() += e.data;
          } else {
            lines.push_back("data " + std::string(e.data));
          }
          data_part = e.part;
          break;
        case EventKind::part_end:
          lines.push_back("end-part " + std::to_string(e.part->depth));
          data_part = nullptr;
          break;
        case EventKind::end:
          lines.push_back("end");
          break;
        case EventKind::error:
          lines.push_back("error: " + parser.error().message());
          if (parser.next().kind != EventKind::error) throw std::logic_error("error not sticky");
          stopped = true;
          return;
      }
    }
    throw std::logic_error("next() did not run out of events");
  };
  for (std::string_view piece : cut(input, split)) {
    if (stopped) break;
    parser.feed(piece);
    drain();
  }
  if (!stopped) {
    parser.feed_eof();
    drain();
  }
  return lines;
}

std::string error_line(Errc code) { return "error: " + make_error_code(code).message(); }

}  // namespace wire::mime::test
