// SPDX-License-Identifier: MIT
// The Router: method + path to handlers.
#include <algorithm>
#include <array>
#include <stdexcept>
#include <vector>

#include "server_access.hpp"
#include "static_cache.hpp"
#include "wire/http/router.hpp"
#include "wire/http/url.hpp"

namespace wire::http {

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
  // The cached file's response as it is: the server writes it without copying it into headers.
  return get(pattern, [files](ServerRequest& req) {
    return detail::StaticAccess::answer(*files, req, req.param("path"));
  });
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
  auto& params = detail::ServerAccess::params(req);
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

io::Task<ServerResponse> detail::ServerAccess::call(const Router::Route& route, ServerRequest& req) {
  if (route.async) co_return co_await route.async(req);
  co_return route.sync(req);
}

bool detail::ServerAccess::is_sync(const Router::Route& route) noexcept { return !route.async; }

ServerResponse detail::ServerAccess::call_sync(const Router::Route& route, ServerRequest& req) {
  return route.sync(req);
}

std::vector<std::shared_ptr<StaticRoot>> detail::ServerAccess::static_roots(const Router& router) {
  return router.impl_->roots;
}

const RouteOptions& detail::ServerAccess::options(const Router::Route& route) noexcept { return route.options; }

std::optional<ServerResponse> Router::run_before(ServerRequest& req) const {
  for (auto& hook : impl_->before) {
    if (auto res = hook(req)) return res;
  }
  return std::nullopt;
}

void Router::run_after(const ServerRequest& req, ServerResponse& res) const {
  if (impl_->after.empty()) return;
  detail::materialize(res);  // a hook sees a static file's fields as headers
  for (auto& hook : impl_->after) hook(req, res);
}

}  // namespace wire::http
