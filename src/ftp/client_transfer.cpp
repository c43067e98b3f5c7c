// SPDX-License-Identifier: MIT
// The FTP client's transfers: listings (LIST, NLST, MLSD), RETR, STOR, APPE with REST
// (RFC 3659 §5), progress and ABOR, and the file helpers download() and upload().
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <exception>
#include <utility>

#include "client_state.hpp"
#include "wire/error.hpp"
#include "wire/ftp/codec.hpp"
#include "wire/net/socket.hpp"
#include "wire/text/date.hpp"
#include "wire/tls/error.hpp"

namespace wire::ftp {
namespace {

// Closes a file descriptor when it goes out of scope.
struct Fd {
  int fd = -1;
  explicit Fd(int f) noexcept : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

[[noreturn]] void throw_errno(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

void write_fully(int fd, std::span<const std::byte> data, const std::filesystem::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("write " + path.string());
    data = data.subspan(static_cast<std::size_t>(n));
  }
}

// Whether the transfer goes on: progress() said yes (or there is none).
bool keep_going(const TransferOptions& o, std::uint64_t done) { return !o.progress || o.progress(done, o.size); }

}  // namespace

io::Task<std::vector<ListEntry>> AsyncClient::list(std::string path) {
  check_argument("path", path);
  std::string listing = co_await s_->read_listing("LIST", path);
  co_return parse_list(listing, text::to_civil(std::time(nullptr)));
}

io::Task<std::vector<std::string>> AsyncClient::nlst(std::string path) {
  check_argument("path", path);
  std::string listing = co_await s_->read_listing("NLST", path);
  std::vector<std::string> names;
  std::string_view rest = listing;
  while (!rest.empty()) {  // one name a line, CRLF or LF (RFC 959 §4.1.3)
    std::size_t lf = rest.find('\n');
    std::string_view line = rest.substr(0, lf);
    rest.remove_prefix(lf == std::string_view::npos ? rest.size() : lf + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) names.emplace_back(line);
  }
  co_return names;
}

io::Task<std::vector<MlsxEntry>> AsyncClient::mlsd(std::string path) {
  check_argument("path", path);
  std::string listing = co_await s_->read_listing("MLSD", path);
  std::error_code ec;
  std::vector<MlsxEntry> entries = parse_mlsd(listing, ec);
  if (ec) throw Error(ec, s_->describe("MLSD", path) + ": " + ec.message());
  co_return entries;
}

io::Task<std::uint64_t> AsyncClient::retr(std::string path, Sink sink, TransferOptions options) {
  check_argument("path", path);
  State& s = *s_;
  if (options.progress && !options.size) {
    try {
      options.size = co_await size(path);
    } catch (const ReplyError&) {  // SIZE is optional (RFC 3659): progress without a total
    }
  }
  // A resumed download that the server's size says is complete (nothing to fetch) or cannot
  // be a prefix of the file (the local copy is longer: something else).
  if (options.offset > 0 && options.size && options.offset >= *options.size) {
    if (options.offset > *options.size) {
      throw Error(Errc::resume_past_end, s.describe("RETR", path) + ": resuming at byte " +
                                             std::to_string(options.offset) + " of a file of " +
                                             std::to_string(*options.size) + " bytes");
    }
    if (options.progress) options.progress(options.offset, options.size);
    co_return 0;
  }
  detail::DataChannel data = co_await s.start_transfer("RETR", path, options.offset);
  std::vector<std::byte> buffer(detail::kDataBuffer);
  std::uint64_t done = options.offset;
  std::exception_ptr failed;
  bool aborted = false;
  for (;;) {
    std::error_code ec;
    std::size_t n = co_await data.stream.read_some(buffer, ec);
    if (ec == tls::Errc::truncated) break;  // no close_notify: the final reply decides
    if (ec == std::errc::timed_out) throw TimeoutError(s.describe("RETR", path) + ": the transfer stalled");
    if (ec) throw_error(ec, s.describe("RETR", path) + ": data connection");
    if (n == 0) break;
    done += n;
    try {
      sink(std::span<const std::byte>(buffer.data(), n));
    } catch (...) {
      failed = std::current_exception();
      break;
    }
    if (!keep_going(options, done)) {
      aborted = true;
      break;
    }
  }
  if (failed || aborted) {
    co_await s.abort_transfer(data);
    if (failed) std::rethrow_exception(failed);
  } else {
    co_await s.finish_transfer(data, "RETR", path);
  }
  co_return done - options.offset;
}

namespace {

// The sending half of STOR and APPE: `fill` gives the next piece (0 at the end) and the bytes
// go out over the data connection. Returns false if progress() asked to abort.
template <typename Fill>
io::Task<bool> send_pieces(tls::AnyStream& data, Fill&& fill, const TransferOptions& options, std::uint64_t& done,
                           const std::string& what) {
  std::vector<std::byte> buffer(detail::kDataBuffer);
  for (;;) {
    std::size_t n = fill(std::span<std::byte>(buffer));
    if (n == 0) co_return true;
    std::error_code ec;
    co_await data.write_all(std::span<const std::byte>(buffer.data(), n), ec);
    if (ec == std::errc::timed_out) throw TimeoutError(what + ": the transfer stalled");
    if (ec) throw_error(ec, what + ": data connection");
    done += n;
    if (!keep_going(options, done)) co_return false;
  }
}

}  // namespace

namespace detail {

// STOR or APPE from a source: the upload half of both, and of upload(). Progress counts from
// options.offset; REST is sent with it only when `restart` (REST + STOR, RFC 3659 §5.3).
io::Task<std::uint64_t> store(AsyncClient::State& s, std::string_view verb, const std::string& path, Source& source,
                              const TransferOptions& options, bool restart) {
  check_argument("path", path);
  DataChannel data = co_await s.start_transfer(verb, path, restart ? options.offset : 0);
  std::uint64_t done = options.offset;
  std::exception_ptr failed;
  bool finished = false;
  try {
    finished = co_await send_pieces(data.stream, source, options, done, s.describe(verb, path));
  } catch (const std::system_error&) {
    throw;  // the data connection failed: the server's final reply would only say so again
  } catch (...) {
    failed = std::current_exception();  // the source failed: abort the transfer, then rethrow
  }
  if (!finished) {
    co_await s.abort_transfer(data);
    if (failed) std::rethrow_exception(failed);
    co_return done - options.offset;
  }
  co_await s.end_upload(data);
  co_await s.finish_transfer(data, verb, path);
  co_return done - options.offset;
}

// STOR or APPE of a file over a clear data connection: sendfile(2), no copy through user
// space; in pieces of kSendfilePiece when progress() wants reports. Sends from options.offset
// to options.size, without REST.
io::Task<std::uint64_t> upload_plain(AsyncClient::State& s, std::string_view verb, const std::string& path, int fd,
                                     const TransferOptions& options) {
  constexpr std::uint64_t kSendfilePiece = 4 * 1024 * 1024;
  DataChannel data = co_await s.start_transfer(verb, path, 0);
  io::Stream& socket = data.stream.plain();
  std::uint64_t done = options.offset;
  std::uint64_t end = options.size.value_or(options.offset);
  while (done < end) {
    std::uint64_t piece = options.progress ? std::min(kSendfilePiece, end - done) : end - done;
    co_await socket.sendfile(fd, static_cast<long long>(done), static_cast<std::size_t>(piece));
    done += piece;
    if (!keep_going(options, done)) {
      co_await s.abort_transfer(data);
      co_return done - options.offset;
    }
  }
  co_await s.end_upload(data);
  co_await s.finish_transfer(data, verb, path);
  co_return done - options.offset;
}

}  // namespace detail

io::Task<std::uint64_t> AsyncClient::stor(std::string path, Source source, TransferOptions options) {
  co_return co_await detail::store(*s_, "STOR", path, source, options, options.offset > 0);
}

io::Task<std::uint64_t> AsyncClient::appe(std::string path, Source source, TransferOptions options) {
  co_return co_await detail::store(*s_, "APPE", path, source, options, false);
}

io::Task<std::uint64_t> AsyncClient::download(std::string remote, std::filesystem::path local,
                                              FileTransferOptions options) {
  check_argument("path", remote);
  TransferOptions t{.progress = std::move(options.progress)};
  if (options.resume) {
    Fd file(::open(local.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
    if (file.fd < 0) throw_errno("open " + local.string());
    struct stat st {};
    if (::fstat(file.fd, &st) != 0) throw_errno("stat " + local.string());
    t.offset = static_cast<std::uint64_t>(st.st_size);
    if (t.offset > 0 && !t.progress) {  // the size tells a complete or a longer local file
      try {
        t.size = co_await size(remote);
      } catch (const ReplyError&) {  // SIZE is optional: REST and RETR decide
      }
    }
    co_return co_await retr(remote, [&](std::span<const std::byte> piece) { write_fully(file.fd, piece, local); },
                            std::move(t));
  }
  // A temporary file beside `local`, renamed over it once complete: a failed download never
  // leaves a half file under the name, nor destroys what was there.
  std::string pattern = (local.parent_path() / ("." + local.filename().string() + ".wire-XXXXXX")).string();
  Fd file(::mkostemp(pattern.data(), O_CLOEXEC));
  if (file.fd < 0) throw_errno("create a temporary file beside " + local.string());
  std::uint64_t got = 0;
  try {
    got = co_await retr(remote, [&](std::span<const std::byte> piece) { write_fully(file.fd, piece, local); },
                        std::move(t));
    if (::fchmod(file.fd, 0644) != 0 || ::rename(pattern.c_str(), local.c_str()) != 0) {
      throw_errno("rename " + pattern + " to " + local.string());
    }
  } catch (...) {
    ::unlink(pattern.c_str());
    throw;
  }
  co_return got;
}

io::Task<std::uint64_t> AsyncClient::upload(std::filesystem::path local, std::string remote,
                                            FileTransferOptions options) {
  check_argument("path", remote);
  Fd file(::open(local.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.fd < 0) throw_errno("open " + local.string());
  struct stat st {};
  if (::fstat(file.fd, &st) != 0) throw_errno("stat " + local.string());
  auto total = static_cast<std::uint64_t>(st.st_size);
  std::uint64_t from = 0;
  if (options.resume) {
    try {
      from = std::min(co_await size(remote), total);
    } catch (const ReplyError& e) {
      if (e.code() != 550) throw;  // no such file yet: from the start
    }
  }
  TransferOptions t{.offset = from, .size = total, .progress = std::move(options.progress)};
  std::string_view verb = from > 0 ? "APPE" : "STOR";
  auto offset = static_cast<off_t>(from);
  Source source = [&](std::span<std::byte> buffer) -> std::size_t {
    ssize_t n = ::pread(file.fd, buffer.data(), buffer.size(), offset);
    if (n < 0) throw_errno("read " + local.string());
    offset += n;
    return static_cast<std::size_t>(n);
  };
  // APPE needs no REST (the server appends); STOR starts at 0.
  if (s_->protect) co_return co_await detail::store(*s_, verb, remote, source, t, false);
  co_return co_await detail::upload_plain(*s_, verb, remote, file.fd, t);
}

}  // namespace wire::ftp
