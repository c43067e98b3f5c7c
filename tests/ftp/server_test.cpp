// SPDX-License-Identifier: MIT
// wire::ftp::Server against raw control connections and wire's client: exact replies, the
// jail (traversal and symbolic links leading out), no FTP bounce, refused lines, the failed-login
// delay, limits, uploads that never leave a half file, ABOR, and TLS required.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "peers.hpp"
#include "server_helpers.hpp"
#include "support/certs.hpp"
#include "support/random.hpp"
#include "support/wait.hpp"
#include "wire/ftp/client.hpp"
#include "wire/ftp/codec.hpp"
#include "wire/ftp/error.hpp"
#include "wire/ftp/server.hpp"
#include "wire/net/tcp.hpp"

namespace {

using namespace std::chrono_literals;
using wire::ftp::Client;
using wire::ftp::ClientOptions;
using wire::ftp::DataMode;
using wire::ftp::Security;
using wire::test::TempDir;
using wire::test::TestPki;
using wire::test::ftp::RawControl;
using wire::test::ftp::TestServer;
namespace peers = wire::test::ftp;

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A data connection for a PASV/EPSV reply, to 127.0.0.1.
wire::net::Socket connect_data(std::uint16_t port) { return wire::net::tcp_connect("127.0.0.1", port, 10s); }

std::uint16_t epsv_port(RawControl& c) {
  auto r = c.command("EPSV");
  EXPECT_EQ(r.code, 229) << r.text();
  return wire::ftp::parse_epsv_reply(r);
}

std::string recv_all(wire::net::Socket& s) {
  std::string all;
  for (int i = 0; i < 1'000'000; ++i) {
    std::string got = s.recv(65536);
    if (got.empty()) break;
    all += got;
  }
  return all;
}

TEST(FtpServer, LoginAndTheCommandsWithoutFiles) {
  TestServer server;
  RawControl c(server.port());
  auto hello = c.greeting();
  EXPECT_EQ(hello.code, 220);
  EXPECT_EQ(hello.text(), "wire FTP server ready.");
  EXPECT_EQ(c.command("PWD").code, 530);  // not logged in
  EXPECT_EQ(c.command("SYST").text(), "UNIX Type: L8");
  auto feat = c.command("FEAT");
  EXPECT_EQ(feat.code, 211);
  auto features = wire::ftp::parse_feat_reply(feat);
  EXPECT_TRUE(features.has("EPSV"));
  EXPECT_TRUE(features.has_param("REST", "STREAM"));
  EXPECT_FALSE(features.has("AUTH"));  // no TLS configured
  EXPECT_EQ(c.command("AUTH TLS").code, 502);
  EXPECT_EQ(c.command("PASS x").code, 503);  // USER first
  EXPECT_TRUE(c.login());
  EXPECT_EQ(c.command("USER again").code, 503);
  EXPECT_EQ(c.command("PWD").text(), "\"/\" is the current directory.");
  EXPECT_EQ(c.command("TYPE I").code, 200);
  EXPECT_EQ(c.command("TYPE E").code, 504);
  EXPECT_EQ(c.command("MODE S").code, 200);
  EXPECT_EQ(c.command("MODE B").code, 504);
  EXPECT_EQ(c.command("STRU F").code, 200);
  EXPECT_EQ(c.command("OPTS UTF8 ON").code, 200);
  EXPECT_EQ(c.command("REST 100").code, 350);
  EXPECT_EQ(c.command("REST x").code, 501);
  EXPECT_EQ(c.command("ABOR").code, 225);
  EXPECT_EQ(c.command("SITE CHMOD 777 x").code, 502);
  EXPECT_EQ(c.command("ACCT x").code, 202);
  EXPECT_EQ(c.command("HELP").code, 214);
  EXPECT_EQ(c.command("NOOP").code, 200);
  EXPECT_EQ(c.command("QUIT").code, 221);
  EXPECT_TRUE(c.closed_by_server());
}

TEST(FtpServer, FileCommandsAndReplies) {
  TestServer server;
  server.write_file("a b.txt", "hello\n");
  RawControl c(server.port());
  c.greeting();
  ASSERT_TRUE(c.login());
  EXPECT_EQ(c.command("MKD new dir").text(), "\"/new dir\" created.");
  EXPECT_EQ(c.command("MKD new dir").text(), "MKD: File exists.");
  EXPECT_EQ(c.command("CWD new dir").code, 250);
  EXPECT_EQ(c.command("PWD").text(), "\"/new dir\" is the current directory.");
  EXPECT_EQ(c.command("CDUP").code, 250);
  EXPECT_EQ(c.command("SIZE a b.txt").text(), "6");
  EXPECT_EQ(c.command("SIZE new dir").code, 550);
  auto mdtm = c.command("MDTM a b.txt");
  EXPECT_EQ(mdtm.code, 213);
  auto mtime = std::filesystem::last_write_time(server.root() / "a b.txt");
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::file_clock::to_sys(mtime).time_since_epoch()).count();
  EXPECT_EQ(wire::ftp::parse_mdtm_reply(mdtm), seconds);
  auto mlst = wire::ftp::parse_mlst_reply(c.command("MLST a b.txt"));
  EXPECT_EQ(mlst.name, "/a b.txt");
  EXPECT_EQ(mlst.size, 6u);
  EXPECT_EQ(mlst.perm, "adfrw");
  EXPECT_EQ(c.command("RNTO x").code, 503);
  EXPECT_EQ(c.command("RNFR a b.txt").code, 350);
  EXPECT_EQ(c.command("RNTO new dir/moved.txt").code, 250);
  EXPECT_EQ(read_file(server.root() / "new dir" / "moved.txt"), "hello\n");
  EXPECT_EQ(c.command("RMD new dir").text(), "RMD: Directory not empty.");
  EXPECT_EQ(c.command("DELE new dir/moved.txt").code, 250);
  EXPECT_EQ(c.command("RMD new dir").code, 250);
  EXPECT_EQ(c.command("DELE missing").text(), "DELE: No such file or directory.");
  EXPECT_FALSE(std::filesystem::exists(server.root() / "new dir"));
}

