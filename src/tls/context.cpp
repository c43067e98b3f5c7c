// SPDX-License-Identifier: MIT
#include "wire/tls/context.hpp"

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "context_impl.hpp"
#include "wire/net/address.hpp"

namespace wire::tls {
namespace {

int context_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

Context::Impl* impl_of(SSL* ssl) {
  return static_cast<Context::Impl*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), context_index()));
}

std::string read_file(const std::filesystem::path& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Errc::handshake_failed, std::string("cannot read the ") + what + " " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

detail::BioPtr memory_bio(std::string_view pem) {
  detail::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) detail::throw_openssl(Errc::handshake_failed, "BIO_new_mem_buf");
  return bio;
}

// Every certificate in a PEM text, in order.
std::vector<detail::X509Ptr> parse_certificates(std::string_view pem, const std::string& what) {
  auto bio = memory_bio(pem);
  std::vector<detail::X509Ptr> certs;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) certs.emplace_back(cert);
  ERR_clear_error();  // the read that ended the loop reports "no start line"
  if (certs.empty()) throw Error(Errc::handshake_failed, "no PEM certificate in " + what);
  return certs;
}

int on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* peer = static_cast<const std::string*>(SSL_get_ex_data(ssl, detail::peer_index()));
  Context::Impl* impl = impl_of(ssl);
  if (!impl || !peer || peer->empty() || !impl->resumption) return 0;
  impl->save_session(*peer, session);
  return 1;  // we keep the reference
}

// Server with several certificates: pick the one whose names match the SNI name.
int on_certificate(SSL* ssl, void*) {
  Context::Impl* impl = impl_of(ssl);
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (!impl || !name || impl->certificates.size() < 2) return 1;  // the default is set on the SSL_CTX
  for (auto& c : impl->certificates) {
    if (X509_check_host(c.leaf.get(), name, 0, 0, nullptr) == 1) {
      return SSL_use_cert_and_key(ssl, c.leaf.get(), c.key.get(), c.chain.get(), 1) == 1 ? 1 : 0;
    }
  }
  return 1;
}

int on_alpn(SSL* ssl, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
            unsigned int inlen, void*) {
  Context::Impl* impl = impl_of(ssl);
  if (!impl || impl->alpn_wire.empty()) return SSL_TLSEXT_ERR_NOACK;
  // Our preference first: for each of ours, is it among the client's?
  const auto* ours = reinterpret_cast<const unsigned char*>(impl->alpn_wire.data());
  std::size_t ours_len = impl->alpn_wire.size();
  for (std::size_t i = 0; i < ours_len; i += 1u + ours[i]) {
    for (unsigned int j = 0; j < inlen; j += 1u + in[j]) {
      if (j + 1u + in[j] > inlen) break;  // malformed list
      if (in[j] == ours[i] && std::equal(ours + i + 1, ours + i + 1 + ours[i], in + j + 1)) {
        *out = in + j + 1;
        *outlen = in[j];
        return SSL_TLSEXT_ERR_OK;
      }
    }
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;  // no_application_protocol (RFC 7301 section 3.2)
}

std::shared_ptr<Context::Impl> make_impl(Role role) {
  auto impl = std::make_shared<Context::Impl>();
  impl->role = role;
  impl->ctx.reset(SSL_CTX_new(role == Role::client ? TLS_client_method() : TLS_server_method()));
  if (!impl->ctx) detail::throw_openssl(Errc::handshake_failed, "SSL_CTX_new");
  SSL_CTX* ctx = impl->ctx.get();
  SSL_CTX_set_ex_data(ctx, context_index(), impl.get());
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (role == Role::client) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, on_new_session);
  } else {
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    static const unsigned char sid[] = "wire";
    SSL_CTX_set_session_id_context(ctx, sid, sizeof sid - 1);
    SSL_CTX_set_cert_cb(ctx, on_certificate, nullptr);
    SSL_CTX_set_alpn_select_cb(ctx, on_alpn, nullptr);
  }
  return impl;
}

}  // namespace

namespace detail {
int peer_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}
}  // namespace detail

Context::Impl::~Impl() {
  for (auto& [peer, session] : sessions) SSL_SESSION_free(session);
}

SSL_SESSION* Context::Impl::take_session(const std::string& peer) {
  std::lock_guard lock(sessions_mutex);
  auto it = sessions.find(peer);
  if (it == sessions.end()) return nullptr;
  SSL_SESSION* session = it->second;
  if (SSL_SESSION_get_protocol_version(session) >= TLS1_3_VERSION) {
    sessions.erase(it);  // single use; the server sends fresh tickets
  } else {
    SSL_SESSION_up_ref(session);
  }
  return session;
}

