// SPDX-License-Identifier: MIT
// wire's TLS servers (blocking Stream and AsyncStream) against Debian's
// `openssl s_client`, which verifies them with the test CA: 10 MiB echoed with
// a checksum over TLS 1.2 and 1.3, ALPN, SNI choosing the certificate, client
// certificates required and refused, and STARTTLS (s_client -starttls smtp)
// upgrading a plaintext SMTP dialogue mid-stream.
#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "io/io_helpers.hpp"
#include "support/certs.hpp"
#include "support/random.hpp"
#include "tls_helpers.hpp"
#include "wire/tls.hpp"

namespace {

using namespace wire::test::tls;
using wire::test::TestPki;
using wire::test::io::Bytes;
using wire::tls::AsyncStream;
using wire::tls::Context;
using wire::tls::Errc;
using wire::tls::Stream;
using wire::tls::Version;
namespace io = wire::io;

// s_client arguments that verify the server as `name` against the test CA and
// give up on a verification error.
std::vector<std::string> verifying(const TestPki& pki, const std::string& name) {
  return {"-CAfile", pki.ca_file().string(), "-verify_return_error", "-verify_hostname", name, "-servername",
          name};
}

class SClientTest : public testing::Test {
 protected:
  TestPki pki;
  Context server_ctx = pki.server_context();
};

// --- 10 MiB echoed, TLS 1.2 and 1.3, blocking and async servers --------------------------

struct EchoCase {
  Version version;
  bool async;
};

void PrintTo(const EchoCase& c, std::ostream* os) {
  *os << (c.version == Version::tls1_2 ? "TLS 1.2" : "TLS 1.3")
      << (c.async ? ", async server" : ", blocking server");
}

class SClientEchoTest : public SClientTest, public testing::WithParamInterface<EchoCase> {};

io::Task<void> async_echo(io::Stream stream, Context ctx, std::size_t size, std::string& version) {
  AsyncStream tls(std::move(stream), ctx);
  co_await tls.handshake();
  version = tls.version();
  Bytes data(size);
  co_await tls.read_exactly(data);
  co_await tls.write_all(data);
  co_await tls.shutdown();
  Bytes end(1);
  EXPECT_EQ(co_await tls.read_some(end), 0u);  // s_client's close_notify
}

TEST_P(SClientEchoTest, EchoesTenMiB) {
  server_ctx.set_versions(GetParam().version, GetParam().version);  // pinned on both sides
  std::string version;
  auto blocking_echo = [&](wire::net::Socket& s) {
    Stream tls(std::move(s), server_ctx);
    tls.handshake();
    version = tls.version();
    std::string data = tls.recv_exactly(kTenMiB);
    tls.send_all(data);
    tls.shutdown();
    EXPECT_EQ(tls.recv(1), "");  // s_client's close_notify
  };
  std::optional<ScriptedPeer> blocking;
  std::optional<AsyncPeer> async;
  if (GetParam().async) {
    async.emplace([&](io::Stream s) { return async_echo(std::move(s), server_ctx, kTenMiB, version); });
  } else {
    blocking.emplace(blocking_echo);
  }
  std::uint16_t port = async ? async->port() : blocking->port();

  std::string data = wire::test::random_string(kTenMiB, 31);
  auto args = verifying(pki, "localhost");
  args.insert(args.end(), {"-quiet", GetParam().version == Version::tls1_2 ? "-tls1_2" : "-tls1_3"});
  auto result = run_s_client(port, args, data, 60s);
  if (async) {
    async->join();
  } else {
    blocking->join();
  }
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out.size(), data.size());
  EXPECT_EQ(sha256_hex(result.out), sha256_hex(data));
  EXPECT_EQ(version, GetParam().version == Version::tls1_2 ? "TLSv1.2" : "TLSv1.3");
}

INSTANTIATE_TEST_SUITE_P(Servers, SClientEchoTest,
                         testing::Values(EchoCase{Version::tls1_2, false}, EchoCase{Version::tls1_3, false},
                                         EchoCase{Version::tls1_2, true}, EchoCase{Version::tls1_3, true}),
                         [](const testing::TestParamInfo<EchoCase>& p) {
                           return std::string(p.param.version == Version::tls1_2 ? "tls1_2" : "tls1_3") +
                                  (p.param.async ? "_async" : "_blocking");
                         });

// --- ALPN and SNI ----------------------------------------------------------------------

TEST_F(SClientTest, AlpnNegotiatesTheServersPreference) {
  server_ctx.set_alpn({"http/1.1"});
  std::string alpn;
  ScriptedPeer server([&](wire::net::Socket& s) {
    Stream tls(std::move(s), server_ctx);
    tls.handshake();
    alpn = tls.alpn();
    tls.close();
  });
  auto args = verifying(pki, "localhost");
  args.insert(args.end(), {"-alpn", "h2,http/1.1"});
  auto result = run_s_client(server.port(), args);
  server.join();
  EXPECT_EQ(alpn, "http/1.1");
  EXPECT_TRUE(contains(result.out, "ALPN protocol: http/1.1")) << result.out;
}