// ".." stops at the root, and no symbolic link leads out of it: not to read, list, enter or
// write through.
TEST(FtpServer, TraversalAndSymlinkEscapesAreRefused) {
  TestServer server;
  TempDir outside("wire-ftp-outside-");
  outside.write_file("secret.txt", "outside the root\n");
  server.write_file("inside.txt", "inside\n");
  std::filesystem::create_directory_symlink(outside.path(), server.root() / "out");
  std::filesystem::create_symlink(outside.path() / "secret.txt", server.root() / "secret-link");
  std::filesystem::create_symlink("inside.txt", server.root() / "inside-link");  // stays within: fine
  RawControl c(server.port());
  c.greeting();
  ASSERT_TRUE(c.login());
  EXPECT_EQ(c.command("CWD ../../../..").code, 250);
  EXPECT_EQ(c.command("PWD").text(), "\"/\" is the current directory.");
  std::string up = "../../../../../../../../.." + outside.path().string() + "/secret.txt";
  EXPECT_EQ(c.command("SIZE " + up).code, 550);
  EXPECT_EQ(c.command("SIZE " + outside.path().string() + "/secret.txt").code, 550);
  EXPECT_EQ(c.command("CWD out").code, 550);
  EXPECT_EQ(c.command("SIZE out/secret.txt").code, 550);
  EXPECT_EQ(c.command("SIZE secret-link").code, 550);
  EXPECT_EQ(c.command("SIZE inside-link").text(), "7");
  std::uint16_t port = epsv_port(c);
  auto data = connect_data(port);
  EXPECT_EQ(c.command("RETR secret-link").code, 550);
  port = epsv_port(c);
  auto data2 = connect_data(port);
  auto r = c.command("STOR out/planted.txt");
  EXPECT_EQ(r.code, 550) << r.text();
  EXPECT_FALSE(std::filesystem::exists(outside.path() / "planted.txt"));
  EXPECT_EQ(c.command("MKD out/made").code, 550);
  EXPECT_FALSE(std::filesystem::exists(outside.path() / "made"));
  EXPECT_EQ(c.command("DELE out/secret.txt").code, 550);
  EXPECT_EQ(c.command("RNFR out/secret.txt").code, 550);
  EXPECT_TRUE(std::filesystem::exists(outside.path() / "secret.txt"));
  // The listing leaves out what leads out of the root.
  Client ftp("127.0.0.1", server.port());
  ftp.login(std::string(peers::kUser), std::string(peers::kPassword));
  auto names = ftp.nlst();
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"inside-link", "inside.txt"}));
}

