// SPDX-License-Identifier: MIT
// The message writer: RFC 5322 (fields, §2.1.1 line lengths, §2.2.3 folding, §3.6 which
// fields), RFC 2045 (MIME-Version, Content-Transfer-Encoding, §6.7 quoted-printable, §6.8
// base64), RFC 2046 §5.1 (multipart/mixed and /alternative), RFC 2047 (encoded-words), RFC
// 2183 and RFC 2231 (Content-Disposition and its file name).
#include "wire/mime/message_writer.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "wire/mime/charset.hpp"
#include "wire/mime/content_disposition.hpp"
#include "wire/mime/content_type.hpp"
#include "wire/mime/encoded_word.hpp"
#include "wire/mime/quoted_printable.hpp"
#include "wire/text/base64.hpp"
#include "wire/text/chars.hpp"
#include "wire/text/date.hpp"
#include "wire/text/fields.hpp"
#include "wire/text/multipart.hpp"

namespace wire::mime {
namespace {

constexpr std::size_t kFold = 78;      // RFC 5322 §2.1.1: SHOULD
constexpr std::size_t kMaxLine = 998;  // RFC 5322 §2.1.1: MUST
constexpr std::size_t kChunk = 48 * 1024;  // a multiple of 3 and of 57 (one line of base64)

// The length of `n` bytes in base64 lines of 76 characters, each ended by CRLF.
std::uint64_t base64_lines_length(std::uint64_t n) {
  std::uint64_t chars = (n + 2) / 3 * 4;
  return chars + (chars + 75) / 76 * 2;
}

// Base64 (RFC 2045 §6.8) of another source, as it is read.
class Base64Source final : public text::Source {
 public:
  explicit Base64Source(std::unique_ptr<text::Source> inner) : inner_(std::move(inner)) {}
  using text::Source::read;
  std::size_t read(std::span<char> out) override {
    std::size_t n = 0;
    while (n < out.size()) {
      if (off_ < pending_.size()) {
        std::size_t k = std::min(out.size() - n, pending_.size() - off_);
        std::copy_n(pending_.data() + off_, k, out.data() + n);
        off_ += k;
        n += k;
        continue;
      }
      if (done_) break;
      pending_.clear();
      off_ = 0;
      chunk_.resize(kChunk);
      std::size_t got = inner_->read(std::span<char>(chunk_));
      if (got == 0) {
        encoder_.finish(pending_);
        done_ = true;
      } else {
        encoder_.update(std::string_view(chunk_.data(), got), pending_);
      }
    }
    return n;
  }
  std::optional<std::uint64_t> size() const override {
    auto n = inner_->size();
    if (!n) return std::nullopt;
    return base64_lines_length(*n);
  }

 private:
  std::unique_ptr<text::Source> inner_;
  text::Base64Encoder encoder_{76};
  std::string chunk_, pending_;
  std::size_t off_ = 0;
  bool done_ = false;
};

void check_field(std::string_view what, std::string_view value) {
  if (text::has_line_break(value)) throw std::invalid_argument(std::string(what) + ": CR, LF or NUL in it");
}

// LF, CR and CRLF all become CRLF; a text that does not end with a line break gets one.
std::string normalize_lines(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32 + 2);
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += "\r\n";
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  if (!out.empty() && out.back() != '\n') out += "\r\n";
  return out;
}

bool fits_7bit(std::string_view text) {
  // RFC 2045 §2.7: US-ASCII, no NUL, CR and LF only as CRLF (normalized), lines of at most 998.
  if (!is_ascii(text) || text.find('\0') != std::string_view::npos) return false;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t eol = text.find("\r\n", start);
    if (eol == std::string_view::npos) eol = text.size();
    if (eol - start > kMaxLine) return false;
    start = eol + 2;
  }
  return true;
}

// A text body: its Content-Type and Content-Transfer-Encoding fields and the encoded body.
struct Entity {
  text::Headers headers;
  std::string body;
};

Entity text_entity(std::string_view subtype, std::string_view body, const char* what) {
  if (!is_utf8(body)) throw std::invalid_argument(std::string(what) + ": the text is not UTF-8");
  std::string text = normalize_lines(body);
  Entity e;
  e.headers.add("Content-Type", "text/" + std::string(subtype) + "; charset=\"utf-8\"");
  if (fits_7bit(text)) {
    e.headers.add("Content-Transfer-Encoding", "7bit");
    e.body = std::move(text);
    return e;
  }
  std::string qp = quoted_printable_encode(text);
  if (qp.size() <= base64_lines_length(text.size())) {
    e.headers.add("Content-Transfer-Encoding", "quoted-printable");
    e.body = std::move(qp);
  } else {
    text::Base64Encoder enc(76);
    enc.update(text, e.body);
    enc.finish(e.body);
    e.headers.add("Content-Transfer-Encoding", "base64");
  }
  return e;
}

