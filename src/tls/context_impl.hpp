// SPDX-License-Identifier: MIT
// Context::Impl, shared by context.cpp and engine.cpp.
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "openssl.hpp"
#include "wire/tls/context.hpp"

namespace wire::tls {

struct Context::Impl {
  Role role = Role::client;
  detail::SslCtxPtr ctx;
  bool insecure = false;
  bool resumption = true;
  std::string alpn_wire;  // ALPN list in wire format: length-prefixed names

  // Server: the certificates SNI chooses from; the first is the default.
  struct Certificate {
    detail::X509Ptr leaf;
    detail::ChainPtr chain;
    detail::PkeyPtr key;
  };
  std::vector<Certificate> certificates;

  // Client: one resumable session per peer ("host:port"), newest kept, bounded.
  std::mutex sessions_mutex;
  std::unordered_map<std::string, SSL_SESSION*> sessions;
  std::deque<std::string> session_order;
  static constexpr std::size_t max_sessions = 1024;

  ~Impl();
  /// The session saved for `peer`, removed from the cache if it may be used
  /// only once (TLS 1.3 tickets, RFC 8446 C.4); the caller frees it.
  SSL_SESSION* take_session(const std::string& peer);
  void save_session(const std::string& peer, SSL_SESSION* session);
};

namespace detail {
/// The SSL ex_data slot that holds the engine's peer name (for the session cache).
int peer_index();
}  // namespace detail

}  // namespace wire::tls