void Context::Impl::save_session(const std::string& peer, SSL_SESSION* session) {
  std::lock_guard lock(sessions_mutex);
  auto [it, inserted] = sessions.try_emplace(peer, session);
  if (!inserted) {
    SSL_SESSION_free(it->second);
    it->second = session;
    return;
  }
  session_order.push_back(peer);
  while (sessions.size() > max_sessions && !session_order.empty()) {
    auto old = sessions.find(session_order.front());
    session_order.pop_front();
    if (old != sessions.end() && old->first != peer) {
      SSL_SESSION_free(old->second);
      sessions.erase(old);
    }
  }
  if (session_order.size() > 2 * max_sessions) {  // names of sessions taken since
    std::erase_if(session_order, [this](const std::string& p) { return !sessions.contains(p); });
  }
}

Context Context::client(Trust trust) {
  auto impl = make_impl(Role::client);
  if (trust == Trust::system && SSL_CTX_set_default_verify_paths(impl->ctx.get()) != 1) {
    detail::throw_openssl(Errc::handshake_failed, "loading the system's trusted CAs");
  }
  return Context(std::move(impl));
}

Context Context::server() { return Context(make_impl(Role::server)); }

Context Context::server(const std::filesystem::path& chain, const std::filesystem::path& key) {
  Context ctx = server();
  ctx.use_certificate(chain, key);
  return ctx;
}

Context Context::server(const Identity& identity) {
  Context ctx = server();
  ctx.use_certificate(identity);
  return ctx;
}

Role Context::role() const noexcept { return impl_->role; }
SSL_CTX* Context::native_handle() const noexcept { return impl_->ctx.get(); }
bool Context::insecure() const noexcept { return impl_->insecure; }

void Context::add_ca_file(const std::filesystem::path& pem_file) {
  add_ca_pem(read_file(pem_file, "CA file"));
}

void Context::add_ca_dir(const std::filesystem::path& hashed_dir) {
  if (SSL_CTX_load_verify_dir(impl_->ctx.get(), hashed_dir.c_str()) != 1) {
    detail::throw_openssl(Errc::handshake_failed, "loading CA directory " + hashed_dir.string());
  }
}

void Context::add_ca_pem(std::string_view pem) {
  X509_STORE* store = SSL_CTX_get_cert_store(impl_->ctx.get());
  for (auto& cert : parse_certificates(pem, "the CA certificates")) {
    if (X509_STORE_add_cert(store, cert.get()) != 1) {
      detail::throw_openssl(Errc::handshake_failed, "adding a trusted CA");
    }
    // A server names its client-certificate CAs in the CertificateRequest.
    if (impl_->role == Role::server) SSL_CTX_add_client_CA(impl_->ctx.get(), cert.get());
  }
}

void Context::set_insecure(bool insecure) {
  if (impl_->role != Role::client) throw std::logic_error("tls::Context::set_insecure: client contexts only");
  impl_->insecure = insecure;
  SSL_CTX_set_verify(impl_->ctx.get(), insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, nullptr);
}

void Context::use_certificate(const std::filesystem::path& chain, const std::filesystem::path& key) {
  use_certificate(Identity{read_file(chain, "certificate file"), read_file(key, "key file")});
}

void Context::use_certificate(const Identity& identity) {
  auto certs = parse_certificates(identity.certificate_pem, "the certificate chain");
  auto bio = memory_bio(identity.key_pem);
  detail::PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) detail::throw_openssl(Errc::handshake_failed, "reading the private key");
  if (X509_check_private_key(certs[0].get(), key.get()) != 1) {
    detail::throw_openssl(Errc::handshake_failed, "the private key does not match the certificate");
  }
  Impl::Certificate c;
  c.leaf = std::move(certs[0]);
  c.chain.reset(sk_X509_new_null());
  for (std::size_t i = 1; i < certs.size(); ++i) sk_X509_push(c.chain.get(), certs[i].release());
  c.key = std::move(key);
  if (impl_->certificates.empty() &&
      SSL_CTX_use_cert_and_key(impl_->ctx.get(), c.leaf.get(), c.key.get(), c.chain.get(), 1) != 1) {
    detail::throw_openssl(Errc::handshake_failed, "using the certificate");
  }
  impl_->certificates.push_back(std::move(c));
}

void Context::request_client_certificate(bool required) {
  if (impl_->role != Role::server) {
    throw std::logic_error("tls::Context::request_client_certificate: server contexts only");
  }
  SSL_CTX_set_verify(impl_->ctx.get(),
                     SSL_VERIFY_PEER | (required ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0), nullptr);
}

