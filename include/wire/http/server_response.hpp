// SPDX-License-Identifier: MIT
// wire::http::ServerResponse: what a server's handler answers (a body, a file or a stream).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "wire/http/headers.hpp"
#include "wire/io/task.hpp"

namespace wire::http {

namespace detail {
struct CachedFile;
struct ServerAccess;
}  // namespace detail

/// Writes a streamed response body (ServerResponse::stream): chunked for HTTP/1.1 clients,
/// delimited by the close for HTTP/1.0 ones. Nothing is sent for HEAD requests.
class BodyWriter {
 public:
  virtual ~BodyWriter() = default;
  /// Sends `data` as it is (one chunk). An empty `data` sends nothing.
  virtual io::Task<void> write(std::span<const std::byte> data) = 0;
  io::Task<void> write(std::string_view text) { return write(std::as_bytes(std::span(text))); }
};

/// A file (or a piece of one) sent as a response body: with sendfile(2) over plain HTTP.
class FileBody {
 public:
  FileBody() = default;
  /// Takes ownership of the open descriptor `fd`; sends `length` bytes from `offset`.
  FileBody(int fd, std::uint64_t offset, std::uint64_t length) noexcept
      : fd_(fd), offset_(offset), length_(length) {}
  /// A descriptor that `owner` holds (a cache's open file): kept alive while the body is, and
  /// never closed by it.
  FileBody(std::shared_ptr<const void> owner, int fd, std::uint64_t offset, std::uint64_t length) noexcept
      : fd_(fd), offset_(offset), length_(length), owner_(std::move(owner)) {}
  FileBody(FileBody&& o) noexcept
      : fd_(std::exchange(o.fd_, -1)), offset_(o.offset_), length_(o.length_), owner_(std::move(o.owner_)) {}
  FileBody& operator=(FileBody&& o) noexcept;
  ~FileBody();
  explicit operator bool() const noexcept { return fd_ >= 0; }
  int fd() const noexcept { return fd_; }
  std::uint64_t offset() const noexcept { return offset_; }
  std::uint64_t length() const noexcept { return length_; }
  /// Who holds the descriptor when the body does not (see the constructor); else null.
  const std::shared_ptr<const void>& owner() const noexcept { return owner_; }

 private:
  int fd_ = -1;
  std::uint64_t offset_ = 0;
  std::uint64_t length_ = 0;
  std::shared_ptr<const void> owner_;  // set: `fd_` is its, not closed here
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

 private:
  friend struct detail::ServerAccess;
  // A file from a StaticRoot's cache, answered as it is (its fields encoded beforehand, a small
  // one's bytes in memory): what Router::files routes return, turned into `headers` and a
  // body when an after() hook is to see the response.
  std::shared_ptr<const detail::CachedFile> cached_;
};

}  // namespace wire::http