// No FTP bounce (RFC 2577): PORT and EPRT may name only the control connection's peer.
TEST(FtpServer, PortAndEprtToAThirdAddressAreRefused) {
  TestServer server;
  RawControl c(server.port());
  c.greeting();
  ASSERT_TRUE(c.login());
  auto r = c.command("PORT 192,0,2,7,195,80");
  EXPECT_EQ(r.code, 501);
  EXPECT_EQ(r.text(), "Data connections go only to your own address (no FTP bounce).");
  EXPECT_EQ(c.command("PORT 127,0,0,2,195,80").code, 501);  // loopback, but not the peer
  EXPECT_EQ(c.command("EPRT |1|192.0.2.7|50000|").code, 501);
  EXPECT_EQ(c.command("EPRT |2|::1|50000|").code, 501);
  EXPECT_EQ(c.command("EPRT |3|192.0.2.7|50000|").code, 522);
  EXPECT_EQ(c.command("PORT 127,0,0,1,0,25").text(), "Data connections to a privileged port are refused.");
  EXPECT_EQ(c.command("PORT 1,2,3").code, 501);
  // No PORT was accepted: a transfer has no data connection.
  EXPECT_EQ(c.command("LIST").code, 425);
  EXPECT_NE(server.log().find("refused PORT to 192.0.2.7:50000"), std::string::npos) << server.log();
}

// A passive port takes its connection only from the control connection's peer: a connection
// from another address (127.0.0.2, on loopback) is closed, and the client's still gets through.
TEST(FtpServer, PassivePortRefusesAThirdAddress) {
  TestServer server;
  server.write_file("f.txt", "payload");
  RawControl c(server.port());
  c.greeting();
  ASSERT_TRUE(c.login());
  std::uint16_t port = epsv_port(c);
  wire::net::Socket thief(wire::net::Family::ipv4, wire::net::SocketType::stream);
  thief.bind(wire::net::Address::ip("127.0.0.2", 0));
  thief.connect(wire::net::Address::ip("127.0.0.1", port));
  c.send("RETR f.txt\r\n");
  ASSERT_TRUE(wire::test::wait_until([&] { return server.log().find("refused a data connection from 127.0.0.2") != std::string::npos; }, 10s));
  auto data = connect_data(port);
  EXPECT_EQ(c.read_reply().code, 150);
  EXPECT_EQ(recv_all(data), "payload");
  EXPECT_EQ(c.read_reply().code, 226);
  EXPECT_EQ(thief.recv(16), "");  // closed without a byte
}

TEST(FtpServer, LinesWithBareLineEndsOrNulAreRefused) {
  TestServer server;
  RawControl c(server.port());
  c.greeting();
  ASSERT_TRUE(c.login());
  EXPECT_EQ(c.command("NOOP\nDELE x").code, 500);  // a bare LF: the whole line is refused
  c.send(std::string("SIZE a\0b\r\n", 10));
  EXPECT_EQ(c.read_reply().code, 500);
  EXPECT_EQ(c.command("NOOP\rDELE x").code, 500);
  EXPECT_EQ(c.command(std::string(9000, 'A')).code, 500);
  EXPECT_EQ(c.command("NOOP").code, 200);  // and the session goes on
}

