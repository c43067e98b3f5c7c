// SPDX-License-Identifier: MIT
// The parsers drive llhttp (built in strict mode, every lenient flag off but the version's:
// see headers_complete()) and add what it leaves to its caller: limits, positions, and the RFC 9112 rules llhttp 8 does not enforce.
//
// llhttp calls back as it goes; the callbacks that complete something pause it
// (HPE_PAUSED), and feed() decides at each pause, from the exact stream position, whether an
// event is ready (then it returns) or parsing goes on. Every check is made at a fixed byte of
// the stream, never at the end of whatever buffer happened to arrive, so a message fed whole,
// byte by byte or split anywhere gives the same events and the same error.
#include "wire/http/parser.hpp"

#include "parser_core.hpp"

#include <array>
#include <cstring>
#include <limits>
#include <exception>
#include <stdexcept>
#include <utility>

#include "wire/text/chars.hpp"

namespace wire::http::detail {

// --- feed loop ---------------------------------------------------------------------------

std::optional<std::uint64_t> ParserCore::cap() const noexcept {
  auto add = [](std::uint64_t a, std::uint64_t b) {
    constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    return a > max - b ? max : a + b;
  };
  // A limit of N lets llhttp see N bytes and the CRLF that ends them, and no more.
  switch (phase_) {
    case Phase::start_line:
      return add(message_start_, add(limits_.max_start_line, 2));
    case Phase::headers:
    case Phase::trailers:
      return add(section_start_, add(limits_.max_header_bytes, 2));
    case Phase::body:
      // RFC 9112 §7.1.1 bounds no chunk extension: the whole chunk-size line is.
      if (in_chunk_line_) return add(chunk_line_start_, add(limits_.max_chunk_line, 2));
      break;
  }
  return std::nullopt;
}

Errc ParserCore::cap_error() const noexcept {
  if (phase_ == Phase::body) return Errc::chunk_line_too_long;
  return phase_ == Phase::start_line ? Errc::start_line_too_long : Errc::header_too_large;
}

// The pauses bound what one feed() can complete (head and end, or data and end), so the
// queue never fills; if it did, that would be a parser bug, reported as a malformed message.
bool ParserCore::push(EventKind kind, std::string_view data, std::uint64_t pos) noexcept {
  if (queue_end_ == queue_.size()) return false;
  queue_[queue_end_++] = Pending{kind, data, pos};
  return true;
}

void ParserCore::fail(Errc code, std::uint64_t pos) {
  if (error_) return;
  error_ = code;
  // Events completed after the fault are not events of a valid stream.
  while (queue_end_ > queue_begin_ && queue_[queue_end_ - 1].pos > pos) --queue_end_;
}

std::size_t ParserCore::feed(const char* data, std::size_t len) {
  if (queue_begin_ != queue_end_) {
    throw std::logic_error(
        "wire::http parser: feed() while events are waiting: call next() until need_more first");
  }
  queue_begin_ = queue_end_ = 0;
  if (error_ || upgraded_ || eof_) return 0;

  std::size_t off = 0;
  bool force = false;  // run llhttp even without bytes: after a pause it may have more to do
  while (!error_) {
    std::size_t avail = len - off;
    if (auto limit = cap()) {
      if (stream_pos_ >= *limit) {
        fail(cap_error(), stream_pos_);
        break;
      }
      avail = static_cast<std::size_t>(std::min<std::uint64_t>(avail, *limit - stream_pos_));
    }
    if (avail == 0 && !force) break;
    force = false;

    exec_begin_ = data + off;
    exec_pos_ = stream_pos_;
    body_at_ = nullptr;
    body_len_ = 0;
    pause_ = Pause::none;
    llhttp_errno_t err = llhttp_execute(&parser_, exec_begin_, avail);
    if (callback_exception_) {
      fail(Errc::bad_message, stream_pos_);  // the parser cannot go on from a half-done callback
      exec_begin_ = nullptr;
      std::rethrow_exception(std::exchange(callback_exception_, nullptr));
    }
    std::size_t used = avail;
    if (err != HPE_OK) {
      const char* stop_at = llhttp_get_error_pos(&parser_);
      used = stop_at && stop_at >= exec_begin_ && stop_at <= exec_begin_ + avail
                 ? static_cast<std::size_t>(stop_at - exec_begin_)
                 : 0;
    }
    // Line endings and folding, over the framing bytes llhttp consumed: an earlier fault wins.
    if (scan(exec_begin_, exec_begin_ + used)) break;
    off += used;
    stream_pos_ += used;

    if (err == HPE_OK) continue;
    if (err == HPE_PAUSED) {
      llhttp_resume(&parser_);
      bool stop = false;
      if (!handle_pause(stream_pos_, stop) || stop) break;
      force = true;
      continue;
    }
    if (err == HPE_PAUSED_UPGRADE && resume_upgrade_) {
      resume_upgrade_ = false;
      llhttp_resume_after_upgrade(&parser_);
      force = true;
      continue;
    }
    Errc code = map_error(err);
    // RFC 9112 §3: a request-line that is not `method SP target SP version` is 400. llhttp
    // reports any byte that ends its method matching as an invalid method; only a token (one
    // the parser does not know, or one cut short by SP) names a method: 501 (RFC 9110 §9.1).
    if (code == Errc::bad_method && !response_mode_) {
      char c = used < avail ? exec_begin_[used] : '\0';
      bool token_then_space = c == ' ' && stream_pos_ > message_start_;
      if (!text::is_tchar(c) && !token_then_space) code = Errc::bad_request_line;
    }
    fail(code, stream_pos_);
  }
  exec_begin_ = nullptr;
  return off;
}

bool ParserCore::handle_pause(std::uint64_t at, bool& stop) {
  switch (pause_) {
    case Pause::none:
      break;
    case Pause::start_line_done:
      if (!check_start_line(at)) return false;
      phase_ = Phase::headers;
      break;
    case Pause::head_done:
      if (!finish_head(at)) return false;
      phase_ = Phase::body;
      stop = framing_ != BodyFraming::none;  // without a body, the end follows with no more bytes
      in_chunk_line_ = framing_ == BodyFraming::chunked;
      chunk_line_start_ = at;
      break;
    case Pause::trailers_start:
      phase_ = Phase::trailers;
      section_start_ = at;
      field_count_ = 0;
      break;
    case Pause::chunk_done:
      stop = true;
      in_chunk_line_ = true;  // the next chunk-size line starts here
      chunk_line_start_ = at;
      break;
    case Pause::message_done:
      if (head_pending_) {
        head_pending_ = false;
        if (!finish_head(at)) return false;
      } else if (phase_ == Phase::trailers && at - 2 - section_start_ > limits_.max_header_bytes) {
        fail(Errc::header_too_large, at);
        return false;
      }
      if (!push(EventKind::end, {}, at)) {
        fail(Errc::bad_message, at);
        return false;
      }
      if (upgrade_) upgraded_ = true;
      if (response_mode_ && response_.status >= 200) expect_method_.clear();
      phase_ = Phase::start_line;
      in_message_ = false;
      message_start_ = at;
      stop = true;
      break;
  }
  return true;
}

bool ParserCore::check_start_line(std::uint64_t at) {
  if (!response_mode_) {
    // Paused at the CR that ends the request-line. RFC 9112 §3: method SP target SP version,
    // single spaces.
    if (at - message_start_ > limits_.max_start_line) {
      fail(Errc::start_line_too_long, at);
      return false;
    }
    if (!target_seen_ || target_start_ != method_end_ + 1 || at != target_end_ + 9) {
      fail(Errc::bad_request_line, at);
      return false;
    }
    section_start_ = at + 2;
    return true;
  }
  // Paused after the LF that ends the status-line. RFC 9112 §4:
  // HTTP-version SP 3DIGIT SP [reason-phrase].
  std::uint64_t line = at - 2 - message_start_;
  if (line > limits_.max_start_line) {
    fail(Errc::start_line_too_long, at);
    return false;
  }
  response_.status = parser_.status_code;
  bool ok = response_.status >= 100 && response_.status <= 999;
  if (reason_seen_) {
    ok = ok && reason_start_ == message_start_ + 13;
    for (char ch : response_.reason) ok = ok && text::is_field_char(ch);
  } else {
    ok = ok && (line == 12 || line == 13);
  }
  if (!ok) {
    fail(Errc::bad_status_line, at);
    return false;
  }
  section_start_ = at;
  return true;
}

bool ParserCore::finish_head(std::uint64_t at) {
  // Paused after the empty line: the field lines end 2 bytes before.
  if (at - 2 - section_start_ > limits_.max_header_bytes) {
    fail(Errc::header_too_large, at);
    return false;
  }
  if (!push(EventKind::head, {}, at)) {
    fail(Errc::bad_message, at);
    return false;
  }
  return true;
}

bool ParserCore::scan(const char* begin, const char* end) {
  if (body_at_ && body_at_ >= begin && body_at_ + body_len_ <= end) {
    if (scan_range(begin, body_at_)) return true;
    scan_ = Scan::none;
    return scan_range(body_at_ + body_len_, end);
  }
  return scan_range(begin, end);
}

// RFC 9112 §2.2: lines end with CRLF, never a bare CR or LF. RFC 9112 §5.2: a line starting
// with whitespace continues the previous one (obs-fold), which is refused, as is whitespace
// before the first field (§2.2).
bool ParserCore::scan_range(const char* begin, const char* end) {
  const char* c = begin;
  while (c < end) {
    if (scan_ == Scan::none) {
      // Inside a line, most bytes are neither CR nor LF: jump to the next CR, after making
      // sure no LF comes before it.
      const auto* cr = static_cast<const char*>(std::memchr(c, '\r', static_cast<std::size_t>(end - c)));
      const char* stop = cr ? cr : end;
      if (const auto* lf = static_cast<const char*>(std::memchr(c, '\n', static_cast<std::size_t>(stop - c)))) {
        fail(Errc::bad_line_ending, position(lf));
        return true;
      }
      if (!cr) return false;
      scan_ = Scan::cr;
      c = cr + 1;
      continue;
    }
    if (scan_ == Scan::cr) {
      if (*c != '\n') {
        fail(Errc::bad_line_ending, position(c));
        return true;
      }
      scan_ = Scan::crlf;
    } else if (*c == '\n') {  // at the start of a line
      fail(Errc::bad_line_ending, position(c));
      return true;
    } else if (*c == '\r') {
      scan_ = Scan::cr;
    } else if (*c == ' ' || *c == '\t') {
      fail(Errc::obsolete_line_folding, position(c));
      return true;
    } else {
      scan_ = Scan::none;
    }
    ++c;
  }
  return false;
}

Errc ParserCore::map_error(llhttp_errno_t err) const noexcept {
  if (callback_error_) return *callback_error_;
  // llhttp stopped right after a CR: the line did not end with CRLF. (The byte at the stop is
  // not looked at: llhttp may stop before it has read it, and whether it is in this buffer
  // depends on how the stream was cut. A bare LF that llhttp refuses is named by where it
  // was found: bad_header_value, bad_chunk.)
  if (scan_ == Scan::cr) return Errc::bad_line_ending;
  const char* reason = llhttp_get_error_reason(&parser_);
  auto says = [reason](const char* word) { return reason && std::strstr(reason, word) != nullptr; };
  switch (err) {
    case HPE_INVALID_METHOD:
      return Errc::bad_method;
    case HPE_INVALID_URL:
      return Errc::bad_target;
    case HPE_INVALID_VERSION:
      // "HTTP/1.1 " or "HTTP/1.1x": a version this parser speaks, on a malformed line (400);
      // "HTTP/2.0", "HTTP/1.2": a version it does not (505).
      if (!response_mode_ && parser_.http_major == 1 && parser_.http_minor <= 1 && says("CRLF after version")) {
        return Errc::bad_request_line;
      }
      return Errc::bad_version;
    case HPE_PAUSED_H2_UPGRADE:  // "PRI * HTTP/2.0": an HTTP/2 client
      return Errc::bad_version;
    case HPE_INVALID_STATUS:
      return Errc::bad_status_line;
    case HPE_INVALID_HEADER_TOKEN:
      return says("value") ? Errc::bad_header_value : Errc::bad_header_name;
    case HPE_UNEXPECTED_SPACE:
      return Errc::obsolete_line_folding;
    case HPE_INVALID_CONTENT_LENGTH:
      return Errc::bad_content_length;
    case HPE_UNEXPECTED_CONTENT_LENGTH:
      return says("Transfer-Encoding") ? Errc::content_length_with_transfer_encoding
                                       : Errc::conflicting_content_length;
    case HPE_INVALID_TRANSFER_ENCODING:
      return Errc::bad_transfer_encoding;
    case HPE_INVALID_CHUNK_SIZE:
      return Errc::bad_chunk;
    case HPE_STRICT:
    case HPE_LF_EXPECTED:
    case HPE_CR_EXPECTED:
      return phase_ == Phase::body ? Errc::bad_chunk : Errc::bad_line_ending;
    case HPE_CLOSED_CONNECTION:
      return Errc::data_after_close;
    default:
      break;
  }
  if (phase_ == Phase::start_line) return response_mode_ ? Errc::bad_status_line : Errc::bad_request_line;
  if (phase_ == Phase::body) return Errc::bad_chunk;
  return Errc::bad_message;
}

void ParserCore::feed_eof() {
  if (error_ || upgraded_ || eof_) return;
  eof_ = true;
  if (!in_message_) return;  // a clean close between messages
  if (phase_ == Phase::start_line || phase_ == Phase::headers) {
    fail(Errc::truncated_head, stream_pos_);
    return;
  }
  if (phase_ == Phase::body && framing_ == BodyFraming::until_eof) {
    pause_ = Pause::none;
    llhttp_errno_t err = llhttp_finish(&parser_);
    if ((err == HPE_OK || err == HPE_PAUSED) && pause_ == Pause::message_done) {
      bool stop = false;
      handle_pause(stream_pos_, stop);
      return;
    }
  }
  fail(Errc::truncated_body, stream_pos_);
}

Event ParserCore::next() {
  if (queue_begin_ < queue_end_) {
    const Pending& e = queue_[queue_begin_++];
    Event ev{e.kind, e.data};
    if (queue_begin_ == queue_end_) queue_begin_ = queue_end_ = 0;
    return ev;
  }
  if (error_) return {EventKind::error, {}};
  if (upgraded_) return {EventKind::upgrade, {}};
  return {};
}

void ParserCore::continue_after_upgrade() noexcept {
  if (!upgraded_ || error_) return;
  upgraded_ = false;
  upgrade_ = false;
  resume_upgrade_ = true;
}

}  // namespace wire::http::detail

