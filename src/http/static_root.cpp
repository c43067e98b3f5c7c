// SPDX-License-Identifier: MIT
// Static files: StaticRoot (every file opened beneath its io::FileRoot), MIME types,
// conditional and range requests, directory listings.
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <system_error>

#include "server_access.hpp"
#include "static_cache.hpp"
#include "wire/http/static_root.hpp"
#include "wire/http/url.hpp"
#include "wire/io/file_root.hpp"
#include "wire/text/chars.hpp"

namespace wire::http {

// --- StaticRoot ------------------------------------------------------------------------------

namespace {

std::atomic<std::uint64_t> next_root_id{1};

// This thread's caches, one per StaticRoot it served (by the root's id, never reused): a
// request finds its own without a lock. An entry of a root that has gone is never asked for
// again, and is dropped when the next cache is made.
struct ThreadCache {
  std::uint64_t root_id;
  detail::FileCache* cache;
  std::weak_ptr<detail::FileCache> alive;
};
thread_local std::vector<ThreadCache> thread_caches;

}  // namespace

struct StaticRoot::Impl {
  Impl(const std::filesystem::path& dir, StaticOptions o) : root(dir), options(std::move(o)) {
    if (!options.cache_control.empty() && !is_valid_field_value(options.cache_control)) {
      throw std::invalid_argument("StaticOptions::cache_control is not a valid field value");
    }
  }
  io::FileRoot root;
  StaticOptions options;
  const std::uint64_t id = next_root_id.fetch_add(1, std::memory_order_relaxed);
  std::mutex mutex;  // guards `caches` (made on a thread's first request)
  std::vector<std::shared_ptr<detail::FileCache>> caches;
  // Tests stop the clocks to check the bounds exactly (StaticAccess::freeze_clock).
  std::atomic<bool> frozen{false};
  detail::CacheTimes frozen_times;

