// SPDX-License-Identifier: MIT
// wire::http::Server: a multi-core HTTP/1.1 server (plain or TLS) with a router, static
// files and limits that hold against slow and malicious clients.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "wire/http/headers.hpp"
#include "wire/http/message.hpp"
#include "wire/io/task.hpp"
#include "wire/io/tcp_server.hpp"
#include "wire/net/address.hpp"
#include "wire/text/date.hpp"
#include "wire/tls/context.hpp"

namespace wire::http {

using namespace std::chrono_literals;

/// What a server accepts, with defaults a public server can live with. Every limit answers
/// with its status and closes the connection (a request it refused is never half-read).
struct ServerLimits {
  std::size_t max_request_line = 8 * 1024;   ///< the request-line: 414 past it
  std::size_t max_header_bytes = 16 * 1024;  ///< the header section: 431 past it
  std::size_t max_header_count = 100;        ///< header fields: 431 past it
  /// A request body read for a handler (Content-Length or chunked, decoded): 413 past it.
  /// A route can set its own (RouteOptions::max_body).
  std::uint64_t max_body = 16 * 1024 * 1024;
  /// The whole head of a request must arrive within this, from its first byte (for the first
  /// request: from the accept): 408 and close past it. Slowloris' defence.
  std::chrono::milliseconds header_timeout = 10s;
  /// A keep-alive connection with no request under way closes after this.
  std::chrono::milliseconds keep_alive_timeout = 30s;
  /// A body must keep arriving at this rate on average (bytes/s), after `body_grace`: 408 and
  /// close when it falls behind. 0: no minimum rate.
  std::size_t min_body_rate = 1024;
  std::chrono::milliseconds body_grace = 10s;
  /// A write that makes no progress for this long closes the connection.
  std::chrono::milliseconds write_timeout = 30s;
  /// Connections open at once; past it, new clients wait in the kernel's backlog.
  std::size_t max_connections = 10'000;
  /// Connections open at once from one client address: past it, 503 and close.
  std::size_t max_connections_per_client = 1'000;
  /// A body the handler did not read is read and dropped up to this many bytes, so that the
  /// connection can carry the next request; a larger one closes the connection instead.
  std::uint64_t max_drain = 64 * 1024;
};

class ServerRequest;
class ServerResponse;

/// Writes a streamed response body (ServerResponse::stream): chunked for HTTP/1.1 clients,
/// delimited by the close for HTTP/1.0 ones. Nothing is sent for HEAD requests.
class BodyWriter {
 public:
  virtual ~BodyWriter() = default;
  /// Sends `data` as it is (one chunk). An empty `data` sends nothing.
  virtual io::Task<void> write(std::span<const std::byte> data) = 0;
  io::Task<void> write(std::string_view text) { return write(std::as_bytes(std::span(text))); }
};

/// A request as its handler sees it: the head, the route's parameters, the peer, the body.
class ServerRequest {
 public:
  const std::string& method() const noexcept { return head_->method; }
  /// The request-target as received ("/a%20b?x=1").
  const std::string& target() const noexcept { return head_->target; }
  /// The path of the target, still percent-encoded ("/a%20b").
  std::string_view path() const noexcept { return path_; }
  /// The query of the target without its '?', still encoded ("x=1"); empty if none.
  std::string_view query() const noexcept { return query_; }
  /// The decoded value of `name` in the query (a=1&b=x%20y; '+' is a space), if present.
  std::optional<std::string> query_param(std::string_view name) const;
  Version version() const noexcept { return head_->version; }
  const Headers& headers() const noexcept { return head_->headers; }
  const Request& head() const noexcept { return *head_; }
  /// The decoded value of route parameter `name` ("/users/{id}"), or "" if the route has none.
  std::string_view param(std::string_view name) const noexcept;
  /// The client's address, from the socket: never from a header a client could send.
  const net::Address& peer() const noexcept { return *peer_; }
  /// Whether the request came over TLS.
  bool is_tls() const noexcept { return tls_; }
  /// The request's Content-Length, if it has one (a chunked body has none).
  std::optional<std::uint64_t> content_length() const noexcept { return content_length_; }
  /// Whether the request has a body (Content-Length above 0, or chunked).
  bool has_body() const noexcept { return has_body_; }

