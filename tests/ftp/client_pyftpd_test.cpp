// SPDX-License-Identifier: MIT
// wire::ftp::Client against pyftpdlib (a server that is not ours): every command of the
// client, plain and over explicit FTPS (TLS_FTPHandler), passive and active, resume, abort,
// and the cleartext-only server that must not see a password when TLS was asked for.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "peers.hpp"
#include "support/certs.hpp"
#include "support/random.hpp"
#include "support/temp_dir.hpp"
#include "wire/ftp/client.hpp"
#include "wire/ftp/error.hpp"

namespace {

using namespace std::chrono_literals;
using wire::ftp::Client;
using wire::ftp::ClientOptions;
using wire::ftp::DataMode;
using wire::ftp::EntryType;
using wire::ftp::Security;
using wire::test::TempDir;
using wire::test::TestPki;
namespace peers = wire::test::ftp;

struct Mode {
  const char* name;
  bool tls;
  DataMode data;
};

class PyftpdClientTest : public testing::TestWithParam<Mode> {
 protected:
  TestPki pki;
  peers::Pyftpd server{GetParam().tls ? &pki : nullptr};
  TempDir local{"wire-ftp-local-"};

  ClientOptions options() const {
    ClientOptions o;
    o.security = GetParam().tls ? Security::explicit_tls : Security::none;
    o.tls = pki.client_context();
    o.tls_server_name = "localhost";
    o.data_mode = GetParam().data;
    o.timeout = 20s;
    return o;
  }
  Client connect() {
    Client c("127.0.0.1", server.port(), options());
    c.login(std::string(peers::kUser), std::string(peers::kPassword));
    return c;
  }
};

TEST_P(PyftpdClientTest, EveryCommandOfTheClient) {
  server.write_file("hello.txt", "hello, world\n");
  Client ftp = connect();
  EXPECT_EQ(ftp.is_tls(), GetParam().tls);
  EXPECT_EQ(ftp.pwd(), "/");
  EXPECT_EQ(ftp.mkd("sub dir"), "/sub dir");
  ftp.cwd("sub dir");
  EXPECT_EQ(ftp.pwd(), "/sub dir");
  std::string data = wire::test::random_string(300'000, 7);
  std::size_t at = 0;
  EXPECT_EQ(ftp.stor("up load.bin",
                     [&](std::span<std::byte> buf) {
                       std::size_t n = std::min(buf.size(), data.size() - at);
                       std::memcpy(buf.data(), data.data() + at, n);
                       at += n;
                       return n;
                     }),
            data.size());
  EXPECT_EQ(peers::sha256_file(server.root() / "sub dir" / "up load.bin"), peers::sha256_hex(data));
  EXPECT_EQ(ftp.size("up load.bin"), data.size());
  ftp.rename("up load.bin", "renamed.bin");
  auto names = ftp.nlst();
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(names[0], "renamed.bin");
  ftp.cdup();
  auto entries = ftp.mlsd("sub dir");
  bool found = false;
  for (const auto& e : entries) {
    if (e.name == "renamed.bin") {
      found = true;
      EXPECT_EQ(e.type, EntryType::file);
      EXPECT_EQ(e.size, data.size());
    }
  }
  EXPECT_TRUE(found);
  auto listing = ftp.list();
  ASSERT_EQ(listing.size(), 2u);  // hello.txt and "sub dir", in some order
  std::string got;
  ftp.retr("hello.txt", [&](std::span<const std::byte> p) { got.append(reinterpret_cast<const char*>(p.data()), p.size()); });
  EXPECT_EQ(got, "hello, world\n");
  EXPECT_GT(ftp.mdtm("hello.txt"), 1'600'000'000);
  EXPECT_EQ(ftp.mlst("hello.txt").size, 13u);
  ftp.dele("sub dir/renamed.bin");
  ftp.rmd("sub dir");
  EXPECT_FALSE(std::filesystem::exists(server.root() / "sub dir"));
  try {
    ftp.cwd("missing");
    FAIL() << "CWD to a missing directory succeeded";
  } catch (const wire::ftp::ReplyError& e) {
    EXPECT_EQ(e.code(), 550);
  }
  ftp.noop();
  ftp.quit();
}

TEST_P(PyftpdClientTest, DownloadAndUploadFilesWithResume) {
  std::string data = wire::test::random_string(1'000'000, 11);
  server.write_file("big.bin", data);
  Client ftp = connect();
  std::uint64_t last = 0;
  auto dest = local / "big.bin";
  EXPECT_EQ(ftp.download("big.bin", dest,
                         {.progress = [&](std::uint64_t done, std::optional<std::uint64_t> total) {
                           EXPECT_EQ(total, data.size());
                           last = done;
                           return true;
                         }}),
            data.size());
  EXPECT_EQ(last, data.size());
  EXPECT_EQ(peers::sha256_file(dest), peers::sha256_hex(data));
  // Resume a download from a partial file: only the rest comes.
  std::filesystem::resize_file(dest, 400'000);
  EXPECT_EQ(ftp.download("big.bin", dest, {.resume = true}), data.size() - 400'000);
  EXPECT_EQ(peers::sha256_file(dest), peers::sha256_hex(data));
  // Resume an upload: the server has the first part; APPE sends the rest.
  server.write_file("part.bin", data.substr(0, 123'456));
  EXPECT_EQ(ftp.upload(dest, "part.bin", {.resume = true}), data.size() - 123'456);
  EXPECT_EQ(peers::sha256_file(server.root() / "part.bin"), peers::sha256_hex(data));
  EXPECT_EQ(ftp.upload(dest, "whole.bin"), data.size());
  EXPECT_EQ(peers::sha256_file(server.root() / "whole.bin"), peers::sha256_hex(data));
  ftp.quit();
}

TEST_P(PyftpdClientTest, ProgressReturningFalseAbortsAndTheSessionGoesOn) {
  std::string data = wire::test::random_string(8'000'000, 3);
  server.write_file("big.bin", data);
  Client ftp = connect();
  std::uint64_t received = 0;
  std::uint64_t returned = ftp.retr(
      "big.bin", [&](std::span<const std::byte> p) { received += p.size(); },
      {.size = data.size(), .progress = [](std::uint64_t done, auto) { return done < 300'000; }});
  EXPECT_EQ(returned, received);
  EXPECT_GE(received, 300'000u);
  EXPECT_LT(received, data.size());
  // The control connection is in step: the next commands get their own replies.
  EXPECT_EQ(ftp.size("big.bin"), data.size());
  EXPECT_EQ(ftp.pwd(), "/");
  ftp.quit();
}

INSTANTIATE_TEST_SUITE_P(Modes, PyftpdClientTest,
                         testing::Values(Mode{"plain_passive", false, DataMode::passive},
                                         Mode{"plain_active", false, DataMode::active},
                                         Mode{"tls_passive", true, DataMode::passive},
                                         Mode{"tls_active", true, DataMode::active}),
                         [](const testing::TestParamInfo<Mode>& p) { return std::string(p.param.name); });

// A server without TLS when TLS was asked for: the client stops at the refused AUTH TLS, and
// neither USER nor PASS reaches the server.
TEST(PyftpdClient, CleartextOnlyServerWithTlsAskedForFailsBeforeLogin) {
  peers::Pyftpd server;  // FTPHandler: AUTH is 500
  ClientOptions o;
  o.security = Security::explicit_tls;
  o.timeout = 10s;
  try {
    Client ftp("127.0.0.1", server.port(), o);
    FAIL() << "connected in the clear though TLS was asked for";
  } catch (const wire::ftp::ReplyError& e) {
    EXPECT_EQ(e.code(), 500);
    EXPECT_NE(std::string(e.what()).find("AUTH TLS: 500"), std::string::npos) << e.what();
  }
  server.stop();
  std::string log = server.log();
  EXPECT_NE(log.find("AUTH TLS"), std::string::npos) << log;
  EXPECT_EQ(log.find("USER"), std::string::npos) << log;
  EXPECT_EQ(log.find("PASS"), std::string::npos) << log;
}

}  // namespace
