// SPDX-License-Identifier: MIT
// Multipart bodies: RFC 2046 §5.1 (the syntax), RFC 2045 §6.7 (why "=_" keeps a boundary out
// of quoted-printable), RFC 7578 (multipart/form-data uses the same machinery).
//
// The parser's rules, in one place:
//   1. A delimiter is "--" boundary at the start of a line: at the start of the body, just
//      after a part's header section (whose empty line may double as the delimiter's line
//      break), or after CRLF or LF; that line break is part of the delimiter.
//   2. After "--" boundary comes "--" (close) or nothing, then spaces and tabs (transport
//      padding, at most kMaxPadding), then a line break; a close delimiter may also end the
//      input. Anything else makes the line ordinary body text.
//   3. Body bytes that might begin a delimiter are held back until the next feed() says
//      whether they do; everything before them is given out at once.
#include "wire/text/multipart.hpp"

#include <algorithm>
#include <cstring>
#include <random>
#include <stdexcept>

#include "wire/error.hpp"
#include "wire/text/chars.hpp"

namespace wire::text {
namespace {

constexpr std::size_t kMaxPadding = 1000;

std::string describe_multipart(int value) {
  switch (static_cast<MultipartErrc>(value)) {
    case MultipartErrc::bad_delimiter:
      return "transport padding after a multipart boundary too long";
    case MultipartErrc::too_many_parts:
      return "too many parts in a multipart body";
    case MultipartErrc::truncated:
      return "multipart body ended before its close delimiter";
  }
  return "unknown multipart error " + std::to_string(value);
}

// RFC 2046 §5.1.1: bcharsnospace := DIGIT / ALPHA / "'" / "(" / ")" / "+" / "_" / "," / "-" /
// "." / "/" / ":" / "=" / "?"
constexpr bool is_bchar_nospace(char c) noexcept {
  switch (c) {
    case '\'': case '(': case ')': case '+': case '_': case ',': case '-': case '.': case '/':
    case ':': case '=': case '?':
      return true;
    default:
      return is_alpha(c) || is_digit(c);
  }
}

}  // namespace

const std::error_category& multipart_category() noexcept {
  static const wire::detail::NamedCategory category("multipart", describe_multipart);
  return category;
}

std::string make_boundary(std::string_view prefix) {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::random_device random;
  // Rejection keeps every character equally likely: 2^32 is not a multiple of 36.
  constexpr std::uint32_t kLimit = 0xffffffffu - 0xffffffffu % 36;
  std::string b(prefix);
  while (b.size() < prefix.size() + 32) {
    std::uint32_t v = random();
    if (v >= kLimit) continue;
    b += kDigits[v % 36];
  }
  return b;
}

bool is_valid_boundary(std::string_view boundary) noexcept {
  if (boundary.empty() || boundary.size() > 70 || boundary.back() == ' ') return false;
  return std::all_of(boundary.begin(), boundary.end(), [](char c) { return c == ' ' || is_bchar_nospace(c); });
}

// --- writing ---------------------------------------------------------------------------------

MultipartWriter::MultipartWriter(std::string subtype, std::size_t fold_width)
    : subtype_(std::move(subtype)), boundary_(make_boundary()), fold_width_(fold_width) {
  if (!is_token(subtype_)) throw std::invalid_argument("multipart subtype '" + subtype_ + "' is not a token");
}

MultipartWriter::MultipartWriter(std::string subtype, std::string boundary, std::size_t fold_width)
    : subtype_(std::move(subtype)), boundary_(std::move(boundary)), fold_width_(fold_width), fixed_(true) {
  if (!is_token(subtype_)) throw std::invalid_argument("multipart subtype '" + subtype_ + "' is not a token");
  if (!is_valid_boundary(boundary_)) {
    throw std::invalid_argument("multipart boundary '" + boundary_ + "' is not valid (RFC 2046 §5.1.1)");
  }
}

namespace {
std::string head_of(const Headers& headers, std::size_t fold_width) {
  std::string head;
  for (auto f : headers) append_field(head, f.name, f.value, fold_width);
  head += "\r\n";
  return head;
}
}  // namespace

void MultipartWriter::add(const Headers& headers, std::string body) {
  Part p;
  p.head = head_of(headers, fold_width_);
  p.body = std::move(body);
  add_part(std::move(p));
}

void MultipartWriter::add(const Headers& headers, std::unique_ptr<Source> body) {
  if (!body) throw std::invalid_argument("multipart part without a body source");
  Part p;
  p.head = head_of(headers, fold_width_);
  p.source = std::move(body);
  add_part(std::move(p));
}

void MultipartWriter::add(std::unique_ptr<MultipartWriter> nested, const Headers& headers) {
  if (!nested) throw std::invalid_argument("multipart part without a body");
  if (nested.get() == this) throw std::invalid_argument("a multipart body cannot contain itself");
  Headers h;
  h.add("Content-Type", nested->content_type());
  for (auto f : headers) {
    if (iequals(f.name, "Content-Type")) throw std::invalid_argument("a nested multipart's Content-Type is its own");
    h.add(f.name, f.value);
  }
  Part p;
  p.head = head_of(h, fold_width_);
  p.nested = nested.get();
  p.source = std::move(nested);
  add_part(std::move(p));
}

bool MultipartWriter::part_contains(const Part& part, std::string_view needle) const {
  return part.head.find(needle) != std::string::npos || part.body.find(needle) != std::string::npos ||
         (part.nested != nullptr && part.nested->contains(needle));
}

bool MultipartWriter::contains(std::string_view needle) const {
  std::string lines = "\r\n--" + boundary_ + "--\r\n";
  if (lines.find(needle) != std::string::npos) return true;
  return std::any_of(parts_.begin(), parts_.end(), [&](const Part& p) { return part_contains(p, needle); });
}

void MultipartWriter::add_part(Part part) {
  if (index_ > 0 || phase_ > 0 || closed_) throw std::logic_error("multipart part added after reading began");
  // RFC 2046 §5.1.1: the boundary must not occur in any encapsulated part.
  if (part_contains(part, "--" + boundary_)) {
    if (fixed_ || frozen_) {
      throw std::invalid_argument("the multipart boundary '" + boundary_ + "' occurs in a part");
    }
    bool found = false;
    for (int attempt = 0; attempt < 16 && !found; ++attempt) {
      boundary_ = make_boundary();
      std::string needle = "--" + boundary_;
      found = !part_contains(part, needle) &&
              std::none_of(parts_.begin(), parts_.end(), [&](const Part& p) { return part_contains(p, needle); });
    }
    if (!found) throw std::invalid_argument("no multipart boundary found that the parts do not contain");
  }
  parts_.push_back(std::move(part));
}

void MultipartWriter::freeze() { frozen_ = true; }

const std::string& MultipartWriter::boundary() {
  freeze();
  return boundary_;
}

std::string MultipartWriter::content_type() {
  freeze();
  return "multipart/" + subtype_ + "; boundary=\"" + boundary_ + "\"";
}

std::string MultipartWriter::delimiter(std::size_t index) const {
  return (index == 0 ? "--" : "\r\n--") + boundary_ + "\r\n";
}

std::optional<std::uint64_t> MultipartWriter::size() const {
  std::uint64_t total = boundary_.size() + 8;  // "\r\n--" boundary "--\r\n"
  for (std::size_t i = 0; i < parts_.size(); ++i) {
    const Part& p = parts_[i];
    total += delimiter(i).size() + p.head.size();
    if (p.source) {
      auto n = p.source->size();
      if (!n) return std::nullopt;
      total += *n;
    } else {
      total += p.body.size();
    }
  }
  return total;
}

std::size_t MultipartWriter::read(std::span<char> out) {
  if (parts_.empty()) throw std::logic_error("a multipart body needs at least one part (RFC 2046 §5.1.1)");
  freeze();
  std::size_t n = 0;
  while (n < out.size()) {
    if (pending_off_ < pending_.size()) {
      std::size_t k = std::min(out.size() - n, pending_.size() - pending_off_);
      std::memcpy(out.data() + n, pending_.data() + pending_off_, k);
      pending_off_ += k;
      n += k;
      continue;
    }
    if (closed_) break;
    pending_.clear();
    pending_off_ = 0;
    if (index_ == parts_.size()) {
      pending_ = "\r\n--" + boundary_ + "--\r\n";
      closed_ = true;
      continue;
    }
    Part& p = parts_[index_];
    if (phase_ == 0) {
      pending_ = delimiter(index_) + p.head;
      phase_ = 1;
      body_off_ = 0;
      continue;
    }
    if (p.source) {
      std::size_t k = p.source->read(out.subspan(n));
      n += k;
      if (k > 0) continue;
    } else {
      std::size_t k = std::min(out.size() - n, p.body.size() - body_off_);
      std::memcpy(out.data() + n, p.body.data() + body_off_, k);
      body_off_ += k;
      n += k;
      if (body_off_ < p.body.size()) continue;
    }
    phase_ = 0;
    ++index_;
  }
  return n;
}

// --- parsing ---------------------------------------------------------------------------------

MultipartParser::MultipartParser(std::string_view boundary, const MultipartLimits& limits)
    : limits_(limits), fields_(FieldLimits{limits.max_header_bytes, limits.max_headers}) {
  if (boundary.empty() || boundary.size() > 998) {
    throw std::invalid_argument("multipart boundary of " + std::to_string(boundary.size()) + " characters");
  }
  dash_boundary_ = "--";
  dash_boundary_ += boundary;
  lf_dash_boundary_ = "\n" + dash_boundary_;
}

void MultipartParser::feed(std::string_view bytes) {
  if (state_ == State::failed || state_ == State::epilogue) return;
  buf_.erase(0, pos_);
  pos_ = 0;
  buf_.append(bytes);
}

void MultipartParser::feed_eof() { eof_ = true; }

MultipartEvent MultipartParser::fail(std::error_code ec) {
  if (!error_) error_ = ec;
  state_ = State::failed;
  buf_.clear();
  pos_ = 0;
  return {MultipartEventKind::error, {}};
}

// The first byte from `from` on that may begin a delimiter not yet complete in buf_.
std::size_t MultipartParser::hold_from(std::size_t from) const {
  std::size_t window = lf_dash_boundary_.size() + 1;
  std::size_t k = buf_.size() > window ? std::max(from, buf_.size() - window) : from;
  for (; k < buf_.size(); ++k) {
    std::string_view tail = std::string_view(buf_).substr(k);
    if (buf_[k] == '\n' && std::string_view(lf_dash_boundary_).substr(0, tail.size()) == tail) return k;
    if (buf_[k] == '\r' && tail.size() <= lf_dash_boundary_.size() &&
        (tail.size() == 1 || std::string_view(lf_dash_boundary_).substr(0, tail.size() - 1) == tail.substr(1))) {
      return k;
    }
  }
  return buf_.size();
}

MultipartParser::Match MultipartParser::classify(std::size_t p) const {
  const std::size_t size = buf_.size();
  auto wanting = [&] { return Match{eof_ ? Match::not_delimiter : Match::need_more, 0}; };
  bool close = false;
  if (p < size && buf_[p] == '-') {
    if (p + 1 == size) return wanting();
    if (buf_[p + 1] != '-') return {Match::not_delimiter, 0};
    close = true;
    p += 2;
  }
  std::size_t i = p;
  while (i < size && is_ows(buf_[i])) {
    if (i - p >= kMaxPadding) return {Match::none, 0};  // none with end 0: padding too long
    ++i;
  }
  if (i == size) {
    if (close && eof_) return {Match::close, size};
    return wanting();
  }
  if (buf_[i] == '\n') return {close ? Match::close : Match::open, i + 1};
  if (buf_[i] == '\r') {
    if (i + 1 == size) return wanting();
    if (buf_[i + 1] == '\n') return {close ? Match::close : Match::open, i + 2};
  }
  return {Match::not_delimiter, 0};
}

MultipartEvent MultipartParser::read_headers() {
  std::size_t n = fields_.feed(std::string_view(buf_).substr(pos_));
  pos_ += n;
  if (fields_.error()) return fail(fields_.error());
  if (fields_.done()) {
    if (++parts_ > limits_.max_parts) return fail(MultipartErrc::too_many_parts);
    state_ = State::body;
    line_start_ = true;
    return {MultipartEventKind::part, {}};
  }
  if (eof_) return fail(MultipartErrc::truncated);
  return {};
}

// The next delimiter candidate from pos_: its line break at `start`, its "--boundary" at
// `dash`; both npos if there is none; `wait` if the bytes at a line start may still become one.
MultipartParser::Candidate MultipartParser::find_candidate() const {
  if (line_start_) {
    std::size_t avail = buf_.size() - pos_;
    std::string_view here = std::string_view(buf_).substr(pos_);
    if (avail < dash_boundary_.size()) {
      if (!eof_ && std::string_view(dash_boundary_).substr(0, avail) == here) return {0, 0, true};
    } else if (here.substr(0, dash_boundary_.size()) == dash_boundary_) {
      return {pos_, pos_, false};
    }
  }
  std::size_t q = buf_.find(lf_dash_boundary_, pos_);
  if (q == std::string::npos) return {};
  return {q > pos_ && buf_[q - 1] == '\r' ? q - 1 : q, q + 1, false};
}

// One step through the preamble or a part's body: an event, or nullopt when the step only
// skipped preamble or changed state, and the caller should look again.
std::optional<MultipartEvent> MultipartParser::scan() {
  const bool body = state_ == State::body;
  Candidate c = find_candidate();
  if (c.wait) return MultipartEvent{};
  if (c.start == std::string::npos) {
    std::size_t hold = eof_ ? buf_.size() : hold_from(pos_);
    if (hold > pos_) {
      std::string_view data = std::string_view(buf_).substr(pos_, hold - pos_);
      pos_ = hold;
      line_start_ = false;
      if (body) return MultipartEvent{MultipartEventKind::data, data};
      return std::nullopt;  // the preamble is skipped
    }
    if (eof_) return fail(MultipartErrc::truncated);
    return MultipartEvent{};
  }
  Match m = classify(c.dash + dash_boundary_.size());
  if (m.kind == Match::none) return fail(MultipartErrc::bad_delimiter);
  if (m.kind == Match::not_delimiter) {
    // Ordinary text up to the boundary's "--"; look again after it.
    line_start_ = false;
    std::string_view data = std::string_view(buf_).substr(pos_, c.dash - pos_);
    pos_ = c.dash;
    if (body && !data.empty()) return MultipartEvent{MultipartEventKind::data, data};
    return std::nullopt;
  }
  std::string_view data = std::string_view(buf_).substr(pos_, c.start - pos_);
  if (m.kind == Match::need_more) {
    pos_ = c.start;
    if (!data.empty()) line_start_ = false;
    if (body && !data.empty()) return MultipartEvent{MultipartEventKind::data, data};
    return MultipartEvent{};
  }
  pos_ = m.end;
  state_ = m.kind == Match::open ? State::headers : State::epilogue;
  if (m.kind == Match::open) fields_.reset();
  if (!body) {
    if (m.kind == Match::close) return MultipartEvent{MultipartEventKind::end, {}};  // no part at all
    return std::nullopt;
  }
  queued_ = queue_head_ = 0;
  queue_[queued_++] = MultipartEventKind::part_end;
  if (m.kind == Match::close) queue_[queued_++] = MultipartEventKind::end;
  if (!data.empty()) return MultipartEvent{MultipartEventKind::data, data};
  return next();
}

MultipartEvent MultipartParser::next() {
  if (queue_head_ < queued_) {
    MultipartEventKind k = queue_[queue_head_++];
    if (queue_head_ == queued_) queue_head_ = queued_ = 0;
    return {k, {}};
  }
  // Every round returns, or moves pos_ forward, or changes state_, or turns line_start_ from
  // true to false, so it ends.
  for (;;) {
    switch (state_) {
      case State::failed:
        return {MultipartEventKind::error, {}};
      case State::epilogue:
        pos_ = buf_.size();  // RFC 2046 §5.1.1: the epilogue is to be ignored
        return {};
      case State::headers:
        return read_headers();
      case State::preamble:
      case State::body:
        if (auto e = scan()) return *e;
        break;
    }
  }
}

}  // namespace wire::text