namespace wire::http {

MessageParser::MessageParser(bool response, const ParserLimits& limits)
    : core_(std::make_unique<detail::ParserCore>(response, limits)) {}
MessageParser::MessageParser(MessageParser&&) noexcept = default;
MessageParser& MessageParser::operator=(MessageParser&&) noexcept = default;
MessageParser::~MessageParser() = default;

std::size_t MessageParser::feed(std::string_view bytes) { return core_->feed(bytes.data(), bytes.size()); }
std::size_t MessageParser::feed(std::span<const std::byte> bytes) {
  return core_->feed(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}
void MessageParser::feed_eof() { core_->feed_eof(); }
Event MessageParser::next() { return core_->next(); }
const Headers& MessageParser::trailers() const noexcept { return core_->trailers_; }
BodyFraming MessageParser::framing() const noexcept { return core_->framing_; }
std::optional<std::uint64_t> MessageParser::content_length() const noexcept { return core_->content_length_; }
bool MessageParser::keep_alive() const noexcept { return core_->keep_alive_; }
std::error_code MessageParser::error() const noexcept { return core_->error_; }
bool MessageParser::started() const noexcept { return core_->started(); }
void MessageParser::continue_after_upgrade() noexcept { core_->continue_after_upgrade(); }
const ParserLimits& MessageParser::limits() const noexcept { return core_->limits_; }
void MessageParser::set_max_start_line(std::size_t bytes) noexcept { core_->limits_.max_start_line = bytes; }
void MessageParser::set_max_header_count(std::size_t fields) noexcept {
  core_->limits_.max_header_count = fields;
}
void MessageParser::set_max_header_bytes(std::size_t bytes) noexcept {
  core_->limits_.max_header_bytes = bytes;
}

RequestParser::RequestParser(const ParserLimits& limits) : MessageParser(false, limits) {}
const Request& RequestParser::request() const noexcept { return core_->request_; }

ResponseParser::ResponseParser(const ParserLimits& limits) : MessageParser(true, limits) {}
void ResponseParser::expect_response_to(std::string_view method) {
  core_->expect_method_ = std::string(method);
}
const Response& ResponseParser::response() const noexcept { return core_->response_; }
void ResponseParser::set_max_interim_responses(std::size_t responses) noexcept {
  core_->limits_.max_interim_responses = responses;
}

}  // namespace wire::http
