// SPDX-License-Identifier: MIT
#include "python_summary.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <fstream>
#include <iterator>
#include <sstream>

#include "wire/mime/content_type.hpp"
#include "wire/text/base64.hpp"

namespace wire::test::mime {

using wire::mime::Attachment;
using wire::mime::Mailbox;
using wire::mime::Message;
using wire::mime::guess_content_type;

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

}  // namespace wire::test::mime
