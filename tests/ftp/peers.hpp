// SPDX-License-Identifier: MIT
// FTP servers that are not ours, started by the tests on free loopback ports with generated
// configurations: pyftpdlib (Debian's python3-pyftpdlib under /usr/bin/python3) and vsftpd;
// and the files the transfer tests move (made and checked by sha256 without holding them).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "support/certs.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace wire::test::ftp {

/// The account every peer knows besides anonymous: full rights in its home.
inline constexpr std::string_view kUser = "wire";
inline constexpr std::string_view kPassword = "s3cret pass";

/// pyftpdlib's FTPServer on 127.0.0.1, on the port it chose (printed by the generated script).
/// The user kUser has every right in root(); anonymous may read root(). With a TestPki it runs
/// TLS_FTPHandler (explicit FTPS: AUTH TLS, PBSZ, PROT) with pki's leaf; without, the plain
/// FTPHandler, which answers AUTH with 500 (a cleartext-only server).
///   Pyftpd server(&pki);   server.write_file("a.txt", "hello");
class Pyftpd {
 public:
  explicit Pyftpd(const TestPki* pki = nullptr, std::string_view extra_python = {});
  ~Pyftpd();
  Pyftpd(const Pyftpd&) = delete;
  Pyftpd& operator=(const Pyftpd&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  std::filesystem::path root() const { return dir_ / "root"; }
  std::filesystem::path write_file(std::string_view name, std::string_view contents) const;
  /// What it logged so far (every command, on stderr).
  std::string log() const;
  ProcessResult stop();

 private:
  TempDir dir_;
  std::uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

/// vsftpd (Debian's /usr/sbin/vsftpd) in the foreground on 127.0.0.1 and a free port, in a
/// mount namespace of its own (unshare) where /etc/passwd, /etc/shadow and /etc/pam.d are
/// generated files bind-mounted over the real ones: so the local user kUser exists for it
/// alone, and nothing of the machine changes. Needs root, as vsftpd does.
///   anonymous: reads anon_root() (uploads nowhere);
///   kUser:     chrooted in home(), read and write.
/// With a TestPki: ssl_enable=YES with pki's leaf, TLS optional for logins and data,
/// require_ssl_reuse=YES (a data connection must resume the control connection's session).
class Vsftpd {
 public:
  explicit Vsftpd(const TestPki* pki = nullptr);
  ~Vsftpd();
  Vsftpd(const Vsftpd&) = delete;
  Vsftpd& operator=(const Vsftpd&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  std::filesystem::path anon_root() const { return dir_ / "anon"; }
  std::filesystem::path home() const { return dir_ / "home"; }
  /// Writes a file under home() (owned by kUser) or anon_root().
  std::filesystem::path write_home_file(std::string_view name, std::string_view contents) const;
  std::filesystem::path write_anon_file(std::string_view name, std::string_view contents) const;
  /// Its log (log_ftp_protocol: every command and reply).
  std::string log() const;
  ProcessResult stop();

 private:
  TempDir dir_;
  std::uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

/// Writes `size` pseudo-random bytes (splitmix64 from `seed`) to `path` in pieces, and returns
/// their sha256 in hex.
std::string write_random_file(const std::filesystem::path& path, std::uint64_t size, std::uint64_t seed);
/// The sha256 of a file in hex, read in pieces.
std::string sha256_file(const std::filesystem::path& path);
std::string sha256_hex(std::string_view data);

/// The size of the big transfers: 1 GiB, or 64 MiB in sanitizer builds (ASan makes every
/// copy several times slower, and the rules under test are the same at any size).
std::uint64_t big_transfer_size();

/// Runs `args` under /usr/bin/python3 -c `script`, at most `timeout`.
ProcessResult run_python(const std::string& script, const std::vector<std::string>& args = {},
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace wire::test::ftp
