// SPDX-License-Identifier: MIT
// The options every `wire` command shares, defined once: durations in seconds, the TLS
// options of clients (--cacert, --insecure) and servers (--tls-cert, --tls-key,
// --tls-self-signed), and a server's connection limits.
#pragma once

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/tls/context.hpp"

namespace wire::cli {

/// `seconds` as milliseconds (rounded up), for an option named `option`; throws
/// std::invalid_argument naming the option unless 0 < seconds <= `max` (about 31 years at
/// most: longer would overflow the loop's nanosecond deadlines).
std::chrono::milliseconds seconds_to_ms(double seconds, std::string_view option, double max = 1e9);

/// Adds an option taking seconds (a decimal number); convert it with seconds_to_ms().
CLI::Option* add_seconds(CLI::App* cmd, const std::string& name, double& seconds, const std::string& help);

/// A client's TLS options: --cacert FILE (trust only those CAs) and -k/--insecure.
struct TlsClientOptions {
  std::string cacert;
  bool insecure = false;
  /// Adds the options to `cmd`; with `needs`, they are accepted only with that flag (--tls).
  void add_to(CLI::App* cmd, CLI::Option* needs = nullptr);
  /// Whether the defaults (the system's CAs, verifying) were changed.
  bool customised() const noexcept { return insecure || !cacert.empty(); }
  /// The client context these options describe, with `alpn` offered.
  tls::Context context(const std::vector<std::string>& alpn = {}) const;
};

/// A server's TLS options: --tls-cert CHAIN --tls-key KEY, or --tls-self-signed.
struct TlsServerOptions {
  std::string cert;
  std::string key;
  bool self_signed = false;
  void add_to(CLI::App* cmd, const std::string& what = "TLS");
  /// The server context, or nullopt for plain; a self-signed certificate is made now for
  /// `host` (localhost for a wildcard), and a warning printed that clients need --insecure.
  std::optional<tls::Context> context(std::string_view host) const;
};

/// How many connections a server takes: at once, and from one client address.
struct ConnectionLimitOptions {
  std::size_t max_connections = 10'000;
  std::size_t max_per_client = 1'000;
  void add_to(CLI::App* cmd, bool per_client = true);
};

}  // namespace wire::cli