void Context::set_versions(Version min, std::optional<Version> max) {
  auto code = [](Version v) { return v == Version::tls1_2 ? TLS1_2_VERSION : TLS1_3_VERSION; };
  SSL_CTX_set_min_proto_version(impl_->ctx.get(), code(min));
  SSL_CTX_set_max_proto_version(impl_->ctx.get(), max ? code(*max) : 0);
}

void Context::set_alpn(std::vector<std::string> protocols) {
  std::string wire;
  for (auto& p : protocols) {
    if (p.empty() || p.size() > 255) throw std::invalid_argument("ALPN protocol names are 1 to 255 bytes");
    wire += static_cast<char>(p.size());
    wire += p;
  }
  impl_->alpn_wire = wire;
  if (impl_->role == Role::client &&
      SSL_CTX_set_alpn_protos(impl_->ctx.get(), reinterpret_cast<const unsigned char*>(wire.data()),
                              static_cast<unsigned>(wire.size())) != 0) {
    detail::throw_openssl(Errc::handshake_failed, "setting ALPN");
  }
}

void Context::set_ciphers(std::string_view tls12, std::string_view tls13) {
  if (!tls12.empty() && SSL_CTX_set_cipher_list(impl_->ctx.get(), std::string(tls12).c_str()) != 1) {
    detail::throw_openssl(Errc::handshake_failed, "cipher list '" + std::string(tls12) + "'");
  }
  if (!tls13.empty() && SSL_CTX_set_ciphersuites(impl_->ctx.get(), std::string(tls13).c_str()) != 1) {
    detail::throw_openssl(Errc::handshake_failed, "cipher suites '" + std::string(tls13) + "'");
  }
}

void Context::set_session_resumption(bool on) { impl_->resumption = on; }

// --- Certificates for development and tests

namespace {

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str());
  if (!ext || X509_add_ext(cert, ext, -1) != 1) {
    X509_EXTENSION_free(ext);
    detail::throw_openssl(Errc::handshake_failed, "certificate extension " + value);
  }
  X509_EXTENSION_free(ext);
}

}  // namespace

Identity make_certificate(const CertificateOptions& options) {
  using detail::throw_openssl;
  detail::PkeyPtr key(options.key == CertificateOptions::Key::rsa2048 ? EVP_RSA_gen(2048)
                                                                       : EVP_EC_gen("P-256"));
  if (!key) throw_openssl(Errc::handshake_failed, "generating a key");
  detail::X509Ptr cert(X509_new());
  X509_set_version(cert.get(), X509_VERSION_3);

  // A random positive 127-bit serial.
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);

  X509_gmtime_adj(X509_getm_notBefore(cert.get()), static_cast<long>(options.not_before.count()));
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(options.not_after.count()));

  std::string common_name = options.names.empty() ? std::string("wire test CA") : options.names.front();
  X509_NAME* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
  X509_set_pubkey(cert.get(), key.get());

  detail::X509Ptr issuer_cert;
  detail::PkeyPtr issuer_key;
  if (options.issuer) {
    issuer_cert = std::move(parse_certificates(options.issuer->certificate_pem, "the issuer")[0]);
    auto bio = memory_bio(options.issuer->key_pem);
    issuer_key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!issuer_key) throw_openssl(Errc::handshake_failed, "reading the issuer's key");
  }
  X509* issuer = issuer_cert ? issuer_cert.get() : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer));

  add_extension(cert.get(), issuer, NID_basic_constraints, options.ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  add_extension(cert.get(), issuer, NID_key_usage,
                options.ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,keyEncipherment");
  add_extension(cert.get(), issuer, NID_subject_key_identifier, "hash");
  if (issuer_cert) add_extension(cert.get(), issuer, NID_authority_key_identifier, "keyid:always");
  if (!options.ca) {
    add_extension(cert.get(), issuer, NID_ext_key_usage, options.client_auth ? "clientAuth" : "serverAuth");
  }
  std::string san;
  for (auto& name : options.names) {
    if (!san.empty()) san += ',';
    san += (net::is_ip_literal(name) ? "IP:" : "DNS:") + name;
  }
  if (!san.empty()) add_extension(cert.get(), issuer, NID_subject_alt_name, san);

  if (X509_sign(cert.get(), issuer_key ? issuer_key.get() : key.get(), EVP_sha256()) == 0) {
    throw_openssl(Errc::handshake_failed, "signing the certificate");
  }

  Identity out;
  detail::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert.get());
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  out.certificate_pem.assign(data, static_cast<std::size_t>(n));
  bio.reset(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  n = BIO_get_mem_data(bio.get(), &data);
  out.key_pem.assign(data, static_cast<std::size_t>(n));
  return out;
}

Identity self_signed(std::string_view host) {
  CertificateOptions options;
  options.names = {std::string(host)};
  return make_certificate(options);
}

}  // namespace wire::tls
