// SPDX-License-Identifier: MIT
// wire::http::Client and AsyncClient: requests by URL, with a connection pool,
// redirects, gzip/deflate, basic auth and a whole-request deadline.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "wire/http/connection.hpp"
#include "wire/http/cookies.hpp"
#include "wire/http/headers.hpp"
#include "wire/http/url.hpp"
#include "wire/io/task.hpp"

namespace wire::io {
class Loop;
}

namespace wire::http {

struct ClientOptions {
  /// TLS context, connect timeout, per-read/write timeout, response limits.
  ConnectionOptions connection;
  /// Idle keep-alive connections kept per origin (scheme://host:port).
  std::size_t max_idle_per_origin = 4;
  /// Redirects followed (301, 302, 303, 307, 308); 0 returns the redirect itself.
  int max_redirects = 10;
  /// Ask for gzip and deflate and decode them (unless a request sets its own Accept-Encoding),
  /// stacked ones too ("gzip, gzip": up to 3 layers); a list with another coding in it is
  /// http::Errc::bad_content_encoding, a lone other coding is passed on as it came.
  bool decompress = true;
  /// The whole request, redirects and body included, like curl's --max-time.
  std::optional<std::chrono::milliseconds> timeout;
  /// A body read into Reply::body, or a decoded (gzip, deflate) body wherever it goes (a
  /// RequestOptions::sink too), larger than this is an error (wire::Errc::limit_exceeded),
  /// after exactly this many bytes were delivered. A body passed to a sink as it came is not
  /// bounded here: the sink decides.
  std::size_t max_body = std::size_t(1) << 30;
  std::string user_agent;  ///< empty: "wire/<version>"
  /// Remember Set-Cookie and send Cookie (RFC 6265); none by default.
  std::shared_ptr<CookieJar> cookies;
};

/// A complete response.
struct Reply {
  int status = 0;
  std::string reason;
  Headers headers;
  std::string body;  ///< decoded; empty when RequestOptions::sink took it
  Url url;           ///< where it came from, after redirects
  int redirects = 0;
  bool ok() const noexcept { return status >= 200 && status < 300; }
};

/// One part of a multipart/form-data body: a field, or a file streamed from disk.
struct FormPart {
  std::string name;
  std::string value;             ///< a field's value (when `file` is empty)
  std::filesystem::path file;    ///< a file whose contents are sent, read as the body goes out
  std::string filename;          ///< the name sent for a file (default: the file's own)
  std::string content_type;      ///< default: none for fields, application/octet-stream for files
  static FormPart field(std::string name, std::string value) {
    FormPart p;
    p.name = std::move(name);
    p.value = std::move(value);
    return p;
  }
  static FormPart upload(std::string name, std::filesystem::path file,
                         std::string content_type = "application/octet-stream") {
    FormPart p;
    p.name = std::move(name);
    p.file = std::move(file);
    p.content_type = std::move(content_type);
    return p;
  }
};

struct RequestOptions {
  Headers headers;
  std::string body;
  /// Streams the body from here instead (never held whole): with Content-Length
  /// `body_length`, or chunked without it. Such a request is not sent twice (no
  /// retry, and a 307/308 redirect is an error).
  AsyncConnection::BodySource body_source;
  std::optional<std::uint64_t> body_length;
  /// A multipart/form-data body (RFC 7578), files streamed from disk with a
  /// Content-Length computed from their sizes.
  std::vector<FormPart> form;
  /// Streams a file as the body (sets body_source and body_length).
  void upload_file(const std::filesystem::path& path);
  /// user and password for basic auth (else the URL's userinfo, if any).
  std::optional<std::pair<std::string, std::string>> basic_auth;
  /// Streams the (decoded) body here instead of into Reply::body.
  std::function<void(std::span<const std::byte>)> sink;
  /// Called as the body arrives: bytes so far, and Content-Length if known.
  std::function<void(std::uint64_t, std::optional<std::uint64_t>)> progress;
  /// Called with each response head, redirects included (for `wire http get -i`).
  std::function<void(const Response&)> on_head;
};

/// Requests by URL on the current wire::io loop, with keep-alive connections
/// pooled per origin. An idempotent request (GET, HEAD, PUT, DELETE, OPTIONS)
/// that finds its pooled connection closed by the server is sent again once on
/// a fresh one; POST and PATCH are not. Authorization and Cookie never follow a
/// redirect to another origin. Use one AsyncClient from one loop.
///   wire::http::AsyncClient client;
///   Reply r = co_await client.get("https://example.com/");
class AsyncClient {
 public:
  explicit AsyncClient(ClientOptions options = {});
  AsyncClient(AsyncClient&&) noexcept;
  AsyncClient& operator=(AsyncClient&&) noexcept;
  ~AsyncClient();

