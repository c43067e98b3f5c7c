// SPDX-License-Identifier: MIT
// ServerRequest, FileBody and ServerResponse: what handlers take and give.
#include <unistd.h>

#include <stdexcept>

#include "wire/http/server_request.hpp"
#include "wire/http/server_response.hpp"
#include "wire/http/url.hpp"

namespace wire::http {

// --- ServerRequest -----------------------------------------------------------------------

namespace {

// The path and query of a request-target: origin-form "/p?q", absolute-form
// "http://h/p?q" (RFC 9112 §3.2.2: a server accepts it), or "*".
void split_target(std::string_view target, std::string_view& path, std::string_view& query) {
  if (!target.empty() && target[0] != '/' && target != "*") {
    auto scheme_end = target.find("://");
    if (scheme_end != std::string_view::npos) {
      auto slash = target.find('/', scheme_end + 3);
      auto mark = target.find('?', scheme_end + 3);
      if (slash == std::string_view::npos || (mark != std::string_view::npos && mark < slash)) {
        // "http://h" or "http://h?q": the path is "/"
        path = "/";
        query = mark == std::string_view::npos ? std::string_view{} : target.substr(mark + 1);
        return;
      }
      target = target.substr(slash);
    }
  }
  auto mark = target.find('?');
  path = target.substr(0, mark);
  query = mark == std::string_view::npos ? std::string_view{} : target.substr(mark + 1);
}

}  // namespace

ServerRequest::ServerRequest(const Request& head, const net::Address& peer, bool tls)
    : head_(&head), peer_(&peer), tls_(tls) {
  split_target(head.target, path_, query_);
}

std::optional<std::string> ServerRequest::query_param(std::string_view name) const {
  std::string_view rest = query_;
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    auto eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    try {
      if (percent_decode(key, true) == name) return percent_decode(value, true);
    } catch (const UrlError&) {
      // a malformed pair is no match
    }
  }
  return std::nullopt;
}

std::string_view ServerRequest::param(std::string_view name) const noexcept {
  for (auto& [key, value] : params_) {
    if (key == name) return value;
  }
  return {};
}

io::Task<std::size_t> ServerRequest::read_body(std::span<std::byte> buffer) {
  if (!source_ || buffer.empty()) co_return 0;
  co_return co_await source_->read(buffer);
}

// --- FileBody, ServerResponse ------------------------------------------------------------

FileBody& FileBody::operator=(FileBody&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0 && !owner_) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
    offset_ = o.offset_;
    length_ = o.length_;
    owner_ = std::move(o.owner_);
  }
  return *this;
}

FileBody::~FileBody() {
  if (fd_ >= 0 && !owner_) ::close(fd_);
}

namespace {

ServerResponse typed(std::string body, int status, std::string_view type) {
  ServerResponse res(status);
  res.headers.add("Content-Type", type);
  res.body = std::move(body);
  return res;
}

}  // namespace

ServerResponse ServerResponse::text(std::string body, int status) {
  return typed(std::move(body), status, "text/plain; charset=utf-8");
}

ServerResponse ServerResponse::html(std::string body, int status) {
  return typed(std::move(body), status, "text/html; charset=utf-8");
}

ServerResponse ServerResponse::json(std::string body, int status) {
  return typed(std::move(body), status, "application/json");
}

ServerResponse ServerResponse::error(int status) {
  std::string body = std::to_string(status);
  auto phrase = reason_phrase(status);
  if (!phrase.empty()) {
    body += ' ';
    body += phrase;
  }
  body += '\n';
  return text(std::move(body), status);
}

ServerResponse ServerResponse::redirect(std::string_view location, int status) {
  if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
    throw std::invalid_argument("ServerResponse::redirect: " + std::to_string(status) +
                                " is not a redirect status");
  }
  ServerResponse res = error(status);
  res.headers.add("Location", location);
  return res;
}

ServerResponse ServerResponse::streamed(std::string content_type,
                                        std::function<io::Task<void>(BodyWriter&)> producer) {
  ServerResponse res(200);
  res.headers.add("Content-Type", content_type);
  res.stream = std::move(producer);
  return res;
}

}  // namespace wire::http
