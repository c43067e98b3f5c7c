// SPDX-License-Identifier: MIT
// wire::http::StaticRoot: a directory served over HTTP (files, listings, conditional and range
// requests), every file opened beneath the root.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "wire/http/server_request.hpp"
#include "wire/http/server_response.hpp"
#include "wire/text/date.hpp"

namespace wire::http {

namespace detail {
struct StaticAccess;
}  // namespace detail

/// How a directory of static files is served (Router::files, `wire http serve DIR`).
struct StaticOptions {
  /// Served for a directory's URL when present.
  std::string index = "index.html";
  /// An HTML listing of a directory without an index file; off: 404.
  bool list_directories = true;
  /// Cache-Control sent with every file; empty: none.
  std::string cache_control;

  // The cache of open files, one per worker thread: a file's descriptor or, up to
  // `small_file` bytes, its contents, with its validators and response fields, so that a
  // cached small file costs no system call but the response's one write. Never stale: an
  // entry is checked against the disk when it is `cache_valid` old, and a file changed in the
  // last 2 s is not kept at all (docs/architecture.md, "Static files").
  /// Files kept per worker thread; 0 turns the cache off.
  std::size_t cache_entries = 1024;
  /// Bytes of file contents kept per worker thread.
  std::size_t cache_memory = 32 << 20;
  /// Descriptors of files above `small_file` kept open per worker thread.
  std::size_t cache_descriptors = 128;
  /// Files up to this size are read whole and sent with their head in one write; larger ones
  /// with sendfile(2).
  std::size_t small_file = 64 << 10;
  /// How long a cached file is served before the disk is asked again (at most this long after
  /// a change, a request sees it).
  std::chrono::milliseconds cache_valid{1000};
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
  friend struct detail::StaticAccess;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The MIME type for a file name's extension ("a.css" -> "text/css; charset=utf-8"), from the
/// system's /etc/mime.types (Debian's media-types; read once, on first use), else a built-in
/// table of the web's common types; application/octet-stream when neither knows it. Text
/// types say charset=utf-8.
std::string_view mime_type(std::string_view file_name) noexcept;

// HTTP dates (RFC 9110 §5.6.7) come from wire::text's one date module.
using text::format_http_date;
using text::parse_http_date;

}  // namespace wire::http