TEST(FtpServer, FailedLoginDelayDoublesAndTheLastFailureCloses) {
  EXPECT_EQ(wire::ftp::failed_login_delay({.login_failure_delay = 100ms}, 0), 0ms);
  EXPECT_EQ(wire::ftp::failed_login_delay({.login_failure_delay = 100ms}, 1), 100ms);
  EXPECT_EQ(wire::ftp::failed_login_delay({.login_failure_delay = 100ms}, 3), 400ms);
  EXPECT_EQ(wire::ftp::failed_login_delay({.login_failure_delay = 1s, .max_login_delay = 3s}, 5), 3s);
  wire::ftp::ServerOptions o;
  o.limits.login_failure_delay = 40ms;
  o.limits.max_login_failures = 3;
  TestServer server(o);
  RawControl c(server.port());
  c.greeting();
  std::vector<std::chrono::milliseconds> took;
  std::vector<int> codes;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(c.command("USER " + std::string(peers::kUser)).code, 331);
    auto start = std::chrono::steady_clock::now();
    codes.push_back(c.command("PASS wrong").code);
    took.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start));
  }
  EXPECT_EQ(codes, (std::vector<int>{530, 530, 421}));
  EXPECT_GE(took[0], 40ms);
  EXPECT_GE(took[1], 80ms);
  EXPECT_GE(took[2], 160ms);
  EXPECT_TRUE(c.closed_by_server());
  std::string log = server.log();
  EXPECT_NE(log.find("login failed for wire (1), answered after 40 ms"), std::string::npos) << log;
  EXPECT_NE(log.find("login failed for wire (2), answered after 80 ms"), std::string::npos) << log;
  EXPECT_NE(log.find("login failed for wire (3), answered after 160 ms"), std::string::npos) << log;
}

TEST(FtpServer, AnonymousMayOnlyRead) {
  TestServer server({.anonymous = true});
  server.write_file("pub.txt", "public");
  Client ftp("127.0.0.1", server.port());
  ftp.login();  // anonymous
  std::string got;
  ftp.retr("pub.txt", [&](std::span<const std::byte> p) { got.append(reinterpret_cast<const char*>(p.data()), p.size()); });
  EXPECT_EQ(got, "public");
  for (auto attempt : {+[](Client& f) { f.mkd("x"); }, +[](Client& f) { f.dele("pub.txt"); },
                       +[](Client& f) { f.stor("new.txt", [](std::span<std::byte>) -> std::size_t { return 0; }); }}) {
    try {
      attempt(ftp);
      ADD_FAILURE() << "an anonymous write succeeded";
    } catch (const wire::ftp::ReplyError& e) {
      EXPECT_EQ(e.code(), 550);
      EXPECT_EQ(e.text(), "Permission denied: this account may only read.");
    }
  }
  EXPECT_FALSE(std::filesystem::exists(server.root() / "new.txt"));
}

