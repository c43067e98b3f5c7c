// SPDX-License-Identifier: MIT
// wire::mime and Python's email package (Debian's /usr/bin/python3, stdlib only), both ways:
// messages wire builds are read by email.message_from_bytes(policy=email.policy.default) and
// compared field by field with what went in (addresses, UTF-8 subject, bodies with lines "."
// and "..", attachments by sha256), with no defect reported; messages Python builds are read by
// wire and compared with what Python reads in them. mime_interop.py is the Python side.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/random.hpp"
#include "support/temp_dir.hpp"
#include "transcript.hpp"
#include "wire/mime/message_writer.hpp"
#include "wire/mime/part.hpp"
#include "wire/text/base64.hpp"

namespace wire::mime {
namespace {

const char kPython[] = "/usr/bin/python3";

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

// What one side reads in a message, in the terms of mime_interop.py's records.
struct Summary {
  std::vector<std::pair<std::string, Mailbox>> addresses;  // (field, mailbox) in order
  std::optional<std::string> subject, text, html;
  std::vector<std::vector<std::string>> attachments;  // file name, content type, sha256
  std::string defects = "0";
  friend bool operator==(const Summary&, const Summary&) = default;
};

std::ostream& operator<<(std::ostream& os, const Summary& s) {
  for (const auto& [f, m] : s.addresses) os << f << ": [" << m.name << "] <" << m.address << ">\n";
  os << "subject: " << s.subject.value_or("(none)") << "\ntext: " << s.text.value_or("(none)")
     << "\nhtml: " << s.html.value_or("(none)") << "\n";
  for (const auto& a : s.attachments) os << "attachment: " << a[0] << " " << a[1] << " " << a[2] << "\n";
  return os << "defects: " << s.defects << "\n";
}

std::vector<std::pair<std::string, Summary>> read_summaries(const std::string& out) {
  std::vector<std::pair<std::string, Summary>> result;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string key, w;
    words >> key;
    std::vector<std::string> f;
    while (words >> w) {
      auto decoded = text::base64_decode(w.substr(1));
      EXPECT_TRUE(w[0] == '~' && decoded) << line;
      f.push_back(decoded.value_or(""));
    }
    if (key == "message") {
      result.emplace_back(f.at(0), Summary{});
    } else if (key == "from" || key == "to" || key == "cc" || key == "reply-to") {
      result.back().second.addresses.push_back({key, Mailbox{f.at(0), f.at(1)}});
    } else if (key == "subject") {
      result.back().second.subject = f.at(0);
    } else if (key == "text") {
      result.back().second.text = f.at(0);
    } else if (key == "html") {
      result.back().second.html = f.at(0);
    } else if (key == "attachment") {
      result.back().second.attachments.push_back(f);
    } else if (key == "defects") {
      result.back().second.defects = f.at(0);
    }
  }
  return result;
}

std::string lf(std::string s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') continue;
    out += s[i];
  }
  return out;
}

void collect_named(const Part& p, std::vector<std::vector<std::string>>& out) {
  if (p.is_multipart()) {
    for (const Part& c : p.parts) collect_named(c, out);
  } else if (auto name = p.filename()) {
    out.push_back({*name, p.info.content_type.mime_type(), sha256_hex(p.body)});
  }
}

// What wire reads in a message, as the Python side summarises it.
Summary wire_summary(const Part& msg) {
  Summary s;
  for (const char* f : {"from", "to", "cc", "reply-to"}) {
    for (Mailbox& m : msg.addresses(f)) s.addresses.push_back({f, std::move(m)});
  }
  if (msg.headers().contains("Subject")) s.subject = msg.subject();
  if (const Part* t = msg.find_text("plain")) s.text = lf(t->text());
  if (const Part* h = msg.find_text("html")) s.html = lf(h->text());
  collect_named(msg, s.attachments);
  return s;
}

// What Python should read in a message wire built from `m`.
Summary expected_summary(const Message& m) {
  Summary s;
  auto add = [&](const char* f, const std::vector<Mailbox>& boxes) {
    for (const Mailbox& b : boxes) s.addresses.push_back({f, b});
  };
  add("from", {m.from});
  add("to", m.to);
  add("cc", m.cc);
  add("reply-to", m.reply_to);
  if (!m.subject.empty()) s.subject = m.subject;
  auto body = [](const std::string& t) { return t.empty() || t.back() == '\n' ? t : t + "\n"; };
  if (!m.text.empty()) s.text = body(m.text);
  if (!m.html.empty()) s.html = body(m.html);
  for (const Attachment& a : m.attachments) {
    std::string data = a.data;
    if (!a.file.empty()) {
      std::ifstream f(a.file, std::ios::binary);
      data.assign(std::istreambuf_iterator<char>(f), {});
    }
    std::string name = a.filename.empty() ? a.file.filename().string() : a.filename;
    std::string type = a.content_type.empty() ? guess_content_type(name) : a.content_type;
    s.attachments.push_back({name, type, sha256_hex(data)});
  }
  return s;
}

class PythonInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kPython)) GTEST_SKIP() << kPython << " is not installed";
  }
  wire::test::TempDir dir_;
};

TEST_F(PythonInterop, PythonReadsWhatWireBuilds) {
  std::vector<Message> messages;
  {
    Message m;
    m.from = {"Anna Müller", "anna@example.com"};
    m.to = {{"Bob", "bob@example.org"}, {"Smith, Carol", "carol@example.org"}};
    m.cc = {{"Jörg Bücher", "joerg@example.net"}};
    m.reply_to = {{"", "replies@example.com"}};
    m.subject = "Grüße aus Köln — ein recht langer Betreff, der über mehrere Zeilen gefaltet werden muss 😀";
    m.text = "Hello Bob,\n.\n..\nGrüße\n";
    messages.push_back(m);
  }
  {
    Message m;
    m.from = {"", "sender@example.com"};
    m.to = {{"東京 太郎", "taro@example.jp"}};
    m.subject = "a =?not-a-word?= and under_scores";
    m.text = "A long line: " + std::string(1500, 'x') + "\n.\n..\nend";
    m.html = "<p>HTML with ünïcödé</p>\n<p>.</p>";
    m.attachments.push_back(Attachment::from_file(
        dir_.write_file("data.bin", wire::test::random_string(200'000, 5)), "application/octet-stream"));
    m.attachments.back().filename = "Résumé très long nom de fichier pour voir les continuations RFC 2231.bin";
    m.attachments.push_back(Attachment::from_data("notes.txt", "a text attachment\n.\n"));
    m.attachments.push_back(Attachment::from_data("東京.png", "\x89PNG\r\n\x1a\n" + std::string(1000, '\0')));
    messages.push_back(m);
  }
  {
    Message m;
    m.from = {"Only HTML", "h@example.com"};
    m.to = {{"", "x@example.org"}};
    m.subject = "東京の報告書";
    m.html = "<p>東京</p>";
    m.attachments.push_back(Attachment::from_file(dir_.write_file("report.pdf", "%PDF-1.4 fake")));
    messages.push_back(m);
  }
  {
    // UTF-8 in addresses (RFC 6532): Python's policy.default reads them right but counts the raw
    // 8-bit header bytes as defects (it expects policy.SMTPUTF8 for such mail).
    Message m;
    m.from = {"Jörg", "jörg@bücher.example"};
    m.to = {{"", "bob@example.org"}};
    m.subject = "UTF-8 address";
    m.text = "x";
    messages.push_back(m);
  }
  std::vector<std::string> argv{kPython, WIRE_MIME_INTEROP_SCRIPT, "parse"};
  for (std::size_t i = 0; i < messages.size(); ++i) {
    messages[i].date = 1'700'000'000;
    auto path = dir_.write_file("wire" + std::to_string(i) + ".eml", as_bytes(messages[i]));
    argv.push_back(path.string());
  }
  auto r = wire::test::run_process(argv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto summaries = read_summaries(r.out);
  ASSERT_EQ(summaries.size(), messages.size()) << r.out;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    SCOPED_TRACE(summaries[i].first);
    Summary expected = expected_summary(messages[i]);
    if (messages[i].needs_smtputf8()) {
      EXPECT_NE(summaries[i].second.defects, "0");
      expected.defects = summaries[i].second.defects;
    }
    EXPECT_EQ(summaries[i].second, expected);
  }
}

TEST_F(PythonInterop, WireReadsWhatPythonBuilds) {
  auto r = wire::test::run_process({kPython, WIRE_MIME_INTEROP_SCRIPT, "build", dir_.path().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto summaries = read_summaries(r.out);
  ASSERT_EQ(summaries.size(), 4u) << r.out;
  for (const auto& [name, python] : summaries) {
    SCOPED_TRACE(name);
    std::ifstream f(dir_ / name, std::ios::binary);
    std::string raw((std::istreambuf_iterator<char>(f)), {});
    ASSERT_FALSE(raw.empty());
    EXPECT_EQ(wire_summary(parse_message(raw)), python);
    // The streaming parser reads the same whatever the cuts.
    auto whole = test::run(raw, test::Split{});
    EXPECT_EQ(whole.back(), "end");
    EXPECT_EQ(test::run(raw, test::Split{test::Split::random, 5}), whole);
  }
}

}  // namespace
}  // namespace wire::mime
