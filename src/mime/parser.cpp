// SPDX-License-Identifier: MIT
// The message parser: RFC 5322 §2.2 (header sections, via text::FieldParser), RFC 2045 §5-6
// (Content-Type defaults, transfer encodings), RFC 2046 §5.1 (multipart, via
// text::MultipartParser, one per open multipart), RFC 2183 (Content-Disposition).
//
// Rules of its state machine:
//   1. feed() does all the work at once: the bytes go through the header parser, then into
//      the innermost open multipart parser level by level, and the events that come out are
//      queued with decoded bytes in one buffer (out_); next() only hands them out. That is why
//      feed() refuses to run while events are waiting: their views point into out_.
//   2. stack_ holds one Level per open part, the message at 0; a multipart level owns the
//      parser of its body, a leaf level owns its decoder. stack_.size() - 1 is the depth of
//      the innermost open part.
//   3. A part ends when its enclosing parser says so (part_end) or, for the message, at
//      feed_eof(); ending a multipart first tells its parser the body ended (feed_eof),
//      which is an error unless the close delimiter was seen.
//   4. The first error is kept, queued after the events before it, and every later call
//      reports it again.
#include "wire/mime/parser.hpp"

#include <stdexcept>

#include "wire/mime/quoted_printable.hpp"
#include "wire/text/base64.hpp"
#include "wire/text/chars.hpp"
#include "wire/text/fields.hpp"
#include "wire/text/multipart.hpp"

namespace wire::mime {
namespace {

std::error_code to_mime(std::error_code ec) {
  if (ec.category() == text::field_category()) {
    switch (static_cast<text::FieldErrc>(ec.value())) {
      case text::FieldErrc::bad_field_line: return Errc::bad_header_line;
      case text::FieldErrc::section_too_large: return Errc::header_too_large;
      case text::FieldErrc::too_many_fields: return Errc::too_many_headers;
      case text::FieldErrc::truncated: return Errc::truncated_header;
    }
  }
  if (ec.category() == text::multipart_category()) {
    switch (static_cast<text::MultipartErrc>(ec.value())) {
      case text::MultipartErrc::bad_delimiter: return Errc::bad_delimiter;
      case text::MultipartErrc::too_many_parts: return Errc::too_many_parts;
      case text::MultipartErrc::truncated: return Errc::truncated;
    }
  }
  return ec;
}

enum class Coding : std::uint8_t { identity, base64, quoted_printable };

}  // namespace

std::optional<std::string> PartInfo::filename() const {
  if (disposition) {
    if (auto f = disposition->filename()) return std::string(*f);
  }
  if (auto n = content_type.params.get("name")) return std::string(*n);
  return std::nullopt;
}

struct MessageParser::Impl {
  struct Level {
    std::unique_ptr<PartInfo> owned;  // null for the message, which is root
    PartInfo* info = nullptr;
    std::unique_ptr<text::MultipartParser> multipart;
    Coding coding = Coding::identity;
    text::Base64Decoder base64;
    QuotedPrintableDecoder qp;
  };
  struct Queued {
    EventKind kind;
    std::size_t off, len;
    const PartInfo* part;
  };
  enum class State : std::uint8_t { header, body, done, failed };

  explicit Impl(const ParserLimits& l) : limits(l), fields(text::FieldLimits{l.max_header_bytes, l.max_headers}) {}

  ParserLimits limits;
  text::FieldParser fields;
  State state = State::header;
  PartInfo root;
  std::vector<Level> stack;
  std::vector<std::unique_ptr<PartInfo>> retired;  // parts whose part_end is queued
  std::vector<Queued> events;
  std::size_t next_event = 0;
  std::string out;
  std::size_t parts = 0;
  std::uint64_t fed = 0;
  std::error_code error;

  bool failed() const noexcept { return state == State::failed; }

  void fail(std::error_code ec) {
    if (failed()) return;
    error = to_mime(ec);
    state = State::failed;
    events.push_back({EventKind::error, 0, 0, nullptr});
  }

  void queue(EventKind kind, const PartInfo* part) { events.push_back({kind, 0, 0, part}); }

