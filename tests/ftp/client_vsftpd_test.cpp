// SPDX-License-Identifier: MIT
// wire::ftp::Client against vsftpd (a server that is not ours): anonymous and local users,
// explicit FTPS with require_ssl_reuse=YES (every data connection must resume the control
// connection's TLS session, which Python's FTP_TLS cannot do), and the big transfer both ways
// checked by sha256.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "peers.hpp"
#include "support/certs.hpp"
#include "support/temp_dir.hpp"
#include "wire/ftp/client.hpp"
#include "wire/ftp/error.hpp"

namespace {

using namespace std::chrono_literals;
using wire::ftp::Client;
using wire::ftp::ClientOptions;
using wire::ftp::DataMode;
using wire::ftp::Security;
using wire::test::TempDir;
using wire::test::TestPki;
namespace peers = wire::test::ftp;

ClientOptions tls_options(const TestPki& pki, DataMode mode = DataMode::passive) {
  ClientOptions o;
  o.security = Security::explicit_tls;
  o.tls = pki.client_context();
  o.tls_server_name = "localhost";
  o.data_mode = mode;
  o.timeout = 30s;
  return o;
}

TEST(VsftpdClient, AnonymousListsAndDownloadsInTheClear) {
  peers::Vsftpd server;
  server.write_anon_file("readme.txt", "anonymous reading\n");
  Client ftp("127.0.0.1", server.port(), {.timeout = 20s});
  ftp.login();
  EXPECT_EQ(ftp.pwd(), "/");
  auto entries = ftp.list();
  ASSERT_EQ(entries.size(), 1u) << server.log();
  EXPECT_EQ(entries[0].name, "readme.txt");
  EXPECT_EQ(entries[0].size, 18u);
  std::string got;
  ftp.retr("readme.txt", [&](std::span<const std::byte> p) { got.append(reinterpret_cast<const char*>(p.data()), p.size()); });
  EXPECT_EQ(got, "anonymous reading\n");
  try {  // anonymous may not write here
    ftp.mkd("nope");
    FAIL() << "anonymous MKD succeeded";
  } catch (const wire::ftp::ReplyError& e) {
    EXPECT_EQ(e.code(), 550);
  }
  ftp.quit();
}

// Every data connection of the session resumes the control connection's TLS session: vsftpd
// with require_ssl_reuse=YES refuses one that does not ("522 SSL connection failed; session
// reuse required"). Several transfers, passive and active, so that more than one data
// connection resumes the same session.
TEST(VsftpdClient, ExplicitTlsDataConnectionsResumeTheControlSession) {
  TestPki pki;
  peers::Vsftpd server(&pki);
  server.write_home_file("a.txt", "first\n");
  for (DataMode mode : {DataMode::passive, DataMode::active}) {
    Client ftp("127.0.0.1", server.port(), tls_options(pki, mode));
    ftp.login(std::string(peers::kUser), std::string(peers::kPassword));
    ASSERT_TRUE(ftp.is_tls());
    for (int i = 0; i < 3; ++i) {
      std::string got;
      ftp.retr("a.txt", [&](std::span<const std::byte> p) { got.append(reinterpret_cast<const char*>(p.data()), p.size()); });
      EXPECT_EQ(got, "first\n") << server.log();
      EXPECT_EQ(ftp.nlst().size(), 1u + static_cast<std::size_t>(i));
      std::string body = "upload " + std::to_string(i);
      bool sent = false;
      ftp.stor("up" + std::to_string(i) + ".txt", [&](std::span<std::byte> buf) -> std::size_t {
        if (sent) return 0;
        sent = true;
        std::memcpy(buf.data(), body.data(), body.size());
        return body.size();
      });
    }
    EXPECT_EQ(peers::sha256_file(server.home() / "up2.txt"), peers::sha256_hex("upload 2"));
    for (int i = 0; i < 3; ++i) ftp.dele("up" + std::to_string(i) + ".txt");
    ftp.quit();
  }
  std::string log = server.log();
  EXPECT_EQ(log.find("session reuse required"), std::string::npos) << log;
}

class VsftpdBigTransfer : public testing::TestWithParam<bool> {};

// The big file both ways between wire's client and vsftpd, checked by sha256: 1 GiB (64 MiB
// under ASan). Plain, and FTPS with require_ssl_reuse.
TEST_P(VsftpdBigTransfer, BothWaysCheckedBySha256) {
  TestPki pki;
  bool tls = GetParam();
  peers::Vsftpd server(tls ? &pki : nullptr);
  TempDir local("wire-ftp-big-");
  const std::uint64_t size = peers::big_transfer_size();
  std::string sent_sum = peers::write_random_file(local / "out.bin", size, 42);
  ClientOptions o = tls ? tls_options(pki) : ClientOptions{.timeout = 60s};
  Client ftp("127.0.0.1", server.port(), o);
  ftp.login(std::string(peers::kUser), std::string(peers::kPassword));
  EXPECT_EQ(ftp.upload(local / "out.bin", "big.bin"), size);
  EXPECT_EQ(peers::sha256_file(server.home() / "big.bin"), sent_sum);
  EXPECT_EQ(ftp.size("big.bin"), size);
  EXPECT_EQ(ftp.download("big.bin", local / "back.bin"), size);
  EXPECT_EQ(peers::sha256_file(local / "back.bin"), sent_sum);
  ftp.quit();
}

INSTANTIATE_TEST_SUITE_P(Modes, VsftpdBigTransfer, testing::Values(false, true),
                         [](const testing::TestParamInfo<bool>& p) { return p.param ? "tls" : "plain"; });

}  // namespace
