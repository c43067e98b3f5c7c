// SPDX-License-Identifier: MIT
#include "wire/mime/message.hpp"

#include <chrono>
#include <random>

#include "wire/mime/charset.hpp"

namespace wire::mime {

Attachment Attachment::from_file(std::filesystem::path file, std::string content_type) {
  Attachment a;
  a.file = std::move(file);
  a.content_type = std::move(content_type);
  return a;
}

Attachment Attachment::from_data(std::string filename, std::string data, std::string content_type) {
  Attachment a;
  a.filename = std::move(filename);
  a.data = std::move(data);
  a.content_type = std::move(content_type);
  return a;
}

std::vector<std::string> Message::recipients() const {
  std::vector<std::string> out;
  for (const auto* list : {&to, &cc, &bcc}) {
    for (const Mailbox& m : *list) out.push_back(m.address);
  }
  return out;
}

bool Message::needs_smtputf8() const {
  if (mime::needs_smtputf8(from.address) || (sender && mime::needs_smtputf8(sender->address))) return true;
  for (const auto* list : {&to, &cc, &bcc, &reply_to}) {
    for (const Mailbox& m : *list) {
      if (mime::needs_smtputf8(m.address)) return true;
    }
  }
  return false;
}

namespace {
void append_base36(std::string& out, std::uint64_t v, std::size_t min_digits) {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  char buf[16];
  std::size_t n = 0;
  do {
    buf[n++] = kDigits[v % 36];
    v /= 36;
  } while (v > 0 || n < min_digits);
  while (n > 0) out += buf[--n];
}

// RFC 5322 §3.6.4 id-right as dot-atom-text, kept to plain host names here.
bool is_plain_domain(std::string_view d) {
  if (d.empty() || d.size() > 255 || d.front() == '.' || d.back() == '.') return false;
  for (std::size_t i = 0; i < d.size(); ++i) {
    char c = d[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
              (c == '.' && d[i + 1] != '.');
    if (!ok) return false;
  }
  return true;
}
}  // namespace

std::string make_message_id(std::string_view domain) {
  std::random_device random;
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  std::string id = "<";
  append_base36(id, static_cast<std::uint64_t>(now.count()), 1);
  id += '.';
  for (int i = 0; i < 2; ++i) {  // 2 x 64 random bits
    std::uint64_t v = std::uint64_t{random()} << 32 | random();
    append_base36(id, v, 13);
  }
  id += '@';
  id += is_plain_domain(domain) ? domain : std::string_view("localhost");
  id += '>';
  return id;
}

}  // namespace wire::mime
