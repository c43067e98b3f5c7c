// SPDX-License-Identifier: MIT
#include "transcript.hpp"

#include <stdexcept>

namespace wire::http::test {
namespace {

std::string fields(const Headers& headers) {
  std::string out;
  for (auto f : headers) {
    out += " {";
    out += f.name;
    out += ": ";
    out += f.value;
    out += '}';
  }
  return out;
}

std::string version(Version v) { return "HTTP/" + std::to_string(v.major) + "." + std::to_string(v.minor); }

std::string head_line(const RequestParser& p) {
  const Request& r = p.request();
  return "head " + r.method + " " + r.target + " " + version(r.version) + fields(r.headers);
}

std::string head_line(const ResponseParser& p) {
  const Response& r = p.response();
  return "head " + version(r.version) + " " + std::to_string(r.status) + " " + r.reason + fields(r.headers);
}

template <typename Parser, typename BeforeFeed>
Run run(Parser& parser, std::string_view input, Split split, bool eof, BeforeFeed before_feed) {
  Run out;
  bool stopped = false;
  auto drain = [&] {
    for (int guard = 0; guard < 1'000'000; ++guard) {
      Event ev = parser.next();
      switch (ev.kind) {
        case EventKind::need_more:
          return;
        case EventKind::head:
          out.lines.push_back(head_line(parser));
          break;
        case EventKind::data:
          if (ev.data.empty()) throw std::logic_error("empty data event");
          if (!out.lines.empty() && out.lines.back().rfind("data ", 0) == 0) {
            out.lines.back() += ev.data;
          } else {
            out.lines.push_back("data " + std::string(ev.data));
          }
          break;
        case EventKind::end:
          out.lines.push_back(parser.trailers().empty() ? "end" : "end trailers" + fields(parser.trailers()));
          before_feed();
          break;
        case EventKind::upgrade:
          out.lines.push_back("upgrade");
          stopped = true;
          return;
        case EventKind::error:
          out.lines.push_back("error: " + parser.error().message());
          stopped = true;
          return;
      }
    }
    throw std::logic_error("next() did not run out of events");
  };

  std::string buffer;
  before_feed();
  for (std::string_view piece : wire::test::cut(input, split)) {
    buffer += piece;
    if (stopped) continue;
    // Bounded: every round either consumes bytes or stops.
    for (int guard = 0; guard < 1'000'000; ++guard) {
      std::size_t n = parser.feed(buffer);
      drain();
      buffer.erase(0, n);
      if (n == 0 || stopped) break;
    }
  }
  if (eof && !stopped) {
    parser.feed_eof();
    drain();
  }
  out.rest = buffer;
  return out;
}

}  // namespace

Run run_requests(std::string_view input, Split split, bool eof, const ParserLimits& limits) {
  RequestParser parser(limits);
  return run(parser, input, split, eof, [] {});
}

Run run_responses(std::string_view input, Split split, bool eof, const ParserLimits& limits,
                  std::vector<std::string> methods) {
  ResponseParser parser(limits);
  // The client tells the parser the method of each request before its response: the first
  // before anything is fed, the next after each final response (1xx ones share the method).
  std::size_t next_method = 0;
  bool first = true;
  auto on_end = [&] {
    if (!first) {
      int status = parser.response().status;
      if (status < 200 && status != 101) return;
      ++next_method;
    }
    first = false;
    if (next_method < methods.size()) parser.expect_response_to(methods[next_method]);
  };
  return run(parser, input, split, eof, on_end);
}

std::string error_line(Errc code) { return "error: " + make_error_code(code).message(); }

}  // namespace wire::http::test
