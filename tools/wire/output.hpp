// SPDX-License-Identifier: MIT
// Where a command's data goes, and how its progress shows: shared by every command that
// downloads or uploads (wire http get, wire ftp get/put, ...).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>

namespace wire::cli {

/// A progress bar on stderr, when stderr is a terminal (none otherwise): bytes so far, and with
/// a known total the percentage, the total and the time left; the rate always. Redrawn at most
/// ten times a second.
///   Progress bar;  bar.update(received, total);  ...  bar.finish();
class Progress {
 public:
  /// `enabled`: draw at all (false for -s, or when the data itself goes to the terminal).
  explicit Progress(bool enabled = true);
  void update(std::uint64_t done, std::optional<std::uint64_t> total);
  /// Draws the last state and ends the line (if anything was drawn).
  void finish();
  /// The line update() draws, without the leading "\r": for tests.
  static std::string line(std::uint64_t done, std::optional<std::uint64_t> total, double seconds);

 private:
  void draw(bool last);
  bool enabled_;
  bool drawn_ = false;
  std::uint64_t done_ = 0;
  std::optional<std::uint64_t> total_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point shown_;
};

/// Where received bytes go: stdout, or a file that appears only when everything arrived. A file
/// is written under a temporary name beside it and renamed over it by commit(); on failure
/// (an exception, a refused answer) the temporary file is removed and whatever was at the path
/// before stays as it was. In append mode (resuming a download) the bytes go straight onto
/// the end of the file: a failure keeps what arrived, for the next resume to continue from.
/// A path that exists and is not a regular file (/dev/null, a FIFO, a terminal) is written in
/// place, never replaced. Writes are write(2) calls straight from the caller's buffer.
///   OutputFile out(path);  out.write(data);  ...  out.commit();
class OutputFile {
 public:
  enum class Mode { replace, append };
  /// "" or "-": stdout. @throws WriteError (a std::system_error) if the file cannot be created.
  explicit OutputFile(const std::string& path, Mode mode = Mode::replace);
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  /// Removes the temporary file unless committed.
  ~OutputFile();
  /// @throws WriteError (a std::system_error).
  void write(std::span<const std::byte> data);
  void write(const void* data, std::size_t size) { write({static_cast<const std::byte*>(data), size}); }
  /// Renames the temporary file over the path (stdout: nothing to do).
  void commit();
  bool is_stdout() const noexcept { return fd_ == 1; }
  /// Whether the bytes go to a terminal (stdout on a terminal).
  bool is_terminal() const noexcept;

 private:
  int fd_ = 1;
  std::filesystem::path path_;
  std::filesystem::path temp_;
};

}  // namespace wire::cli