  detail::FileCache* cache() {
    if (options.cache_entries == 0) return nullptr;
    for (const auto& t : thread_caches) {
      if (t.root_id == id) return t.cache;
    }
    auto made = std::make_shared<detail::FileCache>(root, options);
    {
      std::lock_guard lock(mutex);
      caches.push_back(made);
    }
    std::erase_if(thread_caches, [](const ThreadCache& t) { return t.alive.expired(); });
    thread_caches.push_back({id, made.get(), made});
    return made.get();
  }
  detail::CacheTimes now() const {
    if (frozen.load(std::memory_order_acquire)) return frozen_times;
    return detail::CacheTimes::now();
  }
  // The answer; a file from the cache stays a cached response (ServerResponse::cached_).
  ServerResponse answer(const ServerRequest& req, std::string_view relative);
};

StaticRoot::StaticRoot(const std::filesystem::path& root, StaticOptions options) try
    : impl_(std::make_unique<Impl>(root, std::move(options))) {
} catch (const std::system_error& e) {
  throw std::system_error(e.code(), "cannot serve " + root.string());
}

StaticRoot::StaticRoot(StaticRoot&&) noexcept = default;
StaticRoot& StaticRoot::operator=(StaticRoot&&) noexcept = default;
StaticRoot::~StaticRoot() = default;

namespace {

// Whether an If-Match (strong comparison, RFC 9110 §13.1.1) or If-None-Match (weak, §13.1.2)
// list names `etag`, or is "*" (the file exists: it does here).
bool etag_listed(std::string_view header, std::string_view etag, bool weak) {
  if (trim_ows(header) == "*") return true;
  std::string_view opaque = etag;  // with its quotes; wire's tags are strong
  while (!header.empty()) {
    auto comma = header.find(',');
    std::string_view tag = trim_ows(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    if (tag.size() > 2 && tag.substr(0, 2) == "W/") {
      if (!weak) continue;  // a weak tag never matches strongly
      tag.remove_prefix(2);
    }
    if (tag == opaque) return true;
  }
  return false;
}

// RFC 9110 §13.2.2, the order of the preconditions for a GET or HEAD of a file: If-Match,
// else If-Unmodified-Since (false: 412); then If-None-Match, else If-Modified-Since (false:
// 304). 0 when the file is to be served. A date that is not an HTTP-date is ignored, and so
// is an If-Modified-Since later than now (§13.1.3: invalid).
int precondition_status(const Headers& h, std::string_view etag, std::int64_t mtime) {
  if (h.contains("If-Match")) {
    if (!etag_listed(h.combined("If-Match"), etag, false)) return 412;
  } else if (auto ius = h.get("If-Unmodified-Since")) {
    auto since = parse_http_date(*ius);
    if (since && mtime > *since) return 412;  // §13.1.4
  }
  if (h.contains("If-None-Match")) {
    if (etag_listed(h.combined("If-None-Match"), etag, true)) return 304;
  } else if (auto ims = h.get("If-Modified-Since")) {
    auto since = parse_http_date(*ims);
    auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    if (since && *since <= now.count() && mtime <= *since) return 304;
  }
  return 0;
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

struct Range {
  std::uint64_t first = 0;
  std::uint64_t length = 0;
};
enum class RangeResult { none, one, unsatisfiable };

// A single byte range (RFC 9110 §14.1.2) of a file of `size` bytes. Anything else (several
// ranges, another unit, a malformed value) is ignored: the whole file is sent.
RangeResult parse_range(std::string_view value, std::uint64_t size, Range& out) {
  value = trim_ows(value);
  if (value.size() < 7 || !iequals(value.substr(0, 6), "bytes=")) return RangeResult::none;
  std::string_view spec = trim_ows(value.substr(6));
  if (spec.find(',') != std::string_view::npos) return RangeResult::none;
  auto dash = spec.find('-');
  if (dash == std::string_view::npos) return RangeResult::none;
  auto number = [](std::string_view s, std::uint64_t& v) {
    if (s.empty()) return false;
    for (char c : s) {
      if (!text::is_digit(c)) return false;
    }
    return std::from_chars(s.data(), s.data() + s.size(), v).ec == std::errc{};
  };
  std::string_view a = spec.substr(0, dash);
  std::string_view b = spec.substr(dash + 1);
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  if (a.empty()) {  // "-N": the last N bytes
    std::uint64_t n = 0;
    if (!number(b, n)) return RangeResult::none;
    if (n == 0) return RangeResult::unsatisfiable;
    // RFC 9110 §14.1.1: on an empty file a suffix range is the one satisfiable kind, yet no
    // Content-Range can name its bytes: the range is ignored (200 and the empty body).
    if (size == 0) return RangeResult::none;
    n = std::min(n, size);
    out = {size - n, n};
    return RangeResult::one;
  }
  if (!number(a, first)) return RangeResult::none;
  if (b.empty()) {
    last = size ? size - 1 : 0;
  } else if (!number(b, last) || last < first) {
    return RangeResult::none;
  }
  if (first >= size) return RangeResult::unsatisfiable;
  last = std::min(last, size - 1);
  out = {first, last - first + 1};
  return RangeResult::one;
}

ServerResponse listing(const std::vector<io::DirEntry>& entries, std::string_view url_path, bool at_root) {
  std::string title = "Index of " + html_escape(url_path);
  std::string body = "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>" + title +
                     "</title>\n</head>\n<body>\n<h1>" + title + "</h1>\n<hr>\n<ul>\n";
  if (!at_root) body += "<li><a href=\"../\">../</a></li>\n";
  for (const auto& entry : entries) {
    bool is_dir = entry.info.is_directory();
    std::string shown = entry.name + (is_dir ? "/" : "");
    body += "<li><a href=\"" + percent_encode(entry.name) + (is_dir ? "/" : "") + "\">" + html_escape(shown) +
            "</a></li>\n";
  }
  body += "</ul>\n<hr>\n</body>\n</html>\n";
  return ServerResponse::html(std::move(body));
}

// The status for a file that could not be opened.
int status_for_open_error(std::error_code ec) {
  switch (static_cast<std::errc>(ec.value())) {
    case std::errc::no_such_file_or_directory:
    case std::errc::not_a_directory:
    case std::errc::filename_too_long:
      return 404;
    case std::errc::cross_device_link:  // openat2: a way out of the root
    case std::errc::too_many_symbolic_link_levels:
    case std::errc::permission_denied:
    case std::errc::operation_not_permitted:
      return 403;
    default:
      return 500;
  }
}

}  // namespace

namespace {

// "/docs" -> "/docs/", so that relative links in the page resolve beneath it. One leading
// slash only: "//docs/" would be a protocol-relative URL naming the host "docs" (an open
// redirect, CVE-2021-28861 in Python's http.server); browsers read '\\' as '/'.
ServerResponse directory_redirect(const ServerRequest& req) {
  std::string_view url_path = req.path();
  auto first = url_path.find_first_not_of("/\\");
  std::string location = "/";
  if (first != std::string_view::npos) location += url_path.substr(first);
  location += '/';
  if (!req.query().empty()) {
    location += '?';
    location += req.query();
  }
  return ServerResponse::redirect(location, 301);
}

// The answer for a regular file: conditional requests (RFC 9110 §13.2.2), a single byte range,
// the file as the body. The whole file goes as the cached response itself; a range as an
// ordinary response.
ServerResponse file_response(const ServerRequest& req, std::shared_ptr<const detail::CachedFile> file) {
  const std::uint64_t size = file->size;
  const Headers& h = req.headers();
  if (int status = precondition_status(h, file->etag, file->mtime); status == 304) {
    ServerResponse res(304);
    detail::ServerAccess::set_cached(res, std::move(file));
    return res;
  } else if (status == 412) {
    return ServerResponse::error(412);
  }
  Range range;
  RangeResult kind = RangeResult::none;
  if (auto r = h.get("Range"); r && req.method() == "GET") {
    // If-Range: the range only if the file is still the one the client has.
    bool current = true;
    if (auto if_range = h.get("If-Range")) {
      std::string_view v = trim_ows(*if_range);
      current = v.starts_with('"') ? (!file->etag.empty() && v == file->etag)
                                   : (file->last_modified && parse_http_date(v) == file->mtime);
    }
    if (current) kind = parse_range(*r, size, range);
  }
  if (kind == RangeResult::unsatisfiable) {
    ServerResponse bad = ServerResponse::error(416);
    bad.headers.add("Content-Range", "bytes */" + std::to_string(size));
    return bad;
  }
  ServerResponse res(200);
  detail::ServerAccess::set_cached(res, std::move(file));
  if (kind == RangeResult::one) {
    detail::materialize(res);
    res.status = 206;
    res.headers.add("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                         std::to_string(range.first + range.length - 1) + "/" + std::to_string(size));
    if (res.file) {
      res.file = FileBody(res.file.owner(), res.file.fd(), range.first, range.length);
    } else {
      res.body = res.body.substr(static_cast<std::size_t>(range.first), static_cast<std::size_t>(range.length));
    }
  }
  return res;
}

}  // namespace

ServerResponse StaticRoot::serve(const ServerRequest& req, std::string_view relative) const {
  ServerResponse res = impl_->answer(req, relative);
  detail::materialize(res);
  return res;
}

ServerResponse StaticRoot::Impl::answer(const ServerRequest& req, std::string_view relative) {
  const detail::CacheTimes now = this->now();
  detail::FileCache* files = cache();
  // A directory's URL without its slash is redirected below, never answered from the cache.
  const bool directory_url = relative.empty() || relative.ends_with('/');
  if (files && (!directory_url || req.path().ends_with('/'))) {
    if (auto file = files->find(relative, now)) return file_response(req, std::move(file));
  }
  // ".." and NUL are refused, whatever encoding they came in (the path arrives decoded).
  auto clean = io::FileRoot::clean(relative);
  if (!clean) return ServerResponse::error(400);
  // The cache knows a path by the request's own spelling when it is the clean one ("a/b.txt",
  // or "a/" and "" for a directory's index file).
  bool canonical = *clean == relative;
  std::error_code ec;
  io::FileRoot::Opened file = root.open(*clean, ec);
  if (ec) return ServerResponse::error(status_for_open_error(ec));
  // "/a.txt/" and "/a.txt/." name a directory, which a file is not (nginx: 404), though the
  // cleaned path is "a.txt"; a front proxy's rule for "/a.txt" would not see them.
  if (!file.info.is_directory() && (relative.ends_with('/') || relative.ends_with("/."))) {
    return ServerResponse::error(404);
  }
  if (file.info.is_directory()) {
    if (req.path().empty() || req.path().back() != '/') return directory_redirect(req);
    canonical = relative == (clean->empty() ? std::string() : *clean + "/");
    if (!options.index.empty()) {
      std::string index = clean->empty() ? options.index : *clean + "/" + options.index;
      io::FileRoot::Opened index_file = root.open(index, ec);
      if (!ec && index_file.info.is_file()) {
        file = std::move(index_file);
        *clean = std::move(index);
      }
    }
    if (file.info.is_directory()) {
      if (!options.list_directories) return ServerResponse::error(404);
      auto entries = root.list(*clean, ec);
      if (ec) return ServerResponse::error(403);
      std::string shown;
      try {
        shown = percent_decode(req.path());
      } catch (const UrlError&) {
        shown = std::string(req.path());
      }
      return listing(entries, shown, clean->empty());
    }
  }
  if (!file.info.is_file()) return ServerResponse::error(403);  // devices, FIFOs, sockets
  auto cached = detail::make_cached_file(std::move(file), *clean, options, now, ec);
  if (!cached) return ServerResponse::error(500);  // it could not be read
  if (files && canonical) files->insert(relative, *clean, cached, now);
  return file_response(req, std::move(cached));
}

// --- what the server and the tests reach inside --------------------------------------------

ServerResponse detail::StaticAccess::answer(const StaticRoot& root, const ServerRequest& req,
                                            std::string_view relative) {
  return root.impl_->answer(req, relative);
}

void detail::StaticAccess::freeze_clock(StaticRoot& root, std::optional<CacheTimes> times) {
  auto& impl = *root.impl_;
  impl.frozen.store(false, std::memory_order_release);
  if (times) {
    impl.frozen_times = *times;
    impl.frozen.store(true, std::memory_order_release);
  }
}

std::size_t detail::StaticAccess::cached_entries(const StaticRoot& root) {
  std::lock_guard lock(root.impl_->mutex);
  std::size_t n = 0;
  for (const auto& c : root.impl_->caches) n += c->size();
  return n;
}

}  // namespace wire::http