  /// The body, read whole before the handler runs (up to ServerLimits::max_body), unless the
  /// route streams it (RouteOptions::stream_body).
  std::string body;

  /// For a route that streams its body: the next bytes of it, 0 at its end. Up to the route's
  /// max_body; a body beyond it ends the request with 413. Sends 100 Continue first if the
  /// client asked for it.
  io::Task<std::size_t> read_body(std::span<std::byte> buffer);

  // --- for the server and tests -------------------------------------------------------
  /// The source of a streamed body.
  struct BodySource {
    virtual ~BodySource() = default;
    virtual io::Task<std::size_t> read(std::span<std::byte> buffer) = 0;
  };
  ServerRequest(const Request& head, const net::Address& peer, bool tls);
  void set_body_info(bool has_body, std::optional<std::uint64_t> length) noexcept {
    has_body_ = has_body;
    content_length_ = length;
  }
  void set_body_source(BodySource* source) noexcept { source_ = source; }
  std::vector<std::pair<std::string_view, std::string>>& params() noexcept { return params_; }

 private:
  const Request* head_;
  const net::Address* peer_;
  std::string_view path_;
  std::string_view query_;
  std::vector<std::pair<std::string_view, std::string>> params_;
  std::optional<std::uint64_t> content_length_;
  BodySource* source_ = nullptr;
  bool has_body_ = false;
  bool tls_ = false;
};

/// A file (or a piece of one) sent as a response body: with sendfile(2) over plain HTTP.
class FileBody {
 public:
  FileBody() = default;
  /// Takes ownership of the open descriptor `fd`; sends `length` bytes from `offset`.
  FileBody(int fd, std::uint64_t offset, std::uint64_t length) noexcept
      : fd_(fd), offset_(offset), length_(length) {}
  FileBody(FileBody&& o) noexcept
      : fd_(std::exchange(o.fd_, -1)), offset_(o.offset_), length_(o.length_) {}
  FileBody& operator=(FileBody&& o) noexcept;
  ~FileBody();
  explicit operator bool() const noexcept { return fd_ >= 0; }
  int fd() const noexcept { return fd_; }
  std::uint64_t offset() const noexcept { return offset_; }
  std::uint64_t length() const noexcept { return length_; }

 private:
  int fd_ = -1;
  std::uint64_t offset_ = 0;
  std::uint64_t length_ = 0;
};

/// What a handler answers. Date, Content-Length (or chunked framing) and Connection are
/// added by the server; set anything else in `headers`.
///   return ServerResponse::text("Hello, World!\n");
///   return ServerResponse::json(R"({"id": 7})", 201);
class ServerResponse {
 public:
  int status = 200;
  std::string reason;  ///< empty: the standard phrase
  Headers headers;
  std::string body;
  /// Instead of `body`: a file (see FileBody, serve_file()).
  FileBody file;
  /// Instead of `body`: a body produced as it is sent, in chunks.
  std::function<io::Task<void>(BodyWriter&)> stream;
  /// Close the connection after this response.
  bool close = false;

  ServerResponse() = default;
  explicit ServerResponse(int status_code) : status(status_code) {}
  ServerResponse(ServerResponse&&) noexcept = default;
  ServerResponse& operator=(ServerResponse&&) noexcept = default;

  /// text/plain; charset=utf-8
  static ServerResponse text(std::string body, int status = 200);
  static ServerResponse html(std::string body, int status = 200);
  static ServerResponse json(std::string body, int status = 200);
  /// A short text/plain page for `status` ("404 Not Found\n").
  static ServerResponse error(int status);
  /// A redirect to `location` (301, 302, 303, 307 or 308).
  static ServerResponse redirect(std::string_view location, int status = 302);
  /// A body streamed by `producer`, sent chunked.
  static ServerResponse streamed(std::string content_type,
                                 std::function<io::Task<void>(BodyWriter&)> producer);
};

/// How a directory of static files is served (Router::files, `wire http serve DIR`).
struct StaticOptions {
  /// Served for a directory's URL when present.
  std::string index = "index.html";
  /// An HTML listing of a directory without an index file; off: 404.
  bool list_directories = true;
  /// Cache-Control sent with every file; empty: none.
  std::string cache_control;
};

/// A directory served beneath its root: paths are normalised, and every file is opened
/// beneath the root's descriptor (openat2 RESOLVE_BENEATH), so no `..`, encoded or not, and
/// no symbolic link leads out of it.
class StaticRoot {
 public:
  /// @throws std::system_error if `root` is not a directory that can be opened.
  explicit StaticRoot(const std::filesystem::path& root, StaticOptions options = {});
  StaticRoot(StaticRoot&&) noexcept;
  StaticRoot& operator=(StaticRoot&&) noexcept;
  ~StaticRoot();

