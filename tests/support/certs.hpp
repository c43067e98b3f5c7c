// SPDX-License-Identifier: MIT
// Certificate fixtures made at test time with wire::tls::make_certificate (like
// Python's trustme): a test CA and the leaves the TLS tests need, in memory and
// as PEM files for peers configured on the command line (openssl s_server).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "support/temp_dir.hpp"
#include "wire/tls/context.hpp"

namespace wire::test {

/// A small PKI, made fresh (new keys) for each TestPki object:
///   wire::test::TestPki pki;
///   auto server = wire::tls::Context::server(pki.leaf);
///   auto client = pki.client_context();                  // trusts pki.ca only
///   openssl s_server -cert pki.cert_file("leaf") -key pki.key_file("leaf") ...
/// Every identity is also written to dir() as <name>.pem (the certificate) and
/// <name>.key, with the names given in the comments below.
class TestPki {
 public:
  static constexpr std::string_view kClientName = "wire test client";

  TestPki();

  wire::tls::Identity ca;              ///< "ca": the test CA
  wire::tls::Identity leaf;            ///< "leaf": localhost, 127.0.0.1, ::1, signed by ca
  wire::tls::Identity localhost_only;  ///< "localhost_only": localhost (no IP), signed by ca
  wire::tls::Identity expired;         ///< "expired": localhost, 127.0.0.1; valid -2 days .. -1 day
  wire::tls::Identity wrong_host;      ///< "wrong_host": wrong.example, signed by ca
  wire::tls::Identity other;           ///< "other": other.test (the second SNI certificate), signed by ca
  wire::tls::Identity client;          ///< "client": kClientName, clientAuth, signed by ca
  wire::tls::Identity self_signed;     ///< "self_signed": localhost, 127.0.0.1, its own issuer
  wire::tls::Identity rogue_ca;        ///< "rogue_ca": a second CA nobody trusts
  wire::tls::Identity rogue_leaf;      ///< "rogue_leaf": localhost, 127.0.0.1, signed by rogue_ca
  wire::tls::Identity rogue_client;    ///< "rogue_client": clientAuth, signed by rogue_ca

  /// The directory holding the PEM files.
  const std::filesystem::path& dir() const noexcept { return dir_.path(); }
  /// dir()/<name>.pem: the certificate alone (no chain: peers are given the CA).
  std::filesystem::path cert_file(std::string_view name) const;
  /// dir()/<name>.key: the private key.
  std::filesystem::path key_file(std::string_view name) const;
  /// dir()/ca.pem: the test CA's certificate alone (for -CAfile).
  std::filesystem::path ca_file() const { return cert_file("ca"); }

  /// A client context that trusts only the test CA (verification on).
  wire::tls::Context client_context() const;
  /// A server context presenting the leaf.
  wire::tls::Context server_context() const;

  /// Writes `contents` into dir()/name (for -WWW roots and the like).
  std::filesystem::path write_file(std::string_view name, std::string_view contents) const {
    return dir_.write_file(name, contents);
  }

 private:
  void write(std::string_view name, const wire::tls::Identity& identity) const;

  TempDir dir_;
};

}  // namespace wire::test
