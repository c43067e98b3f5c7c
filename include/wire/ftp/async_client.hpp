// SPDX-License-Identifier: MIT
// wire::ftp::AsyncClient: an FTP session as coroutines (RFC 959, 2428, 3659, 4217).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "wire/dialogue/reply.hpp"
#include "wire/ftp/client_options.hpp"
#include "wire/ftp/features.hpp"
#include "wire/ftp/list_entry.hpp"
#include "wire/ftp/mlsx_entry.hpp"
#include "wire/io/task.hpp"
#include "wire/net/address.hpp"

namespace wire::ftp {

/// One FTP session, what Python's ftplib.FTP and FTP_TLS do, as coroutines; Client is the
/// blocking form of the same code.
///   auto ftp = co_await AsyncClient::connect("ftp.example.com", 21, {.security = Security::explicit_tls});
///   co_await ftp.login("user", "secret");
///   for (const auto& e : co_await ftp.mlsd("pub")) std::cout << e.name << "\n";
///   co_await ftp.download("pub/file.tar.gz", "file.tar.gz");
///   co_await ftp.quit();
///
/// Every call either succeeds or throws: ReplyError for a refusal (4yz/5yz, with its code),
/// dialogue::Error (or ftp::Error) for a malformed reply, tls::Error, wire::TimeoutError and
/// std::system_error for the connections. A path or other argument with CR, LF or NUL is
/// refused with dialogue::LocalError before anything is sent for that call.
///
/// Data connections: passive by default, EPSV first, PASV when the server does not know EPSV;
/// the port a 227 names is used, its address is not (the control connection's peer is, see
/// ClientOptions::use_pasv_address). Over TLS each data connection resumes the control
/// connection's TLS session and starts its handshake after the server's 1yz reply. Transfers
/// are binary (TYPE I). One call at a time on a client.
class AsyncClient {
 public:
  /// Connects to host:port (port 0: 21, or 990 with Security::implicit_tls), reads the
  /// greeting and, with explicit TLS, upgrades the control connection (AUTH TLS).
  static io::Task<AsyncClient> connect(std::string host, std::uint16_t port = 0, ClientOptions options = {});

  AsyncClient(AsyncClient&&) noexcept;
  AsyncClient& operator=(AsyncClient&&) noexcept;
  ~AsyncClient();

  /// USER, PASS (and ACCT if the server asks, RFC 959 §4.1.1), then over TLS PBSZ 0 and PROT.
  /// The defaults log in anonymously, as ftplib does.
  io::Task<void> login(std::string user = "anonymous", std::string password = "anonymous@",
                       std::string account = {});

  /// The server's greeting (the 220 reply's text).
  const std::string& welcome() const noexcept;
  /// The control connection's peer, where passive data connections go.
  const net::Address& peer_address() const noexcept;
  /// Whether the control connection is TLS.
  bool is_tls() const noexcept;

  /// FEAT (RFC 2389), asked once and kept; none if the server does not know FEAT.
  io::Task<Features> features();
  /// PWD: the current directory (the 257 reply's path).
  io::Task<std::string> pwd();
  io::Task<void> cwd(std::string path);
  io::Task<void> cdup();
  /// MKD: returns the directory's path as the server names it (257), or `path` if it names none.
  io::Task<std::string> mkd(std::string path);
  io::Task<void> rmd(std::string path);
  io::Task<void> dele(std::string path);
  /// RNFR then RNTO.
  io::Task<void> rename(std::string from, std::string to);
  /// SIZE (RFC 3659 §4), in bytes.
  io::Task<std::uint64_t> size(std::string path);
  /// MDTM (RFC 3659 §3): UTC seconds since the Unix epoch.
  io::Task<std::int64_t> mdtm(std::string path);
  /// NOOP.
  io::Task<void> noop();

  /// LIST, parsed best-effort (Unix and DOS lines; others come back unparsed with `line`).
  io::Task<std::vector<ListEntry>> list(std::string path = {});
  /// NLST: the names.
  io::Task<std::vector<std::string>> nlst(std::string path = {});
  /// MLSD (RFC 3659 §7): typed entries.
  io::Task<std::vector<MlsxEntry>> mlsd(std::string path = {});
  /// MLST (RFC 3659 §7): one entry, over the control connection.
  io::Task<MlsxEntry> mlst(std::string path);

  /// RETR: the file's bytes from options.offset on, each piece given to `sink`. Returns the
  /// bytes received. If progress() returns false (or `sink` throws) the transfer is aborted
  /// (ABOR): the call then returns (or rethrows) once the server has answered. With an offset
  /// and a known size (options.size, or SIZE asked for progress): an offset at the size
  /// fetches nothing and returns 0; past it, Errc::resume_past_end, before any transfer.
  io::Task<std::uint64_t> retr(std::string path, Sink sink, TransferOptions options = {});
  /// STOR: uploads what `source` gives, replacing the file (at options.offset with REST).
  io::Task<std::uint64_t> stor(std::string path, Source source, TransferOptions options = {});
  /// APPE: appends what `source` gives to the file (creating it).
  io::Task<std::uint64_t> appe(std::string path, Source source, TransferOptions options = {});

  /// Downloads `remote` into the file `local`. Without resume the bytes go to a temporary file
  /// beside it, renamed over `local` only when the transfer is complete (what was there is never
  /// half overwritten); with resume they are appended from the local file's size on (the
  /// server's SIZE, when it answers, says whether the local file is complete already, or longer
  /// than the remote one: Errc::resume_past_end, the local file untouched).
  io::Task<std::uint64_t> download(std::string remote, std::filesystem::path local,
                                   FileTransferOptions options = {});
  /// Uploads the file `local` as `remote` (STOR; with resume, APPE of what the server lacks).
  /// Over a clear data connection the file goes out with sendfile(2).
  io::Task<std::uint64_t> upload(std::filesystem::path local, std::string remote,
                                 FileTransferOptions options = {});

  /// Sends any command and returns its final reply, whatever its code (ftplib's sendcmd).
  /// No data connection is opened: not for LIST, RETR and the like.
  io::Task<dialogue::Reply> command(std::string verb, std::string argument = {});
  /// QUIT, then closes. Errors from a server already gone are ignored.
  io::Task<void> quit();
  /// Closes the connection without QUIT.
  void close() noexcept;

  struct State;  // private to the implementation

 private:
  explicit AsyncClient(std::unique_ptr<State> state);
  std::unique_ptr<State> s_;
};

}  // namespace wire::ftp
