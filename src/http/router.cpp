// SPDX-License-Identifier: MIT
// The server's request and response types, and the Router that maps method + path to handlers.
#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>
#include <vector>
#include <unistd.h>

#include "wire/http/server.hpp"
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
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
    offset_ = o.offset_;
    length_ = o.length_;
  }
  return *this;
}

FileBody::~FileBody() {
  if (fd_ >= 0) ::close(fd_);
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

// --- Router --------------------------------------------------------------------------------

struct Router::Route {
  std::string method;
  struct Segment {
    std::string text;  // a literal, or a parameter's name
    bool param = false;
  };
  std::vector<Segment> segments;
  bool rest = false;  // the last segment is "{name...}": the remaining path
  Handler async;
  SyncHandler sync;
  RouteOptions options;
};

struct Router::Impl {
  std::vector<Route> routes;
  std::vector<Before> before;
  std::vector<After> after;
  std::vector<std::shared_ptr<StaticRoot>> roots;  // kept alive for the files() routes
};

Router::Router() : impl_(std::make_unique<Impl>()) {}
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;
Router::~Router() = default;

namespace {

// The segments of a path ("/a/b/" is "a", "b", ""), held without allocating for the usual
// depths: matching runs for every request.
class PathParts {
 public:
  explicit PathParts(std::string_view path) {
    if (!path.empty() && path[0] == '/') path.remove_prefix(1);
    while (true) {
      auto slash = path.find('/');
      push(path.substr(0, slash));
      if (slash == std::string_view::npos) break;
      path.remove_prefix(slash + 1);
    }
  }
  std::size_t size() const noexcept { return size_; }
  std::string_view operator[](std::size_t i) const noexcept { return i < kInline ? inline_[i] : more_[i - kInline]; }

 private:
  static constexpr std::size_t kInline = 16;
  void push(std::string_view part) {
    if (size_ < kInline) {
      inline_[size_] = part;
    } else {
      more_.push_back(part);
    }
    ++size_;
  }
  std::array<std::string_view, kInline> inline_{};
  std::vector<std::string_view> more_;
  std::size_t size_ = 0;
};

}  // namespace

Router& Router::add(std::string_view method, std::string_view pattern, Handler async,
                    SyncHandler sync, RouteOptions options) {
  if (!is_token(method)) {
    throw std::invalid_argument("Router: \"" + std::string(method) + "\" is not a method");
  }
  if (pattern.empty() || pattern[0] != '/') {
    throw std::invalid_argument("Router: a pattern starts with '/': \"" + std::string(pattern) + "\"");
  }
  Route route;
  route.method = std::string(method);
  PathParts parts(pattern);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::string_view part = parts[i];
    Route::Segment seg;
    if (part.size() >= 2 && part.front() == '{' && part.back() == '}') {
      std::string_view name = part.substr(1, part.size() - 2);
      if (name.size() > 3 && name.substr(name.size() - 3) == "...") {
        if (i + 1 != parts.size()) {
          throw std::invalid_argument("Router: \"{" + std::string(name) +
                                      "}\" must be the last segment of \"" + std::string(pattern) + "\"");
        }
        name.remove_suffix(3);
        route.rest = true;
      }
      if (name.empty()) throw std::invalid_argument("Router: an empty parameter name in \"" + std::string(pattern) + "\"");
      seg.text = std::string(name);
      seg.param = true;
    } else {
      if (part.find_first_of("{}") != std::string_view::npos) {
        throw std::invalid_argument("Router: a parameter takes a whole segment: \"" + std::string(pattern) + "\"");
      }
      seg.text = std::string(part);
    }
    route.segments.push_back(std::move(seg));
  }
  route.async = std::move(async);
  route.sync = std::move(sync);
  route.options = options;
  impl_->routes.push_back(std::move(route));
  return *this;
}

Router& Router::files(std::string_view prefix, const std::filesystem::path& root,
                      StaticOptions options) {
  auto served = std::make_shared<StaticRoot>(root, std::move(options));
  impl_->roots.push_back(served);
  std::string pattern(prefix);
  if (pattern.empty() || pattern.back() != '/') pattern += '/';
  pattern += "{path...}";
  const StaticRoot* files = served.get();
  return get(pattern, [files](ServerRequest& req) { return files->serve(req, req.param("path")); });
}

