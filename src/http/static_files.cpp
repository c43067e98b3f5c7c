// SPDX-License-Identifier: MIT
// Static files: StaticRoot (opened beneath a root descriptor), MIME types, HTTP dates,
// conditional and range requests, directory listings.
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <system_error>

#include "wire/text/chars.hpp"
#include "wire/http/server.hpp"
#include "wire/http/url.hpp"

namespace wire::http {

// --- MIME types ----------------------------------------------------------------------------

std::string_view mime_type(std::string_view name) noexcept {
  struct Entry {
    std::string_view ext;
    std::string_view type;
  };
  static constexpr Entry kTypes[] = {
      {"html", "text/html; charset=utf-8"}, {"htm", "text/html; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},   {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"}, {"json", "application/json"},
      {"map", "application/json"},          {"txt", "text/plain; charset=utf-8"},
      {"md", "text/markdown; charset=utf-8"}, {"csv", "text/csv; charset=utf-8"},
      {"xml", "application/xml"},           {"svg", "image/svg+xml"},
      {"png", "image/png"},                 {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},               {"gif", "image/gif"},
      {"webp", "image/webp"},               {"avif", "image/avif"},
      {"ico", "image/vnd.microsoft.icon"},  {"bmp", "image/bmp"},
      {"woff", "font/woff"},                {"woff2", "font/woff2"},
      {"ttf", "font/ttf"},                  {"otf", "font/otf"},
      {"wasm", "application/wasm"},         {"pdf", "application/pdf"},
      {"zip", "application/zip"},           {"gz", "application/gzip"},
      {"tar", "application/x-tar"},         {"mp4", "video/mp4"},
      {"webm", "video/webm"},               {"mp3", "audio/mpeg"},
      {"ogg", "audio/ogg"},                 {"wav", "audio/wav"},
  };
  auto dot = name.rfind('.');
  auto slash = name.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return "application/octet-stream";
  }
  std::string_view ext = name.substr(dot + 1);
  for (const auto& e : kTypes) {
    if (iequals(e.ext, ext)) return e.type;
  }
  return "application/octet-stream";
}

// --- StaticRoot ------------------------------------------------------------------------------

struct StaticRoot::Impl {
  int root_fd = -1;
  StaticOptions options;
  ~Impl() {
    if (root_fd >= 0) ::close(root_fd);
  }
};

StaticRoot::StaticRoot(const std::filesystem::path& root, StaticOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->root_fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (impl_->root_fd < 0) {
    throw std::system_error(errno, std::generic_category(), "cannot serve " + root.string());
  }
  impl_->options = std::move(options);
}

StaticRoot::StaticRoot(StaticRoot&&) noexcept = default;
StaticRoot& StaticRoot::operator=(StaticRoot&&) noexcept = default;
StaticRoot::~StaticRoot() = default;

namespace {

// Opens `relative` beneath `dir`: openat2(2) with RESOLVE_BENEATH refuses any ".." or
// symbolic link that would leave it (EXDEV), and magic links. Where the kernel has no
// openat2 (before 5.6), each component is opened in turn with O_NOFOLLOW, which refuses
// every symbolic link. O_NONBLOCK: opening a FIFO must not hang the loop.
int open_beneath(int dir, const std::string& relative) {
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  const char* path = relative.empty() ? "." : relative.c_str();
  long fd = ::syscall(SYS_openat2, dir, path, &how, sizeof how);
  if (fd >= 0 || errno != ENOSYS) return static_cast<int>(fd);
  int current = ::dup(dir);
  std::string_view rest = relative;
  while (current >= 0 && !rest.empty()) {
    auto slash = rest.find('/');
    std::string part(rest.substr(0, slash));
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    int next = ::openat(current, part.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW);
    int saved = errno;
    ::close(current);
    errno = saved;
    current = next;
  }
  return current;
}

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  int release() noexcept { return std::exchange(fd, -1); }
};

// "<mtime in ns, hex>-<size, hex>": changes whenever the file is rewritten.
std::string etag_of(const struct stat& st) {
  char buf[64];
  auto ns = static_cast<unsigned long long>(st.st_mtim.tv_sec) * 1'000'000'000ULL +
            static_cast<unsigned long long>(st.st_mtim.tv_nsec);
  std::snprintf(buf, sizeof buf, "\"%llx-%llx\"", ns, static_cast<unsigned long long>(st.st_size));
  return buf;
}