  void queue_data(const PartInfo* part, std::size_t from) {
    if (out.size() == from) return;
    if (!events.empty() && events.back().kind == EventKind::data && events.back().part == part &&
        events.back().off + events.back().len == from) {
      events.back().len += out.size() - from;
      return;
    }
    events.push_back({EventKind::data, from, out.size() - from, part});
  }

  void begin_part(const text::Headers& headers, const PartInfo* parent) {
    std::size_t depth = stack.size();
    if (++parts > limits.max_parts) return fail(Errc::too_many_parts);
    if (depth > limits.max_depth) return fail(Errc::too_deep);
    Level level;
    if (depth == 0) {
      level.info = &root;
    } else {
      level.owned = std::make_unique<PartInfo>();
      level.info = level.owned.get();
    }
    PartInfo& info = *level.info;
    info.headers = headers;
    info.depth = depth;
    info.index = parts - 1;
    if (parent != nullptr && parent->content_type.type == "multipart" && parent->content_type.subtype == "digest") {
      info.content_type.type = "message";  // RFC 2046 §5.1.5
      info.content_type.subtype = "rfc822";
    } else {
      info.content_type.params.set("charset", "us-ascii");  // RFC 2045 §5.2
    }
    if (auto ct = headers.get("Content-Type")) {
      if (auto parsed = ContentType::parse(*ct)) {
        info.content_type = std::move(*parsed);
      } else {
        info.content_type_invalid = true;
      }
    }
    if (auto cd = headers.get("Content-Disposition")) info.disposition = ContentDisposition::parse(*cd);
    if (auto cte = headers.get("Content-Transfer-Encoding")) {
      info.transfer_encoding = text::to_lower(text::trim_ows(*cte));
    }
    const std::string& te = info.transfer_encoding;
    if (info.is_multipart()) {
      // RFC 2045 §6.4: a multipart is never encoded; a Content-Transfer-Encoding on one is ignored.
      auto boundary = info.content_type.params.get("boundary");
      if (!boundary || boundary->empty() || boundary->size() > 998) return fail(Errc::bad_boundary);
      level.multipart = std::make_unique<text::MultipartParser>(
          *boundary, text::MultipartLimits{limits.max_header_bytes, limits.max_headers, limits.max_parts});
    } else if (te == "base64") {
      level.coding = Coding::base64;
    } else if (te == "quoted-printable") {
      level.coding = Coding::quoted_printable;
    } else if (te != "7bit" && te != "8bit" && te != "binary") {
      info.unknown_transfer_encoding = true;
    }
    const PartInfo* p = level.info;
    stack.push_back(std::move(level));
    queue(EventKind::part_begin, p);
  }

  // The bytes of the body of the part at `depth` (the innermost open part or its parent).
  void deliver(std::size_t depth, std::string_view bytes) {
    if (failed()) return;
    if (stack[depth].multipart) {
      stack[depth].multipart->feed(bytes);
      drain(depth);
      return;
    }
    Level& level = stack[depth];
    std::size_t from = out.size();
    switch (level.coding) {
      case Coding::identity:
        out.append(bytes);
        break;
      case Coding::base64:
        if (!level.base64.update(bytes, out)) {
          queue_data(level.info, from);  // what decoded before the fault, however the input was cut
          return fail(Errc::bad_base64);
        }
        break;
      case Coding::quoted_printable:
        level.qp.update(bytes, out);
        break;
    }
    queue_data(level.info, from);
  }

  // Takes the events of the multipart parser of the part at `depth`. Its parts live at depth+1.
  void drain(std::size_t depth) {
    // Bounded: each event consumes input of that parser or ends it.
    for (;;) {
      if (failed()) return;
      text::MultipartParser& mp = *stack[depth].multipart;
      text::MultipartEvent ev = mp.next();
      switch (ev.kind) {
        case text::MultipartEventKind::need_more:
        case text::MultipartEventKind::end:  // the epilogue that may follow is ignored
          if (ev.kind == text::MultipartEventKind::need_more) return;
          break;
        case text::MultipartEventKind::part:
          begin_part(mp.headers(), stack[depth].info);
          break;
        case text::MultipartEventKind::data:
          deliver(depth + 1, ev.data);
          break;
        case text::MultipartEventKind::part_end:
          end_part(depth + 1);
          break;
        case text::MultipartEventKind::error:
          return fail(mp.error());
      }
    }
  }

