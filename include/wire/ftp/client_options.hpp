// SPDX-License-Identifier: MIT
// How an FTP client connects, secures and times its connections, and what a transfer reports.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "wire/dialogue/reply_parser.hpp"
#include "wire/tls/context.hpp"

namespace wire::ftp {

/// Whether and how the connections are encrypted (RFC 4217).
///   ClientOptions{.security = Security::explicit_tls}
enum class Security : std::uint8_t {
  none,          ///< cleartext (ftp://)
  explicit_tls,  ///< AUTH TLS on the control connection before USER, then PBSZ 0 and PROT P
                 ///< (RFC 4217 §4-§9). A server that refuses AUTH TLS ends the session: no
                 ///< USER or PASS is sent in the clear.
  implicit_tls,  ///< TLS from the first byte (ftps://, port 990), then PBSZ 0 and PROT P
};

/// Who opens a data connection.
enum class DataMode : std::uint8_t {
  passive,  ///< the client connects: EPSV (RFC 2428), PASV if the server does not know EPSV
  active,   ///< the server connects back: EPRT (RFC 2428), PORT if the server does not know EPRT
};

/// A client's settings. The defaults are safe: TLS (when asked for) verifies the server's
/// certificate and name, every step has a timeout, and a PASV reply's address is not trusted.
///   ClientOptions o{.security = Security::explicit_tls, .timeout = 10s};
struct ClientOptions {
  Security security = Security::none;
  /// The TLS client context (default: the system's CAs, verifying). Its session cache is not
  /// what data connections resume: they resume the control connection's session, passed by hand.
  std::optional<tls::Context> tls{};
  /// The name the server's certificate must carry; default: the host connected to.
  std::string tls_server_name{};
  /// Data connections are protected (PROT P) when the control connection is TLS; false asks
  /// for clear data connections (PROT C), which servers may refuse.
  bool protect_data = true;
  DataMode data_mode = DataMode::passive;
  /// Connect to the address a 227 reply names instead of the control connection's peer. Off by
  /// default: a server (or anyone on the path) can name any address, and a client that follows
  /// it scans or attacks hosts behind the firewall for them (CVE-2021-4189, CVE-2020-8284). Only
  /// for a server whose data connections really come from another address.
  bool use_pasv_address = false;
  /// Try EPSV (EPRT) before PASV (PORT). Off: PASV (PORT) only.
  bool extended = true;
  /// Bounds connecting, on the control connection and each data connection.
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(30);
  /// Bounds every other step: each read and write, each TLS handshake, and the wait for the
  /// server to connect back in active mode. A server silent for longer fails the call.
  std::chrono::milliseconds timeout = std::chrono::seconds(60);
  /// Limits on the server's replies (line length, lines and bytes per reply).
  dialogue::ReplyLimits reply_limits{};
};

/// Reports a transfer's progress: the bytes moved so far (counted from the start of the file,
/// so a resumed transfer begins at its offset) and the file's size when known. Return false
/// to abort: the client closes the data connection and sends ABOR, and the call returns.
///   TransferOptions{.progress = [](std::uint64_t done, std::optional<std::uint64_t> total) {
///       std::cerr << done << "\r";  return true; }}
using Progress = std::function<bool(std::uint64_t done, std::optional<std::uint64_t> total)>;

/// Takes each piece of a download, in order.
using Sink = std::function<void(std::span<const std::byte> piece)>;
/// Fills `buffer` with the next piece of an upload and returns its size; 0 at the end.
using Source = std::function<std::size_t(std::span<std::byte> buffer)>;

/// How one transfer runs.
struct TransferOptions {
  /// Start at this byte (REST, RFC 3659 §5): a retrieval skips what the caller already has.
  std::uint64_t offset = 0;
  /// The total progress() reports; for a download the client asks SIZE when this is unset
  /// and progress() is set.
  std::optional<std::uint64_t> size{};
  Progress progress{};
};

/// What download() and upload() do with files.
struct FileTransferOptions {
  /// download: go on from the end of the local file (REST); upload: go on from the size of the
  /// remote file (SIZE, then APPE with the rest), as curl's -C - does.
  bool resume = false;
  Progress progress{};
};

}  // namespace wire::ftp
