// SPDX-License-Identifier: MIT
#include "server_helpers.hpp"


#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <regex>
#include <stdexcept>
#include <system_error>

#include "wire/net/address.hpp"

namespace wire::test::http {

namespace {

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool is_tchar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

[[noreturn]] void bad(const std::string& what, std::string_view raw) {
  throw std::runtime_error("malformed response: " + what + " (so far: \"" + std::string(raw.substr(0, 2000)) + "\")");
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "Name: value\r\n" into `out`; false on the empty line.
bool parse_field(const std::string& line, std::vector<std::pair<std::string, std::string>>& out,
                 std::string_view raw) {
  if (line == "\r\n") return false;
  std::string_view l(line);
  l.remove_suffix(2);
  auto colon = l.find(':');
  if (colon == std::string_view::npos || colon == 0) bad("a field line without a name", raw);
  std::string_view name = l.substr(0, colon);
  for (char c : name) {
    if (!is_tchar(c)) bad("a field name that is not a token", raw);
  }
  std::string_view value = trim(l.substr(colon + 1));
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) bad("a control character in a field value", raw);
  }
  out.emplace_back(std::string(name), std::string(value));
  return true;
}

}  // namespace

// --- the server --------------------------------------------------------------------------

wire::http::ServerOptions server_options(wire::http::ServerLimits limits, unsigned threads) {
  wire::http::ServerOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.threads = threads;
  o.limits = limits;
  return o;
}

TestServer::TestServer(wire::http::Router router, wire::http::ServerOptions options)
    : server_(std::make_unique<wire::http::Server>(std::move(options), std::move(router))) {
  server_->start();
  port_ = server_->local_address().port();
}

TestServer::~TestServer() { server_->shutdown(0s); }

// --- responses ---------------------------------------------------------------------------

std::optional<std::string> RawResponse::header(std::string_view name) const {
  std::optional<std::string> found;
  for (auto& [n, v] : fields) {
    if (!iequal(n, name)) continue;
    if (found) {
      ADD_FAILURE() << "the field " << name << " was sent more than once: " << raw;
      return found;
    }
    found = v;
  }
  return found;
}

std::size_t RawResponse::count(std::string_view name) const {
  return static_cast<std::size_t>(
      std::count_if(fields.begin(), fields.end(), [&](auto& f) { return iequal(f.first, name); }));
}

const char* to_string(End end) {
  switch (end) {
    case End::eof: return "eof";
    case End::reset: return "reset";
    case End::timeout: return "timeout (still open)";
  }
  return "?";
}

testing::AssertionResult is_response(const RawResponse& r, int status) {
  auto fail = [&]() { return testing::AssertionFailure() << "\n--- the response:\n" << r.raw.substr(0, 4000) << "\n---\n"; };
  if (r.status != status) return fail() << "status " << r.status << ", expected " << status;
  if (r.count("Server") != 1 || *r.header("Server") != "wire") return fail() << "no single \"Server: wire\"";
  if (r.count("Date") != 1) return fail() << "no single Date";
  static const std::regex imf(R"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT)");
  if (!std::regex_match(*r.header("Date"), imf)) return fail() << "Date not in IMF-fixdate form";
  const bool bodiless = status < 200 || status == 204 || status == 304;
  auto cl = r.count("Content-Length") ? r.header("Content-Length") : std::nullopt;
  auto te = r.count("Transfer-Encoding") ? r.header("Transfer-Encoding") : std::nullopt;
  if (bodiless || r.until_close) {
    if (cl || te) return fail() << "framing fields where none belong";
  } else if (r.chunked) {
    if (cl || *te != "chunked") return fail() << "chunked, but the fields disagree";
  } else {
    if (te) return fail() << "Transfer-Encoding on a Content-Length response";
    if (!cl) return fail() << "no Content-Length";
    if (!r.head_request && *cl != std::to_string(r.body.size())) {
      return fail() << "Content-Length " << *cl << " but " << r.body.size() << " body bytes";
    }
  }
  return testing::AssertionSuccess();
}

std::string error_body(int status) {
  static const std::pair<int, const char*> phrases[] = {
      {301, "Moved Permanently"}, {400, "Bad Request"}, {401, "Unauthorized"}, {403, "Forbidden"},
      {404, "Not Found"}, {405, "Method Not Allowed"}, {408, "Request Timeout"}, {412, "Precondition Failed"}, {413, "Content Too Large"},
      {414, "URI Too Long"}, {416, "Range Not Satisfiable"}, {417, "Expectation Failed"},
      {431, "Request Header Fields Too Large"}, {500, "Internal Server Error"}, {501, "Not Implemented"},
      {503, "Service Unavailable"}, {505, "HTTP Version Not Supported"}};
  for (auto& [code, phrase] : phrases) {
    if (code == status) return std::to_string(code) + " " + phrase + "\n";
  }
  throw std::invalid_argument("error_body: no phrase for " + std::to_string(status));
}

std::string get(std::string_view target, std::string_view fields) {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(fields) + "\r\n";
}