  // Ends the part at `depth`. Parts deeper than it are still open only inside a multipart at
  // `depth` whose close delimiter has not been seen yet: telling its parser the body ended
  // closes them (a close delimiter at the very end) or fails (truncated).
  void end_part(std::size_t depth) {
    if (failed()) return;
    if (stack[depth].multipart) {
      stack[depth].multipart->feed_eof();
      drain(depth);
      if (failed()) return;
      if (stack.size() != depth + 1) throw std::logic_error("mime::MessageParser: a part left open");
    } else {
      Level& level = stack[depth];
      std::size_t from = out.size();
      if (level.coding == Coding::base64 && !level.base64.finish(out)) return fail(Errc::bad_base64);
      if (level.coding == Coding::quoted_printable) level.qp.finish(out);
      queue_data(level.info, from);
    }
    Level& level = stack[depth];
    queue(EventKind::part_end, level.info);
    if (level.owned) retired.push_back(std::move(level.owned));
    stack.pop_back();
  }

  void start_body() {
    begin_part(fields.fields(), nullptr);
    if (!failed()) state = State::body;
  }

  void prepare() {
    if (next_event < events.size() && !(failed() && events[next_event].kind == EventKind::error)) {
      throw std::logic_error("mime::MessageParser fed before its events were taken");
    }
    events.clear();
    next_event = 0;
    out.clear();
    retired.clear();
  }

  void feed(std::string_view bytes) {
    prepare();
    if (state == State::failed || state == State::done) return;
    // Over the limit, the bytes up to it are still parsed, so the events before the error do
    // not depend on how the input was cut.
    bool too_large = bytes.size() > limits.max_message_bytes - fed;
    if (too_large) bytes = bytes.substr(0, static_cast<std::size_t>(limits.max_message_bytes - fed));
    fed += bytes.size();
    parse(bytes);
    if (too_large) fail(Errc::message_too_large);
  }

  void parse(std::string_view bytes) {
    if (state == State::header) {
      std::size_t n = fields.feed(bytes);
      if (fields.error()) return fail(fields.error());
      if (!fields.done()) return;
      bytes.remove_prefix(n);
      start_body();
    }
    // The message's body goes to its own level: its multipart parser passes it down.
    if (state == State::body && !bytes.empty()) deliver(0, bytes);
  }

  void feed_eof() {
    prepare();
    if (state == State::failed || state == State::done) return;
    if (state == State::header) {
      fields.finish();
      if (fields.error()) return fail(fields.error());
      start_body();
      if (failed()) return;
    }
    end_part(0);  // the message's own part (rule 3)
    if (failed()) return;
    queue(EventKind::end, nullptr);
    state = State::done;
  }

  Event next() {
    if (next_event < events.size()) {
      const Queued& q = events[next_event];
      if (q.kind != EventKind::error) ++next_event;
      Event e{q.kind, {}, q.part};
      if (q.kind == EventKind::data) e.data = std::string_view(out).substr(q.off, q.len);
      return e;
    }
    if (failed()) return {EventKind::error, {}, nullptr};
    return {};
  }
};

MessageParser::MessageParser(const ParserLimits& limits) : impl_(std::make_unique<Impl>(limits)) {}
MessageParser::~MessageParser() = default;
MessageParser::MessageParser(MessageParser&&) noexcept = default;
MessageParser& MessageParser::operator=(MessageParser&&) noexcept = default;

void MessageParser::feed(std::string_view bytes) { impl_->feed(bytes); }
void MessageParser::feed_eof() { impl_->feed_eof(); }
Event MessageParser::next() { return impl_->next(); }
std::error_code MessageParser::error() const noexcept { return impl_->error; }
const text::Headers& MessageParser::headers() const noexcept { return impl_->root.headers; }
std::uint64_t MessageParser::bytes_fed() const noexcept { return impl_->fed; }
const ParserLimits& MessageParser::limits() const noexcept { return impl_->limits; }

}  // namespace wire::mime