// The fields the writer makes itself, which Message::headers may not hold.
bool is_reserved(std::string_view name) {
  static constexpr std::string_view kReserved[] = {
      "Date", "From", "Sender", "Reply-To", "To", "Cc", "Bcc", "Subject", "Message-ID", "MIME-Version",
      "Content-Type", "Content-Transfer-Encoding", "Content-Disposition"};
  return std::any_of(std::begin(kReserved), std::end(kReserved), [&](std::string_view r) { return text::iequals(r, name); });
}

// RFC 5322 §3.6.4 msg-id, as a program gives one: "<" no white space, one '@' ">".
bool is_msg_id(std::string_view id) {
  if (id.size() < 5 || id.front() != '<' || id.back() != '>') return false;
  std::string_view inner = id.substr(1, id.size() - 2);
  std::size_t at = inner.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == inner.size() || inner.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  return std::all_of(inner.begin(), inner.end(), [](char c) { return text::is_vchar(c) && c != '<' && c != '>'; });
}

class BoundaryMaker {
 public:
  explicit BoundaryMaker(std::string prefix) : prefix_(std::move(prefix)) {}
  std::unique_ptr<text::MultipartWriter> writer(std::string subtype) {
    if (prefix_.empty()) return std::make_unique<text::MultipartWriter>(std::move(subtype), kFold);
    return std::make_unique<text::MultipartWriter>(std::move(subtype), prefix_ + "-" + std::to_string(++count_), kFold);
  }

 private:
  std::string prefix_;
  int count_ = 0;
};

}  // namespace

MessageWriter::~MessageWriter() = default;
MessageWriter::MessageWriter(MessageWriter&&) noexcept = default;
MessageWriter& MessageWriter::operator=(MessageWriter&&) noexcept = default;

