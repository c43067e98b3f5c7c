// SPDX-License-Identifier: MIT
// wire's TLS clients (blocking Stream and AsyncStream) against Debian's
// `openssl s_server` on free loopback ports, with certificates made at test
// time: 10 MiB each way with a checksum over TLS 1.2 and 1.3, each bad
// certificate failing with its named error and no application data sent, the
// default context refusing a self-signed server, IP-literal verification,
// ALPN, SNI, client certificates required and refused, session resumption,
// truncation, and a server that stops answering.
#include <gtest/gtest.h>
#include <openssl/x509_vfy.h>

#include <csignal>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "io/io_helpers.hpp"
#include "support/certs.hpp"
#include "support/random.hpp"
#include "tls_helpers.hpp"
#include "wire/error.hpp"
#include "wire/net/tcp.hpp"
#include "wire/tls.hpp"

namespace {

using namespace wire::test::tls;
using wire::test::TestPki;
using wire::test::io::Bytes;
using wire::test::io::run_bounded;
using wire::tls::AsyncStream;
using wire::tls::Context;
using wire::tls::Errc;
using wire::tls::Stream;
using wire::tls::Version;
namespace io = wire::io;

const char* version_flag(Version v) { return v == Version::tls1_2 ? "-tls1_2" : "-tls1_3"; }
const char* version_name(Version v) { return v == Version::tls1_2 ? "TLSv1.2" : "TLSv1.3"; }

// A client Stream on 127.0.0.1:port, verifying (and sending as SNI) `name`.
Stream connect_as(const Context& ctx, std::uint16_t port, std::string_view name) {
  return Stream(wire::net::tcp_connect("127.0.0.1", port, 10s), ctx, name);
}

// The body of s_server -WWW's answer, after checking its status line.
std::string http_body(const std::string& response) {
  auto end = response.find("\r\n\r\n");
  EXPECT_NE(end, std::string::npos);
  EXPECT_EQ(response.substr(0, 15), "HTTP/1.0 200 ok");
  return end == std::string::npos ? std::string() : response.substr(end + 4);
}

// Reads until close_notify (bounded).
std::string recv_to_close(Stream& s) {
  std::string all;
  for (int i = 0; i < 100000; ++i) {
    std::string got = s.recv(65536);
    if (got.empty()) break;
    all += got;
  }
  return all;
}

io::Task<std::string> async_download(Context ctx, std::uint16_t port, std::string request) {
  AsyncStream tls = co_await AsyncStream::connect(ctx, "localhost", port, 10s);
  co_await tls.write_all(bytes_of(request));
  std::string all;
  Bytes buf(65536);
  for (int i = 0; i < 100000; ++i) {
    std::size_t n = co_await tls.read_some(buf);
    if (n == 0) break;
    all.append(reinterpret_cast<const char*>(buf.data()), n);
  }
  EXPECT_EQ(tls.version(), "TLSv1.3");
  co_await tls.shutdown();
  co_return all;
}

class SServerTest : public testing::Test {
 protected:
  TestPki pki;
  Context client_ctx = pki.client_context();
};

// --- 10 MiB each way, TLS 1.2 and 1.3 -------------------------------------------------

class SServerTransferTest : public SServerTest, public testing::WithParamInterface<Version> {};

TEST_P(SServerTransferTest, DownloadTenMiBFromWww) {
  std::string data = wire::test::random_string(kTenMiB, 21);
  pki.write_file("big.bin", data);
  auto args = cert_args(pki, "leaf");
  args.insert(args.end(), {"-WWW", "-naccept", "1", version_flag(GetParam())});
  SServer server(pki, args);
  client_ctx.set_versions(GetParam(), GetParam());  // pinned on both sides
  Stream client = Stream::connect(client_ctx, "localhost", server.port(), 30s);
  EXPECT_EQ(client.version(), version_name(GetParam()));
  client.send_all("GET /big.bin HTTP/1.0\r\n\r\n");
  std::string body = http_body(recv_to_close(client));  // ends with s_server's close_notify
  EXPECT_EQ(body.size(), data.size());
  EXPECT_EQ(sha256_hex(body), sha256_hex(data));
  client.close();
  EXPECT_TRUE(server.wait().has_value());
}

TEST_P(SServerTransferTest, UploadTenMiBToStdout) {
  std::string data = wire::test::random_string(kTenMiB, 22);
  auto args = cert_args(pki, "leaf");
  args.insert(args.end(), {"-naccept", "1", version_flag(GetParam())});
  SServer server(pki, args);
  client_ctx.set_versions(GetParam(), GetParam());
  Stream client = Stream::connect(client_ctx, "localhost", server.port(), 30s);
  EXPECT_EQ(client.version(), version_name(GetParam()));
  client.send_all(data);
  client.shutdown();
  EXPECT_EQ(client.recv(10), "");  // s_server answers close_notify with its own
  client.close();
  auto result = server.wait();
  ASSERT_TRUE(result.has_value()) << server.process().err();
  EXPECT_EQ(result->out.size(), data.size());
  EXPECT_EQ(sha256_hex(result->out), sha256_hex(data));
}

INSTANTIATE_TEST_SUITE_P(Versions, SServerTransferTest, testing::Values(Version::tls1_2, Version::tls1_3),
                         [](const testing::TestParamInfo<Version>& p) {
                           return std::string(p.param == Version::tls1_2 ? "tls1_2" : "tls1_3");
                         });

TEST_F(SServerTest, AsyncDownloadTenMiBFromWww) {
  std::string data = wire::test::random_string(kTenMiB, 23);
  pki.write_file("big.bin", data);
  auto args = cert_args(pki, "leaf");
  args.insert(args.end(), {"-WWW", "-naccept", "1"});
  SServer server(pki, args);
  std::string body =
      http_body(run_bounded(async_download(client_ctx, server.port(), "GET /big.bin HTTP/1.0\r\n\r\n")));
  EXPECT_EQ(sha256_hex(body), sha256_hex(data));
  EXPECT_TRUE(server.wait().has_value());
}

TEST_F(SServerTest, VersionsPinnedOnBothSidesThatDoNotMeetFail) {
  auto args = cert_args(pki, "leaf");
  args.insert(args.end(), {"-naccept", "1", "-tls1_3"});
  SServer server(pki, args);
  client_ctx.set_versions(Version::tls1_2, Version::tls1_2);
  auto error = tls_error_of([&] { connect_as(client_ctx, server.port(), "localhost").handshake(); });
  EXPECT_TRUE(
      is_tls_error(error, Errc::handshake_failed, {"TLS handshake with localhost:", "protocol version"}));
}

// --- Bad certificates: each fails with its named error, and no data is sent -------------

struct BadCertificate {
  const char* name;
  const char* identity;     // the certificate s_server presents
  const char* server_name;  // what the client verifies
  bool default_context;     // Context::client() (system CAs) instead of the test CA
  long verify_result;
  const char* words;
};

void PrintTo(const BadCertificate& c, std::ostream* os) { *os << c.name; }

class SServerBadCertificateTest : public SServerTest, public testing::WithParamInterface<BadCertificate> {};

TEST_P(SServerBadCertificateTest, RefusedWithItsReasonAndNoApplicationData) {
  const auto& c = GetParam();
  auto args = cert_args(pki, c.identity);
  args.insert(args.end(), {"-naccept", "1"});
  SServer server(pki, args);
  Context ctx = c.default_context ? Context::client() : client_ctx;
  Stream client = connect_as(ctx, server.port(), c.server_name);
  // send_all() handshakes first; the refusal comes before any of "secret".
  auto error = tls_error_of([&] { client.send_all("secret\n"); });
  ASSERT_TRUE(is_tls_error(error, Errc::verify_failed,
                           {"TLS handshake with", "certificate verify failed: ", c.words}));
  EXPECT_EQ(error->verify_result(), c.verify_result);
  client.close();
  // s_server's stdout shows what it received as application data: nothing.
  auto result = server.wait();
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->out, "");
}

