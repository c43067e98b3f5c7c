// SPDX-License-Identifier: MIT
#include "wire/http/serializer.hpp"

#include <charconv>

#include "wire/text/chars.hpp"
#include "wire/http/error.hpp"

namespace wire::http {
namespace {

bool is_target(std::string_view t) noexcept {
  if (t.empty()) return false;
  for (char c : t) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;  // SP, CR, LF, NUL, controls, non-ASCII
  }
  return true;
}

bool is_reason(std::string_view r) noexcept {
  for (char c : r) {
    if (!text::is_field_char(c)) return false;
  }
  return true;
}

// A Content-Length the request and response parsers (llhttp) take: 1*DIGIT (RFC 9110 §8.6),
// leading zeros allowed, whose value fits in 64 bits. Counting digits is not the same test:
// "000…0056639055" is 25 digits and a small number.
bool is_decimal(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s) {
    if (!text::is_digit(c)) return false;
  }
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  return ec == std::errc() && end == s.data() + s.size();
}

// `bad` (if given) receives the index of the offending field.
std::error_code check_fields(const Headers& headers, std::size_t* bad = nullptr) noexcept {
  for (std::size_t i = 0; i < headers.size(); ++i) {
    std::error_code ec;
    if (!is_valid_field_name(headers[i].name)) {
      ec = Errc::bad_header_name;
    } else if (!is_valid_field_value(headers[i].value)) {
      ec = Errc::bad_header_value;
    }
    if (ec) {
      if (bad) *bad = i;
      return ec;
    }
  }
  return {};
}

// RFC 9112 §6.3: one framing, stated once.
std::error_code check_framing(const Headers& headers) noexcept {
  bool has_length = false;
  for (auto field : headers) {
    if (!iequals(field.name, "Content-Length")) continue;
    if (!is_decimal(field.value)) return Errc::bad_content_length;
    if (has_length) return Errc::conflicting_content_length;
    has_length = true;
  }
  if (has_length && headers.contains("Transfer-Encoding")) return Errc::content_length_with_transfer_encoding;
  return {};
}

bool version_ok(Version v) noexcept { return v.major == 1 && (v.minor == 0 || v.minor == 1); }

void append_version(Version v, std::string& out) {
  out += v.minor == 0 ? "HTTP/1.0" : "HTTP/1.1";
}

void append_fields(const Headers& headers, std::string& out) {
  for (auto field : headers) {
    out += field.name;
    out += ": ";
    out += field.value;
    out += "\r\n";
  }
}

std::size_t fields_size(const Headers& headers) noexcept {
  std::size_t n = 0;
  for (auto field : headers) n += field.name.size() + field.value.size() + 4;
  return n;
}

// Field names in messages are cut short and stripped of control bytes.
std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s.substr(0, 64)) out += text::is_field_char(c) && c != '\t' ? c : '?';
  if (s.size() > 64) out += "...";
  return out + "\"";
}

[[noreturn]] void throw_refused(std::error_code ec, const char* what, const Headers& headers) {
  std::string message = std::string("refusing to send ") + what + ": " + ec.message();
  std::size_t bad = 0;
  bool field_problem = ec == Errc::bad_header_name || ec == Errc::bad_header_value;
  if (field_problem && check_fields(headers, &bad)) {
    message += ec == Errc::bad_header_name ? " " + quoted(headers[bad].name)
                                           : " for " + quoted(headers[bad].name) + " (CR, LF, NUL, "
                                             "another control character, or leading/trailing whitespace)";
  }
  throw Error(ec, message);
}

}  // namespace

std::error_code check(const Request& req) noexcept {
  if (!is_token(req.method)) return Errc::bad_method;
  if (!is_target(req.target)) return Errc::bad_target;
  if (!version_ok(req.version)) return Errc::bad_version;
  if (auto ec = check_fields(req.headers)) return ec;
  return check_framing(req.headers);
}

std::error_code check(const Response& res) noexcept {
  if (res.status < 100 || res.status > 999 || !is_reason(res.reason)) return Errc::bad_status_line;
  if (!version_ok(res.version)) return Errc::bad_version;
  if (auto ec = check_fields(res.headers)) return ec;
  return check_framing(res.headers);
}

void encode_head(const Request& req, std::string& out, std::error_code& ec) {
  ec = check(req);
  if (ec) return;
  out.reserve(out.size() + req.method.size() + req.target.size() + 12 + fields_size(req.headers) + 2);
  out += req.method;
  out += ' ';
  out += req.target;
  out += ' ';
  append_version(req.version, out);
  out += "\r\n";
  append_fields(req.headers, out);
  out += "\r\n";
}

