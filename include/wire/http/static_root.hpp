// SPDX-License-Identifier: MIT
// wire::http::StaticRoot: a directory served over HTTP (files, listings, conditional and range
// requests), every file opened beneath the root.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "wire/http/server_request.hpp"
#include "wire/http/server_response.hpp"
#include "wire/text/date.hpp"

namespace wire::http {

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

}  // namespace wire::http
