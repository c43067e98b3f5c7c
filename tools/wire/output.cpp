// SPDX-License-Identifier: MIT
#include "output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <system_error>
#include <utility>

#include "exit_status.hpp"

namespace wire::cli {

using namespace std::chrono_literals;

namespace {

// 1536 -> "1.5 KiB"
std::string size_text(double bytes) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
  return buf;
}

std::string duration_text(double seconds) {
  auto s = static_cast<long long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  }
  return buf;
}

}  // namespace

Progress::Progress(bool enabled)
    : enabled_(enabled && ::isatty(STDERR_FILENO) == 1), started_(std::chrono::steady_clock::now()) {}

std::string Progress::line(std::uint64_t done, std::optional<std::uint64_t> total, double seconds) {
  double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  std::string out = size_text(static_cast<double>(done));
  if (total && *total > 0) {
    double fraction = static_cast<double>(done) / static_cast<double>(*total);
    char pct[16];
    std::snprintf(pct, sizeof pct, "%5.1f%%", 100 * fraction);
    out += " of " + size_text(static_cast<double>(*total)) + "  " + pct;
    out += "  " + size_text(rate) + "/s";
    if (rate > 0 && done < *total) out += "  " + duration_text(static_cast<double>(*total - done) / rate) + " left";
  } else {
    out += "  " + size_text(rate) + "/s";
  }
  return out;
}

void Progress::update(std::uint64_t done, std::optional<std::uint64_t> total) {
  done_ = done;
  total_ = total;
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - shown_ < 100ms) return;
  shown_ = now;
  draw(false);
}

void Progress::finish() {
  if (enabled_ && (drawn_ || done_ > 0)) draw(true);
}

void Progress::draw(bool last) {
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  std::string text = "\r" + line(done_, total_, seconds) + "\033[K";  // clear what a longer line left
  if (last) text += "\n";
  std::fputs(text.c_str(), stderr);
  drawn_ = true;
}

OutputFile::OutputFile(const std::string& path, Mode mode) {
  if (path.empty() || path == "-") return;
  path_ = path;
  struct stat existing {};
  if (::stat(path.c_str(), &existing) == 0 && !S_ISREG(existing.st_mode)) {
    // Not a regular file (/dev/null, a terminal, a FIFO; a directory fails here): written in
    // place, as curl does. A temporary file renamed over it would put a regular file where the
    // device was (run as root, `-o /dev/null` replaced /dev/null itself) and, in /dev, fill
    // the devtmpfs with the whole body.
    fd_ = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | (mode == Mode::append ? O_APPEND : 0));
    if (fd_ < 0) throw WriteError(errno, "cannot write " + path);
    return;
  }
  if (mode == Mode::append) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
    if (fd_ < 0) throw WriteError(errno, "cannot write " + path);
    return;
  }
  std::filesystem::path dir = path_.parent_path().empty() ? "." : path_.parent_path();
  std::string pattern = (dir / ("." + path_.filename().string() + ".wire-XXXXXX")).string();
  fd_ = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (fd_ < 0) throw WriteError(errno, "cannot write " + path);
  temp_ = pattern;
}

OutputFile::~OutputFile() {
  if (fd_ > 1) ::close(fd_);
  if (!temp_.empty()) ::unlink(temp_.c_str());
}

void OutputFile::write(std::span<const std::byte> data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw WriteError(errno, "writing " + (path_.empty() ? std::string("stdout") : path_.string()));
    }
    data = data.subspan(static_cast<std::size_t>(n));
  }
}

void OutputFile::commit() {
  if (temp_.empty()) {  // stdout, or appended to: the bytes are where they belong
    if (fd_ > 1 && ::close(std::exchange(fd_, -1)) != 0) throw WriteError(errno, "writing " + path_.string());
    return;
  }
  // The mode the file had, or the one a new file would have had: not mkstemp's 0600.
  struct stat before {};
  if (::stat(path_.c_str(), &before) == 0) {
    ::fchmod(fd_, before.st_mode & 07777);
  } else {
    mode_t mask = ::umask(0);  // the CLI is single-threaded here
    ::umask(mask);
    ::fchmod(fd_, 0666 & ~mask);
  }
  if (::close(std::exchange(fd_, -1)) != 0 || ::rename(temp_.c_str(), path_.c_str()) != 0) {
    throw WriteError(errno, "writing " + path_.string());
  }
  temp_.clear();
}

bool OutputFile::is_terminal() const noexcept { return ::isatty(fd_) == 1; }

}  // namespace wire::cli
