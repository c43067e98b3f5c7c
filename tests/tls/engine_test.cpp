// SPDX-License-Identifier: MIT
// wire::tls::Engine on its own: two engines wired back to back in memory, no
// sockets. Handshakes, data, close_notify and truncation, verification results
// in words, plaintext where TLS was expected, ALPN, versions, resumption, and
// a key update.
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/certs.hpp"
#include "support/random.hpp"
#include "tls_helpers.hpp"
#include "wire/tls.hpp"

namespace {

using namespace wire::test::tls;
using wire::test::TestPki;
using wire::tls::Context;
using wire::tls::Engine;
using wire::tls::Errc;
using wire::tls::Version;
using Status = wire::tls::Engine::Status;

// Moves what `from` has to send into `to`'s input, as much as fits; returns the count.
std::size_t pump(Engine& from, Engine& to) {
  std::size_t moved = 0;
  for (int i = 0; i < 1000 && !from.output().empty(); ++i) {
    auto out = from.output();
    auto space = to.input_space();
    std::size_t n = std::min(out.size(), space.size());
    if (n == 0) break;
    std::memcpy(space.data(), out.data(), n);
    to.commit_input(n);
    from.consume_output(n);
    moved += n;
  }
  return moved;
}

void feed(Engine& to, std::string_view bytes) {
  auto space = to.input_space();
  ASSERT_LE(bytes.size(), space.size());
  std::memcpy(space.data(), bytes.data(), bytes.size());
  to.commit_input(bytes.size());
}

// Drives both handshakes to the end (bounded); a failure throws from the engine that saw it.
void handshake(Engine& client, Engine& server) {
  for (int round = 0; round < 20; ++round) {
    Status c = client.handshake();
    pump(client, server);
    Status s = server.handshake();
    pump(server, client);
    if (c == Status::done && s == Status::done) return;
  }
  FAIL() << "the handshake did not finish in 20 rounds";
}

// Everything `to` can read now (after pumping `from`'s output to it).
std::string read_all(Engine& from, Engine& to) {
  pump(from, to);
  std::string got;
  std::vector<std::byte> buf(4096);
  for (int i = 0; i < 10000; ++i) {
    std::size_t n = 0;
    Status st = to.read(buf, n);
    if (st != Status::done) break;
    EXPECT_GT(n, 0u);  // done is never empty
    got.append(reinterpret_cast<const char*>(buf.data()), n);
    pump(from, to);
  }
  return got;
}

class EngineTest : public testing::Test {
 protected:
  TestPki pki;
  Context client_ctx = pki.client_context();
  Context server_ctx = pki.server_context();
};

TEST_F(EngineTest, HandshakeInMemoryVerifiesTheServerAndReportsTheSession) {
  Engine client(client_ctx, "localhost", "localhost:443");
  Engine server(server_ctx);
  EXPECT_FALSE(client.handshake_done());
  handshake(client, server);
  EXPECT_TRUE(client.handshake_done());
  EXPECT_TRUE(server.handshake_done());
  EXPECT_EQ(client.version(), "TLSv1.3");
  EXPECT_EQ(server.version(), "TLSv1.3");
  EXPECT_EQ(client.cipher(), server.cipher());
  EXPECT_FALSE(client.cipher().empty());
  EXPECT_EQ(client.peer_subject(), "CN=localhost");
  EXPECT_EQ(server.peer_subject(), "");  // no client certificate asked for
  EXPECT_EQ(server.requested_server_name(), "localhost");
  EXPECT_EQ(client.alpn(), "");
  EXPECT_FALSE(client.session_reused());
  EXPECT_EQ(SSL_get_verify_result(client.native_handle()), X509_V_OK);
}

TEST_F(EngineTest, DataBothWaysThenCloseNotifyReadsAsClosed) {
  Engine client(client_ctx, "localhost");
  Engine server(server_ctx);
  handshake(client, server);

  std::vector<std::byte> buf(64);
  std::size_t n = 99;
  EXPECT_EQ(server.read(buf, n), Status::want_input);  // nothing sent yet
  EXPECT_EQ(n, 0u);

  client.write(bytes_of("ping"));
  EXPECT_EQ(read_all(client, server), "ping");
  server.write(bytes_of("pong"));
  EXPECT_EQ(read_all(server, client), "pong");

  // 100 KiB: several records, more than one input_space() holds.
  std::string big = wire::test::random_string(100 * 1024, 7);
  std::string got;
  for (std::size_t off = 0; off < big.size(); off += 16 * 1024) {
    client.write(bytes_of(std::string_view(big).substr(off, 16 * 1024)));
    got += read_all(client, server);
  }
  EXPECT_EQ(sha256_hex(got), sha256_hex(big));

  client.shutdown();
  EXPECT_FALSE(client.output().empty());  // the close_notify alert
  pump(client, server);
  EXPECT_EQ(server.read(buf, n), Status::closed);
  EXPECT_TRUE(server.peer_closed());
  EXPECT_FALSE(client.peer_closed());
  // The other direction stays open until the server closes too.
  server.write(bytes_of("last words"));
  EXPECT_EQ(read_all(server, client), "last words");
  server.shutdown();
  pump(server, client);
  EXPECT_EQ(client.read(buf, n), Status::closed);
  EXPECT_TRUE(client.peer_closed());
}

// release_buffers() frees only what holds nothing: between exchanges the session goes on, and
// a record half received is kept whole.
TEST_F(EngineTest, ReleasedBuffersComeBackAndHalfARecordIsKept) {
  Engine client(client_ctx, "localhost");
  Engine server(server_ctx);
  handshake(client, server);
  for (int i = 0; i < 3; ++i) {
    client.release_buffers();
    server.release_buffers();
    client.write(bytes_of("request " + std::to_string(i)));
    EXPECT_EQ(read_all(client, server), "request " + std::to_string(i));
    server.release_buffers();
    server.write(bytes_of("answer " + std::to_string(i)));
    EXPECT_EQ(read_all(server, client), "answer " + std::to_string(i));
  }
  // Half a record in the server's input: releasing keeps it, and the rest completes it.
  std::string big = wire::test::random_string(8 * 1024, 9);
  client.write(bytes_of(big));
  std::vector<std::byte> record(client.output().begin(), client.output().end());
  client.consume_output(record.size());
  std::size_t half = record.size() / 2;
  auto space = server.input_space();
  std::memcpy(space.data(), record.data(), half);
  server.commit_input(half);
  std::vector<std::byte> buf(16 * 1024);
  std::size_t n = 0;
  EXPECT_EQ(server.read(buf, n), Status::want_input);
  server.release_buffers();
  space = server.input_space();
  std::memcpy(space.data(), record.data() + half, record.size() - half);
  server.commit_input(record.size() - half);
  std::string got;
  for (int i = 0; i < 100 && server.read(buf, n) == Status::done; ++i) {
    got.append(reinterpret_cast<const char*>(buf.data()), n);
  }
  EXPECT_EQ(sha256_hex(got), sha256_hex(big));
}

TEST_F(EngineTest, EndOfInputWithoutCloseNotifyIsTruncation) {
  Engine client(client_ctx, "localhost", "localhost:443");
  Engine server(server_ctx);
  handshake(client, server);
  server.write(bytes_of("partial"));
  EXPECT_EQ(read_all(server, client), "partial");
  client.input_eof();
  std::vector<std::byte> buf(64);
  std::size_t n = 0;
  auto error = tls_error_of([&] { client.read(buf, n); });
  EXPECT_TRUE(is_tls_error(error, Errc::truncated, {"TLS read from localhost:443", "without close_notify"}));
  // Sticky: the engine is unusable after a failure.
  EXPECT_TRUE(is_tls_error(tls_error_of([&] { client.read(buf, n); }), Errc::truncated, {}));
  EXPECT_TRUE(is_tls_error(tls_error_of([&] { client.write(bytes_of("x")); }), Errc::truncated, {}));
}

TEST_F(EngineTest, PeerClosingDuringTheHandshakeFailsIt) {
  Engine client(client_ctx, "localhost", "localhost:443");
  EXPECT_EQ(client.handshake(), Status::want_input);
  client.input_eof();
  EXPECT_TRUE(is_tls_error(tls_error_of([&] { client.handshake(); }), Errc::handshake_failed,
                           {"TLS handshake with localhost:443", "connection closed by the peer"}));
}

TEST_F(EngineTest, PlaintextAnswerToClientHelloIsUnexpectedPlaintext) {
  Engine client(client_ctx, "localhost", "localhost:25");
  EXPECT_EQ(client.handshake(), Status::want_input);
  EXPECT_FALSE(client.output().empty());  // the ClientHello
  feed(client, "HTTP/1.1 400 Bad Request\r\n\r\n");
  auto error = tls_error_of([&] { client.handshake(); });
  ASSERT_TRUE(is_tls_error(error, Errc::unexpected_plaintext,
                           {"TLS handshake with localhost:25", "not TLS", "HTTP/1.1 400 Bad"}));
  EXPECT_EQ(error->reason(), "not TLS");
  EXPECT_EQ(error->verify_result(), X509_V_OK);
  // Sticky.
  EXPECT_TRUE(is_tls_error(tls_error_of([&] { client.handshake(); }), Errc::unexpected_plaintext, {}));
}

TEST_F(EngineTest, PlaintextBeforeClientHelloIsUnexpectedPlaintextOnTheServer) {
  // A STARTTLS client that pipelines a command after STARTTLS (or an attacker
  // injecting one): the server must not take it as part of the TLS session.
  Engine server(server_ctx);
  feed(server, "RSET\r\n");
  EXPECT_TRUE(is_tls_error(tls_error_of([&] { server.handshake(); }), Errc::unexpected_plaintext,
                           {"not TLS", "RSET\\x0d\\x0a"}));
}

TEST_F(EngineTest, GarbageThatLooksLikeARecordIsAFailedHandshake) {
  // A record header (handshake, TLS 1.2) with a body that is no ServerHello.
  Engine client(client_ctx, "localhost");
  client.handshake();
  std::string record("\x16\x03\x03\x00\x05", 5);
  record += wire::test::random_string(5, 11);
  feed(client, record);
  auto error = tls_error_of([&] { client.handshake(); });
  ASSERT_TRUE(is_tls_error(error, Errc::handshake_failed, {"TLS handshake"}));
  EXPECT_FALSE(error->reason().empty());
}

TEST_F(EngineTest, ClientNeedsTheServersNameUnlessInsecure) {
  EXPECT_THROW(Engine(client_ctx, ""), std::invalid_argument);
  EXPECT_THROW(Engine(Context::client(), ""), std::invalid_argument);
  Context insecure = Context::client();
  insecure.set_insecure(true);
  EXPECT_TRUE(insecure.insecure());
  Engine client(insecure, "");
  Engine server(server_ctx);
  handshake(client, server);
  EXPECT_TRUE(client.handshake_done());
}

TEST_F(EngineTest, WriteBeforeTheHandshakeIsALogicError) {
  Engine client(client_ctx, "localhost");
  EXPECT_THROW(client.write(bytes_of("too early")), std::logic_error);
}

TEST_F(EngineTest, InputSpaceHoldsAtLeastOneFullRecord) {
  Engine server(server_ctx);
  EXPECT_GE(server.input_space().size(), 16u * 1024 + 256);
  EXPECT_EQ(server.input_buffered(), 0u);
  feed(server, "abc");
  EXPECT_EQ(server.input_buffered(), 3u);
  EXPECT_GE(server.input_space().size(), 16u * 1024 + 256);
}

struct VerifyCase {
  const char* name;
  wire::tls::Identity TestPki::*identity;
  const char* server_name;
  long verify_result;
  const char* words;
};

void PrintTo(const VerifyCase& c, std::ostream* os) { *os << c.name; }

class EngineVerifyTest : public testing::TestWithParam<VerifyCase> {};

TEST_P(EngineVerifyTest, RefusesTheCertificateWithItsReasonInWords) {
  const auto& c = GetParam();
  TestPki pki;
  Engine client(pki.client_context(), c.server_name, std::string(c.server_name) + ":443");
  Engine server(Context::server(pki.*c.identity));
  auto error = tls_error_of([&] { handshake(client, server); });
  ASSERT_TRUE(is_tls_error(error, Errc::verify_failed, {"certificate verify failed", c.words}));
  EXPECT_EQ(error->verify_result(), c.verify_result);
  EXPECT_EQ(wire::tls::verify_result_string(c.verify_result), c.words);
  // No application data can follow: the engine stays failed.
  EXPECT_TRUE(is_tls_error(tls_error_of([&] { client.write(bytes_of("secret")); }), Errc::verify_failed, {}));
}

INSTANTIATE_TEST_SUITE_P(
    Certificates, EngineVerifyTest,
    testing::Values(VerifyCase{"expired", &TestPki::expired, "localhost", X509_V_ERR_CERT_HAS_EXPIRED,
                               "certificate has expired"},
                    VerifyCase{"wrong_host", &TestPki::wrong_host, "localhost", X509_V_ERR_HOSTNAME_MISMATCH,
                               "host name mismatch"},
                    VerifyCase{"ip_not_in_certificate", &TestPki::localhost_only, "127.0.0.1",
                               X509_V_ERR_IP_ADDRESS_MISMATCH, "IP address mismatch"},
                    VerifyCase{"self_signed", &TestPki::self_signed, "localhost",
                               X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, "self-signed certificate"},
                    VerifyCase{"unknown_ca", &TestPki::rogue_leaf, "localhost",
                               X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
                               "unknown CA (unable to get local issuer certificate)"},
                    VerifyCase{"client_certificate_as_server", &TestPki::client, "wire test client",
                               X509_V_ERR_INVALID_PURPOSE,
                               "certificate not for this purpose (extended key usage)"}),
    [](const testing::TestParamInfo<VerifyCase>& p) { return std::string(p.param.name); });

// Verifies `server` presenting `identity` as `name`; returns the client's failure, if any.
std::optional<wire::tls::Error> verify_as(const Context& client_ctx, const wire::tls::Identity& identity,
                                          const char* name) {
  Engine client(client_ctx, name);
  Engine server(Context::server(identity));
  return tls_error_of([&] { handshake(client, server); });
}

TEST_F(EngineTest, NotYetValidAndUntrustedChainsAreRefused) {
  wire::tls::CertificateOptions future;
  future.names = {"localhost"};
  future.issuer = pki.ca;
  future.not_before = std::chrono::hours(24);
  future.not_after = std::chrono::hours(48);
  auto error = verify_as(client_ctx, wire::tls::make_certificate(future), "localhost");
  ASSERT_TRUE(is_tls_error(error, Errc::verify_failed, {"certificate is not yet valid"}));
  EXPECT_EQ(error->verify_result(), X509_V_ERR_CERT_NOT_YET_VALID);

  // A chain that ends in a CA nobody trusts.
  wire::tls::Identity chain = pki.rogue_leaf;
  chain.certificate_pem += pki.rogue_ca.certificate_pem;
  error = verify_as(client_ctx, chain, "localhost");
  ASSERT_TRUE(is_tls_error(error, Errc::verify_failed, {"self-signed certificate in chain (unknown CA)"}));
  EXPECT_EQ(error->verify_result(), X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN);
}

TEST_F(EngineTest, WildcardsMatchOneWholeLabel) {
  wire::tls::CertificateOptions wildcard;
  wildcard.names = {"*.example.test"};
  wildcard.issuer = pki.ca;
  auto identity = wire::tls::make_certificate(wildcard);
  EXPECT_FALSE(verify_as(client_ctx, identity, "www.example.test").has_value());
  EXPECT_TRUE(is_tls_error(verify_as(client_ctx, identity, "example.test"), Errc::verify_failed,
                           {"host name mismatch"}));
  EXPECT_TRUE(is_tls_error(verify_as(client_ctx, identity, "a.b.example.test"), Errc::verify_failed,
                           {"host name mismatch"}));
}

TEST_F(EngineTest, SystemTrustPlusAnAddedCa) {
  Context both = Context::client();  // system CAs, verification on
  EXPECT_TRUE(is_tls_error(verify_as(both, pki.leaf, "localhost"), Errc::verify_failed, {"unknown CA"}));
  both.add_ca_pem(pki.ca.certificate_pem);
  EXPECT_FALSE(verify_as(both, pki.leaf, "localhost").has_value());
  Context none = Context::client(wire::tls::Trust::added_only);  // trusts nothing yet
  EXPECT_TRUE(is_tls_error(verify_as(none, pki.leaf, "localhost"), Errc::verify_failed, {"unknown CA"}));
}

TEST_F(EngineTest, ServerWithoutACertificateFailsTheHandshake) {
  Engine client(client_ctx, "localhost");
  Engine server(Context::server());
  auto error = tls_error_of([&] { handshake(client, server); });
  ASSERT_TRUE(is_tls_error(error, Errc::handshake_failed, {"TLS handshake"}));
  EXPECT_FALSE(error->reason().empty());
}

TEST_F(EngineTest, IpLiteralsAreVerifiedAgainstIpAddressNames) {
  for (const char* ip : {"127.0.0.1", "::1"}) {
    Engine client(client_ctx, ip);
    Engine server(server_ctx);  // the leaf names 127.0.0.1 and ::1
    handshake(client, server);
    EXPECT_TRUE(client.handshake_done()) << ip;
    EXPECT_EQ(server.requested_server_name(), "") << ip;  // no SNI for IP literals (RFC 6066 §3)
  }
}

TEST_F(EngineTest, AlpnPicksTheServersPreferenceAmongTheClientsOffer) {
  client_ctx.set_alpn({"h2", "http/1.1"});
  server_ctx.set_alpn({"http/1.1", "h2"});
  Engine client(client_ctx, "localhost");
  Engine server(server_ctx);
  handshake(client, server);
  EXPECT_EQ(client.alpn(), "http/1.1");
  EXPECT_EQ(server.alpn(), "http/1.1");
}

TEST_F(EngineTest, AlpnWithNothingInCommonFailsTheHandshake) {
  client_ctx.set_alpn({"http/1.1"});
  server_ctx.set_alpn({"h2"});
  Engine client(client_ctx, "localhost");
  Engine server(server_ctx);
  EXPECT_EQ(client.handshake(), Status::want_input);
  pump(client, server);
  EXPECT_TRUE(is_tls_error(tls_error_of([&] { server.handshake(); }), Errc::handshake_failed,
                           {"no application protocol"}));
  pump(server, client);  // the alert
  EXPECT_TRUE(is_tls_error(tls_error_of([&] { client.handshake(); }), Errc::handshake_failed,
                           {"no application protocol"}));
}

TEST_F(EngineTest, VersionsCanBePinnedAndDisjointRangesFail) {
  client_ctx.set_versions(Version::tls1_2, Version::tls1_2);
  {
    Engine client(client_ctx, "localhost");
    Engine server(server_ctx);
    handshake(client, server);
    EXPECT_EQ(client.version(), "TLSv1.2");
    EXPECT_EQ(server.version(), "TLSv1.2");
  }
  server_ctx.set_versions(Version::tls1_3);
  Engine client(client_ctx, "localhost");
  Engine server(server_ctx);
  client.handshake();
  pump(client, server);
  EXPECT_TRUE(is_tls_error(tls_error_of([&] { server.handshake(); }), Errc::handshake_failed,
                           {"unsupported protocol"}));
  pump(server, client);
  EXPECT_TRUE(
      is_tls_error(tls_error_of([&] { client.handshake(); }), Errc::handshake_failed, {"protocol version"}));
}

TEST_F(EngineTest, SniNameChoosesTheServerCertificate) {
  server_ctx.use_certificate(pki.other);
  for (const char* name : {"other.test", "localhost"}) {
    Engine client(client_ctx, name);
    Engine server(server_ctx);
    handshake(client, server);
    EXPECT_EQ(server.requested_server_name(), name);
    EXPECT_EQ(client.peer_subject(), std::string("CN=") + name);
  }
}

TEST_F(EngineTest, ClientCertificateRequiredAndMissingFailsOnTheServer) {
  server_ctx.add_ca_pem(pki.ca.certificate_pem);
  server_ctx.request_client_certificate(true);
  {
    Context with_cert = pki.client_context();
    with_cert.use_certificate(pki.client);
    Engine client(with_cert, "localhost");
    Engine server(server_ctx);
    handshake(client, server);
    EXPECT_EQ(server.peer_subject(), "CN=wire test client");
  }
  Engine client(client_ctx, "localhost");
  Engine server(server_ctx);
  auto error = tls_error_of([&] { handshake(client, server); });
  EXPECT_TRUE(is_tls_error(error, Errc::handshake_failed, {"peer did not return a certificate"}));
}

TEST_F(EngineTest, KeyUpdateRequestedByThePeerKeepsDataFlowing) {
  Engine client(client_ctx, "localhost");
  Engine server(server_ctx);
  handshake(client, server);
  ASSERT_EQ(SSL_key_update(client.native_handle(), SSL_KEY_UPDATE_REQUESTED), 1);
  client.write(bytes_of("after update"));
  pump(client, server);
  std::vector<std::byte> buf(64);
  std::size_t n = 0;
  ASSERT_EQ(server.read(buf, n), Status::done);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(buf.data()), n), "after update");
  // The server updates its own keys too (OpenSSL sends its KeyUpdate with its next
  // write): data in both directions still decrypts.
  server.write(bytes_of("reply"));
  EXPECT_EQ(read_all(server, client), "reply");
  client.write(bytes_of("again"));
  EXPECT_EQ(read_all(client, server), "again");
}

