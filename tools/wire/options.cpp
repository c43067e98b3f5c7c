// SPDX-License-Identifier: MIT
#include "options.hpp"

#include <cmath>
#include <iostream>
#include <stdexcept>

namespace wire::cli {

std::chrono::milliseconds seconds_to_ms(double seconds, std::string_view option, double max) {
  if (!(seconds > 0) || !(seconds <= max)) {
    char limit[32];
    int exponent = static_cast<int>(std::lround(std::log10(max)));
    if (max >= 1000 && std::pow(10.0, exponent) == max) {
      std::snprintf(limit, sizeof limit, "1e%d", exponent);  // "1e9", as people write it
    } else {
      std::snprintf(limit, sizeof limit, "%g", max);
    }
    throw std::invalid_argument(std::string(option) + " must be a positive number of seconds, at most " + limit);
  }
  return std::chrono::milliseconds(static_cast<long long>(std::ceil(seconds * 1000)));
}

CLI::Option* add_seconds(CLI::App* cmd, const std::string& name, double& seconds, const std::string& help) {
  // Checked by seconds_to_ms() when the command runs, with a message that names the option.
  return cmd->add_option(name, seconds, help)->capture_default_str();
}

void TlsClientOptions::add_to(CLI::App* cmd, CLI::Option* needs) {
  auto* ca = cmd->add_option("--cacert", cacert, "Trust only the CA certificates in this PEM file");
  auto* k = cmd->add_flag("-k,--insecure", insecure, "Do not verify the server's certificate (testing only)");
  if (needs) {
    ca->needs(needs);
    k->needs(needs);
  }
}

tls::Context TlsClientOptions::context(const std::vector<std::string>& alpn) const {
  auto ctx = tls::Context::client(cacert.empty() ? tls::Trust::system : tls::Trust::added_only);
  if (!cacert.empty()) ctx.add_ca_file(cacert);
  if (insecure) ctx.set_insecure(true);
  if (!alpn.empty()) ctx.set_alpn(alpn);
  return ctx;
}

void TlsServerOptions::add_to(CLI::App* cmd, const std::string& what) {
  auto* c = cmd->add_option("--tls-cert", cert, "Serve " + what + " with this PEM certificate chain");
  auto* k = cmd->add_option("--tls-key", key, "The certificate's PEM private key");
  c->needs(k);
  k->needs(c);
  cmd->add_flag("--tls-self-signed", self_signed,
                "Serve " + what + " with a certificate made at start-up (for development)")
      ->excludes(c)
      ->excludes(k);
}

std::optional<tls::Context> TlsServerOptions::context(std::string_view host) const {
  if (self_signed) {
    std::string name = host.empty() || host == "::" || host == "0.0.0.0" ? std::string("localhost")
                                                                          : std::string(host);
    std::cerr << "wire: TLS with a self-signed certificate for " << name << " (clients need --insecure)"
              << std::endl;
    return tls::Context::server(tls::self_signed(name));
  }
  if (!cert.empty()) return tls::Context::server(cert, key);
  return std::nullopt;
}

void ConnectionLimitOptions::add_to(CLI::App* cmd, bool per_client) {
  cmd->add_option("--max-connections", max_connections, "Connections served at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  if (per_client) {
    cmd->add_option("--max-per-client", max_per_client, "Connections at once from one address")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000000));
  }
}

}  // namespace wire::cli