INSTANTIATE_TEST_SUITE_P(
    Certificates, SServerBadCertificateTest,
    testing::Values(BadCertificate{"default_context_self_signed", "self_signed", "localhost", true,
                                   X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, "self-signed certificate"},
                    BadCertificate{"expired", "expired", "localhost", false, X509_V_ERR_CERT_HAS_EXPIRED,
                                   "certificate has expired"},
                    BadCertificate{"wrong_host", "wrong_host", "localhost", false,
                                   X509_V_ERR_HOSTNAME_MISMATCH, "host name mismatch"},
                    BadCertificate{"unknown_ca", "rogue_leaf", "localhost", false,
                                   X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, "unknown CA"},
                    BadCertificate{"ip_not_in_certificate", "localhost_only", "127.0.0.1", false,
                                   X509_V_ERR_IP_ADDRESS_MISMATCH, "IP address mismatch"},
                    BadCertificate{"test_ca_not_trusted_by_default", "leaf", "localhost", true,
                                   X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, "unknown CA"}),
    [](const testing::TestParamInfo<BadCertificate>& p) { return std::string(p.param.name); });

TEST_F(SServerTest, AsyncClientRefusesAnExpiredCertificate) {
  auto args = cert_args(pki, "expired");
  args.insert(args.end(), {"-naccept", "1"});
  SServer server(pki, args);
  auto attempt = [](Context ctx, std::uint16_t port) -> io::Task<std::optional<wire::tls::Error>> {
    try {
      AsyncStream tls = co_await AsyncStream::connect(ctx, "localhost", port, 10s);
      co_await tls.write_all(bytes_of("secret\n"));
    } catch (const wire::tls::Error& e) {
      co_return e;
    }
    co_return std::nullopt;
  };
  auto error = run_bounded(attempt(client_ctx, server.port()));
  EXPECT_TRUE(is_tls_error(error, Errc::verify_failed, {"certificate has expired"}));
  auto result = server.wait();
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->out, "");
}