  io::Task<Reply> request(std::string method, std::string url, RequestOptions options = {});
  io::Task<Reply> get(std::string url, RequestOptions options = {}) {
    return request("GET", std::move(url), std::move(options));
  }
  io::Task<Reply> head(std::string url, RequestOptions options = {}) {
    return request("HEAD", std::move(url), std::move(options));
  }
  io::Task<Reply> post(std::string url, std::string body, RequestOptions options = {}) {
    options.body = std::move(body);
    return request("POST", std::move(url), std::move(options));
  }
  io::Task<Reply> put(std::string url, std::string body, RequestOptions options = {}) {
    options.body = std::move(body);
    return request("PUT", std::move(url), std::move(options));
  }
  io::Task<Reply> patch(std::string url, std::string body, RequestOptions options = {}) {
    options.body = std::move(body);
    return request("PATCH", std::move(url), std::move(options));
  }
  io::Task<Reply> del(std::string url, RequestOptions options = {}) {
    return request("DELETE", std::move(url), std::move(options));
  }

  /// Idle pooled connections, over all origins.
  std::size_t idle_connections() const noexcept;
  /// Connections opened so far (a pooled one reused does not count).
  std::size_t connections_opened() const noexcept;
  void close_idle() noexcept;

 private:
  struct Impl;
  struct Outgoing;
  io::Task<Reply> request_once(std::string method, std::string url, RequestOptions& options);
  io::Task<AsyncConnection> send(Outgoing& out);
  io::Task<void> follow(Outgoing& out, AsyncConnection& conn, int redirects);
  io::Task<void> read_reply(Outgoing& out, AsyncConnection& conn, Reply& reply);
  std::unique_ptr<Impl> impl_;
};

/// The blocking form, on a loop of its own (the same implementation).
///   wire::http::Client client;
///   auto r = client.get("https://example.com/");
///   std::cout << r.status << "\n" << r.body;
class Client {
 public:
  explicit Client(ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  Reply request(std::string method, std::string url, RequestOptions options = {});
  Reply get(std::string url, RequestOptions options = {}) {
    return request("GET", std::move(url), std::move(options));
  }
  Reply head(std::string url, RequestOptions options = {}) {
    return request("HEAD", std::move(url), std::move(options));
  }
  Reply post(std::string url, std::string body, RequestOptions options = {}) {
    options.body = std::move(body);
    return request("POST", std::move(url), std::move(options));
  }
  Reply put(std::string url, std::string body, RequestOptions options = {}) {
    options.body = std::move(body);
    return request("PUT", std::move(url), std::move(options));
  }
  Reply patch(std::string url, std::string body, RequestOptions options = {}) {
    options.body = std::move(body);
    return request("PATCH", std::move(url), std::move(options));
  }
  Reply del(std::string url, RequestOptions options = {}) {
    return request("DELETE", std::move(url), std::move(options));
  }
  AsyncClient& async() noexcept;

 private:
  std::unique_ptr<io::Loop> loop_;
  std::unique_ptr<AsyncClient> client_;
};

}  // namespace wire::http