void encode_head(const Response& res, std::string& out, std::error_code& ec) {
  ec = check(res);
  if (ec) return;
  std::string_view reason = res.reason.empty() ? reason_phrase(res.status) : std::string_view(res.reason);
  out.reserve(out.size() + 15 + reason.size() + fields_size(res.headers) + 2);
  append_version(res.version, out);
  out += ' ';
  char digits[4] = {static_cast<char>('0' + res.status / 100), static_cast<char>('0' + res.status / 10 % 10),
                    static_cast<char>('0' + res.status % 10), ' '};
  out.append(digits, 4);
  out += reason;
  out += "\r\n";
  append_fields(res.headers, out);
  out += "\r\n";
}

void encode_head(const Request& req, std::string& out) {
  std::error_code ec;
  encode_head(req, out, ec);
  if (ec) throw_refused(ec, "request", req.headers);
}

void encode_head(const Response& res, std::string& out) {
  std::error_code ec;
  encode_head(res, out, ec);
  if (ec) throw_refused(ec, "response", res.headers);
}

std::string encode_head(const Request& req) {
  std::string out;
  encode_head(req, out);
  return out;
}

std::string encode_head(const Response& res) {
  std::string out;
  encode_head(res, out);
  return out;
}

namespace {

void append_decimal(std::uint64_t n, std::string& out) {
  char buf[24];
  auto result = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, result.ptr);
}

// The length first: most names are none of these, and this runs for every field of every
// response a server sends.
bool frames_message(std::string_view name) noexcept {
  switch (name.size()) {
    case 14: return iequals(name, "Content-Length");
    case 17: return iequals(name, "Transfer-Encoding");
    case 10: return iequals(name, "Connection");
    default: return false;
  }
}

}  // namespace

std::error_code encode_response_head(int status, std::string_view reason, const Headers& fields,
                                     const ResponseFraming& framing, std::string& out) {
  if (status < 100 || status > 999 || !is_reason(reason)) return Errc::bad_status_line;
  const std::size_t start = out.size();
  if (reason.empty()) reason = reason_phrase(status);
  char line[13] = {'H', 'T', 'T', 'P', '/', '1', '.', '1', ' ', static_cast<char>('0' + status / 100),
                   static_cast<char>('0' + status / 10 % 10), static_cast<char>('0' + status % 10), ' '};
  out.append(line, sizeof line);
  out += reason;
  out += "\r\n";
  bool has_date = false;
  bool has_server = false;
  for (auto field : fields) {
    if (!is_valid_field_name(field.name) || !is_valid_field_value(field.value)) {
      out.resize(start);
      return is_valid_field_name(field.name) ? Errc::bad_header_value : Errc::bad_header_name;
    }
    if (frames_message(field.name)) continue;
    if (field.name.size() == 4 && iequals(field.name, "Date")) has_date = true;
    if (field.name.size() == 6 && iequals(field.name, "Server")) has_server = true;
    out += field.name;
    out += ": ";
    out += field.value;
    out += "\r\n";
  }
  out += framing.field_lines;
  if (!has_server) out += framing.server_line;
  if (!has_date) out += framing.date_line;
  if (framing.content_length) {
    out += "Content-Length: ";
    append_decimal(*framing.content_length, out);
    out += "\r\n";
  } else if (framing.chunked) {
    out += "Transfer-Encoding: chunked\r\n";
  }
  if (framing.close) {
    out += "Connection: close\r\n";
  } else if (framing.keep_alive) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
  return {};
}

void encode_chunk_header(std::size_t size, std::string& out) {
  char buf[2 * sizeof(std::size_t) + 2];
  auto result = std::to_chars(buf, buf + sizeof(buf) - 2, size, 16);
  *result.ptr++ = '\r';
  *result.ptr++ = '\n';
  out.append(buf, result.ptr);
}

void encode_chunk(std::string_view data, std::string& out) {
  if (data.empty()) return;
  encode_chunk_header(data.size(), out);
  out += data;
  out += "\r\n";
}

void encode_last_chunk(std::string& out, const Headers& trailers) {
  if (auto ec = check_fields(trailers)) throw_refused(ec, "trailer", trailers);
  out += "0\r\n";
  append_fields(trailers, out);
  out += "\r\n";
}

}  // namespace wire::http