Router& Router::before(Before hook) {
  impl_->before.push_back(std::move(hook));
  return *this;
}

Router& Router::after(After hook) {
  impl_->after.push_back(std::move(hook));
  return *this;
}

namespace {

std::string decoded(std::string_view segment) {
  if (segment.find('%') == std::string_view::npos) return std::string(segment);
  return percent_decode(segment);
}

bool matches(const Router::Route& route, const PathParts& parts, std::string_view path,
             std::vector<std::pair<std::string_view, std::string>>& params) {
  const auto& segs = route.segments;
  std::size_t fixed = route.rest ? segs.size() - 1 : segs.size();
  if (route.rest ? parts.size() < fixed : parts.size() != fixed) return false;
  params.clear();
  for (std::size_t i = 0; i < fixed; ++i) {
    const auto& seg = segs[i];
    if (seg.param) {
      if (parts[i].empty()) return false;
      params.emplace_back(seg.text, decoded(parts[i]));
    } else if (seg.text != parts[i] && decoded(parts[i]) != seg.text) {
      return false;
    }
  }
  if (route.rest) {
    // The rest of the path after `fixed` segments, slashes included.
    std::string_view rest = path.substr(1);
    for (std::size_t i = 0; i < fixed; ++i) {
      auto slash = rest.find('/');
      rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    }
    params.emplace_back(segs.back().text, decoded(rest));
  }
  return true;
}

void add_allowed(std::vector<std::string_view>& allowed, std::string_view method) {
  if (std::find(allowed.begin(), allowed.end(), method) == allowed.end()) allowed.push_back(method);
}

void join_allowed(const std::vector<std::string_view>& allowed, std::string& allow) {
  allow.clear();
  for (auto m : allowed) {
    if (!allow.empty()) allow += ", ";
    allow += m;
  }
}

}  // namespace

const Router::Route* Router::match(ServerRequest& req, int& status, std::string& allow) const {
  auto& params = req.params();
  std::string_view path = req.path();
  const std::string& method = req.method();
  if (path.empty() || path[0] != '/') {
    status = 404;
    if (method == "OPTIONS" && path == "*") {
      // "OPTIONS *" asks about the server (RFC 9110 §9.3.7): every method some route takes.
      std::vector<std::string_view> allowed;
      for (const Route& route : impl_->routes) {
        add_allowed(allowed, route.method);
        if (route.method == "GET") add_allowed(allowed, "HEAD");
      }
      add_allowed(allowed, "OPTIONS");
      join_allowed(allowed, allow);
      status = 204;
    }
    return nullptr;
  }
  PathParts parts(path);
  std::vector<std::string_view> allowed;
  for (const Route& route : impl_->routes) {
    if (!matches(route, parts, path, params)) continue;
    if (route.method == method || (method == "HEAD" && route.method == "GET")) return &route;
    add_allowed(allowed, route.method);
    if (route.method == "GET") add_allowed(allowed, "HEAD");
  }
  params.clear();
  if (allowed.empty()) {
    status = 404;
    return nullptr;
  }
  add_allowed(allowed, "OPTIONS");
  join_allowed(allowed, allow);
  status = method == "OPTIONS" ? 204 : 405;
  return nullptr;
}

io::Task<ServerResponse> Router::call(const Route& route, ServerRequest& req) const {
  if (route.async) co_return co_await route.async(req);
  co_return route.sync(req);
}

bool Router::is_sync(const Route& route) const noexcept { return !route.async; }

ServerResponse Router::call_sync(const Route& route, ServerRequest& req) const { return route.sync(req); }

const RouteOptions& Router::options(const Route& route) const noexcept { return route.options; }

std::optional<ServerResponse> Router::run_before(ServerRequest& req) const {
  for (auto& hook : impl_->before) {
    if (auto res = hook(req)) return res;
  }
  return std::nullopt;
}

void Router::run_after(const ServerRequest& req, ServerResponse& res) const {
  for (auto& hook : impl_->after) hook(req, res);
}

}  // namespace wire::http
