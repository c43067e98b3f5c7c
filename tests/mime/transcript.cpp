// SPDX-License-Identifier: MIT
#include "transcript.hpp"

#include <random>
#include <stdexcept>

namespace wire::mime::test {

std::vector<std::string_view> cut(std::string_view input, Split split) {
  std::vector<std::string_view> pieces;
  switch (split.kind) {
    case Split::whole:
      pieces.push_back(input);
      break;
    case Split::bytewise:
      for (std::size_t i = 0; i < input.size(); ++i) pieces.push_back(input.substr(i, 1));
      break;
    case Split::random: {
      std::mt19937_64 rng(split.seed);
      std::size_t i = 0;
      while (i < input.size()) {
        // Mostly small pieces, sometimes large, sometimes empty.
        std::size_t n = rng() % 4 == 0 ? rng() % 64 : rng() % 8;
        n = std::min(n, input.size() - i);
        pieces.push_back(input.substr(i, n));
        i += n;
      }
      break;
    }
  }
  return pieces;
}

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

std::vector<Split> all_splits(int random_runs) {
  std::vector<Split> splits{{Split::whole, 0}, {Split::bytewise, 0}};
  for (int i = 0; i < random_runs; ++i) splits.push_back({Split::random, static_cast<std::uint64_t>(i + 1)});
  return splits;
}

std::string split_name(Split s) {
  switch (s.kind) {
    case Split::whole:
      return "whole";
    case Split::bytewise:
      return "byte by byte";
    case Split::random:
      return "random cuts, seed " + std::to_string(s.seed);
  }
  return "?";
}

}  // namespace wire::mime::test
