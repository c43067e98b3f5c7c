// SPDX-License-Identifier: MIT
// FileSource is the one place where wire::text touches the file system: it reads a file a piece
// at a time for a body that is being written. Nothing in wire::text touches a socket.
#include "wire/text/source.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace wire::text {

std::size_t StringSource::read(std::span<char> out) {
  std::size_t n = std::min(out.size(), data_.size() - offset_);
  if (n > 0) std::memcpy(out.data(), data_.data() + offset_, n);
  offset_ += n;
  return n;
}

FileSource::FileSource(std::filesystem::path path) : path_(std::move(path)) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path_, ec)) {
    if (!ec) ec = std::make_error_code(std::errc::invalid_argument);
    throw std::system_error(ec, "file " + path_.string() + " (not a regular file)");
  }
  size_ = std::filesystem::file_size(path_, ec);
  if (ec) throw std::system_error(ec, "size of " + path_.string());
}

std::size_t FileSource::read(std::span<char> out) {
  std::uint64_t left = size_ - done_;
  if (out.empty() || left == 0) return 0;
  if (!file_.is_open()) {
    file_.open(path_, std::ios::binary);
    if (!file_) throw std::system_error(errno ? errno : EIO, std::generic_category(), "open " + path_.string());
  }
  auto want = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), left));
  file_.read(out.data(), static_cast<std::streamsize>(want));
  auto got = static_cast<std::size_t>(file_.gcount());
  if (got == 0) {
    if (file_.bad()) throw std::system_error(EIO, std::generic_category(), "read " + path_.string());
    // The size was announced; stopping short would corrupt what carries it.
    throw std::system_error(EIO, std::generic_category(),
                            "read " + path_.string() + ": the file is shorter than its size when the message was made");
  }
  done_ += got;
  if (done_ == size_) file_.close();
  return got;
}

}  // namespace wire::text
