// SPDX-License-Identifier: MIT
// Encoded-words (RFC 2047), quoted-printable (RFC 2045 §6.7), charsets and parameters (RFC
// 2231): exact vectors, and round trips over random text.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "wire/mime/charset.hpp"
#include "wire/mime/content_disposition.hpp"
#include "wire/mime/content_type.hpp"
#include "wire/mime/encoded_word.hpp"
#include "wire/mime/parameters.hpp"
#include "wire/mime/quoted_printable.hpp"
#include "wire/text/fields.hpp"

namespace wire::mime {
namespace {

// Random UTF-8 text: ASCII letters and spaces, Latin-1 letters, CJK, emoji, '=' and '?'.
std::string random_utf8(std::mt19937_64& rng, std::size_t chars) {
  static const char* kPieces[] = {"a", "Z", " ", " ", "ä", "ß", "é", "東", "京", "😀", "=", "?", "_", "-", ".", "\t"};
  std::string s;
  for (std::size_t i = 0; i < chars; ++i) s += kPieces[rng() % std::size(kPieces)];
  return s;
}

// --- charsets --------------------------------------------------------------------------------

TEST(Charset, Utf8Validation) {
  EXPECT_TRUE(is_utf8("plain ascii"));
  EXPECT_TRUE(is_utf8("Grüße 東京 😀"));
  EXPECT_FALSE(is_utf8("\xc3"));              // cut short
  EXPECT_FALSE(is_utf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(is_utf8("\xed\xa0\x80"));      // a surrogate
  EXPECT_FALSE(is_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_utf8("\xff"));
}

TEST(Charset, Conversions) {
  EXPECT_EQ(to_utf8("Gr\xfc\xdf" "e", "ISO-8859-1"), "Grüße");
  EXPECT_EQ(to_utf8("\xa4", "latin9"), "€");
  EXPECT_EQ(to_utf8("\x80\x93\x94", "windows-1252"), "€“”");
  EXPECT_EQ(to_utf8("caf\xe9", "us-ascii"), "caf\xef\xbf\xbd");  // U+FFFD
  EXPECT_EQ(to_utf8("ok\xff", "UTF8"), "ok\xef\xbf\xbd");
  EXPECT_EQ(to_utf8("x", "koi8-r"), std::nullopt);
  EXPECT_TRUE(is_known_charset("Latin1"));
  EXPECT_FALSE(is_known_charset("shift_jis"));
}

// --- encoded-words ---------------------------------------------------------------------------

TEST(EncodedWord, DecodesBAndQInTheCommonCharsets) {
  EXPECT_EQ(decode_word("=?utf-8?q?Gr=C3=BC=C3=9Fe_aus?=")->text, "Grüße aus");
  EXPECT_EQ(decode_word("=?UTF-8?B?R3LDvMOfZQ==?=")->text, "Grüße");
  EXPECT_EQ(decode_word("=?utf-8?b?R3LDvMOfZQ?=")->text, "Grüße");  // unpadded, as some write it
  EXPECT_EQ(decode_word("=?ISO-8859-1?Q?Gr=FC=DFe?=")->text, "Grüße");
  EXPECT_EQ(decode_word("=?us-ascii*en?q?hello?=")->text, "hello");  // RFC 2231 §5 language
  auto unknown = decode_word("=?koi8-r?b?8NLJ18XU?=");
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(unknown->known_charset);
  EXPECT_EQ(unknown->charset, "koi8-r");
  EXPECT_EQ(unknown->text, "\xf0\xd2\xc9\xd7\xc5\xd4");
  EXPECT_EQ(decode_word(""), std::nullopt);  // found by fuzz_encoded_word
  for (auto bad : {"=?utf-8?x?abc?=", "=?utf-8?q?a b?=", "=??q?a?=", "=?utf-8?b?!!!?=", "plain", "=?utf-8?q?a?"}) {
    EXPECT_EQ(decode_word(bad), std::nullopt) << bad;
  }
}

TEST(EncodedWord, DecodesFieldValues) {
  EXPECT_EQ(decode_words("Re: =?utf-8?q?Gr=C3=BC=C3=9Fe?= =?utf-8?b?IGF1cw==?=").text, "Re: Grüße aus");
  EXPECT_EQ(decode_words("=?utf-8?q?a?=  \t =?utf-8?q?b?= c").text, "ab c");  // §6.2
  EXPECT_EQ(decode_words("=?utf-8?q?a?==?utf-8?q?b?=").text, "ab");           // written together
  EXPECT_EQ(decode_words("x=?utf-8?q?a?= =?bad").text, "x=?utf-8?q?a?= =?bad");
  DecodedText d = decode_words("=?koi8-r?q?=F0?= and =?utf-8?q?=C3=A4?=");
  EXPECT_EQ(d.unknown_charset, "koi8-r");
  EXPECT_EQ(d.text, "\xf0 and ä");
}

TEST(EncodedWord, EncodesOnlyWhatNeedsIt) {
  EXPECT_EQ(encode_unstructured("Weekly report", 7), "Weekly report");
  // B or Q, whichever is shorter; neighbouring words that need it share a segment.
  EXPECT_EQ(encode_unstructured("Grüße aus Köln", 7), "=?utf-8?b?R3LDvMOfZQ==?= aus =?utf-8?b?S8O2bG4=?=");
  EXPECT_EQ(encode_unstructured("Ärger über-alles-hinaus", 7), "=?utf-8?q?=C3=84rger_=C3=BCber-alles-hinaus?=");
  EXPECT_EQ(encode_unstructured("a =?x?q?y?= b", 7), "a =?utf-8?b?PT94P3E/eT89?= b");
  EXPECT_EQ(encode_unstructured("tab\there", 7), "tab\there");
  EXPECT_EQ(encode_unstructured("bell\x07", 7), "=?utf-8?q?bell=07?=");
  EXPECT_THROW(encode_unstructured("a\r\nBcc: x", 7), std::invalid_argument);
  EXPECT_THROW(encode_unstructured("latin1 \xfc", 7), std::invalid_argument);
  EXPECT_EQ(encode_phrase("John Smith", 2), "John Smith");
  EXPECT_EQ(encode_phrase("Smith, John", 2), "\"Smith, John\"");
  EXPECT_EQ(encode_phrase("say \"hi\"", 2), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(encode_phrase("Anna Müller", 4), "=?utf-8?q?Anna_M=C3=BCller?=");
  EXPECT_EQ(encode_phrase("", 4), "");
}

// Random text through the encoder, the folding and the decoder: the same text comes back, every
// line fits 78 columns, and each encoded-word holds whole UTF-8 characters.
TEST(EncodedWord, RoundTripsAndFoldsAt78) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 500; ++round) {
    std::string subject = random_utf8(rng, rng() % 120);
    // Leading and trailing white space is not kept by readers (values are trimmed).
    while (!subject.empty() && (subject.front() == ' ' || subject.front() == '\t')) subject.erase(0, 1);
    while (!subject.empty() && (subject.back() == ' ' || subject.back() == '\t')) subject.pop_back();
    std::string value = encode_unstructured(subject, 7);
    std::string line;
    text::append_field(line, "Subject", value, 78);
    std::string unfolded;
    std::size_t start = 0;
    while (start < line.size()) {
      std::size_t eol = line.find("\r\n", start);
      ASSERT_NE(eol, std::string::npos);
      EXPECT_LE(eol - start, 78u) << line;
      unfolded += line.substr(start, eol - start);
      start = eol + 2;
    }
    EXPECT_EQ(decode_words(unfolded.substr(9)).text, subject) << line;
    for (std::size_t w = value.find("=?"); w != std::string::npos; w = value.find("=?", w + 2)) {
      std::size_t end = value.find("?=", w + 10);
      auto word = decode_word(value.substr(w, end + 2 - w));
      ASSERT_TRUE(word) << value;
      EXPECT_TRUE(is_utf8(word->text)) << value;
      EXPECT_LE(end + 2 - w, 75u);
      w = end;
    }
  }
}

// --- quoted-printable ------------------------------------------------------------------------

TEST(QuotedPrintable, EncodesRfc2045Rules) {
  EXPECT_EQ(quoted_printable_encode("Grüße\r\n"), "Gr=C3=BC=C3=9Fe\r\n");
  EXPECT_EQ(quoted_printable_encode("a=b\r\n"), "a=3Db\r\n");
  EXPECT_EQ(quoted_printable_encode("trailing \r\ntab\t\r\nend "), "trailing=20\r\ntab=09\r\nend=20");
  EXPECT_EQ(quoted_printable_encode(".\r\n..\r\n"), ".\r\n..\r\n");
  std::string long_line(100, 'x');
  EXPECT_EQ(quoted_printable_encode(long_line + "\r\n"), std::string(75, 'x') + "=\r\n" + std::string(25, 'x') + "\r\n");
  EXPECT_EQ(quoted_printable_encode(std::string(76, 'x')), std::string(76, 'x'));  // the last line needs no '='
  // A soft break never splits an =XX.
  std::string e = quoted_printable_encode(std::string(74, 'x') + "é");
  EXPECT_EQ(e, std::string(74, 'x') + "=\r\n=C3=A9");
}

TEST(QuotedPrintable, DecodesInPieces) {
  const std::string encoded = "Gr=C3=BC=\r\n=C3=9Fe  \r\nsoft =  \r\nbreak\r\nstray = and =4 and =zz\nlf\n=\n";
  const std::string expected = "Grüße\r\nsoft break\r\nstray = and =4 and =zz\nlf\n";
  for (std::size_t piece : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7}, encoded.size()}) {
    QuotedPrintableDecoder dec;
    std::string out;
    for (std::size_t i = 0; i < encoded.size(); i += piece) dec.update(std::string_view(encoded).substr(i, piece), out);
    dec.finish(out);
    EXPECT_EQ(out, expected) << "pieces of " << piece;
  }
}