TEST_F(SServerTest, IpLiteralIsVerifiedAgainstTheCertificatesAddress) {
  auto args = cert_args(pki, "leaf");  // names localhost, 127.0.0.1, ::1
  args.insert(args.end(), {"-naccept", "1"});
  SServer server(pki, args, "from s_server\n");
  Stream client = Stream::connect(client_ctx, "127.0.0.1", server.port(), 10s);
  EXPECT_EQ(client.recv_exactly(14), "from s_server\n");
  client.send_all("from wire\n");
  client.shutdown();
  EXPECT_EQ(client.recv(10), "");
  client.close();  // s_server waits up to 500 ms for the client to hang up
  auto result = server.wait();
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->out, "from wire\n");
}

TEST_F(SServerTest, InsecureContextConnectsToASelfSignedServer) {
  auto args = cert_args(pki, "self_signed");
  args.insert(args.end(), {"-naccept", "1"});
  SServer server(pki, args);
  Context insecure = Context::client();
  insecure.set_insecure(true);
  Stream client = Stream::connect(insecure, "localhost", server.port(), 10s);
  client.send_all("unverified\n");
  client.shutdown();
  EXPECT_EQ(client.recv(10), "");
  client.close();
  auto result = server.wait();
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->out, "unverified\n");
}

// --- ALPN and SNI ----------------------------------------------------------------------

TEST_F(SServerTest, AlpnNegotiatesTheServersProtocol) {
  auto args = cert_args(pki, "leaf");
  args.insert(args.end(), {"-naccept", "1", "-alpn", "http/1.1"});
  SServer server(pki, args, "hi\n");
  client_ctx.set_alpn({"h2", "http/1.1"});
  Stream client = Stream::connect(client_ctx, "localhost", server.port(), 10s);
  EXPECT_EQ(client.alpn(), "http/1.1");
  EXPECT_EQ(client.recv_exactly(3), "hi\n");
  client.close();
}

TEST_F(SServerTest, SniSelectsTheRightCertificate) {
  auto args = cert_args(pki, "leaf");
  args.insert(args.end(), {"-naccept", "2", "-servername", "other.test", "-cert2",
                           pki.cert_file("other").string(), "-key2", pki.key_file("other").string()});
  SServer server(pki, args);
  for (const char* name : {"other.test", "localhost"}) {
    Stream client = connect_as(client_ctx, server.port(), name);
    client.handshake();  // verifies `name` against what SNI selected
    EXPECT_EQ(client.engine().peer_subject(), std::string("CN=") + name);
    client.close();
  }
  EXPECT_TRUE(server.wait().has_value());
}

// --- Client certificates ------------------------------------------------------------------

std::vector<std::string> require_client_certificate(const TestPki& pki, Version v) {
  auto args = cert_args(pki, "leaf");
  args.insert(args.end(), {"-naccept", "1", "-Verify", "1", "-verify_return_error", "-CAfile",
                           pki.ca_file().string(), version_flag(v)});
  return args;
}

TEST_F(SServerTest, ClientCertificateRequiredAndProvided) {
  SServer server(pki, require_client_certificate(pki, Version::tls1_3));
  client_ctx.use_certificate(pki.client);
  Stream client = Stream::connect(client_ctx, "localhost", server.port(), 10s);
  client.send_all("authenticated\n");
  client.shutdown();
  EXPECT_EQ(client.recv(10), "");
  client.close();
  auto result = server.wait();
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->out, "authenticated\n");
}

