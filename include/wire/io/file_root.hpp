// SPDX-License-Identifier: MIT
// wire::io::FileRoot: a directory a server may reach files in, and nothing outside it — the
// jail of `wire http serve` and `wire ftp serve`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace wire::io {

/// An open file descriptor, closed when it goes.
class UniqueFd {
 public:
  UniqueFd() noexcept = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  ~UniqueFd() { reset(); }
  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  int release() noexcept { return std::exchange(fd_, -1); }
  void reset() noexcept;

 private:
  int fd_ = -1;
};

/// What a file beneath a FileRoot is.
struct FileInfo {
  enum class Type : std::uint8_t {
    file,       ///< a regular file
    directory,  ///< a directory
    other,      ///< a device, FIFO, socket, or a symbolic link that leads out of the root
  };
  Type type = Type::other;
  std::uint64_t size = 0;
  std::int64_t mtime = 0;            ///< seconds since the Unix epoch
  std::uint32_t mtime_nsec = 0;      ///< and nanoseconds
  std::int64_t ctime = 0;            ///< the last change of the file or its metadata (seconds)
  std::uint32_t ctime_nsec = 0;      ///< and nanoseconds
  std::uint64_t device = 0;          ///< with `inode`: which file this is
  std::uint64_t inode = 0;
  std::uint32_t mode = 0;            ///< permission bits (0755)
  std::uint32_t links = 1;
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  bool is_file() const noexcept { return type == Type::file; }
  bool is_directory() const noexcept { return type == Type::directory; }
};

/// An entry of a directory listing.
struct DirEntry {
  std::string name;
  FileInfo info;
};

/// A directory whose files a server may reach, and nothing outside it. Paths are made clean
/// first (empty and "." segments dropped; a ".." segment or a NUL refuses the path), and every
/// open goes beneath a descriptor of the root with openat2(RESOLVE_BENEATH |
/// RESOLVE_NO_MAGICLINKS): the kernel, not string handling, keeps it inside, so no symbolic
/// link leads out. On kernels without openat2 (before 5.6) each component is opened in turn
/// with O_NOFOLLOW, which refuses every symbolic link. Opens are O_NONBLOCK, so a FIFO in the
/// root cannot hang a server; callers refuse what is not a file or a directory (FileInfo::type).
/// Changes (create, rename, remove) act on the last component beneath its opened parent and
/// never follow a link there. Errors are errno values: ENOENT, ENOTDIR, EXDEV or ELOOP for a
/// way out, EEXIST, ENOTEMPTY, EACCES...
///   io::FileRoot root("/srv/files");
///   auto file = root.open("docs/a.txt", ec);   // file.fd, file.info
class FileRoot {
 public:
  /// @throws std::system_error if `root` is not a directory that can be opened.
  explicit FileRoot(const std::filesystem::path& root);

  /// `path` as a clean path relative to the root: "/a//b/./c/" is "a/b/c", "/" and "" are ""
  /// (the root); std::nullopt if a segment is ".." or the path holds a NUL.
  static std::optional<std::string> clean(std::string_view path);

  struct Opened {
    UniqueFd fd;
    FileInfo info;
  };
  /// Opens `relative` (clean) for reading: a file, a directory, or something `other`.
  Opened open(std::string_view relative, std::error_code& ec) const;
  /// What `relative` is (the open and fstat of open(), then closed).
  FileInfo info(std::string_view relative, std::error_code& ec) const;
  /// The directory `relative`'s entries but "." and "..", sorted by name, each described as
  /// info() would (a symbolic link by what it leads to beneath the root, else `other`).
  std::vector<DirEntry> list(std::string_view relative, std::error_code& ec) const;

  /// How open_write() treats what the file holds.
  enum class WriteMode : std::uint8_t {
    truncate,   ///< emptied first
    append,     ///< every write at its end (O_APPEND)
    positioned, ///< kept, for writes at offsets (pwrite: a resumed upload)
  };
  /// Opens `relative` to write, creating it (0644) if missing. Refuses a last component that is
  /// a link (ELOOP) or not a regular file (EISDIR, EINVAL).
  UniqueFd open_write(std::string_view relative, WriteMode mode, std::error_code& ec) const;
  /// A new file written under a temporary name beside `relative`, which becomes `relative` only
  /// when commit() renames it: an interrupted upload never leaves a half file under the real
  /// name. Removed unless committed.
  class Upload {
   public:
    Upload() = default;
    Upload(Upload&&) noexcept = default;
    Upload& operator=(Upload&&) noexcept;
    ~Upload();
    int fd() const noexcept { return file_.get(); }
    explicit operator bool() const noexcept { return static_cast<bool>(file_); }
    /// Renames the temporary file to its real name (replacing a file there).
    void commit(std::error_code& ec);
    /// Removes the temporary file now (the destructor would), e.g. before saying it failed.
    void abandon() noexcept;

   private:
    friend class FileRoot;
    UniqueFd file_;
    UniqueFd dir_;
    std::string temp_;
    std::string name_;
  };
  Upload create_upload(std::string_view relative, std::error_code& ec) const;
  void make_directory(std::string_view relative, std::error_code& ec) const;
  void remove_directory(std::string_view relative, std::error_code& ec) const;
  /// Removes a file (a link itself, never what it leads to).
  void remove_file(std::string_view relative, std::error_code& ec) const;
  void rename(std::string_view from, std::string_view to, std::error_code& ec) const;

 private:
  // The directory holding `relative`'s last component, opened beneath the root, and that
  // component's name; EINVAL for the root itself.
  UniqueFd parent(std::string_view relative, std::string& name, std::error_code& ec) const;
  UniqueFd root_;
};

}  // namespace wire::io