// An upload cut off (the data connection reset) is not kept: no file under its name, no
// temporary file left, and what was there before stays as it was.
TEST(FtpServer, InterruptedUploadLeavesNoFile) {
  TestServer server;
  server.write_file("kept.bin", "the old contents");
  RawControl c(server.port());
  c.greeting();
  ASSERT_TRUE(c.login());
  for (const char* name : {"new.bin", "kept.bin"}) {
    std::uint16_t port = epsv_port(c);
    auto data = connect_data(port);
    EXPECT_EQ(c.command(std::string("STOR ") + name).code, 150);
    data.send_all(wire::test::random_string(200'000, 5));
    linger reset{1, 0};  // close with RST: the upload is cut, not ended
    ::setsockopt(data.fd(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    data.close();
    EXPECT_EQ(c.read_reply().code, 426);
  }
  std::vector<std::string> left;
  for (const auto& e : std::filesystem::directory_iterator(server.root())) left.push_back(e.path().filename().string());
  EXPECT_EQ(left, std::vector<std::string>{"kept.bin"});
  EXPECT_EQ(read_file(server.root() / "kept.bin"), "the old contents");
  EXPECT_EQ(c.command("NOOP").code, 200);
}

TEST(FtpServer, AborStopsADownloadInProgress) {
  TestServer server;
  const std::size_t size = 64u << 20;
  peers::write_random_file(server.root() / "big.bin", size, 9);
  RawControl c(server.port());
  c.greeting();
  ASSERT_TRUE(c.login());
  std::uint16_t port = epsv_port(c);
  auto data = connect_data(port);
  EXPECT_EQ(c.command("RETR big.bin").code, 150);
  std::size_t got = data.recv_exactly(1 << 20).size();
  c.send("ABOR\r\n");
  got += recv_all(data).size();  // the server stops at its next piece and closes
  EXPECT_LT(got, size);
  EXPECT_EQ(c.read_reply().code, 426);
  EXPECT_EQ(c.read_reply().code, 226);
  EXPECT_EQ(c.command("NOOP").code, 200);
}

// A command other than ABOR that comes during a transfer waits its turn: the transfer goes on
// to its end, and the replies come in order (226, then the command's), a refused line included.
TEST(FtpServer, ACommandDuringATransferIsAnsweredAfterIt) {
  TestServer server;
  const std::size_t size = 32u << 20;
  std::string sum = peers::write_random_file(server.root() / "big.bin", size, 10);
  RawControl c(server.port());
  c.greeting();
  ASSERT_TRUE(c.login());
  std::uint16_t port = epsv_port(c);
  auto data = connect_data(port);
  EXPECT_EQ(c.command("RETR big.bin").code, 150);
  std::string got = data.recv_exactly(1 << 20);
  c.send("NOOP\r\nBAD\nLINE\r\n");
  got += recv_all(data);
  EXPECT_EQ(peers::sha256_hex(got), sum);
  EXPECT_EQ(c.read_reply().code, 226);
  EXPECT_EQ(c.read_reply().code, 200);
  EXPECT_EQ(c.read_reply().code, 500);
  EXPECT_EQ(c.command("PWD").code, 257);
}

TEST(FtpServer, EpsvAllRefusesTheOtherDataCommands) {
  TestServer server;
  RawControl c(server.port());
  c.greeting();
  ASSERT_TRUE(c.login());
  EXPECT_EQ(c.command("EPSV ALL").code, 200);
  EXPECT_EQ(c.command("PASV").code, 503);
  EXPECT_EQ(c.command("PORT 127,0,0,1,195,80").code, 503);
  EXPECT_EQ(c.command("EPSV 2").code, 522);  // the control connection is IPv4
  EXPECT_EQ(c.command("EPSV").code, 229);
}

TEST(FtpServer, ConnectionsPerAddressAndIdleTimeout) {
  wire::ftp::ServerOptions o;
  o.limits.max_connections_per_client = 2;
  o.limits.idle_timeout = 300ms;
  TestServer server(o);
  RawControl a(server.port());
  RawControl b(server.port());
  EXPECT_EQ(a.greeting().code, 220);
  EXPECT_EQ(b.greeting().code, 220);
  RawControl third(server.port());
  EXPECT_EQ(third.greeting().code, 421);
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(a.closed_by_server());  // silent for the idle timeout
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
}

// Over max_connections: 421 at once, as vsftpd's max_clients answers (it used to leave the
// client unanswered in the backlog until a slot freed); a slot freed serves again.
TEST(FtpServer, OverTheConnectionLimitIsAnswered421) {
  wire::ftp::ServerOptions o;
  o.threads = 1;
  o.limits.max_connections = 1;
  TestServer server(o);
  auto a = std::make_unique<RawControl>(server.port());
  EXPECT_EQ(a->greeting().code, 220);
  RawControl busy(server.port());
  auto reply = busy.greeting();
  EXPECT_EQ(reply.code, 421);
  EXPECT_EQ(reply.text(), "Too many users connected; try again later.");
  EXPECT_TRUE(busy.closed_by_server());
  a.reset();  // a slot: the next one is served
  bool served = wire::test::wait_until([&] { return RawControl(server.port()).greeting().code == 220; }, 10s, 20ms);
  EXPECT_TRUE(served);
}

// The whole client against the whole server: plain and TLS, passive and active, resume.
class FtpServerWithClient : public testing::TestWithParam<std::tuple<bool, DataMode>> {};

TEST_P(FtpServerWithClient, EveryTransferAndResume) {
  TestPki pki;
  auto [tls, mode] = GetParam();
  wire::ftp::ServerOptions o;
  if (tls) o.tls = pki.server_context();
  o.require_tls = tls;
  TestServer server(o);
  TempDir local("wire-ftp-local-");
  ClientOptions co{.security = tls ? Security::explicit_tls : Security::none, .tls = pki.client_context(),
                   .tls_server_name = "localhost", .data_mode = mode, .timeout = 20s};
  Client ftp("127.0.0.1", server.port(), co);
  ftp.login(std::string(peers::kUser), std::string(peers::kPassword));
  std::string data = wire::test::random_string(3'000'000, 21);
  std::string sum = peers::sha256_hex(data);
  {
    std::ofstream(local / "up.bin", std::ios::binary) << data;
  }
  EXPECT_EQ(ftp.upload(local / "up.bin", "dir/../up.bin"), data.size());
  EXPECT_EQ(peers::sha256_file(server.root() / "up.bin"), sum);
  EXPECT_EQ(ftp.download("up.bin", local / "down.bin"), data.size());
  EXPECT_EQ(peers::sha256_file(local / "down.bin"), sum);
  std::filesystem::resize_file(local / "down.bin", 1'000'000);
  EXPECT_EQ(ftp.download("up.bin", local / "down.bin", {.resume = true}), data.size() - 1'000'000);
  EXPECT_EQ(peers::sha256_file(local / "down.bin"), sum);
  std::filesystem::resize_file(server.root() / "up.bin", 777'777);
  EXPECT_EQ(ftp.upload(local / "up.bin", "up.bin", {.resume = true}), data.size() - 777'777);
  EXPECT_EQ(peers::sha256_file(server.root() / "up.bin"), sum);
  auto entries = ftp.mlsd();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].name, "up.bin");
  EXPECT_EQ(entries[0].size, data.size());
  auto listing = ftp.list();
  ASSERT_EQ(listing.size(), 1u);
  EXPECT_EQ(listing[0].format, wire::ftp::ListEntry::Format::unix);
  EXPECT_EQ(listing[0].name, "up.bin");
  EXPECT_EQ(listing[0].size, data.size());
  ftp.quit();
}

INSTANTIATE_TEST_SUITE_P(Modes, FtpServerWithClient,
                         testing::Combine(testing::Bool(), testing::Values(DataMode::passive, DataMode::active)),
                         [](const auto& p) {
                           return std::string(std::get<0>(p.param) ? "tls_" : "plain_") +
                                  (std::get<1>(p.param) == DataMode::passive ? "passive" : "active");
                         });

TEST(FtpServer, RequireTlsRefusesLoginAndClearDataBeforeTls) {
  TestPki pki;
  TestServer server({.tls = pki.server_context(), .require_tls = true});
  RawControl c(server.port());
  c.greeting();
  auto r = c.command("USER " + std::string(peers::kUser));
  EXPECT_EQ(r.code, 530);
  EXPECT_EQ(r.text(), "TLS required: send AUTH TLS first.");
  EXPECT_EQ(c.command("PBSZ 0").code, 503);
  // A client that asks for clear data connections is refused them.
  Client ftp("127.0.0.1", server.port(),
             {.security = Security::explicit_tls, .tls = pki.client_context(), .tls_server_name = "localhost",
              .protect_data = false});
  try {
    ftp.login(std::string(peers::kUser), std::string(peers::kPassword));
    FAIL() << "PROT C was accepted";
  } catch (const wire::ftp::ReplyError& e) {
    EXPECT_EQ(e.code(), 534);
  }
}

}  // namespace
