// SPDX-License-Identifier: MIT
// What the blocking and async TLS streams share besides the engine.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace wire::net {
class Socket;
}

namespace wire::tls {
class Engine;
}

namespace wire::tls::detail {

/// "name:port" for messages and the session cache; the socket's peer address if no name.
std::string describe_peer(int fd, std::string_view server_name);

/// A client about to start TLS on a connection that carried plaintext (STARTTLS):
/// throws Errc::unexpected_plaintext if bytes are already waiting, since a TLS
/// server says nothing before our ClientHello. They would be an injection.
void refuse_waiting_plaintext(int fd, const std::string& peer);

/// Sends what of `data` the socket takes at once (MSG_DONTWAIT); 0 on any error
/// (the next operation meets it).
std::size_t send_now(int fd, std::span<const std::byte> data) noexcept;

/// Sends what the engine has to send, once and without waiting (an alert after a
/// failed handshake, close_notify on close), and drops it either way.
void send_without_waiting(int fd, Engine& engine) noexcept;

}  // namespace wire::tls::detail