TEST(QuotedPrintable, RoundTripsRandomBytesAndKeepsLinesShort) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::string text;
    std::size_t n = rng() % 400;
    for (std::size_t i = 0; i < n; ++i) {
      auto r = rng() % 10;
      text += r == 0 ? std::string("\r\n") : r == 1 ? std::string(" ") : std::string(1, static_cast<char>(rng() % 256));
    }
    // Bare CR and LF are not line breaks to the encoder (they are =0D, =0A), so any bytes round-trip.
    std::string encoded = quoted_printable_encode(text);
    std::size_t start = 0;
    while (start < encoded.size()) {
      std::size_t eol = encoded.find("\r\n", start);
      if (eol == std::string::npos) eol = encoded.size();
      EXPECT_LE(eol - start, 76u);
      start = eol + 2;
    }
    for (char c : encoded) EXPECT_TRUE(c == '\r' || c == '\n' || c == '\t' || (c >= 32 && c < 127)) << static_cast<int>(c);
    QuotedPrintableDecoder dec;
    std::string out;
    dec.update(encoded, out);
    dec.finish(out);
    EXPECT_EQ(out, text);
  }
}

// --- parameters ------------------------------------------------------------------------------

TEST(Parameters, ParsesQuotedTokensCommentsAndRfc2231) {
  auto p = Parameters::parse("; charset=\"utf-8\" (a comment); Format=flowed ;bare; q=\"a\\\"b\";");
  EXPECT_EQ(p.get("charset"), "utf-8");
  EXPECT_EQ(p.get("FORMAT"), "flowed");
  EXPECT_EQ(p.get("q"), "a\"b");
  EXPECT_EQ(p.get("bare"), std::nullopt);
  auto f = Parameters::parse("; filename*0*=utf-8''R%C3%A9sum%C3%A9%20tr; filename*1=\"es long\"; filename*2*=.pdf");
  EXPECT_EQ(f.get("filename"), "Résumé tres long.pdf");
  auto latin = Parameters::parse("; title*=iso-8859-1'fr'caf%E9");
  EXPECT_EQ(latin.get("title"), "café");
  // RFC 2231 wins over a plain value, and over a quoted RFC 2047 one.
  auto both = Parameters::parse("; filename=\"=?utf-8?q?x?=\"; filename*=utf-8''R%C3%A9.pdf");
  EXPECT_EQ(both.get("filename"), "Ré.pdf");
  EXPECT_EQ(Parameters::parse("; filename=\"=?utf-8?q?R=C3=A9.pdf?=\"").get("filename"), "Ré.pdf");
  // A gap in the sections ends the value.
  EXPECT_EQ(Parameters::parse("; n*0=a; n*2=c").get("n"), "a");
}

