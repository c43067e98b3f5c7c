// SPDX-License-Identifier: MIT
#include "wire/mime/part.hpp"

#include "wire/mime/charset.hpp"
#include "wire/mime/encoded_word.hpp"
#include "wire/mime/error.hpp"
#include "wire/text/date.hpp"

namespace wire::mime {

bool Part::is_attachment() const {
  if (is_multipart()) return false;
  if (info.disposition) {
    if (info.disposition->is_attachment()) return true;
    if (info.disposition->type == "inline") return false;
  }
  return filename().has_value();
}

std::string Part::text() const {
  auto charset = info.content_type.params.get("charset");
  if (auto utf8 = to_utf8(body, charset ? *charset : std::string_view("us-ascii"))) return std::move(*utf8);
  return body;
}

std::string Part::decoded(std::string_view name) const {
  auto v = info.headers.get(name);
  return v ? decode_words(*v).text : std::string();
}

std::vector<Mailbox> Part::addresses(std::string_view name) const {
  std::vector<Mailbox> out;
  for (std::string_view v : info.headers.get_all(name)) {
    auto list = parse_address_list(v);
    out.insert(out.end(), std::make_move_iterator(list.begin()), std::make_move_iterator(list.end()));
  }
  return out;
}

std::optional<std::int64_t> Part::date() const {
  auto v = info.headers.get("Date");
  if (!v) return std::nullopt;
  return text::parse_mail_date(*v);
}

const Part* Part::find_text(std::string_view subtype) const {
  if (!is_multipart()) {
    bool match = info.content_type.type == "text" && info.content_type.subtype == subtype;
    return match && !is_attachment() ? this : nullptr;
  }
  for (const Part& p : parts) {
    if (const Part* found = p.find_text(subtype)) return found;
  }
  return nullptr;
}

namespace {
void collect_attachments(const Part& p, std::vector<const Part*>& out) {
  if (p.is_multipart()) {
    for (const Part& c : p.parts) collect_attachments(c, out);
  } else if (p.is_attachment()) {
    out.push_back(&p);
  }
}
}  // namespace

std::vector<const Part*> Part::attachments() const {
  std::vector<const Part*> out;
  collect_attachments(*this, out);
  return out;
}

Part parse_message(std::string_view bytes, const ParserLimits& limits) {
  constexpr std::size_t kPiece = 64 * 1024;  // bounds the parser's buffer of decoded bytes
  MessageParser parser(limits);
  Part root;
  std::vector<Part*> open;  // the path from the root to the current part
  auto take_events = [&] {
    for (Event e = parser.next(); e.kind != EventKind::need_more; e = parser.next()) {
      switch (e.kind) {
        case EventKind::part_begin:
          if (open.empty()) {
            root.info = *e.part;
            open.push_back(&root);
          } else {
            Part& child = open.back()->parts.emplace_back();
            child.info = *e.part;
            open.push_back(&child);
          }
          break;
        case EventKind::data:
          open.back()->body.append(e.data);
          break;
        case EventKind::part_end:
          open.pop_back();
          break;
        case EventKind::end:
          return;
        case EventKind::error:
          throw Error(parser.error(), "message does not parse: " + parser.error().message() + " (after " +
                                          std::to_string(parser.bytes_fed()) + " bytes fed)");
        case EventKind::need_more:
          break;
      }
    }
  };
  for (std::size_t off = 0; off < bytes.size(); off += kPiece) {
    parser.feed(bytes.substr(off, kPiece));
    take_events();
  }
  parser.feed_eof();
  take_events();
  return root;
}

}  // namespace wire::mime
