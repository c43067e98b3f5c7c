// SPDX-License-Identifier: MIT
// Helpers shared by the wire::tls tests: checking a tls::Error, checksums,
// scripted plain-TCP peers (for STARTTLS, garbage and stalls) and openssl
// s_server / s_client started on loopback ports.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "support/certs.hpp"
#include "support/process.hpp"
#include "support/wait.hpp"
#include "wire/io/stream.hpp"
#include "wire/io/task.hpp"
#include "wire/net/address.hpp"
#include "wire/net/socket.hpp"
#include "wire/tls.hpp"

namespace wire::tls {
/// GoogleTest prints a Version parameter as "TLS 1.2" / "TLS 1.3" (found by ADL).
inline void PrintTo(Version v, std::ostream* os) { *os << (v == Version::tls1_2 ? "TLS 1.2" : "TLS 1.3"); }
}  // namespace wire::tls

namespace wire::test::tls {

using namespace std::chrono_literals;

inline constexpr std::size_t kTenMiB = 10 * 1024 * 1024;

// --- errors -----------------------------------------------------------------------

/// Runs `f`; returns the wire::tls::Error it threw, or nothing if it returned.
/// Any other exception propagates (and fails the test with its message).
template <typename F>
std::optional<wire::tls::Error> tls_error_of(F&& f) {
  try {
    f();
  } catch (const wire::tls::Error& e) {
    return e;
  }
  return std::nullopt;
}

/// Success if `error` holds a tls::Error with `code` whose what() contains every one of `words`.
///   EXPECT_TRUE(is_tls_error(tls_error_of([&] { s.handshake(); }), Errc::verify_failed, {"expired"}));
testing::AssertionResult is_tls_error(const std::optional<wire::tls::Error>& error, wire::tls::Errc code,
                                      std::initializer_list<std::string_view> words);

/// Whether `text` contains `part`.
inline bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// --- data -------------------------------------------------------------------------

/// SHA-256 of `data` in hex (OpenSSL's EVP).
std::string sha256_hex(std::span<const std::byte> data);
inline std::string sha256_hex(std::string_view data) { return sha256_hex(std::as_bytes(std::span(data))); }

inline std::span<const std::byte> bytes_of(std::string_view s) { return std::as_bytes(std::span(s)); }

// --- a scripted plain-TCP peer ----------------------------------------------------------

/// Listens on `host` (port 0) and runs `session` on a thread with the first
/// connection accepted (its socket has a 10 s timeout, so a bug cannot hang the
/// test). join() waits for it and rethrows what it threw; the destructor wakes
/// an accept() still waiting and joins. The session may move the socket away
/// (into a tls::Stream, for a wire server).
///   ScriptedPeer peer([](wire::net::Socket& s) { s.send_all("220 ready\r\n"); ... });
///   auto sock = wire::net::tcp_connect("127.0.0.1", peer.port());
class ScriptedPeer {
 public:
  explicit ScriptedPeer(std::function<void(wire::net::Socket&)> session, std::string_view host = "127.0.0.1");
  ~ScriptedPeer();
  ScriptedPeer(const ScriptedPeer&) = delete;
  ScriptedPeer& operator=(const ScriptedPeer&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  void join();

 private:
  wire::net::Socket listener_;
  std::uint16_t port_ = 0;
  std::unique_ptr<Background> thread_;
};

/// The same with a coroutine on a wire::io loop of its own: `session` gets the
/// first accepted io::Stream (read and write timeouts 10 s), under a 30 s watchdog.
class AsyncPeer {
 public:
  explicit AsyncPeer(std::function<wire::io::Task<void>(wire::io::Stream)> session,
                     std::string_view host = "127.0.0.1");
  ~AsyncPeer();
  AsyncPeer(const AsyncPeer&) = delete;
  AsyncPeer& operator=(const AsyncPeer&) = delete;

  std::uint16_t port() const noexcept { return address_.port(); }
  void join();

 private:
  wire::net::Address address_;
  std::atomic<bool> accepted_{false};
  std::unique_ptr<Background> thread_;
};

/// Reads from `socket` until the peer closes or resets it (or the socket's timeout
/// passes); returns what arrived. Bounded: at most 64 MiB.
std::string drain(wire::net::Socket& socket);

/// The content types of the TLS records in `bytes`, one char each (22 handshake,
/// 20 change_cipher_spec, 21 alert, 23 application data); "" if they do not parse.
std::string record_types(std::string_view bytes);

/// A TLS server session over `s` that records every byte its client sends until
/// the client hangs up (driving an Engine itself, so nothing the client sent stays
/// hidden in a stream's buffers; it goes on recording after a failed handshake).
std::string record_client_bytes(wire::net::Socket& s, const wire::tls::Context& ctx);

// --- openssl peers ------------------------------------------------------------------

/// The openssl program CMake found (WIRE_TEST_OPENSSL). Fails the test loudly
/// (throws) if there is none: scripts/install-deps.sh installs Debian's openssl.
const std::string& openssl();

/// `openssl s_server` listening on 127.0.0.1 on a free port, run in pki.dir()
/// (so -WWW serves the files written there) with -quiet: its stdout is exactly
/// what the client sent. Its stdin is held open (s_server hangs up at EOF on
/// stdin); `input` is relayed to the first client after the handshake.
class SServer {
 public:
  /// Starts `openssl s_server -accept 127.0.0.1:<port> -quiet <args>` and waits
  /// until it listens (without connecting to it: that would count as a client).
  SServer(const TestPki& pki, std::vector<std::string> args, std::string input = {});

  std::uint16_t port() const noexcept { return port_; }
  wire::test::ChildProcess& process() noexcept { return *process_; }
  /// Waits for s_server to exit by itself (-naccept N reached); nullopt if it did not.
  std::optional<wire::test::ProcessResult> wait(std::chrono::milliseconds timeout = 20s) {
    return process_->wait(timeout);
  }

 private:
  std::uint16_t port_ = 0;
  std::unique_ptr<wire::test::ChildProcess> process_;
};

/// -cert/-key arguments for the PKI identity `name` ("leaf", "expired", ...).
std::vector<std::string> cert_args(const TestPki& pki, std::string_view name);

/// Runs `openssl s_client -connect 127.0.0.1:<port> <args>` to completion with
/// `input` on its stdin, at most `timeout`.
wire::test::ProcessResult run_s_client(std::uint16_t port, const std::vector<std::string>& args,
                                       std::string input = {}, std::chrono::milliseconds timeout = 30s);

}  // namespace wire::test::tls
