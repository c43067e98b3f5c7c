// SPDX-License-Identifier: MIT
// wire::ftp::Client: the blocking FTP client, Python's ftplib.FTP / FTP_TLS.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "wire/dialogue/reply.hpp"
#include "wire/ftp/async_client.hpp"
#include "wire/ftp/client_options.hpp"
#include "wire/ftp/features.hpp"
#include "wire/ftp/list_entry.hpp"
#include "wire/ftp/mlsx_entry.hpp"

namespace wire::ftp {

/// An FTP session with blocking calls, like Python's ftplib:
///   wire::ftp::Client ftp("ftp.example.com");        // FTP('ftp.example.com')
///   ftp.login();                                      // anonymous
///   ftp.cwd("debian");
///   for (const auto& e : ftp.list()) std::cout << e.line << "\n";
///   ftp.download("README", "README");                 // retrbinary('RETR README', f.write)
///   ftp.quit();
/// It runs AsyncClient on a loop of its own (each call is one step of it), so the two behave
/// alike: the same errors, timeouts, TLS rules and data connections (see AsyncClient).
class Client {
 public:
  /// Connects (port 0: 21, or 990 with implicit TLS) and reads the greeting; with explicit
  /// TLS, upgrades the control connection before returning.
  explicit Client(std::string host, std::uint16_t port = 0, ClientOptions options = {});
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  /// Closes the connections (without QUIT).
  ~Client();

  void login(std::string user = "anonymous", std::string password = "anonymous@", std::string account = {});
  const std::string& welcome() const noexcept;
  bool is_tls() const noexcept;
  Features features();

  std::string pwd();
  void cwd(std::string path);
  void cdup();
  std::string mkd(std::string path);
  void rmd(std::string path);
  void dele(std::string path);
  void rename(std::string from, std::string to);
  std::uint64_t size(std::string path);
  std::int64_t mdtm(std::string path);
  void noop();

  std::vector<ListEntry> list(std::string path = {});
  std::vector<std::string> nlst(std::string path = {});
  std::vector<MlsxEntry> mlsd(std::string path = {});
  MlsxEntry mlst(std::string path);

  std::uint64_t retr(std::string path, Sink sink, TransferOptions options = {});
  std::uint64_t stor(std::string path, Source source, TransferOptions options = {});
  std::uint64_t appe(std::string path, Source source, TransferOptions options = {});
  std::uint64_t download(std::string remote, std::filesystem::path local, FileTransferOptions options = {});
  std::uint64_t upload(std::filesystem::path local, std::string remote, FileTransferOptions options = {});

  dialogue::Reply command(std::string verb, std::string argument = {});
  void quit();
  void close() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wire::ftp
