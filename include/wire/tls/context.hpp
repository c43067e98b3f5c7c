// SPDX-License-Identifier: MIT
// wire::tls::Context: the settings every TLS connection of one side shares.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace wire::tls {

enum class Role { client, server };
enum class Version { tls1_2, tls1_3 };

/// Where a client context's trust comes from at first.
enum class Trust {
  system,      ///< OpenSSL's default paths: Debian's ca-certificates (plus whatever is added)
  added_only,  ///< only the CAs added with add_ca_file() / add_ca_pem() (curl's --cacert)
};

/// A certificate chain and its private key, both PEM.
struct Identity {
  std::string certificate_pem;  ///< the leaf first, then any intermediates
  std::string key_pem;
};

/// The settings shared by the connections of one side: trust, own certificates,
/// versions, ALPN, and (client) the session cache. Cheap to copy: copies share
/// one OpenSSL SSL_CTX, and a Context may be used from several threads once it
/// is set up. Like Python's ssl.create_default_context(), a client context
/// verifies the server's certificate and name by default.
///   auto ctx = wire::tls::Context::client();               // system CAs, verified
///   auto srv = wire::tls::Context::server("chain.pem", "key.pem");
class Context {
 public:
  /// A client context: TLS 1.2 minimum, peer verification on, host names checked.
  static Context client(Trust trust = Trust::system);
  /// A server context without a certificate yet (add one with use_certificate()).
  static Context server();
  /// A server context with a PEM certificate chain and key. @throws tls::Error
  static Context server(const std::filesystem::path& chain, const std::filesystem::path& key);
  /// A server context with `identity` (for instance from self_signed()).
  static Context server(const Identity& identity);

  Role role() const noexcept;

  // --- Trust (clients: the servers' CAs; servers: the CAs of client certificates)
  void add_ca_file(const std::filesystem::path& pem_file);
  void add_ca_dir(const std::filesystem::path& hashed_dir);
  void add_ca_pem(std::string_view pem);
  /// Client only: do not verify the server at all. Only for tests and the CLI's --insecure.
  void set_insecure(bool insecure);
  bool insecure() const noexcept;

  // --- Own certificates
  /// Server: the first certificate is the default; each further one is chosen
  /// when the client's SNI name matches it. Client: the client certificate.
  /// @throws tls::Error if the files cannot be read or the key does not match.
  void use_certificate(const std::filesystem::path& chain, const std::filesystem::path& key);
  void use_certificate(const Identity& identity);
  /// Server: ask clients for a certificate signed by one of the added CAs;
  /// `required` refuses clients without one.
  void request_client_certificate(bool required = true);

  // --- Protocol
  void set_versions(Version min, std::optional<Version> max = std::nullopt);
  /// ALPN protocols in preference order ("h2", "http/1.1"). A client offers
  /// them; a server picks its most preferred one the client offered, and
  /// refuses the handshake when there is none in common (RFC 7301).
  void set_alpn(std::vector<std::string> protocols);
  /// OpenSSL cipher strings: `tls12` for TLS 1.2 ("ECDHE-RSA-AES128-GCM-SHA256"),
  /// `tls13` for TLS 1.3 suites ("TLS_AES_128_GCM_SHA256"); empty leaves the default.
  void set_ciphers(std::string_view tls12, std::string_view tls13 = {});
  /// Client: resume sessions with servers seen before (on by default).
  void set_session_resumption(bool on);

  ssl_ctx_st* native_handle() const noexcept;

  struct Impl;
  /// The shared state; engines hold it so that it outlives every connection.
  const std::shared_ptr<Impl>& impl() const noexcept { return impl_; }

 private:
  explicit Context(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

/// What make_certificate() makes.
struct CertificateOptions {
  /// Subject alternative names: host names (may start with "*.") or IP literals.
  /// The first is also the common name.
  std::vector<std::string> names{"localhost"};
  /// Validity relative to now: the defaults make a certificate valid from an hour ago for 30 days.
  std::chrono::seconds not_before = -std::chrono::hours(1);
  std::chrono::seconds not_after = std::chrono::hours(24 * 30);
  bool ca = false;           ///< a CA that can sign others (basicConstraints CA:TRUE)
  bool client_auth = false;  ///< extended key usage clientAuth instead of serverAuth
  /// Signed by this CA, or self-signed when empty.
  std::optional<Identity> issuer;
  enum class Key { ec_p256, rsa2048 } key = Key::ec_p256;
};

/// Makes a certificate and a fresh key in memory: for development, `wire demo`,
/// `--tls-self-signed` and tests (like Python's trustme). @throws tls::Error
Identity make_certificate(const CertificateOptions& options);
/// A self-signed server certificate for `host` (a name or an IP literal).
Identity self_signed(std::string_view host);

}  // namespace wire::tls