TEST(Parameters, FormatsShortQuotedAndLongInSections) {
  EXPECT_EQ(format_parameter("filename", "report.pdf"), "filename=\"report.pdf\"");
  EXPECT_EQ(format_parameter("filename", "Résumé.pdf"), "filename*=utf-8''R%C3%A9sum%C3%A9.pdf");
  // Found by fuzz_encoded_word: a name that looks like an encoded-word must not be read as one.
  EXPECT_EQ(format_parameter("filename", "=?utf-8?q?x?="), "filename*=utf-8''%3D%3Futf-8%3Fq%3Fx%3F%3D");
  EXPECT_EQ(Parameters::parse("; " + format_parameter("filename", "=?utf-8?q?x?=")).get("filename"), "=?utf-8?q?x?=");
  std::string name;
  for (int i = 0; i < 20; ++i) name += "Übersicht ";
  name += ".pdf";
  std::string f = format_parameter("filename", name);
  EXPECT_EQ(f.substr(0, 30), "filename*0*=utf-8''%C3%9Cbersi");
  // Each section fits a folded line, and the whole parses back.
  std::size_t start = 0;
  for (std::size_t semi = f.find("; "); ; semi = f.find("; ", start)) {
    std::string_view section = std::string_view(f).substr(start, (semi == std::string::npos ? f.size() : semi) - start);
    EXPECT_LE(section.size() + 1, 76u) << section;
    EXPECT_EQ(section.find("%", section.size() - 2), std::string_view::npos) << section;  // no %XX cut
    if (semi == std::string::npos) break;
    start = semi + 2;
  }
  EXPECT_EQ(Parameters::parse("; " + f).get("filename"), name);
  EXPECT_THROW(format_parameter("file name", "x"), std::invalid_argument);
  EXPECT_THROW(format_parameter("filename", "a\r\nb"), std::invalid_argument);
  EXPECT_THROW(format_parameter("filename", "\xff"), std::invalid_argument);
}

TEST(ContentType, ParseAndDefaults) {
  auto ct = ContentType::parse(" Text/HTML (comment) ; charset = \"UTF-8\"");
  ASSERT_TRUE(ct);
  EXPECT_EQ(ct->mime_type(), "text/html");
  EXPECT_EQ(ct->params.get("charset"), "UTF-8");
  EXPECT_EQ(ct->str(), "text/html; charset=\"UTF-8\"");
  EXPECT_FALSE(ContentType::parse("text"));
  EXPECT_FALSE(ContentType::parse("text/"));
  EXPECT_FALSE(ContentType::parse("text/plain junk"));
  auto cd = ContentDisposition::parse("Attachment; filename*=utf-8''%E6%9D%B1%E4%BA%AC.txt");
  ASSERT_TRUE(cd);
  EXPECT_TRUE(cd->is_attachment());
  EXPECT_EQ(cd->filename(), "東京.txt");
  EXPECT_EQ(guess_content_type("Report.PDF"), "application/pdf");
  EXPECT_EQ(guess_content_type("archive.tar.gz"), "application/gzip");
  EXPECT_EQ(guess_content_type("noext"), "application/octet-stream");
}

}  // namespace
}  // namespace wire::mime