// If-None-Match (RFC 9110 §13.1.2): "*", or a list of entity-tags compared weakly.
bool none_match(std::string_view header, std::string_view etag) {
  if (trim_ows(header) == "*") return true;
  std::string_view opaque = etag;  // with its quotes
  while (!header.empty()) {
    auto comma = header.find(',');
    std::string_view tag = trim_ows(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    if (tag.size() > 2 && tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (tag == opaque) return true;
  }
  return false;
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

ServerResponse listing(int dir_fd, std::string_view url_path, bool at_root) {
  int copy = ::dup(dir_fd);
  DIR* dir = copy >= 0 ? ::fdopendir(copy) : nullptr;
  if (!dir) {
    if (copy >= 0) ::close(copy);
    return ServerResponse::error(403);
  }
  std::vector<std::pair<std::string, bool>> entries;  // name, is a directory
  while (dirent* e = ::readdir(dir)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    bool is_dir = e->d_type == DT_DIR;
    if (e->d_type == DT_UNKNOWN || e->d_type == DT_LNK) {
      struct stat st {};
      if (::fstatat(::dirfd(dir), e->d_name, &st, 0) == 0) is_dir = S_ISDIR(st.st_mode);
    }
    entries.emplace_back(std::string(name), is_dir);
  }
  ::closedir(dir);
  std::sort(entries.begin(), entries.end());
  std::string title = "Index of " + html_escape(url_path);
  std::string body = "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>" + title +
                     "</title>\n</head>\n<body>\n<h1>" + title + "</h1>\n<hr>\n<ul>\n";
  if (!at_root) body += "<li><a href=\"../\">../</a></li>\n";
  for (auto& [name, is_dir] : entries) {
    std::string shown = name + (is_dir ? "/" : "");
    body += "<li><a href=\"" + percent_encode(name) + (is_dir ? "/" : "") + "\">" + html_escape(shown) +
            "</a></li>\n";
  }
  body += "</ul>\n<hr>\n</body>\n</html>\n";
  return ServerResponse::html(std::move(body));
}

}  // namespace

ServerResponse StaticRoot::serve(const ServerRequest& req, std::string_view relative) const {
  const auto& options = impl_->options;
  // Normalise: drop empty and "." segments; ".." and NUL are refused, whatever encoding
  // they came in (the path arrives decoded).
  if (relative.find('\0') != std::string_view::npos) return ServerResponse::error(400);
  std::string clean;
  std::string_view rest = relative;
  while (!rest.empty()) {
    auto slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") return ServerResponse::error(400);
    if (!clean.empty()) clean += '/';
    clean += seg;
  }

  Fd file(open_beneath(impl_->root_fd, clean));
  if (file.fd < 0) {
    int e = errno;
    if (e == ENOENT || e == ENOTDIR || e == ENAMETOOLONG) return ServerResponse::error(404);
    if (e == EXDEV || e == ELOOP || e == EACCES || e == EPERM) return ServerResponse::error(403);
    return ServerResponse::error(500);
  }
  struct stat st {};
  if (::fstat(file.fd, &st) != 0) return ServerResponse::error(500);

  if (S_ISDIR(st.st_mode)) {
    std::string_view url_path = req.path();
    if (url_path.empty() || url_path.back() != '/') {
      // "/docs" -> "/docs/", so that relative links in the page resolve beneath it. One
      // leading slash only: "//docs/" would be a protocol-relative URL naming the host "docs"
      // (an open redirect, CVE-2021-28861 in Python's http.server); browsers read '\\' as '/'.
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
    if (!options.index.empty()) {
      std::string index = clean.empty() ? options.index : clean + "/" + options.index;
      Fd index_fd(open_beneath(impl_->root_fd, index));
      struct stat ist {};
      if (index_fd.fd >= 0 && ::fstat(index_fd.fd, &ist) == 0 && S_ISREG(ist.st_mode)) {
        std::swap(file.fd, index_fd.fd);
        st = ist;
        clean = std::move(index);
      }
    }
    if (S_ISDIR(st.st_mode)) {
      if (!options.list_directories) return ServerResponse::error(404);
      std::string decoded_path;
      try {
        decoded_path = percent_decode(url_path);
      } catch (const UrlError&) {
        decoded_path = std::string(url_path);
      }
      return listing(file.fd, decoded_path, clean.empty());
    }
  }
  if (!S_ISREG(st.st_mode)) return ServerResponse::error(403);  // devices, FIFOs, sockets

  const auto size = static_cast<std::uint64_t>(st.st_size);
  std::string etag = etag_of(st);
  std::int64_t mtime = st.st_mtim.tv_sec;
  ServerResponse res(200);
  res.headers.add("Content-Type", mime_type(clean));
  res.headers.add("Last-Modified", format_http_date(mtime));
  res.headers.add("ETag", etag);
  res.headers.add("Accept-Ranges", "bytes");
  if (!options.cache_control.empty()) res.headers.add("Cache-Control", options.cache_control);

  // Conditional requests (RFC 9110 §13.2.2): If-None-Match wins over If-Modified-Since.
  const Headers& h = req.headers();
  bool not_modified = false;
  if (auto inm = h.get("If-None-Match")) {
    not_modified = none_match(h.combined("If-None-Match"), etag);
  } else if (auto ims = h.get("If-Modified-Since")) {
    auto since = parse_http_date(*ims);
    not_modified = since && mtime <= *since;
  }
  if (not_modified) {
    res.status = 304;
    return res;
  }

  Range range;
  RangeResult kind = RangeResult::none;
  if (req.method() == "GET") {
    if (auto r = h.get("Range")) {
      // If-Range: the range only if the file is still the one the client has.
      bool current = true;
      if (auto if_range = h.get("If-Range")) {
        std::string_view v = trim_ows(*if_range);
        current = v.starts_with('"') ? v == etag : (parse_http_date(v) == mtime);
      }
      if (current) kind = parse_range(*r, size, range);
    }
  }
  if (kind == RangeResult::unsatisfiable) {
    ServerResponse bad = ServerResponse::error(416);
    bad.headers.add("Content-Range", "bytes */" + std::to_string(size));
    return bad;
  }
  if (kind == RangeResult::one) {
    res.status = 206;
    res.headers.add("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                         std::to_string(range.first + range.length - 1) + "/" +
                                         std::to_string(size));
    res.file = FileBody(file.release(), range.first, range.length);
    return res;
  }
  res.file = FileBody(file.release(), 0, size);
  return res;
}

}  // namespace wire::http