TEST_F(SClientTest, AlpnWithNothingInCommonIsRefused) {
  server_ctx.set_alpn({"h2"});
  std::optional<wire::tls::Error> error;
  ScriptedPeer server([&](wire::net::Socket& s) {
    Stream tls(std::move(s), server_ctx);
    error = tls_error_of([&] { tls.handshake(); });
  });
  auto args = verifying(pki, "localhost");
  args.insert(args.end(), {"-alpn", "http/1.1"});
  auto result = run_s_client(server.port(), args);
  server.join();
  EXPECT_TRUE(is_tls_error(error, Errc::handshake_failed, {"no application protocol"}));
  EXPECT_NE(result.exit_code, 0);
  EXPECT_TRUE(contains(result.err, "no application protocol")) << result.err;
}

TEST_F(SClientTest, SniSelectsTheRightCertificate) {
  server_ctx.use_certificate(pki.other);
  for (std::string name : {"other.test", "localhost"}) {
    std::string requested;
    ScriptedPeer server([&](wire::net::Socket& s) {
      Stream tls(std::move(s), server_ctx);
      tls.handshake();
      requested = tls.engine().requested_server_name();
      tls.close();
    });
    auto result = run_s_client(server.port(), verifying(pki, name));  // -verify_hostname name
    server.join();
    EXPECT_EQ(requested, name);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_TRUE(contains(result.out, "subject=CN = " + name)) << result.out;
    EXPECT_TRUE(contains(result.out, "Verify return code: 0 (ok)")) << result.out;
  }
}

// --- Client certificates ------------------------------------------------------------------

class SClientCertificateTest : public SClientTest {
 protected:
  void SetUp() override {
    server_ctx.add_ca_pem(pki.ca.certificate_pem);
    server_ctx.request_client_certificate(true);
  }
};

TEST_F(SClientCertificateTest, RequiredAndProvided) {
  std::string subject;
  ScriptedPeer server([&](wire::net::Socket& s) {
    Stream tls(std::move(s), server_ctx);
    tls.handshake();
    subject = tls.engine().peer_subject();
    tls.send_all("welcome\n");
    tls.shutdown();
    EXPECT_EQ(tls.recv(10), "");
  });
  auto args = verifying(pki, "localhost");
  args.insert(args.end(),
              {"-quiet", "-cert", pki.cert_file("client").string(), "-key", pki.key_file("client").string()});
  auto result = run_s_client(server.port(), args);
  server.join();
  EXPECT_EQ(subject, "CN=wire test client");
  EXPECT_EQ(result.out, "welcome\n");
}

TEST_F(SClientCertificateTest, RequiredAndMissing) {
  std::optional<wire::tls::Error> error;
  ScriptedPeer server([&](wire::net::Socket& s) {
    Stream tls(std::move(s), server_ctx);
    error = tls_error_of([&] { tls.handshake(); });
  });
  auto args = verifying(pki, "localhost");
  args.insert(args.end(), {"-quiet"});
  auto result = run_s_client(server.port(), args);
  server.join();
  EXPECT_TRUE(is_tls_error(error, Errc::handshake_failed,
                           {"TLS handshake with 127.0.0.1:", "peer did not return a certificate"}));
  EXPECT_TRUE(contains(result.err, "certificate required")) << result.err;  // the alert s_client got
  EXPECT_EQ(result.out, "");
}

TEST_F(SClientCertificateTest, FromAnUnknownCaIsRefused) {
  std::optional<wire::tls::Error> error;
  ScriptedPeer server([&](wire::net::Socket& s) {
    Stream tls(std::move(s), server_ctx);
    error = tls_error_of([&] { tls.handshake(); });
  });
  auto args = verifying(pki, "localhost");
  args.insert(args.end(), {"-quiet", "-cert", pki.cert_file("rogue_client").string(), "-key",
                           pki.key_file("rogue_client").string()});
  auto result = run_s_client(server.port(), args);
  server.join();
  ASSERT_TRUE(is_tls_error(error, Errc::verify_failed, {"certificate verify failed: unknown CA"}));
  EXPECT_EQ(result.out, "");
}

// --- STARTTLS ----------------------------------------------------------------------------

TEST_F(SClientTest, StartTlsSmtpUpgradesMidStream) {
  std::string line;
  ScriptedPeer server([&](wire::net::Socket& s) {
    // The plaintext part of an SMTP session, as s_client -starttls smtp plays it.
    s.send_all("220 wire.test ESMTP\r\n");
    std::string ehlo = s.recv_until("\r\n", 1024);
    EXPECT_EQ(ehlo.substr(0, 5), "EHLO ");
    s.send_all("250-wire.test\r\n250 STARTTLS\r\n");
    EXPECT_EQ(s.recv_until("\r\n", 1024), "STARTTLS\r\n");
    s.send_all("220 2.0.0 ready to start TLS\r\n");
    Stream tls(std::move(s), server_ctx);
    tls.handshake();
    for (int i = 0; i < 1000 && !contains(line, "\n"); ++i) {
      std::string got = tls.recv(1024);
      if (got.empty()) break;
      line += got;
    }
    tls.send_all("250 got " + line);
    tls.shutdown();
    EXPECT_EQ(tls.recv(10), "");
  });
  auto args = verifying(pki, "localhost");
  args.insert(args.end(), {"-quiet", "-starttls", "smtp"});
  auto result = run_s_client(server.port(), args, "hello over tls\n");
  server.join();
  EXPECT_EQ(line, "hello over tls\n");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(contains(result.out, "250 got hello over tls\n")) << result.out;
}

}  // namespace