TEST_F(SServerTest, ClientCertificateRequiredAndMissingTls13) {
  SServer server(pki, require_client_certificate(pki, Version::tls1_3));
  // TLS 1.3: the client's handshake is over before the server checks; its
  // refusal is an alert that the next read meets.
  Stream client = Stream::connect(client_ctx, "localhost", server.port(), 10s);
  EXPECT_TRUE(
      is_tls_error(tls_error_of([&] { client.recv(10); }), Errc::protocol_error, {"certificate required"}));
  client.close();
  auto result = server.wait();
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->out, "");
}

TEST_F(SServerTest, ClientCertificateRequiredAndMissingTls12) {
  SServer server(pki, require_client_certificate(pki, Version::tls1_2));
  auto error = tls_error_of([&] { Stream::connect(client_ctx, "localhost", server.port(), 10s); });
  EXPECT_TRUE(
      is_tls_error(error, Errc::handshake_failed, {"TLS handshake with localhost:", "handshake failure"}));
  EXPECT_TRUE(server.wait().has_value());
}

TEST_F(SServerTest, ClientCertificateFromAnUnknownCaIsRefused) {
  SServer server(pki, require_client_certificate(pki, Version::tls1_3));
  client_ctx.use_certificate(pki.rogue_client);
  Stream client = Stream::connect(client_ctx, "localhost", server.port(), 10s);
  EXPECT_TRUE(is_tls_error(tls_error_of([&] { client.recv(10); }), Errc::protocol_error, {"unknown ca"}));
  client.close();
  auto result = server.wait();
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->out, "");
}

// --- Sessions, truncation, stalls -----------------------------------------------------------

class SServerResumptionTest : public SServerTest, public testing::WithParamInterface<Version> {};

TEST_P(SServerResumptionTest, SecondConnectionResumesTheSession) {
  pki.write_file("small.txt", "small\n");
  auto args = cert_args(pki, "leaf");
  args.insert(args.end(), {"-WWW", "-naccept", "3", version_flag(GetParam())});
  SServer server(pki, args);
  auto fetch = [&](const Context& ctx) {
    Stream client = Stream::connect(ctx, "localhost", server.port(), 10s);
    client.send_all("GET /small.txt HTTP/1.0\r\n\r\n");
    // Reading to the end also reads TLS 1.3's tickets, sent after the handshake.
    EXPECT_EQ(http_body(recv_to_close(client)), "small\n");
    client.close();
    return client.engine().session_reused();
  };
  EXPECT_FALSE(fetch(client_ctx));
  EXPECT_TRUE(fetch(client_ctx));
  Context fresh = pki.client_context();  // another context has its own cache
  EXPECT_FALSE(fetch(fresh));
  EXPECT_TRUE(server.wait().has_value());
}

INSTANTIATE_TEST_SUITE_P(Versions, SServerResumptionTest, testing::Values(Version::tls1_2, Version::tls1_3),
                         [](const testing::TestParamInfo<Version>& p) {
                           return std::string(p.param == Version::tls1_2 ? "tls1_2" : "tls1_3");
                         });

TEST_F(SServerTest, PeerGoneWithoutCloseNotifyIsTruncation) {
  auto args = cert_args(pki, "leaf");
  args.insert(args.end(), {"-naccept", "1"});
  SServer server(pki, args, "partial data\n");
  Stream client = Stream::connect(client_ctx, "localhost", server.port(), 10s);
  EXPECT_EQ(client.recv_exactly(13), "partial data\n");
  server.process().stop(SIGKILL, 0ms);  // the kernel closes its socket: FIN, no close_notify
  auto error = tls_error_of([&] { client.recv(10); });
  EXPECT_TRUE(is_tls_error(error, Errc::truncated, {"without close_notify"}));
}

TEST_F(SServerTest, StoppedServerHitsTheHandshakeTimeout) {
  auto args = cert_args(pki, "leaf");
  SServer server(pki, args);
  ASSERT_EQ(::kill(server.process().pid(), SIGSTOP), 0);  // the kernel still accepts for it
  auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(Stream::connect(client_ctx, "localhost", server.port(), 500ms), wire::TimeoutError);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 450ms);
  EXPECT_LT(took, 5s);
  ::kill(server.process().pid(), SIGKILL);  // ours: the ChildProcess reaps it
}

}  // namespace
