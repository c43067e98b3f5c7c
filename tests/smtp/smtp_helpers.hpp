// SPDX-License-Identifier: MIT
// What the smtp tests share: a scripted SMTP server for the client's tests (a peer that says
// exactly what the test wants, POCO's DialogServer idea), a raw SMTP client for the server's
// tests, and the peers that are not ours: aiosmtpd and Python's smtplib (smtp_peers.py),
// OpenSMTPD (smtpd with a generated smtpd.conf), swaks.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "support/certs.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"
#include "wire/net/socket.hpp"

namespace wire::test::smtp {

using namespace std::chrono_literals;

/// One side of a raw SMTP conversation on a blocking socket (10 s timeout on every call).
///   Peer p(std::move(socket));   p.send("220 hi\r\n");   EXPECT_EQ(p.line(), "EHLO [127.0.0.1]");
struct Peer {
  explicit Peer(net::Socket s);
  net::Socket sock;
  std::string received;  ///< every byte read so far, in order
  /// The next line, without its CRLF.
  std::string line();
  /// Bytes up to and including "\r\n.\r\n" (a message's data on the wire).
  std::string data();
  /// Reads until `n` replies (final lines: "ddd " or "ddd\r\n") have come; returns them all.
  std::string replies(int n);
  void send(std::string_view bytes);
  /// True if nothing arrives within `time` (the peer waits for us: no pipelining).
  bool quiet_for(std::chrono::milliseconds time);
};

/// A one-connection SMTP server on 127.0.0.1 whose conversation is `script`, run on a thread.
///   ScriptedServer s([](Peer& p) { p.send("220 x ESMTP\r\n"); ... });
///   smtp::Client c("127.0.0.1", s.port());  ...  s.join();   // rethrows the script's failure
class ScriptedServer {
 public:
  explicit ScriptedServer(std::function<void(Peer&)> script);
  ~ScriptedServer();
  std::uint16_t port() const noexcept { return port_; }
  /// Waits for the script; rethrows an exception it threw. Returns what the client sent.
  std::string join();

 private:
  net::Socket listener_;
  std::uint16_t port_ = 0;
  std::string received_;
  std::unique_ptr<Background> thread_;
};

/// aiosmtpd (python3-aiosmtpd) on a free port of 127.0.0.1, storing each message as
/// store()/<n>.eml and its envelope as <n>.env (smtp_peers.py).
class Aiosmtpd {
 public:
  struct Options {
    const TestPki* pki = nullptr;  ///< STARTTLS with pki's leaf
    bool require_starttls = false;
    std::string user, password;    ///< AUTH (over TLS only)
    std::vector<std::string> refuse{};  ///< RCPT to these: 550 5.1.1
  };
  explicit Aiosmtpd(const Options& options);
  ~Aiosmtpd();
  std::uint16_t port() const noexcept { return port_; }
  const std::filesystem::path& store() const noexcept { return dir_.path(); }
  /// Waits for message n (1, 2, ...) and returns its bytes.
  std::string message(int n) const;
  /// Its envelope: MAIL FROM, each RCPT TO, then "mail-options ...".
  std::vector<std::string> envelope(int n) const;
  std::string log() const { return process_->err(); }

 private:
  TempDir dir_;
  std::uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

/// OpenSMTPD (Debian's opensmtpd, /usr/sbin/smtpd -d) with a generated smtpd.conf: listening
/// on a free port of 127.0.0.1, delivering mail for example.org's virtual users (bob, carol,
/// as user nobody) into maildir(). It needs root (it drops privileges to its own users) and
/// its control socket is machine-wide, so one runs at a time (CTest RESOURCE_LOCK).
class OpenSmtpd {
 public:
  OpenSmtpd();
  ~OpenSmtpd();
  std::uint16_t port() const noexcept { return port_; }
  std::filesystem::path maildir() const { return dir_ / "Maildir"; }
  /// Waits for `n` messages in maildir()/new and returns their bytes (by name order).
  std::vector<std::string> messages(std::size_t n) const;
  std::string log() const { return process_ ? process_->err() + process_->out() : ""; }

 private:
  TempDir dir_;
  std::uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

/// The files in `dir`, each read whole, waiting up to 10 s for at least `n`.
std::vector<std::string> wait_for_files(const std::filesystem::path& dir, std::size_t n);

/// smtp_peers.py, run with /usr/bin/python3.
ProcessResult run_peers_script(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 60s);

/// Python's email reading `files` (tests/mime/mime_interop.py parse): its records.
std::string python_parse(const std::vector<std::filesystem::path>& files);

}  // namespace wire::test::smtp