class EngineResumptionTest : public testing::TestWithParam<Version> {};

TEST_P(EngineResumptionTest, SecondConnectionToTheSamePeerResumes) {
  TestPki pki;
  Context client_ctx = pki.client_context();
  client_ctx.set_versions(GetParam(), GetParam());
  Context server_ctx = pki.server_context();
  auto connect = [&](const char* peer) {
    Engine client(client_ctx, "localhost", peer);
    Engine server(server_ctx);
    handshake(client, server);
    server.write(bytes_of("hi"));  // TLS 1.3 tickets arrive after the handshake: read past them
    EXPECT_EQ(read_all(server, client), "hi");
    // A clean close: OpenSSL marks the session of a connection freed without
    // sending close_notify as not resumable.
    client.shutdown();
    return client.session_reused();
  };
  EXPECT_FALSE(connect("localhost:1"));
  EXPECT_TRUE(connect("localhost:1"));
  EXPECT_FALSE(connect("localhost:2"));  // another peer has its own session
  client_ctx.set_session_resumption(false);
  EXPECT_FALSE(connect("localhost:3"));
  EXPECT_FALSE(connect("localhost:3"));
}

// An FTP data connection resumes its control connection's session, though its port, and so
// the context cache's key, differs: the session is taken from one engine and offered on the
// other. Several data connections may resume the same control session, and one that ends
// without close_notify (each here is freed without it) leaves the session resumable.
TEST_P(EngineResumptionTest, SessionTakenFromOneConnectionResumesOnAnother) {
  TestPki pki;
  Context client_ctx = pki.client_context();
  client_ctx.set_versions(GetParam(), GetParam());
  Context server_ctx = pki.server_context();
  Engine control(client_ctx, "localhost", "localhost:21");
  Engine control_server(server_ctx);
  EXPECT_TRUE(control.session().empty());  // nothing before the handshake
  handshake(control, control_server);
  control_server.write(bytes_of("220 ok"));  // TLS 1.3 tickets arrive after the handshake: read past them
  EXPECT_EQ(read_all(control_server, control), "220 ok");
  wire::tls::Session session = control.session();
  ASSERT_FALSE(session.empty());
  EXPECT_TRUE(session.resumable());
  for (const char* peer : {"localhost:50001", "localhost:50002"}) {
    Engine data(client_ctx, "localhost", peer);
    data.set_session(session);
    Engine data_server(server_ctx);
    handshake(data, data_server);
    EXPECT_TRUE(data.session_reused()) << peer;
    EXPECT_TRUE(data_server.session_reused()) << peer;
    data.write(bytes_of("payload"));
    EXPECT_EQ(read_all(data, data_server), "payload");
  }
  // Without the session, the same peer key gets a full handshake.
  Engine fresh(client_ctx, "localhost", "localhost:50003");
  fresh.set_session({});
  Engine fresh_server(server_ctx);
  handshake(fresh, fresh_server);
  EXPECT_FALSE(fresh.session_reused());
}

TEST(EngineSession, SetSessionOnlyOnAClientBeforeItsHandshake) {
  TestPki pki;
  Context client_ctx = pki.client_context();
  Context server_ctx = pki.server_context();
  Engine client(client_ctx, "localhost");
  Engine server(server_ctx);
  EXPECT_THROW(server.set_session({}), std::logic_error);
  handshake(client, server);
  wire::tls::Session session = client.session();
  EXPECT_FALSE(session.empty());
  EXPECT_THROW(client.set_session(session), std::logic_error);
  Engine started(client_ctx, "localhost");
  EXPECT_EQ(started.handshake(), Status::want_input);  // the ClientHello is out
  EXPECT_THROW(started.set_session(session), std::logic_error);
}

INSTANTIATE_TEST_SUITE_P(Versions, EngineResumptionTest, testing::Values(Version::tls1_2, Version::tls1_3),
                         [](const testing::TestParamInfo<Version>& p) {
                           return p.param == Version::tls1_2 ? std::string("tls1_2") : std::string("tls1_3");
                         });

}  // namespace