std::string request(std::string_view method, std::string_view target, std::string_view body, std::string_view fields) {
  return std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(fields) +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

// --- the raw client ------------------------------------------------------------------------

RawClient::RawClient(std::uint16_t port, std::chrono::milliseconds timeout, std::string_view source)
    : sock_(wire::net::Family::ipv4, wire::net::SocketType::stream) {
  if (!source.empty()) sock_.bind(wire::net::Address::ip(source, 0));
  sock_.set_timeout(timeout);
  sock_.connect(wire::net::Address::ip("127.0.0.1", port));
}

void RawClient::send(std::string_view bytes) { sock_.send_all(bytes); }

bool RawClient::send_quietly(std::string_view bytes) {
  std::error_code ec;
  sock_.send_all(std::as_bytes(std::span(bytes)), ec);
  return !ec;
}

void RawClient::shutdown_write() { sock_.shutdown(wire::net::Shutdown::write); }

std::string RawClient::read_line(std::size_t max) { return sock_.recv_until("\r\n", max); }

RawResponse RawClient::read_response(bool head_request) {
  RawResponse r;
  r.head_request = head_request;
  std::string line = read_line(8192);
  r.raw += line;
  // HTTP-version SP 3DIGIT SP reason-phrase CRLF (RFC 9112 §4)
  if (line.size() < 14 || line.compare(0, 9, "HTTP/1.1 ") != 0 || !std::isdigit(static_cast<unsigned char>(line[9])) ||
      !std::isdigit(static_cast<unsigned char>(line[10])) || !std::isdigit(static_cast<unsigned char>(line[11])) ||
      line[12] != ' ') {
    bad("status line", r.raw);
  }
  r.status_line = line.substr(0, line.size() - 2);
  r.status = std::stoi(line.substr(9, 3));
  r.reason = line.substr(13, line.size() - 15);
  for (int i = 0;; ++i) {
    if (i > 1000) bad("more than 1000 fields", r.raw);
    std::string field = read_line(65536);
    r.raw += field;
    if (!parse_field(field, r.fields, r.raw)) break;
  }
  if (head_request || r.status < 200 || r.status == 204 || r.status == 304) return r;
  if (r.count("Transfer-Encoding")) {
    if (*r.header("Transfer-Encoding") != "chunked") bad("a Transfer-Encoding other than chunked", r.raw);
    r.chunked = true;
    for (int chunks = 0;; ++chunks) {
      if (chunks > 1'000'000) bad("more than a million chunks", r.raw);
      std::string size_line = read_line(64);
      r.raw += size_line;
      std::string_view hex(size_line);
      hex.remove_suffix(2);
      std::uint64_t size = 0;
      auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), size, 16);
      if (hex.empty() || ec != std::errc{} || end != hex.data() + hex.size()) bad("chunk size", r.raw);
      if (size == 0) break;
      if (size > (256u << 20)) bad("a chunk over 256 MiB", r.raw);
      std::string data = sock_.recv_exactly(static_cast<std::size_t>(size) + 2);
      r.raw += data;
      if (data.compare(data.size() - 2, 2, "\r\n") != 0) bad("chunk data not followed by CRLF", r.raw);
      r.body.append(data, 0, data.size() - 2);
    }
    for (int i = 0;; ++i) {
      if (i > 1000) bad("more than 1000 trailers", r.raw);
      std::string field = read_line(65536);
      r.raw += field;
      if (!parse_field(field, r.trailers, r.raw)) break;
    }
    return r;
  }
  if (r.count("Content-Length")) {
    std::string cl = *r.header("Content-Length");
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(cl.data(), cl.data() + cl.size(), n);
    if (cl.empty() || ec != std::errc{} || end != cl.data() + cl.size()) bad("Content-Length", r.raw);
    if (n > (512u << 20)) bad("Content-Length over 512 MiB (read such bodies yourself)", r.raw);
    if (n) r.body = sock_.recv_exactly(static_cast<std::size_t>(n));
    r.raw += r.body;
    return r;
  }
  // RFC 9112 §6.3 (8): the body ends with the connection.
  r.until_close = true;
  Tail t = tail(sock_.timeout().value_or(10s));
  if (t.end != End::eof) bad(std::string("a body delimited by the close, which ended with ") + to_string(t.end), r.raw);
  r.body = std::move(t.data);
  r.raw += r.body;
  return r;
}

RawResponse RawClient::roundtrip(std::string_view request, bool head_request) {
  send(request);
  return read_response(head_request);
}

Tail RawClient::tail(std::chrono::milliseconds wait) {
  Tail t;
  const auto start = Clock::now();
  const auto deadline = start + wait;
  const auto saved = sock_.timeout();
  char buf[65536];
  // Bounded: by the deadline, and by 64 MiB of data.
  while (t.data.size() < (64u << 20)) {
    auto now = Clock::now();
    if (now >= deadline) {
      t.end = End::timeout;
      break;
    }
    sock_.set_timeout(std::max(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now), 1ms));
    std::error_code ec;
    std::size_t n = sock_.recv(std::as_writable_bytes(std::span(buf)), ec);
    if (ec) {
      if (ec == std::errc::connection_reset) {
        t.end = End::reset;
      } else if (ec == std::errc::timed_out || ec == std::errc::resource_unavailable_try_again) {
        t.end = End::timeout;
      } else {
        sock_.set_timeout(saved);
        throw std::system_error(ec, "RawClient::tail");
      }
      break;
    }
    if (n == 0) {
      t.end = End::eof;
      break;
    }
    t.data.append(buf, n);
  }
  t.elapsed = Clock::now() - start;
  sock_.set_timeout(saved);
  return t;
}

bool RawClient::still_open(std::chrono::milliseconds wait) {
  Tail t = tail(wait);
  return t.end == End::timeout && t.data.empty();
}

}  // namespace wire::test::http
