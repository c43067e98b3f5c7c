// SPDX-License-Identifier: MIT
// wire::http::Router: method + path to handlers, for a Server.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "wire/http/server_request.hpp"
#include "wire/http/server_response.hpp"
#include "wire/http/static_root.hpp"
#include "wire/io/task.hpp"

namespace wire::http {

/// Per-route settings.
struct RouteOptions {
  /// The handler reads the body itself with ServerRequest::read_body() (uploads of any size).
  bool stream_body = false;
  /// This route's body limit instead of ServerLimits::max_body.
  std::optional<std::uint64_t> max_body;
};

/// Maps method + path to handlers. Patterns are literal segments and parameters:
/// "/users/{id}" matches "/users/7" (param("id") == "7"); a last segment "{rest...}" matches
/// the remaining path, slashes included. Routes are tried in the order they were added. A path
/// that matches no route is 404; one that matches routes of other methods only is 405 with
/// Allow. GET routes answer HEAD too; OPTIONS is answered with Allow.
///   Router r;
///   r.get("/hello/{name}", [](ServerRequest& q) { return ServerResponse::text("hi"); });
///   r.post("/upload", [](ServerRequest& q) -> io::Task<ServerResponse> { ... });
///   r.files("/static", "./public");
/// A handler returns ServerResponse (it runs on the worker's loop: it must not block) or
/// io::Task<ServerResponse>. Handlers run on every worker at once: what they share must be
/// thread-safe. The router must not change after the server starts.
class Router {
 public:
  using Handler = std::function<io::Task<ServerResponse>(ServerRequest&)>;
  using SyncHandler = std::function<ServerResponse(ServerRequest&)>;
  /// Runs before the handler; a response returned ends the request there (auth, rate limits).
  using Before = std::function<std::optional<ServerResponse>(ServerRequest&)>;
  /// Runs on every response before it is sent, errors from the router included (CORS, headers).
  using After = std::function<void(const ServerRequest&, ServerResponse&)>;

  Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;
  ~Router();

  template <typename F>
  Router& route(std::string_view method, std::string_view pattern, F&& handler,
                RouteOptions options = {}) {
    using R = std::invoke_result_t<F&, ServerRequest&>;
    if constexpr (std::is_same_v<R, io::Task<ServerResponse>>) {
      return add(method, pattern, Handler(std::forward<F>(handler)), {}, options);
    } else {
      static_assert(std::is_same_v<R, ServerResponse>,
                    "a handler returns ServerResponse or io::Task<ServerResponse>");
      return add(method, pattern, {}, SyncHandler(std::forward<F>(handler)), options);
    }
  }
  template <typename F>
  Router& get(std::string_view pattern, F&& h, RouteOptions o = {}) {
    return route("GET", pattern, std::forward<F>(h), o);
  }
  template <typename F>
  Router& post(std::string_view pattern, F&& h, RouteOptions o = {}) {
    return route("POST", pattern, std::forward<F>(h), o);
  }
  template <typename F>
  Router& put(std::string_view pattern, F&& h, RouteOptions o = {}) {
    return route("PUT", pattern, std::forward<F>(h), o);
  }
  template <typename F>
  Router& patch(std::string_view pattern, F&& h, RouteOptions o = {}) {
    return route("PATCH", pattern, std::forward<F>(h), o);
  }
  template <typename F>
  Router& del(std::string_view pattern, F&& h, RouteOptions o = {}) {
    return route("DELETE", pattern, std::forward<F>(h), o);
  }
  /// Serves the files beneath `root` at `prefix` ("/" for everything).
  Router& files(std::string_view prefix, const std::filesystem::path& root,
                StaticOptions options = {});
  Router& before(Before hook);
  Router& after(After hook);

  struct Route;

 private:
  friend struct detail::ServerAccess;  // the server matches and calls routes
  /// The route for `req`, with its parameters filled in; nullptr when there is none, and
  /// then `status` is 404 or 405 (with `allow` the methods the path has).
  const Route* match(ServerRequest& req, int& status, std::string& allow) const;
  std::optional<ServerResponse> run_before(ServerRequest& req) const;
  void run_after(const ServerRequest& req, ServerResponse& res) const;
  Router& add(std::string_view method, std::string_view pattern, Handler async,
              SyncHandler sync, RouteOptions options);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wire::http
