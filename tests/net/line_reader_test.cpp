// SPDX-License-Identifier: MIT
// InputBuffer and lines: where a line ends under each LineEnd rule, at every split of the
// input, and net::read_line over a blocking socket pair.
#include "wire/net/line_reader.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "wire/net/socket.hpp"

namespace wire::net {
namespace {

using Status = LineScan::Status;

std::span<const std::byte> bytes_of(std::string_view s) { return std::as_bytes(std::span(s)); }

// --- InputBuffer ------------------------------------------------------------------------------

TEST(InputBuffer, ReadCommitConsume) {
  InputBuffer in(8);
  EXPECT_TRUE(in.empty());
  auto room = in.space();
  ASSERT_EQ(room.size(), 8u);
  std::memcpy(room.data(), "abcdef", 6);
  in.commit(6);
  EXPECT_EQ(in.view(), "abcdef");
  in.consume(4);
  EXPECT_EQ(in.view(), "ef");
  // Only 2 bytes of room are left at the end; the next space() moves "ef" to the front.
  EXPECT_EQ(in.space().size(), 2u);
  in.commit(0);
  std::memcpy(in.space().data(), "gh", 2);
  in.commit(2);
  EXPECT_EQ(in.view(), "efgh");
  EXPECT_EQ(in.space().size(), 4u);
  EXPECT_EQ(in.view(), "efgh");  // moved, not changed
  in.consume(4);
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(in.space().size(), 8u);  // empty: from the front again
}

TEST(InputBuffer, FullMeansNoRoomUntilReserved) {
  InputBuffer in(4);
  in.append(bytes_of("abcd"));
  EXPECT_EQ(in.space().size(), 0u);
  in.reserve(10);
  EXPECT_EQ(in.capacity(), 10u);
  EXPECT_EQ(in.view(), "abcd");
  EXPECT_EQ(in.space().size(), 6u);
  in.append(bytes_of("efghijklmn"));  // more than the room: grows
  EXPECT_EQ(in.view(), "abcdefghijklmn");
}

TEST(InputBuffer, TakeUnreadAndRelease) {
  InputBuffer in(32);
  in.append(bytes_of("220 go ahead\r\nEHLO"));
  in.consume(14);
  EXPECT_EQ(in.take_unread(), "EHLO");
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(in.take_unread(), "");
  in.append(bytes_of("x"));
  in.release();  // not empty: kept
  EXPECT_EQ(in.view(), "x");
  in.consume(1);
  in.release();
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(in.space().size(), 32u);  // allocated again
}

// --- scan_line --------------------------------------------------------------------------------

struct Case {
  std::string_view input;
  std::size_t max;
  LineEnd end;
  Status status;
  std::size_t length = 0;
  std::size_t consumed = 0;
};

TEST(ScanLine, Rules) {
  const Case cases[] = {
      {"USER anna\r\nPASS x\r\n", 512, LineEnd::crlf, Status::line, 9, 11},
      {"\r\n", 512, LineEnd::crlf, Status::line, 0, 2},
      {"USER anna", 512, LineEnd::crlf, Status::need_more},
      {"USER anna\r", 512, LineEnd::crlf, Status::need_more},
      {"USER anna\n", 512, LineEnd::crlf, Status::bad_line_ending},
      {"USER\nanna\r\n", 512, LineEnd::crlf, Status::bad_line_ending},
      {"USER\ranna\r\n", 512, LineEnd::crlf, Status::bad_line_ending},
      {"USER anna\r\r\n", 512, LineEnd::crlf, Status::bad_line_ending},
      {"12345\r\n", 5, LineEnd::crlf, Status::line, 5, 7},
      {"123456\r\n", 5, LineEnd::crlf, Status::too_long},
      {"12345", 5, LineEnd::crlf, Status::need_more},
      {"12345\r", 5, LineEnd::crlf, Status::need_more},
      {"123456", 5, LineEnd::crlf, Status::too_long},
      {"123456\n", 5, LineEnd::crlf, Status::too_long},  // too long first, whatever ends it
      {"220 ok\r\n", 512, LineEnd::lf, Status::line, 6, 8},
      {"220 ok\n", 512, LineEnd::lf, Status::line, 6, 7},
      {"220 \rok\n", 512, LineEnd::lf, Status::line, 7, 8},  // a CR inside stays
      {"220 ok\r", 512, LineEnd::lf, Status::need_more},
      {"12345\r\n", 5, LineEnd::lf, Status::line, 5, 7},
      {"12345\r", 5, LineEnd::lf, Status::need_more},
      {"123456", 5, LineEnd::lf, Status::too_long},
      {"123456\n", 5, LineEnd::lf, Status::too_long},
      {"", 5, LineEnd::lf, Status::need_more},
      {"", 5, LineEnd::crlf, Status::need_more},
  };
  for (const Case& c : cases) {
    LineScan s = scan_line(c.input, c.max, c.end);
    SCOPED_TRACE(testing::Message() << "input \"" << c.input << "\" max " << c.max);
    EXPECT_EQ(s.status, c.status);
    if (c.status == Status::line) {
      EXPECT_EQ(s.length, c.length);
      EXPECT_EQ(s.consumed, c.consumed);
    }
  }
}

// A prefix of a valid line is need_more, never an error: the verdict waits for the bytes.
TEST(ScanLine, EveryPrefixOfALineNeedsMore) {
  std::string line = "RETR my file.txt\r\n";
  for (std::size_t n = 0; n + 1 < line.size(); ++n) {
    EXPECT_EQ(scan_line(std::string_view(line).substr(0, n), 100, LineEnd::crlf).status, Status::need_more) << n;
    EXPECT_EQ(scan_line(std::string_view(line).substr(0, n), 100, LineEnd::lf).status, Status::need_more) << n;
  }
}

// --- read_line over a blocking socket ---------------------------------------------------------

TEST(ReadLine, LinesArriveInAnyPiecesAndWhatFollowsStaysBuffered) {
  auto [a, b] = socket_pair();
  b.set_timeout(std::chrono::seconds(10));
  std::string input = "first\r\nsecond line\r\n\r\nlast";
  std::thread writer([&, &a = a] {
    for (char c : input) a.send_all(std::string_view(&c, 1));  // one byte per send
    a.shutdown(Shutdown::write);
  });
  InputBuffer in(8);  // smaller than a line: the buffer grows up to the limit
  std::vector<std::string> lines;
  EXPECT_EQ(read_line(b, in, 64), "first");
  EXPECT_EQ(read_line(b, in, 64), "second line");
  EXPECT_EQ(read_line(b, in, 64), "");
  try {
    read_line(b, in, 64);
    ADD_FAILURE() << "no error for a line cut by the end of the stream";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), Errc::unexpected_eof);
  }
  writer.join();
}

