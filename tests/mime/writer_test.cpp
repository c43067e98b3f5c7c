// SPDX-License-Identifier: MIT
// MessageWriter: exact bytes, the line rules of RFC 5322 §2.1.1 on every message, refusal of
// CR, LF and NUL in every field, the choice of transfer encodings, attachments streamed from
// files (a 1 GiB one included), and what the parser reads back.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <string>
#include <system_error>

#include "support/random.hpp"
#include "support/temp_dir.hpp"
#include "wire/mime/message_writer.hpp"
#include "wire/mime/part.hpp"

namespace wire::mime {
namespace {

Message simple() {
  Message m;
  m.from = {"Anna Müller", "anna@example.com"};
  m.to = {{"Bob", "bob@example.org"}};
  m.subject = "Hello";
  m.date = 784111777;
  m.message_id = "<1@example.com>";
  m.text = "Hello Bob,\n.\n..\n";
  return m;
}

// Every line ends in CRLF, there is no other CR or LF, no line is longer than 998 octets and no
// header line longer than 78 (RFC 5322 §2.1.1).
void expect_well_formed(const std::string& msg) {
  std::size_t start = 0;
  bool header = true;
  while (start < msg.size()) {
    std::size_t eol = msg.find("\r\n", start);
    ASSERT_NE(eol, std::string::npos) << "the message does not end with CRLF";
    std::string_view line = std::string_view(msg).substr(start, eol - start);
    ASSERT_EQ(line.find_first_of("\r\n"), std::string_view::npos) << "bare CR or LF in: " << line;
    ASSERT_LE(line.size(), 998u);
    if (header) {
      EXPECT_LE(line.size(), 78u) << line;
    }
    if (line.empty()) header = false;
    start = eol + 2;
  }
}

TEST(MessageWriter, ExactSinglePart) {
  std::string msg = as_bytes(simple());
  EXPECT_EQ(msg,
            "Date: Sun, 06 Nov 1994 08:49:37 +0000\r\n"
            "From: =?utf-8?q?Anna_M=C3=BCller?= <anna@example.com>\r\n"
            "To: Bob <bob@example.org>\r\n"
            "Subject: Hello\r\n"
            "Message-ID: <1@example.com>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=\"utf-8\"\r\n"
            "Content-Transfer-Encoding: 7bit\r\n"
            "\r\n"
            "Hello Bob,\r\n.\r\n..\r\n");
  MessageWriter w(simple());
  EXPECT_EQ(w.size(), msg.size());
  EXPECT_EQ(w.message_id(), "<1@example.com>");
}

TEST(MessageWriter, ExactAlternativeWithAttachment) {
  Message m = simple();
  m.cc = {{"Smith, Carol", "carol@example.org"}};
  m.bcc = {{"", "hidden@example.net"}};
  m.subject = "Grüße aus Köln — the quarterly report of everything that happened this year";
  m.text = "Grüße\n";
  m.html = "<p>Hi</p>";
  m.headers.add("X-Mailer", "wire");
  m.attachments.push_back(Attachment::from_data("Résumé très long nom de fichier pour les continuations RFC 2231.pdf",
                                                std::string(60, 'x')));
  std::string msg = as_bytes(m, {"B"});
  EXPECT_EQ(msg,
            "Date: Sun, 06 Nov 1994 08:49:37 +0000\r\n"
            "From: =?utf-8?q?Anna_M=C3=BCller?= <anna@example.com>\r\n"
            "To: Bob <bob@example.org>\r\n"
            "Cc: \"Smith, Carol\" <carol@example.org>\r\n"
            "Subject: =?utf-8?b?R3LDvMOfZQ==?= aus =?utf-8?b?S8O2bG4g4oCU?= the quarterly\r\n"
            " report of everything that happened this year\r\n"
            "Message-ID: <1@example.com>\r\n"
            "X-Mailer: wire\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"B-2\"\r\n"
            "\r\n"
            "--B-2\r\n"
            "Content-Type: multipart/alternative; boundary=\"B-1\"\r\n"
            "\r\n"
            "--B-1\r\n"
            "Content-Type: text/plain; charset=\"utf-8\"\r\n"
            "Content-Transfer-Encoding: base64\r\n"  // shorter here than quoted-printable
            "\r\n"
            "R3LDvMOfZQ0K\r\n"
            "\r\n"
            "--B-1\r\n"
            "Content-Type: text/html; charset=\"utf-8\"\r\n"
            "Content-Transfer-Encoding: 7bit\r\n"
            "\r\n"
            "<p>Hi</p>\r\n"
            "\r\n"
            "--B-1--\r\n"
            "\r\n"
            "--B-2\r\n"
            "Content-Type: application/pdf\r\n"
            "Content-Transfer-Encoding: base64\r\n"
            "Content-Disposition: attachment;\r\n"
            " filename*0*=utf-8''R%C3%A9sum%C3%A9%20tr%C3%A8s%20long%20nom%20de%20fichier;\r\n"
            " filename*1*=%20pour%20les%20continuations%20RFC%202231.pdf\r\n"
            "\r\n"
            "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4\r\n"
            "eHh4\r\n"
            "\r\n"
            "--B-2--\r\n");
  MessageWriter w(m);
  EXPECT_EQ(w.recipients(), (std::vector<std::string>{"bob@example.org", "carol@example.org", "hidden@example.net"}));
  EXPECT_FALSE(w.needs_smtputf8());
  EXPECT_EQ(msg.find("hidden"), std::string::npos);  // Bcc is the envelope's, not the header's
}

TEST(MessageWriter, TransferEncodingsAreChosenByLength) {
  auto encoding_of = [](std::string text) {
    Message m = simple();
    m.text = std::move(text);
    Part p = parse_message(as_bytes(m));
    return std::string(p.info.transfer_encoding);
  };
  EXPECT_EQ(encoding_of("plain ASCII\n"), "7bit");
  EXPECT_EQ(encoding_of("Grüße, ça va? Mostly Latin text with a few accents.\n"), "quoted-printable");
  EXPECT_EQ(encoding_of("東京都の天気は晴れです。明日も晴れるでしょう。\n"), "base64");
  EXPECT_EQ(encoding_of(std::string(1200, 'a') + "\n"), "quoted-printable");  // over 998 octets a line
  EXPECT_EQ(encoding_of(std::string("nul\0byte\n", 9)), "quoted-printable");
  // The text reads back as it was, with CRLF line breaks and a last one added.
  Message m = simple();
  m.text = "one\rtwo\nthree\r\nfour";
  EXPECT_EQ(parse_message(as_bytes(m)).text(), "one\r\ntwo\r\nthree\r\nfour\r\n");
}

TEST(MessageWriter, RefusesCrLfNulInEveryField) {
  const std::string bad_values[] = {"x\r\nBcc: evil@example.com", "x\ny", "x\ry", std::string("x\0y", 3)};
  for (const std::string& bad : bad_values) {
    auto refused = [&](auto change) {
      Message m = simple();
      change(m);
      EXPECT_THROW(MessageWriter{m}, std::invalid_argument);
    };
    refused([&](Message& m) { m.from.name = bad; });
    refused([&](Message& m) { m.from.address = "a" + bad + "@example.com"; });
    refused([&](Message& m) { m.to.push_back({bad, "c@example.com"}); });
    refused([&](Message& m) { m.to.push_back({"", bad}); });
    refused([&](Message& m) { m.cc.push_back({"", "c" + bad + "@example.com"}); });
    refused([&](Message& m) { m.bcc.push_back({"", "c" + bad + "@example.com"}); });
    refused([&](Message& m) { m.reply_to.push_back({bad, "c@example.com"}); });
    refused([&](Message& m) { m.sender = Mailbox{bad, "c@example.com"}; });
    refused([&](Message& m) { m.subject = bad; });
    refused([&](Message& m) { m.message_id = "<a" + bad + "@b>"; });
    refused([&](Message& m) { m.headers.add("X-Test", bad); });
    refused([&](Message& m) { m.headers.add("X-" + bad, "v"); });
    refused([&](Message& m) { m.attachments.push_back(Attachment::from_data("a" + bad + ".txt", "x")); });
    refused([&](Message& m) { m.attachments.push_back(Attachment::from_data("a.txt", "x", "text/plain" + bad)); });
    refused([&](Message& m) {
      m.attachments.push_back(Attachment::from_data("a.txt", "x"));
      m.attachments.back().content_id = "<a" + bad + "@b>";
    });
  }
}

TEST(MessageWriter, RefusesOtherMistakes) {
  auto refused = [](auto change) {
    Message m = simple();
    change(m);
    EXPECT_THROW(MessageWriter{m}, std::invalid_argument);
  };
  refused([](Message& m) { m.from = {}; });
  refused([](Message& m) { m.to.push_back({"", "not an address"}); });
  refused([](Message& m) { m.subject = "latin-1 \xfc"; });
  refused([](Message& m) { m.text = "latin-1 \xfc"; });
  refused([](Message& m) { m.headers.add("Content-Type", "text/html"); });
  refused([](Message& m) { m.headers.add("bcc", "x@example.com"); });
  refused([](Message& m) { m.message_id = "no-angle@x"; });
  refused([](Message& m) { m.utc_offset_minutes = 24 * 60; });
  refused([](Message& m) { m.attachments.push_back(Attachment::from_data("a", "x", "nonsense")); });
  Message m = simple();
  m.attachments.push_back(Attachment::from_file("/nonexistent/file.pdf"));
  EXPECT_THROW(MessageWriter{m}, std::system_error);
}

TEST(MessageWriter, GeneratedFieldsAndUtf8Addresses) {
  Message m = simple();
  m.message_id.clear();
  m.date.reset();
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    MessageWriter w(m);
    EXPECT_EQ(w.message_id().front(), '<');
    EXPECT_EQ(w.message_id().substr(w.message_id().size() - 13), "@example.com>");
    ids.insert(w.message_id());
  }
  EXPECT_EQ(ids.size(), 100u);
  Part p = parse_message(as_bytes(m));
  ASSERT_TRUE(p.date());
  EXPECT_GT(*p.date(), 1'600'000'000);
  m.to.push_back({"Jörg", "jörg@bücher.example"});
  MessageWriter w(m);
  EXPECT_TRUE(w.needs_smtputf8());
  EXPECT_EQ(parse_message(as_bytes(m)).addresses("To").back(), (Mailbox{"Jörg", "jörg@bücher.example"}));
}

// Random messages: well-formed, and the parser reads back every field and byte.
TEST(MessageWriter, RandomMessagesRoundTrip) {
  std::mt19937_64 rng(11);
  const std::string kWords[] = {"a", "report", "Grüße", "東京", "😀", "=?", "x_y", "..", ".", "tab\t", "", "\"q\"",
                                "Smith,", "long-" + std::string(90, 'w')};
  auto words = [&](std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += (i ? " " : "") + std::string(kWords[rng() % std::size(kWords)]);
    return s;
  };
  wire::test::TempDir dir;
  for (int round = 0; round < 60; ++round) {
    SCOPED_TRACE(round);
    Message m;
    m.from = {words(rng() % 4), "from@example.com"};
    for (std::size_t i = 0, n = rng() % 4; i < n; ++i) m.to.push_back({words(rng() % 5), "to" + std::to_string(i) + "@example.org"});
    m.subject = words(rng() % 25);
    m.date = 1'700'000'000;
    m.text = words(rng() % 300);
    for (auto& c : m.text) {
      if (c == ' ' && rng() % 4 == 0) c = '\n';
    }
    if (rng() % 2) m.html = "<p>" + words(rng() % 50) + "</p>";
    for (std::size_t i = 0, n = rng() % 3; i < n; ++i) {
      std::string data = wire::test::random_string(rng() % 5000, rng());
      if (rng() % 2) {
        m.attachments.push_back(Attachment::from_data(words(1 + rng() % 3) + ".bin", data));
      } else {
        auto path = dir.write_file("f" + std::to_string(round) + "_" + std::to_string(i), data);
        m.attachments.push_back(Attachment::from_file(path, "application/octet-stream"));
        m.attachments.back().filename = words(1 + rng() % 8) + ".dat";
      }
    }
    MessageWriter w(m);
    std::string msg;
    char buf[333];
    while (std::size_t n = w.read(std::span<char>(buf))) msg.append(buf, n);
    EXPECT_EQ(w.size(), msg.size());
    expect_well_formed(msg);
    Part p = parse_message(msg);
    auto trimmed = [](std::string s) {  // readers drop the white space after the colon
      while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(0, 1);
      return s;
    };
    EXPECT_EQ(p.subject(), trimmed(m.subject));
    auto from = p.addresses("From");
    ASSERT_EQ(from.size(), 1u);
    EXPECT_EQ(from[0].address, m.from.address);
    std::vector<Mailbox> to = p.addresses("To");
    ASSERT_EQ(to.size(), m.to.size());
    for (std::size_t i = 0; i < to.size(); ++i) EXPECT_EQ(to[i].address, m.to[i].address);
    const Part* text = p.find_text("plain");
    if (!m.text.empty() || (m.html.empty() && m.attachments.empty())) {
      ASSERT_NE(text, nullptr);
      std::string expected;
      for (char c : m.text) expected += c == '\n' ? std::string("\r\n") : std::string(1, c);
      if (!expected.empty() && expected.back() != '\n') expected += "\r\n";
      EXPECT_EQ(text->text(), expected);
    }
    auto attachments = p.attachments();
    ASSERT_EQ(attachments.size(), m.attachments.size());
    for (std::size_t i = 0; i < attachments.size(); ++i) {
      const Attachment& a = m.attachments[i];
      std::string data = a.data;
      if (!a.file.empty()) {
        std::ifstream f(a.file, std::ios::binary);
        data.assign(std::istreambuf_iterator<char>(f), {});
      }
      EXPECT_EQ(attachments[i]->body, data);
      EXPECT_EQ(attachments[i]->filename(), a.filename);
    }
  }
}

long max_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

// A 1 GiB attachment (a sparse file, so the disk is not filled) goes out in pieces: the size is
// known up front and exact, and the process never holds the message.
TEST(MessageWriter, OneGibAttachmentIsStreamed) {
  wire::test::TempDir dir;
  auto path = dir / "big.bin";
  constexpr std::uint64_t kSize = 1ull << 30;
  {
    std::ofstream f(path, std::ios::binary);
  }
  std::filesystem::resize_file(path, kSize);
  Message m = simple();
  m.attachments.push_back(Attachment::from_file(path));
  long before = max_rss_kib();
  MessageWriter w(m);
  std::uint64_t expected_size = *w.size();
  std::vector<char> buf(256 * 1024);
  std::uint64_t total = 0;
  std::size_t lines_of_76 = 0;
  std::string_view line_of_zeros = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n";
  std::string carry;
  while (std::size_t n = w.read(std::span<char>(buf))) {
    total += n;
    // Count the full base64 lines of zero bytes (cheaply: whole 78-byte runs in this piece).
    std::string_view piece(buf.data(), n);
    for (std::size_t pos = piece.find(line_of_zeros); pos != std::string_view::npos;
         pos = piece.find(line_of_zeros, pos + line_of_zeros.size())) {
      ++lines_of_76;
    }
  }
  EXPECT_EQ(total, expected_size);
  // (2^30 + 2) / 3 * 4 base64 characters in lines of 76, CRLF each.
  EXPECT_GT(lines_of_76, 18'800'000u);  // nearly all 18,837,475 lines (some straddle two pieces)
  EXPECT_LT(max_rss_kib() - before, 64 * 1024) << "the writer held more than 64 MiB";
}

}  // namespace
}  // namespace wire::mime