namespace {

void append(std::string& head, std::string_view name, std::string_view value) {
  text::append_field(head, name, value, kFold);
}

// The header fields of RFC 5322 §3.6, checked and written; returns the Message-ID.
std::string write_fields(std::string& head, const Message& m) {
  if (m.from.address.empty()) throw std::invalid_argument("a message needs a From address");
  auto list = [&](std::string_view name, const std::vector<Mailbox>& boxes) {
    if (!boxes.empty()) append(head, name, format_address_list(boxes, name.size()));
  };
  std::int64_t date = m.date.value_or(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  if (m.utc_offset_minutes <= -24 * 60 || m.utc_offset_minutes >= 24 * 60) {
    throw std::invalid_argument("UTC offset of " + std::to_string(m.utc_offset_minutes) + " minutes");
  }
  append(head, "Date", text::format_mail_date(date, m.utc_offset_minutes));
  append(head, "From", format_mailbox(m.from, 4));
  if (m.sender) append(head, "Sender", format_mailbox(*m.sender, 6));
  list("Reply-To", m.reply_to);
  list("To", m.to);
  list("Cc", m.cc);
  for (const Mailbox& b : m.bcc) format_mailbox(b);  // checked like the others, never written
  if (!m.subject.empty()) append(head, "Subject", encode_unstructured(m.subject, 7));
  check_field("Message-ID", m.message_id);
  std::string id = m.message_id;
  if (id.empty()) {
    id = make_message_id(m.from.address.substr(m.from.address.rfind('@') + 1));
  } else if (!is_msg_id(id)) {
    throw std::invalid_argument("Message-ID '" + id + "' is not <left@right> (RFC 5322 §3.6.4)");
  }
  append(head, "Message-ID", id);
  for (auto f : m.headers) {
    check_field(f.name, f.value);
    if (is_reserved(f.name)) {
      throw std::invalid_argument("the field " + std::string(f.name) + " is written from the Message's own members");
    }
    bool plain = is_ascii(f.value) && std::none_of(f.value.begin(), f.value.end(), [](char c) {
      return text::is_control(c) && c != '\t';
    });
    // A plain value is written as given (it may be structured: References, List-Unsubscribe).
    append(head, f.name, plain ? std::string(f.value) : encode_unstructured(f.value, f.name.size()));
  }
  append(head, "MIME-Version", "1.0");
  return id;
}

struct AttachmentPart {
  text::Headers headers;
  std::unique_ptr<text::Source> body;  // base64 over the file or the bytes
};

AttachmentPart attachment_part(const Attachment& a) {
  std::unique_ptr<text::Source> source;
  std::string filename = a.filename;
  if (!a.file.empty()) {
    source = std::make_unique<text::FileSource>(a.file);  // throws if it is not there
    if (filename.empty()) filename = a.file.filename().string();
  } else {
    source = std::make_unique<text::StringSource>(a.data);
  }
  check_field("attachment file name", filename);
  check_field("attachment content type", a.content_type);
  check_field("attachment Content-ID", a.content_id);
  auto type = ContentType::parse(a.content_type.empty() ? guess_content_type(filename) : a.content_type);
  if (!type) throw std::invalid_argument("attachment content type '" + a.content_type + "' is not type/subtype");
  ContentDisposition disposition;
  disposition.type = a.show_inline ? "inline" : "attachment";
  if (!filename.empty()) disposition.params.set("filename", filename);
  AttachmentPart part;
  part.headers.add("Content-Type", type->str());
  part.headers.add("Content-Transfer-Encoding", "base64");
  part.headers.add("Content-Disposition", disposition.str());
  if (!a.content_id.empty()) {
    std::string id = a.content_id.front() == '<' ? a.content_id : "<" + a.content_id + ">";
    if (!is_msg_id(id)) throw std::invalid_argument("Content-ID '" + a.content_id + "' is not <left@right>");
    part.headers.add("Content-ID", id);
  }
  part.body = std::make_unique<Base64Source>(std::move(source));
  return part;
}

}  // namespace

MessageWriter::MessageWriter(const Message& m, const WriterOptions& options) {
  message_id_ = write_fields(head_, m);
  // The body (RFC 2046): every part is made (and checked) before any is laid out.
  BoundaryMaker boundaries(options.boundary);
  std::optional<Entity> text_part, html_part;
  if (!m.text.empty() || (m.html.empty() && m.attachments.empty())) text_part = text_entity("plain", m.text, "text");
  if (!m.html.empty()) html_part = text_entity("html", m.html, "html");
  std::vector<AttachmentPart> attachments;
  for (const Attachment& a : m.attachments) attachments.push_back(attachment_part(a));

  // One entity alone goes into the message's own header; more make a multipart.
  std::unique_ptr<text::MultipartWriter> alternative;
  if (text_part && html_part) {
    alternative = boundaries.writer("alternative");
    alternative->add(text_part->headers, std::move(text_part->body));  // RFC 2046 §5.1.4: plainest first
    alternative->add(html_part->headers, std::move(html_part->body));
    text_part.reset();
    html_part.reset();
  }
  std::optional<Entity>& single = text_part ? text_part : html_part;
  if (attachments.empty() && !alternative) {
    for (auto f : single->headers) append(head_, f.name, f.value);
    head_ += "\r\n";
    head_ += single->body;
  } else if (attachments.empty()) {
    append(head_, "Content-Type", alternative->content_type());
    head_ += "\r\n";
    body_ = std::move(alternative);
  } else {
    auto mixed = boundaries.writer("mixed");
    if (alternative) {
      mixed->add(std::move(alternative));
    } else if (single) {
      mixed->add(single->headers, std::move(single->body));
    }
    for (AttachmentPart& a : attachments) mixed->add(a.headers, std::move(a.body));
    append(head_, "Content-Type", mixed->content_type());
    head_ += "\r\n";
    body_ = std::move(mixed);
  }
  recipients_ = m.recipients();
  smtputf8_ = m.needs_smtputf8();
}

std::size_t MessageWriter::read(std::span<char> out) {
  std::size_t n = std::min(out.size(), head_.size() - head_off_);
  std::copy_n(head_.data() + head_off_, n, out.data());
  head_off_ += n;
  if (n < out.size() && body_) n += body_->read(out.subspan(n));
  return n;
}

std::optional<std::uint64_t> MessageWriter::size() const {
  if (!body_) return head_.size();
  auto b = body_->size();
  if (!b) return std::nullopt;
  return head_.size() + *b;
}

std::string as_bytes(const Message& message, const WriterOptions& options) {
  MessageWriter w(message, options);
  std::string out;
  char buf[16 * 1024];
  while (std::size_t n = w.read(std::span<char>(buf))) out.append(buf, n);
  return out;
}

}  // namespace wire::mime
