// SPDX-License-Identifier: MIT
// StaticRoot's file cache (static_cache.hpp): making a CachedFile, the per-thread cache with its
// bounds and its checks against the disk.
#include "static_cache.hpp"

#include "server_access.hpp"

#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace wire::http::detail {

CacheTimes CacheTimes::now() noexcept {
  auto real = std::chrono::system_clock::now().time_since_epoch();
  return {std::chrono::steady_clock::now(),
          std::chrono::duration_cast<std::chrono::nanoseconds>(real).count()};
}

namespace {

std::int64_t ns_of(std::int64_t seconds, std::uint32_t nsec) noexcept { return seconds * 1'000'000'000LL + nsec; }

// Whether `b` is the same file as `a`, unchanged as far as fstat can tell.
bool same_version(const io::FileInfo& a, const io::FileInfo& b) noexcept {
  return a.device == b.device && a.inode == b.inode && a.size == b.size && a.mtime == b.mtime &&
         a.mtime_nsec == b.mtime_nsec && a.ctime == b.ctime && a.ctime_nsec == b.ctime_nsec;
}

// "\"<96 bits of the SHA-256 of the bytes, hex>\"": another tag whenever the bytes differ.
std::string digest_tag(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  std::string tag = "\"";
  if (EVP_Digest(bytes.data(), bytes.size(), md, &length, EVP_sha256(), nullptr) != 1) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned i = 0; i < 12 && i < length; ++i) {
    tag += kHex[md[i] >> 4];
    tag += kHex[md[i] & 15];
  }
  tag += '"';
  return tag;
}

// "\"<mtime ns>-<size>-<ctime ns>-<inode>\"" in hex: another tag for any change fstat shows.
std::string stat_tag(const io::FileInfo& info) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "\"%llx-%llx-%llx-%llx\"",
                static_cast<unsigned long long>(ns_of(info.mtime, info.mtime_nsec)),
                static_cast<unsigned long long>(info.size),
                static_cast<unsigned long long>(ns_of(info.ctime, info.ctime_nsec)),
                static_cast<unsigned long long>(info.inode));
  return buf;
}

// Reads the file from its start into `out` until its end, or until it holds more than `limit`
// bytes; false (errno) if a read fails.
bool read_whole(int fd, std::uint64_t expected, std::size_t limit, std::string& out) {
  // One pread when the size fstat gave still holds: one byte more than expected finds the end.
  std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(expected, limit)) + 1;
  out.resize(want);
  std::size_t have = 0;
  for (;;) {
    ssize_t n = ::pread(fd, out.data() + have, out.size() - have, static_cast<off_t>(have));
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    const std::size_t asked = out.size() - have;
    have += static_cast<std::size_t>(n);
    // A regular file reads short only at its end: no second call to hear 0.
    if (static_cast<std::size_t>(n) < asked || have > limit) break;
    if (have == out.size()) out.resize(std::min(out.size() * 2, limit + 1));
  }
  out.resize(have);
  return true;
}