TEST(ReadLine, EndBetweenLinesIsNoLineAndErrorsAreNamed) {
  {
    auto [a, b] = socket_pair();
    a.send_all("one\r\n");
    a.shutdown(Shutdown::write);
    InputBuffer in;
    EXPECT_EQ(read_line(b, in, 64), "one");
    EXPECT_EQ(read_line(b, in, 64), std::nullopt);
  }
  {
    auto [a, b] = socket_pair();
    a.send_all(std::string(100, 'x') + "\r\n");
    InputBuffer in(16);
    try {
      read_line(b, in, 64);
      ADD_FAILURE() << "no error for a long line";
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), Errc::limit_exceeded);
      EXPECT_STREQ(e.what(), "read_line: a line longer than 64 bytes: size limit exceeded");
    }
    EXPECT_LE(in.capacity(), 66u);  // grown to the limit, no further
  }
  {
    auto [a, b] = socket_pair();
    a.send_all("MAIL FROM:<a>\n.\r\n");
    InputBuffer in;
    try {
      read_line(b, in, 64);
      ADD_FAILURE() << "no error for a bare LF";
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), Errc::bad_line_ending);
    }
    EXPECT_EQ(read_line(b, in, 64, LineEnd::lf), "MAIL FROM:<a>");  // the tolerant rule reads it
  }
}

}  // namespace
}  // namespace wire::net
