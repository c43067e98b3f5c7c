// SPDX-License-Identifier: MIT
// What the server's connection does with a request and a router that a handler may not: make
// the request, fill in its body, match and call routes. The only friend of ServerRequest and
// Router; the route calls are defined in router.cpp, where Route is.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "wire/http/router.hpp"
#include "wire/http/server_request.hpp"
#include "wire/http/server_response.hpp"
#include "wire/http/static_root.hpp"

namespace wire::http::detail {

struct ServerAccess {
  /// The cached file a response answers with (StaticRoot), if it does.
  static const std::shared_ptr<const CachedFile>& cached(const ServerResponse& res) noexcept { return res.cached_; }
  static void set_cached(ServerResponse& res, std::shared_ptr<const CachedFile> file) noexcept {
    res.cached_ = std::move(file);
  }

  static ServerRequest request(const Request& head, const net::Address& peer, bool tls) {
    return ServerRequest(head, peer, tls);
  }
  static void set_body(ServerRequest& req, bool has_body, std::optional<std::uint64_t> length,
                       BodySource* source) noexcept {
    req.has_body_ = has_body;
    req.content_length_ = length;
    req.source_ = source;
  }
  static std::vector<std::pair<std::string_view, std::string>>& params(ServerRequest& req) noexcept {
    return req.params_;
  }

  /// The route for `req` (its parameters filled in); nullptr when there is none, and then
  /// `status` is 404, 405 or 204 (OPTIONS), with `allow` the methods the path has.
  static const Router::Route* match(const Router& router, ServerRequest& req, int& status, std::string& allow) {
    return router.match(req, status, allow);
  }
  static std::optional<ServerResponse> run_before(const Router& router, ServerRequest& req) {
    return router.run_before(req);
  }
  static void run_after(const Router& router, const ServerRequest& req, ServerResponse& res) {
    router.run_after(req, res);
  }
  /// The StaticRoots of the router's files() mounts (for tests that stop their clocks).
  static std::vector<std::shared_ptr<StaticRoot>> static_roots(const Router& router);
  /// Whether `route` answers synchronously (no coroutine frame per request).
  static bool is_sync(const Router::Route& route) noexcept;
  static ServerResponse call_sync(const Router::Route& route, ServerRequest& req);
  static io::Task<ServerResponse> call(const Router::Route& route, ServerRequest& req);
  static const RouteOptions& options(const Router::Route& route) noexcept;
};

}  // namespace wire::http::detail
