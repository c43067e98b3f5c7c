// SPDX-License-Identifier: MIT
// ParserCore: llhttp and the rules wire adds to it, behind MessageParser. Its llhttp callbacks
// are in parser_callbacks.cpp, its feed loop and events in parser.cpp.
#pragma once

#include <llhttp.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "wire/http/parser.hpp"

namespace wire::http::detail {

class ParserCore {
 public:
  ParserCore(bool response, const ParserLimits& limits);
  ParserCore(const ParserCore&) = delete;
  ParserCore& operator=(const ParserCore&) = delete;

  std::size_t feed(const char* data, std::size_t len);
  void feed_eof();
  Event next();
  void continue_after_upgrade() noexcept;
  // What is wrong with a message's Transfer-Encoding fields, if anything.
  std::optional<Errc> transfer_encoding_problem(const Headers& headers, Version version) const;
  // Whether a response has a body llhttp should read (skip 0), none (1), or none and a
  // protocol switch after it (2); false past the limit of interim responses.
  bool response_skip(int& skip);
  // Bytes of a next message (or the empty lines before it) were fed since the last one ended.
  bool started() const noexcept { return stream_pos_ > message_start_; }

  ParserLimits limits_;
  Request request_;
  Response response_;
  Headers trailers_;
  BodyFraming framing_ = BodyFraming::none;
  std::optional<std::uint64_t> content_length_;
  bool keep_alive_ = true;
  std::error_code error_;
  std::string expect_method_;

 private:
  enum class Phase : std::uint8_t { start_line, headers, body, trailers };
  // Why a callback paused llhttp; feed() acts on it at the exact stream position.
  enum class Pause : std::uint8_t {
    none,
    start_line_done,
    head_done,
    trailers_start,
    chunk_done,
    message_done,
  };
  enum class Scan : std::uint8_t { none, cr, crlf };
  struct Pending {
    EventKind kind;
    std::string_view data;
    std::uint64_t pos;  // stream position at which the event was complete
  };

  static const llhttp_settings_t settings;
  static ParserCore& self(llhttp_t* p) { return *static_cast<ParserCore*>(p->data); }

  static int on_message_begin(llhttp_t* p);
  static int on_method(llhttp_t* p, const char* at, std::size_t n);
  static int on_url(llhttp_t* p, const char* at, std::size_t n);
  static int on_version_complete(llhttp_t* p);
  static int on_status(llhttp_t* p, const char* at, std::size_t n);
  static int on_status_complete(llhttp_t* p);
  static int on_header_field(llhttp_t* p, const char* at, std::size_t n);
  static int on_header_field_complete(llhttp_t* p);
  static int on_header_value(llhttp_t* p, const char* at, std::size_t n);
  static int on_header_value_complete(llhttp_t* p);
  static int on_headers_complete(llhttp_t* p);
  static int on_body(llhttp_t* p, const char* at, std::size_t n);
  static int on_chunk_header(llhttp_t* p);
  static int on_chunk_complete(llhttp_t* p);
  static int on_message_complete(llhttp_t* p);

  std::uint64_t position(const char* at) const noexcept {
    return exec_pos_ + static_cast<std::uint64_t>(at - exec_begin_);
  }
  Headers& fields() noexcept {
    if (phase_ == Phase::trailers) return trailers_;
    return response_mode_ ? response_.headers : request_.headers;
  }
  int reject(Errc code) noexcept {
    callback_error_ = code;
    return -1;
  }
  // Runs a callback's body: an exception (bad_alloc) must not unwind through llhttp's C
  // frames, so it stops llhttp and is rethrown from feed().
  template <typename Body>
  static int guarded(llhttp_t* p, Body body) noexcept {
    try {
      return body(self(p));
    } catch (...) {
      self(p).callback_exception_ = std::current_exception();
      return -1;
    }
  }
  int headers_complete();
  std::optional<Errc> request_target_problem() const;
  std::optional<std::uint64_t> cap() const noexcept;
  Errc cap_error() const noexcept;
  bool handle_pause(std::uint64_t at, bool& stop);
  bool check_start_line(std::uint64_t at);
  bool finish_head(std::uint64_t at);
  bool scan(const char* begin, const char* end);
  bool scan_range(const char* begin, const char* end);
  Errc map_error(llhttp_errno_t err) const noexcept;
  bool push(EventKind kind, std::string_view data, std::uint64_t pos) noexcept;
  void fail(Errc code, std::uint64_t pos);

  llhttp_t parser_{};
  bool response_mode_;
  Phase phase_ = Phase::start_line;
  Pause pause_ = Pause::none;
  Scan scan_ = Scan::none;
  bool in_message_ = false;
  bool head_pending_ = false;   // head complete, but llhttp could not pause there
  bool upgrade_ = false;        // the current message switches protocols when it ends
  bool upgraded_ = false;       // ... and it has ended
  bool resume_upgrade_ = false; // continue_after_upgrade() was called
  bool eof_ = false;
  std::optional<Errc> callback_error_;
  std::exception_ptr callback_exception_;  // thrown in a callback, rethrown once llhttp returns

  // Stream positions: bytes since the parser was made.
  std::uint64_t stream_pos_ = 0;         // of the next byte feed() will see
  std::uint64_t exec_pos_ = 0;           // of exec_begin_
  const char* exec_begin_ = nullptr;     // the buffer llhttp is running over
  std::uint64_t message_start_ = 0;      // where the current message (or its empty lines) began
  std::uint64_t section_start_ = 0;      // first byte of the header or trailer section
  std::uint64_t method_end_ = 0, target_start_ = 0, target_end_ = 0, reason_start_ = 0;
  bool target_seen_ = false, reason_seen_ = false;
  std::uint64_t chunk_line_start_ = 0;   // where the chunk-size line being read began ...
  bool in_chunk_line_ = false;           // ... while one is
  const char* body_at_ = nullptr;        // the body bytes of the current execute (not framing)
  std::size_t body_len_ = 0;

  std::string field_, value_;
  std::size_t field_count_ = 0;
  std::size_t interim_count_ = 0;

  std::array<Pending, 4> queue_{};
  std::size_t queue_begin_ = 0, queue_end_ = 0;
};

}  // namespace wire::http::detail
