// SPDX-License-Identifier: MIT
// wire::tls::Context and make_certificate(): defaults, misuse refused with the
// right exception, and certificates that OpenSSL reads back as asked.
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include "support/certs.hpp"
#include "support/temp_dir.hpp"
#include "tls_helpers.hpp"
#include "wire/tls.hpp"

namespace {

using namespace wire::test::tls;
using wire::test::TestPki;
using wire::tls::Context;
using wire::tls::Errc;
using wire::tls::Role;

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr parse(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509Ptr cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return cert;
}

TEST(Context, ClientVerifiesByDefaultAndServerDoesNotAskForCertificates) {
  Context client = Context::client();
  EXPECT_EQ(client.role(), Role::client);
  EXPECT_FALSE(client.insecure());
  EXPECT_EQ(SSL_CTX_get_verify_mode(client.native_handle()) & SSL_VERIFY_PEER, SSL_VERIFY_PEER);
  EXPECT_EQ(SSL_CTX_get_min_proto_version(client.native_handle()), TLS1_2_VERSION);
  Context copy = client;  // copies share one SSL_CTX
  EXPECT_EQ(copy.native_handle(), client.native_handle());

  Context server = Context::server();
  EXPECT_EQ(server.role(), Role::server);
  EXPECT_EQ(SSL_CTX_get_verify_mode(server.native_handle()), SSL_VERIFY_NONE);
  server.request_client_certificate(true);
  EXPECT_EQ(SSL_CTX_get_verify_mode(server.native_handle()),
            SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
  server.request_client_certificate(false);
  EXPECT_EQ(SSL_CTX_get_verify_mode(server.native_handle()), SSL_VERIFY_PEER);
}

TEST(Context, MisuseIsRefused) {
  TestPki pki;
  EXPECT_THROW(Context::server().set_insecure(true), std::logic_error);
  EXPECT_THROW(Context::client().request_client_certificate(), std::logic_error);
  EXPECT_THROW(Context::client().set_alpn({""}), std::invalid_argument);
  EXPECT_THROW(Context::client().set_alpn({std::string(256, 'x')}), std::invalid_argument);
  EXPECT_TRUE(is_tls_error(tls_error_of([] { Context::client().set_ciphers("NO-SUCH-CIPHER"); }),
                           Errc::handshake_failed, {"cipher list 'NO-SUCH-CIPHER'"}));
  EXPECT_TRUE(is_tls_error(tls_error_of([] { Context::client().add_ca_pem("not a certificate"); }),
                           Errc::handshake_failed, {"no PEM certificate"}));
  wire::tls::Identity mismatched{pki.leaf.certificate_pem, pki.other.key_pem};
  EXPECT_TRUE(is_tls_error(tls_error_of([&] { Context::server(mismatched); }), Errc::handshake_failed,
                           {"the private key does not match the certificate"}));
  EXPECT_TRUE(
      is_tls_error(tls_error_of([&] { Context::server(pki.dir() / "none.pem", pki.key_file("leaf")); }),
                   Errc::handshake_failed, {"cannot read the certificate file"}));
}

TEST(Context, ServerFromPemFiles) {
  TestPki pki;
  Context server = Context::server(pki.cert_file("leaf"), pki.key_file("leaf"));
  Context client = Context::client(wire::tls::Trust::added_only);
  client.add_ca_file(pki.ca_file());
  wire::tls::Engine c(client, "localhost");
  wire::tls::Engine s(server);
  // One round trip of each flight is enough to see the certificate verified.
  for (int i = 0; i < 10 && !(c.handshake_done() && s.handshake_done()); ++i) {
    c.handshake();
    auto out = c.output();
    auto space = s.input_space();
    std::copy(out.begin(), out.end(), space.begin());
    s.commit_input(out.size());
    c.consume_output(out.size());
    s.handshake();
    out = s.output();
    space = c.input_space();
    std::copy(out.begin(), out.end(), space.begin());
    c.commit_input(out.size());
    s.consume_output(out.size());
  }
  EXPECT_TRUE(c.handshake_done());
  EXPECT_EQ(c.peer_subject(), "CN=localhost");
}

TEST(MakeCertificate, NamesValidityAndUsageAreAsAsked) {
  TestPki pki;
  auto leaf = parse(pki.leaf.certificate_pem);
  ASSERT_TRUE(leaf);
  EXPECT_EQ(X509_check_host(leaf.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(leaf.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(leaf.get(), "::1", 0), 1);
  EXPECT_EQ(X509_check_host(leaf.get(), "other.test", 0, 0, nullptr), 0);
  EXPECT_EQ(X509_check_ca(leaf.get()), 0);
  EXPECT_EQ(X509_check_purpose(leaf.get(), X509_PURPOSE_SSL_SERVER, 0), 1);
  EXPECT_EQ(X509_check_purpose(leaf.get(), X509_PURPOSE_SSL_CLIENT, 0), 0);
  EXPECT_LT(X509_cmp_current_time(X509_get0_notBefore(leaf.get())), 0);
  EXPECT_GT(X509_cmp_current_time(X509_get0_notAfter(leaf.get())), 0);

  auto ca = parse(pki.ca.certificate_pem);
  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  EXPECT_EQ(X509_check_issued(ca.get(), leaf.get()), X509_V_OK);

  auto client = parse(pki.client.certificate_pem);
  EXPECT_EQ(X509_check_purpose(client.get(), X509_PURPOSE_SSL_CLIENT, 0), 1);
  EXPECT_EQ(X509_check_purpose(client.get(), X509_PURPOSE_SSL_SERVER, 0), 0);

  auto expired = parse(pki.expired.certificate_pem);
  EXPECT_LT(X509_cmp_current_time(X509_get0_notAfter(expired.get())), 0);

  auto self = parse(wire::tls::self_signed("127.0.0.1").certificate_pem);
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(self.get()), X509_get_issuer_name(self.get())), 0);
  EXPECT_EQ(X509_verify(self.get(), X509_get0_pubkey(self.get())), 1);  // signed by its own key
  EXPECT_EQ(X509_check_ip_asc(self.get(), "127.0.0.1", 0), 1);
  EXPECT_NE(pki.leaf.key_pem.find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
}

TEST(MakeCertificate, RsaKeysToo) {
  wire::tls::CertificateOptions o;
  o.key = wire::tls::CertificateOptions::Key::rsa2048;
  auto id = wire::tls::make_certificate(o);
  auto cert = parse(id.certificate_pem);
  ASSERT_TRUE(cert);
  EXPECT_EQ(EVP_PKEY_get_base_id(X509_get0_pubkey(cert.get())), EVP_PKEY_RSA);
  EXPECT_NO_THROW(Context::server(id));
}

}  // namespace
