// SPDX-License-Identifier: MIT
// `wire tcp send`: its options, and the exchange (tcp_send.cpp).
#pragma once

#include <cstdint>
#include <string>

#include "options.hpp"

namespace wire::cli {

struct SendOptions {
  std::string host;
  std::uint16_t port = 0;
  std::string message;  // "-": stdin
  std::string file;     // "-": stdin
  double timeout = 10;
  bool tls = false;
  TlsClientOptions tls_options;
};

/// Sends the payload (MESSAGE, --file F, or stdin) and, at the same time, prints what the
/// server sends back as "Response: <data>\n" until it closes; both stream through fixed
/// buffers. @throws std::system_error, TimeoutError, tls::Error (exit_status_for() reads them).
void tcp_send(const SendOptions& options);

}  // namespace wire::cli
