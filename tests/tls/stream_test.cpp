// SPDX-License-Identifier: MIT
// wire::tls::Stream (blocking) against a wire server over loopback: verified
// connections by name and by IP literal, the default context refusing a
// self-signed server, no data after a refused certificate, client
// certificates, close_notify against truncation, garbage instead of TLS.
#include <gtest/gtest.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ostream>
#include <stdexcept>
#include <string>
#include <system_error>

#include "support/certs.hpp"
#include "support/random.hpp"
#include "tls_helpers.hpp"
#include "wire/error.hpp"
#include "wire/net/tcp.hpp"
#include "wire/tls.hpp"

namespace {

using namespace wire::test::tls;
using wire::test::TestPki;
using wire::test::tls::ScriptedPeer;
using wire::tls::Context;
using wire::tls::Errc;
using wire::tls::Stream;

// A wire server session: handshake, then echo until the client's close_notify.
void echo_session(wire::net::Socket& socket, const Context& ctx) {
  Stream tls(std::move(socket), ctx);
  tls.handshake();
  for (int i = 0; i < 100000; ++i) {
    std::string got = tls.recv(65536);
    if (got.empty()) break;
    tls.send_all(got);
  }
  tls.close();
}

class StreamTest : public testing::Test {
 protected:
  TestPki pki;
  Context server_ctx = pki.server_context();
  Context client_ctx = pki.client_context();
};

TEST_F(StreamTest, ConnectVerifiesTheServerByNameAndRoundTrips) {
  ScriptedPeer server([&](wire::net::Socket& s) { echo_session(s, server_ctx); });
  Stream client = Stream::connect(client_ctx, "localhost", server.port(), 10s);
  EXPECT_TRUE(client.engine().handshake_done());
  EXPECT_EQ(client.version(), "TLSv1.3");
  EXPECT_EQ(client.engine().peer_subject(), "CN=localhost");
  EXPECT_EQ(client.socket().timeout(), std::chrono::milliseconds(10s));  // kept for later calls
  client.send_all("hello over TLS");
  EXPECT_EQ(client.recv_exactly(14), "hello over TLS");
  client.shutdown();
  EXPECT_EQ(client.recv(100), "");  // the server's close_notify
  server.join();
}

TEST_F(StreamTest, IpLiteralsAreVerifiedAgainstTheCertificatesAddresses) {
  for (std::string host : {"127.0.0.1", "::1"}) {
    ScriptedPeer server([&](wire::net::Socket& s) { echo_session(s, server_ctx); }, host);
    Stream client = Stream::connect(client_ctx, host, server.port(), 10s);
    client.send_all("ip");
    EXPECT_EQ(client.recv_exactly(2), "ip") << host;
    client.close();
    server.join();
  }
  // A certificate without the address is refused by name.
  Context localhost_only = Context::server(pki.localhost_only);
  ScriptedPeer server([&](wire::net::Socket& s) { EXPECT_ANY_THROW(echo_session(s, localhost_only)); });
  auto error = tls_error_of([&] { Stream::connect(client_ctx, "127.0.0.1", server.port(), 10s); });
  ASSERT_TRUE(
      is_tls_error(error, Errc::verify_failed,
                   {"TLS handshake with 127.0.0.1:", "certificate verify failed: IP address mismatch"}));
  EXPECT_EQ(error->verify_result(), X509_V_ERR_IP_ADDRESS_MISMATCH);
  server.join();
}

TEST_F(StreamTest, DefaultClientContextRefusesASelfSignedServer) {
  Context self_signed = Context::server(pki.self_signed);
  ScriptedPeer server([&](wire::net::Socket& s) { EXPECT_ANY_THROW(echo_session(s, self_signed)); });
  auto error = tls_error_of([&] { Stream::connect(Context::client(), "localhost", server.port(), 10s); });
  ASSERT_TRUE(
      is_tls_error(error, Errc::verify_failed, {"certificate verify failed: self-signed certificate"}));
  EXPECT_EQ(error->verify_result(), X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
  EXPECT_EQ(error->reason(), "certificate verify failed");
  server.join();
}

TEST_F(StreamTest, InsecureContextConnectsToASelfSignedServer) {
  Context self_signed = Context::server(wire::tls::self_signed("localhost"));
  ScriptedPeer server([&](wire::net::Socket& s) { echo_session(s, self_signed); });
  Context insecure = Context::client();
  insecure.set_insecure(true);
  Stream client = Stream::connect(insecure, "localhost", server.port(), 10s);
  client.send_all("unverified");
  EXPECT_EQ(client.recv_exactly(10), "unverified");
  client.close();
  server.join();
}

TEST_F(StreamTest, AClientWithoutAServerNameMustBeInsecure) {
  ScriptedPeer server([](wire::net::Socket&) {});
  auto socket = wire::net::tcp_connect("127.0.0.1", server.port(), 10s);
  EXPECT_THROW(Stream(std::move(socket), Context::client(), ""), std::invalid_argument);
  server.join();
}

TEST_F(StreamTest, RefusedCertificateSendsNoApplicationData) {
  Context expired = Context::server(pki.expired);
  std::string from_client;
  ScriptedPeer server([&](wire::net::Socket& s) { from_client = record_client_bytes(s, expired); });
  auto socket = wire::net::tcp_connect("127.0.0.1", server.port(), 10s);
  Stream client(std::move(socket), client_ctx, "localhost");
  // send_all() handshakes first: the refusal comes before a byte of "secret".
  auto error = tls_error_of([&] { client.send_all("secret"); });
  ASSERT_TRUE(is_tls_error(error, Errc::verify_failed, {"certificate has expired"}));
  EXPECT_TRUE(is_tls_error(tls_error_of([&] { client.send_all("secret"); }), Errc::verify_failed, {}));
  EXPECT_TRUE(is_tls_error(tls_error_of([&] { client.recv(10); }), Errc::verify_failed, {}));
  client.close();
  server.join();
  // Handshake (22), change_cipher_spec (20) and alert (21) records only: no
  // application data (23). (OpenSSL sends this alert before it has handshake
  // keys, so it is not disguised as application data either.)
  std::string types = record_types(from_client);
  ASSERT_FALSE(types.empty());
  EXPECT_EQ(types.find('\x17'), std::string::npos) << testing::PrintToString(types);
  EXPECT_EQ(types.front(), '\x16');
  EXPECT_EQ(types.back(), '\x15');
}

TEST_F(StreamTest, AFailedHandshakeSendsItsAlertOnce) {
  Context expired = Context::server(pki.expired);
  std::string from_client;
  ScriptedPeer server([&](wire::net::Socket& s) { from_client = record_client_bytes(s, expired); });
  auto socket = wire::net::tcp_connect("127.0.0.1", server.port(), 10s);
  Stream client(std::move(socket), client_ctx, "localhost");
  EXPECT_THROW(client.handshake(), wire::tls::Error);
  // Later calls rethrow the failure; they must not send the alert again.
  EXPECT_THROW(client.send_all("x"), wire::tls::Error);
  EXPECT_THROW(client.handshake(), wire::tls::Error);
  client.close();
  server.join();
  std::string types = record_types(from_client);
  EXPECT_EQ(std::count(types.begin(), types.end(), '\x15'), 1)
      << "record types: " << testing::PrintToString(types);
}

TEST_F(StreamTest, CloseNotifyEndsDataAndAMissingOneIsTruncation) {
  ScriptedPeer clean([&](wire::net::Socket& s) {
    Stream tls(std::move(s), server_ctx);
    tls.send_all("bye");
    tls.shutdown();
    EXPECT_EQ(tls.recv(10), "");  // the client's close_notify
  });
  Stream a = Stream::connect(client_ctx, "localhost", clean.port(), 10s);
  EXPECT_EQ(a.recv_exactly(3), "bye");
  EXPECT_EQ(a.recv(10), "");
  EXPECT_EQ(a.recv(10), "");  // stays at the end
  EXPECT_TRUE(a.engine().peer_closed());
  a.close();
  clean.join();

  ScriptedPeer cut([&](wire::net::Socket& s) {
    Stream tls(std::move(s), server_ctx);
    tls.send_all("partial");
    tls.socket().close();  // TCP FIN without close_notify: a truncation attack looks like this
  });
  Stream b = Stream::connect(client_ctx, "localhost", cut.port(), 10s);
  EXPECT_EQ(b.recv_exactly(7), "partial");
  auto error = tls_error_of([&] { b.recv(10); });
  EXPECT_TRUE(is_tls_error(error, Errc::truncated, {"TLS read from localhost:", "without close_notify"}));
  cut.join();
}

TEST_F(StreamTest, OddSizedReadsAndAMovedStreamLoseNothing) {
  std::string data = wire::test::random_string(1 << 20, 13);
  ScriptedPeer server([&](wire::net::Socket& s) {
    Stream tls(std::move(s), server_ctx);
    tls.send_all(data);
    tls.shutdown();
    EXPECT_EQ(tls.recv(10), "");
  });
  Stream first = Stream::connect(client_ctx, "localhost", server.port(), 10s);
  std::string got = first.recv(1);
  Stream client = std::move(first);  // the engine and the socket move together
  const std::size_t sizes[] = {1, 7, 333, 4093, 16385, 65537, 2};
  for (int i = 0; i < 100000; ++i) {
    std::string part = client.recv(sizes[i % 7]);
    if (part.empty()) break;
    EXPECT_LE(part.size(), sizes[i % 7]);
    got += part;
  }
  EXPECT_EQ(got.size(), data.size());
  EXPECT_EQ(sha256_hex(got), sha256_hex(data));
  client.close();
  server.join();
}

TEST_F(StreamTest, RecvExactlyReportsAnEndBeforeTheCount) {
  ScriptedPeer server([&](wire::net::Socket& s) {
    Stream tls(std::move(s), server_ctx);
    tls.send_all("short");
    tls.shutdown();
    tls.recv(10);
  });
  Stream client = Stream::connect(client_ctx, "localhost", server.port(), 10s);
  try {
    client.recv_exactly(10);
    ADD_FAILURE() << "recv_exactly returned";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), wire::Errc::unexpected_eof);
    EXPECT_TRUE(contains(e.what(), "5 of 10 bytes before close_notify")) << e.what();
  }
  client.close();
  server.join();
}

