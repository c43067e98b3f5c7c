// SPDX-License-Identifier: MIT
#include "transport.hpp"

#include <sys/socket.h>

#include <cerrno>

#include "wire/net/address.hpp"
#include "wire/net/socket.hpp"
#include "wire/tls/engine.hpp"
#include "wire/tls/error.hpp"

namespace wire::tls::detail {

std::string describe_peer(int fd, std::string_view server_name) {
  net::Socket view(fd);
  std::string out;
  try {
    net::Address peer = view.peer_address();
    if (server_name.empty()) {
      out = peer.to_string();
    } else if (server_name.find(':') != std::string_view::npos) {
      out = "[" + std::string(server_name) + "]:" + std::to_string(peer.port());
    } else {
      out = std::string(server_name) + ":" + std::to_string(peer.port());
    }
  } catch (...) {
    out = std::string(server_name);
  }
  view.release();  // only borrowed
  return out;
}

void refuse_waiting_plaintext(int fd, const std::string& peer) {
  char probe[64];
  ssize_t n;
  do {
    n = ::recv(fd, probe, sizeof probe, MSG_PEEK | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n > 0) {
    throw Error(Errc::unexpected_plaintext,
                "TLS handshake with " + peer + ": " + std::to_string(n) +
                    (n == static_cast<ssize_t>(sizeof probe) ? "+" : "") +
                    " bytes of plaintext arrived before the handshake began; refusing them "
                    "(injected after a STARTTLS reply?)",
                "plaintext before handshake");
  }
}

std::size_t send_now(int fd, std::span<const std::byte> data) noexcept {
  if (data.empty()) return 0;
  ssize_t n;
  do {
    n = ::send(fd, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

void send_without_waiting(int fd, Engine& engine) noexcept {
  auto out = engine.output();
  send_now(fd, out);
  engine.consume_output(out.size());
}

}  // namespace wire::tls::detail