std::string_view last_component(std::string_view path) noexcept {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::shared_ptr<const CachedFile> make_cached_file(io::FileRoot::Opened opened, std::string_view path,
                                                   const StaticOptions& options, CacheTimes now,
                                                   std::error_code& ec) {
  auto file = std::make_shared<CachedFile>();
  file->info = opened.info;
  file->settled = ns_of(opened.info.ctime, opened.info.ctime_nsec) <= now.real_ns - kSettle.count();
  file->mtime = opened.info.mtime;
  file->last_modified = ns_of(opened.info.mtime, opened.info.mtime_nsec) <= now.real_ns - kSettle.count();
  file->content_type = mime_type(last_component(path));
  if (opened.info.size <= options.small_file) {
    if (!read_whole(opened.fd.get(), opened.info.size, options.small_file, file->body)) {
      ec = {errno, std::system_category()};
      return nullptr;
    }
    file->in_memory = file->body.size() <= options.small_file;  // else it grew past it meanwhile
  }
  if (file->in_memory) {
    file->size = file->body.size();
    file->etag = digest_tag(file->body);
  } else {
    file->body.clear();
    file->body.shrink_to_fit();
    file->size = opened.info.size;
    file->fd = std::move(opened.fd);
    if (file->settled) file->etag = stat_tag(opened.info);
  }
  std::string& f = file->fields;
  f.reserve(160 + options.cache_control.size());
  f += "Content-Type: ";
  f += file->content_type;
  f += "\r\n";
  if (file->last_modified) {
    f += "Last-Modified: ";
    f += format_http_date(file->mtime);
    f += "\r\n";
  }
  if (!file->etag.empty()) {
    f += "ETag: ";
    f += file->etag;
    f += "\r\n";
  }
  f += "Accept-Ranges: bytes\r\n";
  if (!options.cache_control.empty()) {
    f += "Cache-Control: ";
    f += options.cache_control;
    f += "\r\n";
  }
  return file;
}

void materialize(ServerResponse& res) {
  std::shared_ptr<const CachedFile> file = ServerAccess::cached(res);
  if (!file) return;
  ServerAccess::set_cached(res, nullptr);
  // The encoded lines back into fields: "Name: value\r\n" each.
  std::string_view lines = file->fields;
  while (!lines.empty()) {
    auto end = lines.find("\r\n");
    std::string_view line = lines.substr(0, end);
    lines.remove_prefix(end + 2);
    auto colon = line.find(": ");
    res.headers.add(line.substr(0, colon), line.substr(colon + 2));
  }
  if (res.status == 304) return;
  if (file->in_memory) {
    res.body = file->body;
  } else {
    res.file = file->file_body(file, 0, file->size);
  }
}

// --- FileCache -------------------------------------------------------------------------------

std::shared_ptr<const CachedFile> FileCache::find(std::string_view key, CacheTimes now) {
  auto found = index_.find(key);
  if (found == index_.end()) return nullptr;
  auto it = found->second;
  lru_.splice(lru_.begin(), lru_, it);
  if (now.steady - it->checked < options_.cache_valid) return it->file;
  // Checked too long ago: the disk says whether it is still this file.
  std::error_code ec;
  io::FileRoot::Opened opened = root_.open(it->path, ec);
  if (ec || !opened.info.is_file()) {
    erase(it);
    return nullptr;
  }
  if (same_version(it->file->info, opened.info)) {
    it->checked = now.steady;
    return it->file;
  }
  auto file = make_cached_file(std::move(opened), it->path, options_, now, ec);
  if (!file || !file->settled) {
    erase(it);
    return file;  // served as it is now, not kept (or nullptr: the long way says why)
  }
  account(*it->file, -1);
  it->file = file;
  it->checked = now.steady;
  account(*file, +1);
  evict();
  return file;
}

void FileCache::insert(std::string_view key, std::string_view path, std::shared_ptr<const CachedFile> file,
                       CacheTimes now) {
  if (!file || !file->settled || options_.cache_entries == 0) return;
  if (auto found = index_.find(key); found != index_.end()) erase(found->second);
  lru_.push_front(Entry{std::string(key), std::string(path), std::move(file), now.steady});
  index_.emplace(lru_.front().key, lru_.begin());
  account(*lru_.front().file, +1);
  evict();
}

void FileCache::account(const CachedFile& file, int sign) noexcept {
  std::size_t bytes = file.body.size() + file.fields.size() + file.etag.size();
  bytes_ = sign > 0 ? bytes_ + bytes : bytes_ - bytes;
  if (file.fd) descriptors_ = sign > 0 ? descriptors_ + 1 : descriptors_ - 1;
}

void FileCache::erase(List::iterator it) {
  account(*it->file, -1);
  index_.erase(std::string_view(it->key));
  lru_.erase(it);
}

void FileCache::evict() {
  while (!lru_.empty() && (lru_.size() > options_.cache_entries || bytes_ > options_.cache_memory ||
                           descriptors_ > options_.cache_descriptors)) {
    erase(std::prev(lru_.end()));
  }
}

}  // namespace wire::http::detail
