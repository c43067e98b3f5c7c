// SPDX-License-Identifier: MIT
// Fuzzes the chunked transfer coding (RFC 9112 §7.1) as both parsers decode it: the input is
// the body of a chunked request and of a chunked response. Fed whole, byte by byte and at
// cut points, the transcript is the same; and a body the parser accepts to its end is one the
// RFC's grammar accepts, decoding to the same bytes: a parser that reads chunk boundaries
// differently from another HTTP agent is how requests are smuggled.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_input.hpp"
#include "transcript.hpp"

using namespace wire::http;

namespace {

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// The data of a chunked body by RFC 9112 §7.1's grammar, read plainly: chunk-size
// (1*HEXDIG), any chunk extensions up to CRLF (their grammar is not checked here: only where
// the line ends matters for framing), the data and its CRLF; the last chunk, trailer lines,
// and the empty line. nullopt if the bytes are not such a body or it does not end in them.
std::optional<std::string> decode_chunked(std::string_view in) {
  std::string out;
  std::size_t i = 0;
  auto line_end = [&](std::size_t from) -> std::optional<std::size_t> {
    for (std::size_t j = from; j < in.size(); ++j) {
      if (in[j] == '\n') return std::nullopt;  // a bare LF
      if (in[j] == '\r') {
        if (j + 1 < in.size() && in[j + 1] == '\n') return j;
        return std::nullopt;  // a bare CR, or the input ends inside the line
      }
    }
    return std::nullopt;
  };
  for (;;) {
    std::uint64_t size = 0;
    std::size_t digits = 0;
    while (i < in.size() && is_hex(in[i])) {
      if (size >> 60) return std::nullopt;  // beyond 64 bits: no agent can agree on it
      char c = in[i++];
      size = size * 16 + static_cast<std::uint64_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
      ++digits;
    }
    if (digits == 0) return std::nullopt;
    auto eol = line_end(i);
    if (!eol) return std::nullopt;
    i = *eol + 2;
    if (size == 0) break;
    if (size > in.size() - i) return std::nullopt;
    out.append(in.substr(i, size));
    i += size;
    if (in.substr(i, 2) != "\r\n") return std::nullopt;
    i += 2;
  }
  // Trailer fields, then the empty line.
  for (;;) {
    auto eol = line_end(i);
    if (!eol) return std::nullopt;
    bool empty = *eol == i;
    i = *eol + 2;
    if (empty) return out;
  }
}

// The first message of `in` through `parser`: whether it ended, its body's data, and how
// many bytes of `in` it took (feed() stops at the end of each message).
struct First {
  bool ended = false;
  std::string data;
  std::size_t consumed = 0;
};

template <typename Parser>
First first_message(Parser& parser, std::string_view in) {
  First out;
  for (int round = 0; round < 1'000'000; ++round) {
    std::size_t n = parser.feed(in.substr(out.consumed));
    for (Event ev = parser.next(); ev.kind != EventKind::need_more; ev = parser.next()) {
      if (ev.kind == EventKind::data) out.data += ev.data;
      if (ev.kind == EventKind::end) out.ended = true;
      if (ev.kind == EventKind::error || ev.kind == EventKind::upgrade) return out;
    }
    out.consumed += n;
    if (out.ended || n == 0) return out;
  }
  wire::fuzz::violated("feed() kept consuming without an end");
}

template <typename Parser, typename Run>
void check(std::string_view head, std::string_view body, Run run) {
  using test::Split;
  std::string in = std::string(head) + std::string(body);
  auto whole = run(in, Split{Split::whole, 0});
  if (run(in, Split{Split::bytewise, 0}).lines != whole.lines) wire::fuzz::violated("byte by byte differs from whole");
  if (run(in, Split{Split::random, body.size()}).lines != whole.lines) wire::fuzz::violated("random cuts differ from whole");

  Parser parser;
  First first = first_message(parser, in);
  if (!first.ended) return;
  if (first.consumed < head.size()) wire::fuzz::violated("the message ended inside its head");
  auto reference = decode_chunked(body.substr(0, first.consumed - head.size()));
  if (!reference) wire::fuzz::violated("the parser accepted a chunked body the RFC grammar refuses");
  if (*reference != first.data) wire::fuzz::violated("the parser decoded other bytes than the grammar does");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  check<RequestParser>("POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", body,
                       [](std::string_view in, test::Split split) { return test::run_requests(in, split); });
  check<ResponseParser>("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", body,
                        [](std::string_view in, test::Split split) { return test::run_responses(in, split); });
  return 0;
}
