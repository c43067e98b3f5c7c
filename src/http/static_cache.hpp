// SPDX-License-Identifier: MIT
// StaticRoot's file cache: what every response about a file needs (its validators, its fields
// encoded, a small file's bytes, a large one's open descriptor), made once per version of the
// file, kept per worker thread, bounded, and revalidated against the disk at most `cache_valid`
// after it was last checked.
//
// Never stale, by two rules:
//   - An entry younger than `cache_valid` is answered with no system call; an older one is
//     checked first (open beneath the root, fstat): another file there, or the same one with
//     another size, mtime or ctime, is made again.
//   - Only a settled file is kept: its ctime at least kSettle in the past, so that any later
//     change stamps another ctime and the check sees it (timestamps tick coarsely: a rewrite
//     in the same tick can leave size, mtime and ctime as they were). An unsettled file is made
//     afresh for each request, as without a cache.
// The validators follow the same facts: a small file's ETag is a digest of the bytes served,
// so it changes whenever they do; a large file's is made of size, mtime, ctime and inode, and
// only once it is settled (none before); Last-Modified only once the mtime's second is over.
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "wire/http/server_response.hpp"
#include "wire/http/static_root.hpp"
#include "wire/io/file_root.hpp"

namespace wire::http::detail {

// How long after a file's last change its timestamps are trusted to show the next one: above
// any filesystem's timestamp granularity (FAT: 2 s; ext4 and tmpfs tick with the kernel's
// coarse clock, a few milliseconds).
inline constexpr std::chrono::nanoseconds kSettle = std::chrono::seconds(2);

// The two clocks the cache reads: the steady one for an entry's age, the real one to compare
// with the file's timestamps.
struct CacheTimes {
  std::chrono::steady_clock::time_point steady;
  std::int64_t real_ns = 0;  // since the Unix epoch
  static CacheTimes now() noexcept;
};

// A regular file as it was read: immutable once made, shared by the responses under way.
struct CachedFile {
  io::FileInfo info;               // fstat(2) before its bytes were read
  std::uint64_t size = 0;          // bytes served: the snapshot's length when in memory
  std::int64_t mtime = 0;          // seconds, for the date preconditions
  std::string etag;                // with its quotes; empty: none yet (a large unsettled file)
  bool last_modified = false;      // whether Last-Modified is sent (the mtime's second is over)
  bool settled = false;            // see kSettle
  std::string_view content_type;
  std::string fields;              // the encoded lines: Content-Type, Last-Modified, ETag, ...
  bool in_memory = false;
  std::string body;                // in_memory: the whole file
  io::UniqueFd fd;                 // otherwise: the file, open

  // The body as a response carries it (the descriptor shared, not duplicated).
  FileBody file_body(const std::shared_ptr<const CachedFile>& self, std::uint64_t offset,
                     std::uint64_t length) const noexcept {
    return FileBody(self, fd.get(), offset, length);
  }
};

// Reads `file` (opened as `path`) into a CachedFile: in memory up to options.small_file bytes,
// else kept open. `ec` if reading failed.
std::shared_ptr<const CachedFile> make_cached_file(io::FileRoot::Opened file, std::string_view path,
                                                   const StaticOptions& options, CacheTimes now,
                                                   std::error_code& ec);

// What Router::files and the tests reach inside a StaticRoot.
struct StaticAccess {
  // The answer, a file left as a cached response (the server encodes it without copying).
  static ServerResponse answer(const StaticRoot& root, const ServerRequest& req, std::string_view relative);
  // Stops both of the cache's clocks at `times` (std::nullopt: they run again).
  static void freeze_clock(StaticRoot& root, std::optional<CacheTimes> times);
  // Entries in all the threads' caches.
  static std::size_t cached_entries(const StaticRoot& root);
};

// Turns a response carrying a cached file into an ordinary one (headers, body or file), for an
// after() hook or a caller of StaticRoot::serve() to see.
void materialize(ServerResponse& res);

// One worker thread's cache of a StaticRoot: least recently used entries go first once any
// bound is reached (entries, bytes held in memory, descriptors held open).
class FileCache {
 public:
  FileCache(const io::FileRoot& root, const StaticOptions& options) noexcept : root_(root), options_(options) {}
  FileCache(const FileCache&) = delete;
  FileCache& operator=(const FileCache&) = delete;

  // The file the request path `key` names, if an entry has it: as it is, while the entry is
  // younger than cache_valid; else after checking the disk (made again if the file changed).
  // nullptr: no entry, or the path is no longer that file (the caller goes the long way).
  std::shared_ptr<const CachedFile> find(std::string_view key, CacheTimes now);
  // Keeps `file`, which `path` named when `key` was asked for (`path` is `key`, or the index
  // file of the directory `key`), if it is settled and fits.
  void insert(std::string_view key, std::string_view path, std::shared_ptr<const CachedFile> file, CacheTimes now);

  std::size_t size() const noexcept { return index_.size(); }

 private:
  struct Entry {
    std::string key;
    std::string path;
    std::shared_ptr<const CachedFile> file;
    std::chrono::steady_clock::time_point checked;
  };
  using List = std::list<Entry>;
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  void account(const CachedFile& file, int sign) noexcept;
  void erase(List::iterator it);
  void evict();

  const io::FileRoot& root_;
  const StaticOptions& options_;
  List lru_;  // most recently used first
  std::unordered_map<std::string_view, List::iterator, Hash, std::equal_to<>> index_;  // keys in lru_
  std::size_t bytes_ = 0;
  std::size_t descriptors_ = 0;
};

}  // namespace wire::http::detail
