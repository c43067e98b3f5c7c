// SPDX-License-Identifier: MIT
// ParserCore's llhttp callbacks: each piece of a head as llhttp finds it, and at the end of the
// head the RFC 9112 rules llhttp 8 leaves to its caller (versions, Host, Transfer-Encoding,
// which responses have bodies). See parser.cpp for how the pauses they make become events.
#include <cstring>
#include <limits>
#include <stdexcept>
#include <utility>

#include "parser_core.hpp"
#include "wire/text/chars.hpp"

namespace wire::http::detail {

namespace {

// RFC 3986 §3.2.2: IP-literal = "[" ( IPv6address / IPvFuture ) "]", checked for the
// characters each may have (the address itself is the application's to read).
bool is_ip_literal(std::string_view s) {
  if (s.size() < 3 || s.front() != '[' || s.back() != ']') return false;
  s = s.substr(1, s.size() - 2);
  if (s[0] == 'v' || s[0] == 'V') {  // IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
    std::size_t dot = s.find('.');
    if (dot == std::string_view::npos || dot < 2 || dot + 1 == s.size()) return false;
    for (char c : s.substr(1, dot - 1)) {
      if (!text::is_hex(c)) return false;
    }
    for (char c : s.substr(dot + 1)) {
      if (!text::is_unreserved(c) && !text::is_sub_delim(c) && c != ':') return false;
    }
    return true;
  }
  for (char c : s) {
    if (!text::is_hex(c) && c != ':' && c != '.') return false;
  }
  return s.find(':') != std::string_view::npos;
}

// RFC 9110 §7.2 and RFC 3986 §3.2: uri-host [ ":" port ], the host an IP literal or a
// reg-name (unreserved, pct-encoded, sub-delims): no space, no '/', no userinfo. Empty is
// allowed (RFC 9110 §7.2: the target has no authority).
bool is_authority(std::string_view s) {
  std::string_view host = s;
  std::string_view port;
  if (!s.empty() && s[0] == '[') {
    std::size_t close = s.find(']');
    if (close == std::string_view::npos) return false;
    host = s.substr(0, close + 1);
    std::string_view rest = s.substr(close + 1);
    if (!rest.empty() && rest[0] != ':') return false;
    if (!rest.empty()) port = rest.substr(1);
    if (!is_ip_literal(host)) return false;
  } else {
    std::size_t colon = s.rfind(':');
    if (colon != std::string_view::npos) {
      host = s.substr(0, colon);
      port = s.substr(colon + 1);
    }
    for (std::size_t i = 0; i < host.size(); ++i) {
      char c = host[i];
      if (c == '%' && i + 2 < host.size() && text::is_hex(host[i + 1]) && text::is_hex(host[i + 2])) {
        i += 2;
      } else if (!text::is_unreserved(c) && !text::is_sub_delim(c)) {
        return false;
      }
    }
  }
  for (char c : port) {
    if (!text::is_digit(c)) return false;
  }
  return true;
}

}  // namespace

const llhttp_settings_t ParserCore::settings = [] {
  llhttp_settings_t s;
  llhttp_settings_init(&s);
  s.on_message_begin = on_message_begin;
  s.on_method = on_method;
  s.on_url = on_url;
  s.on_version_complete = on_version_complete;
  s.on_status = on_status;
  s.on_status_complete = on_status_complete;
  s.on_header_field = on_header_field;
  s.on_header_field_complete = on_header_field_complete;
  s.on_header_value = on_header_value;
  s.on_header_value_complete = on_header_value_complete;
  s.on_headers_complete = on_headers_complete;
  s.on_body = on_body;
  s.on_chunk_header = on_chunk_header;
  s.on_chunk_complete = on_chunk_complete;
  s.on_message_complete = on_message_complete;
  return s;
}();

ParserCore::ParserCore(bool response, const ParserLimits& limits) : limits_(limits), response_mode_(response) {
  llhttp_init(&parser_, response ? HTTP_RESPONSE : HTTP_REQUEST, &settings);
  // llhttp knows the versions 0.9, 1.0, 1.1, 2.0 and 3.0 and refuses the others; RFC 9112
  // §2.3 wants a later 1.x read as 1.1 (headers_complete() decides). No setter in llhttp 8:
  // LENIENT_VERSION is the flag's own value.
  parser_.lenient_flags |= LENIENT_VERSION;
  parser_.data = this;
}

// --- llhttp callbacks --------------------------------------------------------------------

int ParserCore::on_message_begin(llhttp_t* p) {
  ParserCore& c = self(p);
  c.in_message_ = true;
  c.request_.method.clear();
  c.request_.target.clear();
  c.request_.headers.clear();
  c.response_.reason.clear();
  c.response_.headers.clear();
  c.response_.status = 0;
  c.trailers_.clear();
  c.field_.clear();
  c.value_.clear();
  c.field_count_ = 0;
  c.target_seen_ = c.reason_seen_ = false;
  c.framing_ = BodyFraming::none;
  c.content_length_.reset();
  c.keep_alive_ = true;
  c.upgrade_ = false;
  c.in_chunk_line_ = false;
  return 0;
}

int ParserCore::on_method(llhttp_t* p, const char* at, std::size_t n) {
  return guarded(p, [&](ParserCore& c) {
    c.request_.method.append(at, n);
    c.method_end_ = c.position(at) + n;
    return 0;
  });
}

int ParserCore::on_url(llhttp_t* p, const char* at, std::size_t n) {
  return guarded(p, [&](ParserCore& c) {
    if (!c.target_seen_) {
      c.target_seen_ = true;
      c.target_start_ = c.position(at);
    }
    c.request_.target.append(at, n);
    c.target_end_ = c.position(at) + n;
    return 0;
  });
}

int ParserCore::on_version_complete(llhttp_t* p) {
  ParserCore& c = self(p);
  if (c.response_mode_) return 0;  // in a status-line the version comes first
  c.pause_ = Pause::start_line_done;
  return HPE_PAUSED;
}

int ParserCore::on_status(llhttp_t* p, const char* at, std::size_t n) {
  return guarded(p, [&](ParserCore& c) {
    if (!c.reason_seen_) {
      c.reason_seen_ = true;
      c.reason_start_ = c.position(at);
    }
    c.response_.reason.append(at, n);
    return 0;
  });
}

int ParserCore::on_status_complete(llhttp_t* p) {
  self(p).pause_ = Pause::start_line_done;
  return HPE_PAUSED;
}

int ParserCore::on_header_field(llhttp_t* p, const char* at, std::size_t n) {
  return guarded(p, [&](ParserCore& c) {
    c.field_.append(at, n);
    return 0;
  });
}

int ParserCore::on_header_field_complete(llhttp_t* p) {
  ParserCore& c = self(p);
  if (!is_token(c.field_)) return c.reject(Errc::bad_header_name);  // RFC 9110 §5.1
  if (++c.field_count_ > c.limits_.max_header_count) return c.reject(Errc::too_many_headers);
  return 0;
}

int ParserCore::on_header_value(llhttp_t* p, const char* at, std::size_t n) {
  return guarded(p, [&](ParserCore& c) {
    c.value_.append(at, n);
    return 0;
  });
}

int ParserCore::on_header_value_complete(llhttp_t* p) {
  return guarded(p, [](ParserCore& c) {
    // RFC 9110 §5.5: the value excludes surrounding whitespace; CR, LF, NUL and the other
    // controls but HTAB are invalid.
    std::string_view value = trim_ows(c.value_);
    for (char ch : value) {
      if (!text::is_field_char(ch)) return c.reject(Errc::bad_header_value);
    }
    c.fields().add(c.field_, value);
    c.field_.clear();
    c.value_.clear();
    return 0;
  });
}

int ParserCore::on_headers_complete(llhttp_t* p) {
  return guarded(p, [](ParserCore& c) { return c.headers_complete(); });
}

int ParserCore::headers_complete() {
  // RFC 9112 §2.3: only HTTP/1.x is spoken here (505 for the others); a minor version above 1
  // is one this side does not know, to be processed as the highest it does: 1.1.
  if (parser_.http_major != 1) return reject(Errc::bad_version);
  const Version version{1, parser_.http_minor == 0 ? 0 : 1};
  Headers& headers = response_mode_ ? response_.headers : request_.headers;

  if (!response_mode_) {
    request_.version = version;
    // RFC 9112 §3.2: exactly one Host in HTTP/1.1, at most one in HTTP/1.0.
    std::size_t hosts = headers.count("Host");
    if (version.minor == 1 ? hosts != 1 : hosts > 1) return reject(Errc::bad_host);
    if (hosts == 1 && !is_authority(*headers.get("Host"))) return reject(Errc::bad_host);
    if (auto problem = request_target_problem()) return reject(*problem);
  } else {
    response_.version = version;
  }

  if (headers.contains("Transfer-Encoding")) {
    if (auto problem = transfer_encoding_problem(headers, version)) return reject(*problem);
  }

  keep_alive_ = version.minor == 1 ? !headers.has_token("Connection", "close")
                                   : headers.has_token("Connection", "keep-alive");
  if (parser_.flags & F_CONTENT_LENGTH) content_length_ = parser_.content_length;

  int skip = 0;
  if (response_mode_ && !response_skip(skip)) return reject(Errc::too_many_interim_responses);

  if (skip == 0) {
    if (parser_.flags & F_CHUNKED) {
      framing_ = BodyFraming::chunked;
    } else if (parser_.flags & F_TRANSFER_ENCODING) {
      framing_ = BodyFraming::until_eof;  // RFC 9112 §6.3 (4), responses only (see above)
    } else if (parser_.flags & F_CONTENT_LENGTH) {
      framing_ = parser_.content_length > 0 ? BodyFraming::content_length : BodyFraming::none;
    } else if (response_mode_) {
      framing_ = BodyFraming::until_eof;  // RFC 9112 §6.3 (8)
    }
  }
  if (framing_ == BodyFraming::until_eof) keep_alive_ = false;

  if (skip != 0) {
    upgrade_ = skip == 2;
    head_pending_ = true;  // llhttp cannot pause here and skip the body: the head is reported at the end
    return skip;
  }
  pause_ = Pause::head_done;
  return HPE_PAUSED;
}

// RFC 9112 §3.2.2: an absolute-form target's authority is what Host would say, so the same
// grammar; RFC 9110 §4.2.4: userinfo in it is an error.
std::optional<Errc> ParserCore::request_target_problem() const {
  std::string_view target = request_.target;
  if (target.empty() || target[0] == '/' || target == "*" || request_.method == "CONNECT") return std::nullopt;
  std::size_t start = target.find("://");
  if (start == std::string_view::npos) return std::nullopt;
  start += 3;
  std::string_view authority = target.substr(start, target.find_first_of("/?#", start) - start);
  if (!is_authority(authority)) return Errc::bad_target;
  return std::nullopt;
}

std::optional<Errc> ParserCore::transfer_encoding_problem(const Headers& headers, Version version) const {
  // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 means the framing is faulty.
  if (version.minor == 0) return Errc::bad_transfer_encoding;
  if (response_mode_) return std::nullopt;
  // RFC 9112 §6.3 (4): chunked must be the final coding of a request (400); RFC 9112 §6.1: a
  // coding the server does not know gets 501, and chunked is the only one here.
  std::string_view last;
  bool other = false;
  for (auto field : headers) {
    if (!iequals(field.name, "Transfer-Encoding")) continue;
    std::string_view value = field.value;
    while (!value.empty()) {
      std::size_t comma = value.find(',');
      std::string_view coding = trim_ows(value.substr(0, comma));
      if (!coding.empty()) {
        if (!iequals(coding, "chunked")) other = true;
        last = coding;
      }
      value.remove_prefix(comma == std::string_view::npos ? value.size() : comma + 1);
    }
  }
  if (!iequals(last, "chunked")) return Errc::bad_transfer_encoding;
  if (other) return Errc::unsupported_transfer_coding;
  return std::nullopt;
}

bool ParserCore::response_skip(int& skip) {
  // 0: read the body llhttp finds; 1: no body whatever the fields say; 2: no body, and the
  // connection switches protocols after this message.
  int status = response_.status;
  if (status == 101) {
    skip = 2;  // RFC 9110 §15.2.2: the new protocol starts right after this response
  } else if (status < 200) {
    // RFC 9110 §15.2: interim responses, then the final one.
    if (++interim_count_ > limits_.max_interim_responses) return false;
    skip = 1;
  } else if (expect_method_ == "CONNECT" && status < 300) {
    skip = 2;  // RFC 9110 §9.3.6: a 2xx to CONNECT makes the connection a tunnel
  } else if (expect_method_ == "HEAD" || status == 204 || status == 304) {
    skip = 1;  // RFC 9112 §6.3 (1)
  }
  if (status >= 200 || status == 101) interim_count_ = 0;
  return true;
}

int ParserCore::on_body(llhttp_t* p, const char* at, std::size_t n) {
  ParserCore& c = self(p);
  c.body_at_ = at;
  c.body_len_ = n;
  if (!c.push(EventKind::data, std::string_view(at, n), c.position(at) + n)) return c.reject(Errc::bad_message);
  return 0;
}

int ParserCore::on_chunk_header(llhttp_t* p) {
  ParserCore& c = self(p);
  c.in_chunk_line_ = false;  // called after its LF
  if (c.parser_.content_length != 0) return 0;
  c.pause_ = Pause::trailers_start;  // the last chunk: trailer fields follow
  return HPE_PAUSED;
}

int ParserCore::on_chunk_complete(llhttp_t* p) {
  ParserCore& c = self(p);
  if (c.phase_ == Phase::trailers) return 0;  // the end of the message follows at once
  c.pause_ = Pause::chunk_done;
  return HPE_PAUSED;
}

int ParserCore::on_message_complete(llhttp_t* p) {
  ParserCore& c = self(p);
  if (!c.response_mode_ && llhttp_get_upgrade(p)) c.upgrade_ = true;  // CONNECT, or Upgrade
  c.pause_ = Pause::message_done;
  return HPE_PAUSED;
}

}  // namespace wire::http::detail