  /// Answers `req` for `relative`, the decoded path below the mount point ("css/a b.css"):
  /// GET and HEAD; conditional requests (ETag, If-None-Match, Last-Modified,
  /// If-Modified-Since: 304), a single byte range (206, 416), index files, listings,
  /// MIME types by extension.
  ServerResponse serve(const ServerRequest& req, std::string_view relative) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The MIME type for a file name's extension ("a.css" -> "text/css; charset=utf-8");
/// application/octet-stream when unknown.
std::string_view mime_type(std::string_view file_name) noexcept;

// HTTP dates (RFC 9110 §5.6.7) come from wire::text's one date module.
using text::format_http_date;
using text::parse_http_date;

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

  // --- for the server -----------------------------------------------------------------
  struct Route;
  /// The route for `req`, with its parameters filled in; nullptr when there is none, and
  /// then `status` is 404 or 405 (with `allow` the methods the path has).
  const Route* match(ServerRequest& req, int& status, std::string& allow) const;
  io::Task<ServerResponse> call(const Route& route, ServerRequest& req) const;
  /// Whether `route` answers synchronously (no coroutine frame per request).
  bool is_sync(const Route& route) const noexcept;
  ServerResponse call_sync(const Route& route, ServerRequest& req) const;
  const RouteOptions& options(const Route& route) const noexcept;
  std::optional<ServerResponse> run_before(ServerRequest& req) const;
  void run_after(const ServerRequest& req, ServerResponse& res) const;

 private:
  Router& add(std::string_view method, std::string_view pattern, Handler async,
              SyncHandler sync, RouteOptions options);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The server's settings.
struct ServerOptions {
  std::string host = "";        ///< "" or "::": every address, IPv6 and IPv4
  std::uint16_t port = 0;       ///< 0: a free port (see local_address())
  unsigned threads = 0;         ///< workers; 0: one per core
  int backlog = 1024;
  ServerLimits limits = {};
  /// Serve HTTPS with this context (a server context with a certificate); ALPN offers
  /// http/1.1.
  std::optional<tls::Context> tls = {};
  /// Called with one Common Log Format line per response (without the newline), from the
  /// workers' threads; none by default. access_log_to() writes them to a FILE.
  std::function<void(std::string_view line)> access_log = {};
  /// The Server header; empty: none.
  std::string server_header = "wire";
};

/// An access_log callback writing each line to `file` (stdout, stderr, an opened log), whole.
std::function<void(std::string_view)> access_log_to(std::FILE* file);

/// The server: ServerOptions::threads workers, each accepting on its own SO_REUSEPORT
/// listener and running its connections as coroutines on its own loop.
///   Router router;
///   router.get("/", [](ServerRequest&) { return ServerResponse::text("Hello, World!\n"); });
///   Server server({.port = 8080}, std::move(router));
///   server.run_until_signal();   // SIGINT/SIGTERM: finish what is in flight, then return
class Server {
 public:
  Server(ServerOptions options, Router router);
  ~Server();  // shutdown(0s) if running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds and starts the workers. @throws std::system_error if the address cannot be bound.
  void start();
  net::Address local_address() const;
  /// "http://127.0.0.1:8080/" (or https), with the bound port; a wildcard host shows as
  /// 127.0.0.1 (or [::1]).
  std::string url() const;
  /// Connections open now.
  std::size_t connections() const noexcept;
  /// Stops accepting, closes idle keep-alive connections, lets requests in flight finish
  /// (their responses say Connection: close) for up to `grace`, then closes what is left.
  io::ShutdownReport shutdown(std::chrono::milliseconds grace = 10s);
  /// start(), wait for SIGINT or SIGTERM, shutdown(grace).
  io::ShutdownReport run_until_signal(std::chrono::milliseconds grace = 10s);

  struct Impl;  // src/http/server.cpp

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace wire::http
