// SPDX-License-Identifier: MIT
#include "wire/io/file_root.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <random>

namespace wire::io {

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    reset();
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

void UniqueFd::reset() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

namespace {

constexpr int kOpenFlags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;

std::error_code last_error() noexcept { return {errno, std::generic_category()}; }

// Opens `relative` beneath `dir`: openat2(2) with RESOLVE_BENEATH refuses any ".." or symbolic
// link that would leave it (EXDEV), and magic links. Where the kernel has no openat2, each
// component is opened in turn with O_NOFOLLOW, which refuses every symbolic link.
int open_beneath(int dir, std::string_view relative, int flags) {
  std::string path = relative.empty() ? std::string(".") : std::string(relative);
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  long fd = ::syscall(SYS_openat2, dir, path.c_str(), &how, sizeof how);
  if (fd >= 0 || errno != ENOSYS) return static_cast<int>(fd);
  int current = ::dup(dir);
  std::string_view rest = relative;
  while (current >= 0 && !rest.empty()) {
    auto slash = rest.find('/');
    std::string part(rest.substr(0, slash));
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    int next = ::openat(current, part.c_str(), (rest.empty() ? flags : kOpenFlags | O_DIRECTORY) | O_NOFOLLOW);
    int saved = errno;
    ::close(current);
    errno = saved;
    current = next;
  }
  return current;
}

FileInfo info_of(const struct stat& st) noexcept {
  FileInfo info;
  info.type = S_ISREG(st.st_mode) ? FileInfo::Type::file
              : S_ISDIR(st.st_mode) ? FileInfo::Type::directory
                                    : FileInfo::Type::other;
  info.size = static_cast<std::uint64_t>(st.st_size);
  info.mtime = st.st_mtim.tv_sec;
  info.mtime_nsec = static_cast<std::uint32_t>(st.st_mtim.tv_nsec);
  info.ctime = st.st_ctim.tv_sec;
  info.ctime_nsec = static_cast<std::uint32_t>(st.st_ctim.tv_nsec);
  info.device = static_cast<std::uint64_t>(st.st_dev);
  info.inode = static_cast<std::uint64_t>(st.st_ino);
  info.mode = st.st_mode & 07777;
  info.links = static_cast<std::uint32_t>(st.st_nlink);
  info.uid = st.st_uid;
  info.gid = st.st_gid;
  return info;
}

std::string joined(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string path(dir);
  path += '/';
  path += name;
  return path;
}

}  // namespace

FileRoot::FileRoot(const std::filesystem::path& root)
    : root_(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
  if (!root_) throw std::system_error(last_error(), "cannot open " + root.string());
}

std::optional<std::string> FileRoot::clean(std::string_view path) {
  if (path.find('\0') != std::string_view::npos) return std::nullopt;
  std::string out;
  while (!path.empty()) {
    auto slash = path.find('/');
    std::string_view segment = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") return std::nullopt;
    if (!out.empty()) out += '/';
    out += segment;
  }
  return out;
}

FileRoot::Opened FileRoot::open(std::string_view relative, std::error_code& ec) const {
  ec.clear();
  Opened opened{UniqueFd(open_beneath(root_.get(), relative, kOpenFlags)), {}};
  struct stat st {};
  if (!opened.fd || ::fstat(opened.fd.get(), &st) != 0) {
    ec = last_error();
    opened.fd.reset();
    return opened;
  }
  opened.info = info_of(st);
  return opened;
}

FileInfo FileRoot::info(std::string_view relative, std::error_code& ec) const { return open(relative, ec).info; }

std::vector<DirEntry> FileRoot::list(std::string_view relative, std::error_code& ec) const {
  std::vector<DirEntry> entries;
  Opened dir = open(relative, ec);
  if (ec) return entries;
  if (!dir.info.is_directory()) {
    ec = std::make_error_code(std::errc::not_a_directory);
    return entries;
  }
  DIR* stream = ::fdopendir(dir.fd.get());
  if (!stream) {
    ec = last_error();
    return entries;
  }
  dir.fd.release();  // the DIR owns it now
  while (dirent* e = ::readdir(stream)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    DirEntry entry{std::string(name), {}};
    struct stat st {};
    if (::fstatat(::dirfd(stream), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) entry.info = info_of(st);
    if (S_ISLNK(st.st_mode)) {
      // What the link leads to, if that is beneath the root; else it stays `other`.
      std::error_code link_ec;
      FileInfo target = info(joined(relative, name), link_ec);
      if (!link_ec) entry.info = target;
    }
    entries.push_back(std::move(entry));
  }
  ::closedir(stream);
  std::sort(entries.begin(), entries.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return entries;
}

UniqueFd FileRoot::parent(std::string_view relative, std::string& name, std::error_code& ec) const {
  ec.clear();
  auto slash = relative.rfind('/');
  std::string_view dir = slash == std::string_view::npos ? std::string_view{} : relative.substr(0, slash);
  name = std::string(slash == std::string_view::npos ? relative : relative.substr(slash + 1));
  if (name.empty() || name == "." || name == "..") {
    ec = std::make_error_code(std::errc::invalid_argument);  // the root itself has no parent here
    return {};
  }
  UniqueFd fd(open_beneath(root_.get(), dir, kOpenFlags | O_DIRECTORY));
  if (!fd) ec = last_error();
  return fd;
}

UniqueFd FileRoot::open_write(std::string_view relative, WriteMode mode, std::error_code& ec) const {
  std::string name;
  UniqueFd dir = parent(relative, name, ec);
  if (ec) return {};
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW;
  if (mode == WriteMode::truncate) flags |= O_TRUNC;
  if (mode == WriteMode::append) flags |= O_APPEND;
  UniqueFd fd(::openat(dir.get(), name.c_str(), flags, 0644));
  struct stat st {};
  if (!fd || ::fstat(fd.get(), &st) != 0) {
    ec = last_error();
    return {};
  }
  if (!S_ISREG(st.st_mode)) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return {};
  }
  return fd;
}

FileRoot::Upload& FileRoot::Upload::operator=(Upload&& o) noexcept {
  if (this != &o) {
    abandon();
    file_ = std::move(o.file_);
    dir_ = std::move(o.dir_);
    temp_ = std::move(o.temp_);
    name_ = std::move(o.name_);
  }
  return *this;
}

FileRoot::Upload::~Upload() { abandon(); }

void FileRoot::Upload::abandon() noexcept {
  if (dir_ && !temp_.empty()) ::unlinkat(dir_.get(), temp_.c_str(), 0);
  temp_.clear();
  file_.reset();
  dir_.reset();
}

void FileRoot::Upload::commit(std::error_code& ec) {
  ec.clear();
  if (!dir_ || temp_.empty()) {
    ec = std::make_error_code(std::errc::bad_file_descriptor);
    return;
  }
  if (::renameat(dir_.get(), temp_.c_str(), dir_.get(), name_.c_str()) != 0) {
    ec = last_error();
    return;
  }
  temp_.clear();  // it has its real name now: nothing to remove
  file_.reset();
  dir_.reset();
}

FileRoot::Upload FileRoot::create_upload(std::string_view relative, std::error_code& ec) const {
  Upload upload;
  upload.dir_ = parent(relative, upload.name_, ec);
  if (ec) return upload;
  thread_local std::mt19937_64 rng(std::random_device{}());
  for (int attempt = 0; attempt < 16; ++attempt) {
    // Hidden, and named after the file it becomes, so a listing shows what is under way.
    std::string temp = "." + upload.name_ + ".part-" + std::to_string(rng() % 1'000'000'000);
    int fd = ::openat(upload.dir_.get(), temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd >= 0) {
      upload.file_ = UniqueFd(fd);
      upload.temp_ = std::move(temp);
      return upload;
    }
    if (errno != EEXIST) break;
  }
  ec = last_error();
  upload.dir_.reset();
  return upload;
}

void FileRoot::make_directory(std::string_view relative, std::error_code& ec) const {
  std::string name;
  UniqueFd dir = parent(relative, name, ec);
  if (!ec && ::mkdirat(dir.get(), name.c_str(), 0755) != 0) ec = last_error();
}

void FileRoot::remove_directory(std::string_view relative, std::error_code& ec) const {
  std::string name;
  UniqueFd dir = parent(relative, name, ec);
  if (!ec && ::unlinkat(dir.get(), name.c_str(), AT_REMOVEDIR) != 0) ec = last_error();
}

void FileRoot::remove_file(std::string_view relative, std::error_code& ec) const {
  std::string name;
  UniqueFd dir = parent(relative, name, ec);
  if (!ec && ::unlinkat(dir.get(), name.c_str(), 0) != 0) ec = last_error();
}

void FileRoot::rename(std::string_view from, std::string_view to, std::error_code& ec) const {
  std::string from_name;
  std::string to_name;
  UniqueFd from_dir = parent(from, from_name, ec);
  if (ec) return;
  UniqueFd to_dir = parent(to, to_name, ec);
  if (ec) return;
  if (::renameat(from_dir.get(), from_name.c_str(), to_dir.get(), to_name.c_str()) != 0) ec = last_error();
}

}  // namespace wire::io