TEST_F(StreamTest, ClientCertificateRequiredAndProvided) {
  server_ctx.add_ca_pem(pki.ca.certificate_pem);
  server_ctx.request_client_certificate(true);
  std::string subject;
  ScriptedPeer server([&](wire::net::Socket& s) {
    Stream tls(std::move(s), server_ctx);
    tls.handshake();
    subject = tls.engine().peer_subject();
    tls.send_all("welcome");
    tls.close();
  });
  client_ctx.use_certificate(pki.client);
  Stream client = Stream::connect(client_ctx, "localhost", server.port(), 10s);
  EXPECT_EQ(client.recv_exactly(7), "welcome");
  server.join();
  EXPECT_EQ(subject, "CN=wire test client");
}

TEST_F(StreamTest, ClientCertificateRequiredAndMissingIsRefused) {
  server_ctx.add_ca_pem(pki.ca.certificate_pem);
  server_ctx.request_client_certificate(true);
  std::optional<wire::tls::Error> server_error;
  ScriptedPeer server([&](wire::net::Socket& s) {
    Stream tls(std::move(s), server_ctx);
    server_error = tls_error_of([&] { tls.handshake(); });
  });
  // TLS 1.3: the client's handshake ends before the server has checked its
  // certificate; the refusal (an alert) is what the client reads next.
  Stream client = Stream::connect(client_ctx, "localhost", server.port(), 10s);
  EXPECT_TRUE(is_tls_error(tls_error_of([&] { client.recv(10); }), Errc::protocol_error,
                           {"TLS read from localhost:", "certificate required"}));
  server.join();
  EXPECT_TRUE(is_tls_error(server_error, Errc::handshake_failed, {"peer did not return a certificate"}));
}

