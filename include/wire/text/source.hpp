// SPDX-License-Identifier: MIT
// wire::text::Source: a body that is written in pieces, pulled by whoever sends it (an HTTP
// request body, a mail message, one part of a multipart body), so that nothing has to hold it
// whole: a 1 GiB attachment goes out 64 KiB at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <span>
#include <string>

namespace wire::text {

/// A pull source of bytes: each read() copies the next bytes into the caller's buffer.
///   while (std::size_t n = source.read(buffer)) send(std::span(buffer).first(n));
class Source {
 public:
  virtual ~Source() = default;
  /// Copies the next bytes into `out` and returns how many (at most out.size()); 0 only at
  /// the end (or when `out` is empty). A short count does not mean the end.
  virtual std::size_t read(std::span<char> out) = 0;
  std::size_t read(std::span<std::byte> out) {
    return read(std::span<char>(reinterpret_cast<char*>(out.data()), out.size()));
  }
  /// How many bytes the reads will give in all, when that is known before reading
  /// (an HTTP Content-Length, an SMTP SIZE); nullopt otherwise.
  virtual std::optional<std::uint64_t> size() const { return std::nullopt; }
};

/// Bytes held in memory, given out in order.
///   StringSource s("hello"); s.read(buf);  // 5
class StringSource final : public Source {
 public:
  explicit StringSource(std::string data) noexcept : data_(std::move(data)) {}
  using Source::read;
  std::size_t read(std::span<char> out) override;
  std::optional<std::uint64_t> size() const override { return data_.size(); }

 private:
  std::string data_;
  std::size_t offset_ = 0;
};

/// A file read a piece at a time as the reads ask for it, never whole. Its size is taken when
/// the source is made; the file is opened at the first read(). A file that turns out shorter
/// than that size is an error (the size may already have been announced), and bytes
/// appended after it are not sent.
///   FileSource f("report.pdf"); f.size();  // its size in bytes
class FileSource final : public Source {
 public:
  /// @throws std::system_error if the file's size cannot be read (missing, not a file, ...).
  explicit FileSource(std::filesystem::path path);
  using Source::read;
  /// @throws std::system_error if the file cannot be opened or read, or is shorter than size().
  std::size_t read(std::span<char> out) override;
  std::optional<std::uint64_t> size() const override { return size_; }
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
  std::uint64_t size_ = 0;
  std::uint64_t done_ = 0;
  std::ifstream file_;
};

}  // namespace wire::text
