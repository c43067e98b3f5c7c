// SPDX-License-Identifier: MIT
// Helpers for the wire::http client tests: hand-written servers on loopback
// (for misbehaving peers), the failure a call ended with, and SHA-256.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "support/wait.hpp"
#include "wire/error.hpp"
#include "wire/http/error.hpp"
#include "wire/net/socket.hpp"

namespace wire::test::http {

using namespace std::chrono_literals;

// --- checksums -------------------------------------------------------------------------

/// SHA-256 in hex, fed in pieces (OpenSSL's EVP), for bodies read in a stream.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view data);
  void update(std::span<const std::byte> data);
  /// The digest of everything given, in hex; the object is spent afterwards.
  std::string hex();

 private:
  void* ctx_;  // EVP_MD_CTX*
};

/// SHA-256 of `data` in hex.
std::string sha256_hex(std::string_view data);

// --- failures ----------------------------------------------------------------------------

/// How a call ended: the error code, the message and the exception's kind.
struct Failure {
  enum class Kind { none, http, timeout, system, other };
  Kind kind = Kind::none;
  std::error_code code;
  std::string what;
};

/// Runs `f` and reports what it threw (Kind::none if it returned).
template <typename F>
Failure failure_of(F&& f) {
  try {
    f();
  } catch (const wire::http::Error& e) {
    return {Failure::Kind::http, e.code(), e.what()};
  } catch (const wire::TimeoutError& e) {
    return {Failure::Kind::timeout, e.code(), e.what()};
  } catch (const std::system_error& e) {
    return {Failure::Kind::system, e.code(), e.what()};
  } catch (const std::exception& e) {
    return {Failure::Kind::other, {}, e.what()};
  }
  return {};
}

/// Success if `failure` is of `kind` with `code` and its message has every one of `words`.
///   EXPECT_TRUE(is_failure(failure_of([&] { c.getresponse(); }), Failure::Kind::http,
///                          wire::http::Errc::bad_status_line, {"127.0.0.1"}));
testing::AssertionResult is_failure(const Failure& failure, Failure::Kind kind, std::error_code code,
                                    std::initializer_list<std::string_view> words = {});

// --- a hand-written server ---------------------------------------------------------------

/// A server written inside a test: listens on 127.0.0.1 (port 0) and, on a thread,
/// accepts connections one after the other and runs `session(socket, n)` with the
/// n-th (from 0), at most `max_connections` of them. Accepted sockets have a 10 s
/// timeout, so a client bug fails the test instead of hanging it. join() stops
/// accepting, waits for the session running (if any) and rethrows what a session
/// threw; call it once the client is done. The destructor does the same, silently.
///   RawServer server([](wire::net::Socket& s, int) {
///     read_request(s);
///     s.send_all("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
///   });
class RawServer {
 public:
  using Session = std::function<void(wire::net::Socket&, int)>;
  explicit RawServer(Session session, int max_connections = 1);
  ~RawServer();
  RawServer(const RawServer&) = delete;
  RawServer& operator=(const RawServer&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  /// Connections accepted so far.
  int accepted() const noexcept { return accepted_.load(); }
  void join();

 private:
  wire::net::Socket listener_;
  std::uint16_t port_ = 0;
  std::atomic<int> accepted_{0};
  std::unique_ptr<Background> thread_;
};

/// Reads a request head (up to and with its empty line); "" if the peer closed first.
std::string read_head(wire::net::Socket& s);
/// Reads a request head and the Content-Length body after it; "" if the peer closed first.
std::string read_request(wire::net::Socket& s);
/// Reads until the peer closes (or resets, or the socket's timeout passes); at most 64 MiB.
std::string read_to_eof(wire::net::Socket& s);
/// Sends, ignoring a peer that already hung up (a client that gave up on us).
void send_quietly(wire::net::Socket& s, std::string_view data);

/// The body of a request or response `message` (after its head).
std::string body_of(std::string_view message);

}  // namespace wire::test::http