TEST_F(StreamTest, ClientCertificateFromAnUnknownCaIsRefused) {
  server_ctx.add_ca_pem(pki.ca.certificate_pem);
  server_ctx.request_client_certificate(true);
  std::optional<wire::tls::Error> server_error;
  ScriptedPeer server([&](wire::net::Socket& s) {
    Stream tls(std::move(s), server_ctx);
    server_error = tls_error_of([&] { tls.handshake(); });
  });
  client_ctx.use_certificate(pki.rogue_client);
  Stream client = Stream::connect(client_ctx, "localhost", server.port(), 10s);
  EXPECT_TRUE(is_tls_error(tls_error_of([&] { client.recv(10); }), Errc::protocol_error, {"unknown ca"}));
  server.join();
  ASSERT_TRUE(is_tls_error(server_error, Errc::verify_failed, {"unknown CA"}));
  EXPECT_EQ(server_error->verify_result(), X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

TEST_F(StreamTest, Tls12ClientCertificateMissingFailsTheClientsHandshake) {
  server_ctx.add_ca_pem(pki.ca.certificate_pem);
  server_ctx.request_client_certificate(true);
  server_ctx.set_versions(wire::tls::Version::tls1_2, wire::tls::Version::tls1_2);
  ScriptedPeer server([&](wire::net::Socket& s) {
    Stream tls(std::move(s), server_ctx);
    EXPECT_TRUE(is_tls_error(tls_error_of([&] { tls.handshake(); }), Errc::handshake_failed,
                             {"peer did not return a certificate"}));
  });
  // In TLS 1.2 the server's Finished comes after the client's certificate: the
  // client's handshake itself fails.
  auto error = tls_error_of([&] { Stream::connect(client_ctx, "localhost", server.port(), 10s); });
  EXPECT_TRUE(
      is_tls_error(error, Errc::handshake_failed, {"TLS handshake with localhost:", "handshake failure"}));
  server.join();
}

TEST_F(StreamTest, SniChoosesTheServerCertificate) {
  server_ctx.use_certificate(pki.other);
  std::string requested;
  ScriptedPeer server([&](wire::net::Socket& s) {
    Stream tls(std::move(s), server_ctx);
    tls.handshake();
    requested = tls.engine().requested_server_name();
    tls.close();
  });
  // Connected to 127.0.0.1, asking for (and verifying) other.test.
  auto socket = wire::net::tcp_connect("127.0.0.1", server.port(), 10s);
  Stream client(std::move(socket), client_ctx, "other.test");
  client.handshake();
  EXPECT_EQ(client.engine().peer_subject(), "CN=other.test");
  client.close();
  server.join();
  EXPECT_EQ(requested, "other.test");
}

struct Garbage {
  const char* name;
  std::string bytes;
  Errc code;
  const char* words;
};

void PrintTo(const Garbage& g, std::ostream* os) { *os << g.name; }

class GarbageTest : public testing::TestWithParam<Garbage> {};

TEST_P(GarbageTest, AnswerToTheClientHelloThatIsNotTlsFailsTheHandshake) {
  TestPki pki;
  std::string hello;
  ScriptedPeer server([&](wire::net::Socket& s) {
    hello = s.recv(4096);  // the ClientHello
    s.send_all(GetParam().bytes);
    drain(s);
  });
  auto error = tls_error_of([&] { Stream::connect(pki.client_context(), "localhost", server.port(), 10s); });
  EXPECT_TRUE(is_tls_error(error, GetParam().code, {"TLS handshake with localhost:", GetParam().words}));
  server.join();
  ASSERT_GE(hello.size(), 5u);
  EXPECT_EQ(hello[0], '\x16');  // it was a TLS handshake record
}

std::string random_not_tls() {
  std::string bytes = wire::test::random_string(300, 42);
  bytes[0] = '\xa7';  // no TLS content type
  return bytes;
}

INSTANTIATE_TEST_SUITE_P(
    Answers, GarbageTest,
    testing::Values(Garbage{"http_400", "HTTP/1.1 400 Bad Request\r\n\r\n", Errc::unexpected_plaintext,
                            "not TLS (\"HTTP/1.1 400 Bad"},
                    Garbage{"smtp_banner", "220 mail.example ESMTP\r\n", Errc::unexpected_plaintext,
                            "not TLS (\"220 mail.example"},
                    Garbage{"random_bytes", random_not_tls(), Errc::unexpected_plaintext, "not TLS (\"\\xa7"},
                    Garbage{"record_header_then_junk",
                            std::string("\x16\x03\x03\x00\x20", 5) + wire::test::random_string(32, 9),
                            Errc::handshake_failed, "TLS handshake"}),
    [](const testing::TestParamInfo<Garbage>& p) { return std::string(p.param.name); });

TEST_F(StreamTest, ServerRefusesPlaintextFromAClient) {
  // An HTTP client on a TLS port.
  std::optional<wire::tls::Error> server_error;
  ScriptedPeer server([&](wire::net::Socket& s) {
    Stream tls(std::move(s), server_ctx);
    server_error = tls_error_of([&] { tls.handshake(); });
  });
  auto socket = wire::net::tcp_connect("127.0.0.1", server.port(), 10s);
  socket.send_all("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
  drain(socket);
  server.join();
  EXPECT_TRUE(is_tls_error(server_error, Errc::unexpected_plaintext, {"not TLS (\"GET / HTTP/1.1"}));
}

}  // namespace
