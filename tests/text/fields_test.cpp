// SPDX-License-Identifier: MIT
// Header field sections of mail and MIME: folding on the way out, unfolding on the way in.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "wire/text/fields.hpp"

namespace wire::text {
namespace {

std::string field(std::string_view name, std::string_view value, std::size_t width = 78) {
  std::string out;
  append_field(out, name, value, width);
  return out;
}

TEST(AppendField, ShortValuesStayOnOneLine) {
  EXPECT_EQ(field("Subject", "Weekly report"), "Subject: Weekly report\r\n");
  EXPECT_EQ(field("X-Empty", ""), "X-Empty: \r\n");
}

TEST(AppendField, FoldsBeforeWhiteSpaceAt78) {
  std::string value;
  for (int i = 0; i < 12; ++i) value += (i ? " " : "") + std::string("word") + std::to_string(i);
  // "To: " + words; each line at most 78 and every break before a space (RFC 5322 §2.2.3).
  std::string out = field("To", value + " " + value, 30);
  EXPECT_EQ(out,
            "To: word0 word1 word2 word3\r\n word4 word5 word6 word7 word8\r\n word9 word10 word11 word0\r\n"
            " word1 word2 word3 word4 word5\r\n word6 word7 word8 word9\r\n word10 word11\r\n");
  // Unfolding (removing each CRLF) gives the field back.
  std::string unfolded;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out.compare(i, 2, "\r\n") == 0 && i + 2 < out.size()) {
      ++i;
      continue;
    }
    unfolded += out[i];
  }
  EXPECT_EQ(unfolded, "To: " + value + " " + value + "\r\n");
}

TEST(AppendField, LongWordIsNotCutAndNoLineIsOnlySpace) {
  std::string word(100, 'x');
  EXPECT_EQ(field("A", word + "   b", 78), "A: " + word + "\r\n   b\r\n");
  EXPECT_EQ(field("A", "b   ", 5), "A: b   \r\n");  // trailing space stays: no line of white space only
  EXPECT_EQ(field("A", word, 0), "A: " + word + "\r\n");  // width 0: no folding
}

TEST(AppendField, RefusesWhatWouldBreakTheLine) {
  std::string out = "kept";
  for (std::string_view bad : {std::string_view("a\r\nBcc: x"), std::string_view("a\nb"), std::string_view("a\rb"),
                               std::string_view("a\0b", 3), std::string_view("a\x01" "b")}) {
    EXPECT_THROW(append_field(out, "Subject", bad), std::invalid_argument) << bad;
  }
  EXPECT_THROW(append_field(out, "Bad Name", "v"), std::invalid_argument);
  EXPECT_THROW(append_field(out, "Na:me", "v"), std::invalid_argument);
  EXPECT_THROW(append_field(out, "", "v"), std::invalid_argument);
  // RFC 5322 §2.1.1: no line over 998 octets, even if a word is that long.
  EXPECT_THROW(append_field(out, "A", std::string(996, 'x'), 78), std::invalid_argument);
  EXPECT_NO_THROW(append_field(out, "A", std::string(995, 'x'), 78));
  EXPECT_EQ(out.substr(0, 4), "kept");
  EXPECT_EQ(out.size(), 4 + 3 + 995 + 2);  // nothing half-written by the failures
}

TEST(FieldParser, UnfoldsTrimsAndStopsAfterTheEmptyLine) {
  FieldParser p;
  std::string in = "Subject: a\r\n  folded\r\n\tline  \r\nX-Empty:\r\nName  : obsolete space\r\n\r\nbody";
  EXPECT_EQ(p.feed(in), in.size() - 4);
  ASSERT_TRUE(p.done());
  EXPECT_FALSE(p.error());
  EXPECT_EQ(p.fields(), (Headers{{"Subject", "a  folded\tline  "}, {"X-Empty", ""}, {"Name", "obsolete space"}}));
  EXPECT_EQ(p.feed("more"), 0u);
}

TEST(FieldParser, ByteByByteWithLfLineEnds) {
  FieldParser p;
  std::string in = "A: 1\nB: 2\n 3\n\nbody";
  std::size_t used = 0;
  for (std::size_t i = 0; i < in.size() && !p.done(); ++i) used += p.feed(in.substr(i, 1));
  EXPECT_EQ(used, in.size() - 4);
  EXPECT_EQ(p.fields(), (Headers{{"A", "1"}, {"B", "2 3"}}));
}

TEST(FieldParser, EndOfInputAfterCompleteLinesIsASectionWithoutBody) {
  FieldParser p;
  p.feed("A: 1\r\n");
  p.finish();
  EXPECT_TRUE(p.done());
  EXPECT_EQ(p.fields().get("A"), "1");
  FieldParser q;
  q.feed("A: 1\r\nB");
  q.finish();
  EXPECT_FALSE(q.done());
  EXPECT_EQ(q.error(), FieldErrc::truncated);
}

TEST(FieldParser, ErrorsAreNamedAndSticky) {
  for (std::string_view bad : {"no colon\r\n", " leading\r\n", ": x\r\n", "A b: x\r\n", "A: x\ry\r\n"}) {
    FieldParser p;
    p.feed(bad);
    EXPECT_EQ(p.error(), FieldErrc::bad_field_line) << bad;
    EXPECT_EQ(p.feed("A: 1\r\n\r\n"), 0u);
    EXPECT_EQ(p.error(), FieldErrc::bad_field_line);
  }
  FieldParser nul;
  nul.feed(std::string_view("A: \0\r\n", 6));
  EXPECT_EQ(nul.error(), FieldErrc::bad_field_line);
}

TEST(FieldParser, Limits) {
  FieldParser ok(FieldLimits{10, 2});
  ok.feed("A: 12345\r\n\r\n");  // 10 bytes; the empty line does not count
  EXPECT_TRUE(ok.done());
  FieldParser big(FieldLimits{10, 2});
  big.feed("A: 123456\r\n\r\n");
  EXPECT_EQ(big.error(), FieldErrc::section_too_large);
  FieldParser endless(FieldLimits{10, 2});
  for (int i = 0; i < 20 && !endless.error(); ++i) endless.feed("xxxxx");  // a line that never ends
  EXPECT_EQ(endless.error(), FieldErrc::section_too_large);
  FieldParser many(FieldLimits{100, 2});
  many.feed("A: 1\r\nB: 2\r\nC: 3\r\n\r\n");
  EXPECT_EQ(many.error(), FieldErrc::too_many_fields);
  EXPECT_EQ(make_error_code(FieldErrc::too_many_fields).message(), "too many header fields");
}

TEST(FieldParser, ResetReadsASecondSection) {
  FieldParser p;
  p.feed("A: 1\r\n\r\n");
  p.reset();
  EXPECT_FALSE(p.done());
  p.feed("B: 2\r\n\r\n");
  EXPECT_EQ(p.fields(), (Headers{{"B", "2"}}));
}

}  // namespace
}  // namespace wire::text
