// SPDX-License-Identifier: MIT
// Maildir delivery: the file under tmp/, fsync, rename into new/, fsync of new/ — the order
// that makes a 250 reply true (the message survives a crash once it has been given).
#include "wire/smtp/maildir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <random>

namespace wire::smtp {
namespace {

constexpr std::size_t kSpill = 64 * 1024;

std::error_code last_error() { return {errno, std::generic_category()}; }

// The Maildir rule: "/" and ":" in the host name are written \057 and \072.
std::string escape_host(std::string_view host) {
  std::string out;
  for (char c : host) {
    if (c == '/') out += "\\057";
    else if (c == ':') out += "\\072";
    else out += c;
  }
  return out.empty() ? "localhost" : out;
}

}  // namespace

Maildir::Maildir(std::filesystem::path root) : root_(std::move(root)) {
  for (const char* sub : {"", "tmp", "new", "cur"}) {
    std::filesystem::path dir = root_ / sub;
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      throw std::system_error(last_error(), "Maildir " + dir.string());
    }
  }
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = 0;
  host_ = escape_host(host);
}

std::string Maildir::unique_name() const {
  // seconds.M<usec>P<pid>Q<count>R<random>.host: unique across processes, threads (the
  // count) and a clock that goes back (the random part).
  thread_local std::mt19937_64 random{std::random_device{}()};
  timeval now{};
  ::gettimeofday(&now, nullptr);
  char buf[128];
  std::snprintf(buf, sizeof buf, "%lld.M%ldP%dQ%lluR%08llx.", static_cast<long long>(now.tv_sec),
                static_cast<long>(now.tv_usec), static_cast<int>(::getpid()),
                static_cast<unsigned long long>(++count_), static_cast<unsigned long long>(random() & 0xffffffffu));
  return buf + host_;
}

Maildir::Delivery Maildir::begin() const { return Delivery(*this, unique_name()); }

std::string Maildir::deliver(std::string_view message) const {
  Delivery d = begin();
  std::error_code ec;
  d.write(message, ec);
  std::string name = d.commit(ec);
  if (ec) throw std::system_error(ec, "Maildir delivery into " + root_.string());
  return name;
}

Maildir::Delivery::Delivery(Delivery&& other) noexcept
    : box_(other.box_), name_(std::move(other.name_)), pending_(std::move(other.pending_)), fd_(other.fd_),
      error_(other.error_), done_(other.done_) {
  other.fd_ = -1;
  other.done_ = true;
}

Maildir::Delivery::~Delivery() { abort(); }

void Maildir::Delivery::abort() noexcept {
  if (done_) return;
  done_ = true;
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
    ::unlink((box_->root_ / "tmp" / name_).c_str());
  }
}

void Maildir::Delivery::spill(std::error_code& ec) {
  if (error_) {
    ec = error_;
    return;
  }
  if (fd_ < 0) {
    // O_EXCL: a name taken already is a clash, never an overwrite.
    fd_ = ::open((box_->root_ / "tmp" / name_).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      error_ = ec = last_error();
      return;
    }
  }
  std::string_view rest = pending_;
  while (!rest.empty()) {
    ssize_t n = ::write(fd_, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error_ = ec = last_error();
      return;
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  pending_.clear();
}

void Maildir::Delivery::write(std::string_view bytes, std::error_code& ec) {
  if (error_ || done_) {
    ec = error_ ? error_ : std::make_error_code(std::errc::bad_file_descriptor);
    return;
  }
  pending_.append(bytes);
  if (pending_.size() >= kSpill) spill(ec);
}

std::string Maildir::Delivery::commit(std::error_code& ec) {
  spill(ec);
  auto fail = [&](std::error_code e) {
    if (!ec) ec = e;
    abort();
    return std::string();
  };
  if (ec) return fail(ec);
  if (::fsync(fd_) != 0) return fail(last_error());
  if (::close(fd_) != 0) {
    fd_ = -1;
    return fail(last_error());
  }
  fd_ = -1;
  std::filesystem::path from = box_->root_ / "tmp" / name_;
  std::filesystem::path to = box_->root_ / "new" / name_;
  if (::rename(from.c_str(), to.c_str()) != 0) {
    std::error_code e = last_error();
    ::unlink(from.c_str());
    done_ = true;
    return fail(e);
  }
  done_ = true;
  // The rename is durable only once the directory is: fsync new/ before saying 250.
  int dir = ::open((box_->root_ / "new").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0 || ::fsync(dir) != 0) {
    std::error_code e = last_error();
    if (dir >= 0) ::close(dir);
    ::unlink(to.c_str());  // not known to be on disk: not delivered
    ec = e;
    return {};
  }
  ::close(dir);
  return name_;
}

}  // namespace wire::smtp
