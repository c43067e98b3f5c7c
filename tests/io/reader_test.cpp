// SPDX-License-Identifier: MIT
// io::next_event: the one loop between a stream and a sans-I/O codec, with a toy codec whose
// events are the ';'-terminated words of its input.
#include "wire/io/reader.hpp"

#include <string>
#include <vector>

#include "io_helpers.hpp"

namespace {

using namespace wire::test::io;
using wire::net::InputBuffer;

// Words ended by ';', at most 8 bytes each; feed() takes one word at a time (a codec may stop
// early), feed_eof() makes a pending word an error and otherwise changes nothing.
class WordCodec {
 public:
  enum class Kind { need_more, word, error };
  struct Event {
    Kind kind = Kind::need_more;
    std::string word;
  };
  std::size_t feed(std::span<const std::byte> bytes) {
    if (paused || error_ || ready_) return 0;
    std::string_view s(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == ';') {
        ready_ = true;
        return i + 1;
      }
      partial_ += s[i];
      if (partial_.size() > 8) error_ = true;
      if (error_) return i + 1;
    }
    return s.size();
  }
  void feed_eof() {
    if (!partial_.empty()) error_ = true;
  }
  Event next() {
    if (paused) return {};
    if (error_) return {Kind::error, {}};
    if (!ready_) return {};
    ready_ = false;
    return {Kind::word, std::exchange(partial_, {})};
  }
  bool paused = false;  // like a parser after an upgrade its caller did not continue

 private:
  std::string partial_;
  bool ready_ = false;
  bool error_ = false;
};
static_assert(wire::io::PullCodec<WordCodec>);

// Every word of the stream and how it ended.
Task<std::vector<std::string>> words(Stream& s, InputBuffer& in, WordCodec& codec, std::error_code& ec) {
  std::vector<std::string> out;
  for (;;) {
    WordCodec::Event ev = co_await wire::io::next_event(codec, in, s, ec);
    if (ev.kind != WordCodec::Kind::word) {
      out.push_back(ev.kind == WordCodec::Kind::error ? "error" : "need_more");
      co_return out;
    }
    out.push_back(ev.word);
  }
}

TEST(NextEvent, EventsFromTheBufferThenFromTheStream) {
  run_bounded([]() -> Task<void> {
    auto [a, b] = co_await stream_pair();
    co_await a.write_all(bytes_of("one;two;thr"));
    co_await a.write_all(bytes_of("ee;"));
    a.shutdown_write();
    InputBuffer in(4);  // small: words arrive in pieces
    WordCodec codec;
    std::error_code ec;
    auto got = co_await words(b, in, codec, ec);
    EXPECT_EQ(got, (std::vector<std::string>{"one", "two", "three", "need_more"}));
    EXPECT_EQ(ec, wire::Errc::unexpected_eof);  // ended cleanly between words
  }());
}

TEST(NextEvent, TheEndInsideAnEventIsTheCodecsError) {
  run_bounded([]() -> Task<void> {
    auto [a, b] = co_await stream_pair();
    co_await a.write_all(bytes_of("one;tw"));
    a.shutdown_write();
    InputBuffer in;
    WordCodec codec;
    std::error_code ec;
    auto got = co_await words(b, in, codec, ec);
    EXPECT_EQ(got, (std::vector<std::string>{"one", "error"}));
    EXPECT_FALSE(ec);  // the codec said it: an event, not a read error
  }());
}

TEST(NextEvent, AReadErrorComesBackInEc) {
  run_bounded([]() -> Task<void> {
    auto [a, b] = co_await stream_pair();
    b.set_read_timeout(50ms);
    co_await a.write_all(bytes_of("one;"));
    InputBuffer in;
    WordCodec codec;
    std::error_code ec;
    auto got = co_await words(b, in, codec, ec);
    EXPECT_EQ(got, (std::vector<std::string>{"one", "need_more"}));
    EXPECT_EQ(ec, std::errc::timed_out);
  }());
}

// A codec that takes nothing and says nothing (its caller left it paused) stops the loop
// instead of making it read for ever.
TEST(NextEvent, ACodecThatTakesNothingStopsTheLoop) {
  run_bounded([]() -> Task<void> {
    auto [a, b] = co_await stream_pair();
    co_await a.write_all(bytes_of("one;two;"));
    InputBuffer in;
    WordCodec codec;
    codec.paused = true;
    std::error_code ec;
    auto ev = co_await wire::io::next_event(codec, in, b, ec);
    EXPECT_EQ(ev.kind, WordCodec::Kind::need_more);
    EXPECT_EQ(ec, std::errc::protocol_error);
    EXPECT_EQ(in.view(), "one;two;");  // read once, then stopped: nothing was taken
  }());
}

}  // namespace
