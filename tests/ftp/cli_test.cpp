// SPDX-License-Identifier: MIT
// The `wire ftp` commands end to end: `wire ftp serve` as a child process (plain, and FTPS with
// a certificate of the test PKI) and every client command against it; failures are one line
// on stderr and a non-zero exit.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "http/peers.hpp"
#include "peers.hpp"
#include "support/certs.hpp"
#include "support/process.hpp"
#include "support/random.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"
#include "wire/net/tcp.hpp"

namespace {

using namespace std::chrono_literals;
using wire::test::ChildProcess;
using wire::test::TempDir;
using wire::test::TestPki;
using wire::test::http::run_wire;
namespace peers = wire::test::ftp;

// `wire ftp serve ROOT --port 0 ...` until the test ends; url() is what it printed.
class WireFtpServe {
 public:
  WireFtpServe(const std::filesystem::path& root, std::vector<std::string> extra) {
    std::vector<std::string> argv{WIRE_TEST_CLI, "ftp", "serve", root.string(), "--port", "0", "--threads", "1"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    process_ = std::make_unique<ChildProcess>(argv);
    bool ready = wire::test::wait_until(
        [&] { return !process_->running() || process_->out().find("(Ctrl-C to stop)") != std::string::npos; }, 10s);
    std::string out = process_->out();
    auto at = out.find("ftp://localhost:");
    if (!ready || at == std::string::npos) throw std::runtime_error("wire ftp serve did not start: " + out + process_->err());
    port_ = out.substr(at + 16, out.find('/', at + 16) - at - 16);
  }
  std::string url(std::string_view userinfo, std::string_view path) const {
    return "ftp://" + std::string(userinfo) + "localhost:" + port_ + "/" + std::string(path);
  }
  const std::string& port() const noexcept { return port_; }
  wire::test::ProcessResult stop() { return process_->stop(SIGTERM, 5s); }

 private:
  std::unique_ptr<ChildProcess> process_;
  std::string port_;
};

TEST(WireFtpCli, PutLsGetMkdirRmAgainstWireFtpServe) {
  TempDir root("wire-ftp-cli-root-");
  TempDir local("wire-ftp-cli-local-");
  WireFtpServe server(root.path(), {"--user", "alice", "--password", "s3cret", "--log"});
  std::string data = wire::test::random_string(2'500'000, 3);
  { std::ofstream(local / "up.bin", std::ios::binary) << data; }
  auto r = run_wire({"ftp", "put", server.url("alice:s3cret@", ""), (local / "up.bin").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(peers::sha256_file(root / "up.bin"), peers::sha256_hex(data));
  r = run_wire({"ftp", "mkdir", server.url("alice:s3cret@", "new%20dir")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "/new dir\n");
  r = run_wire({"ftp", "ls", server.url("alice:s3cret@", "")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("-        2500000  "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  up.bin\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("d              -  "), std::string::npos) << r.out;
  r = run_wire({"ftp", "get", server.url("alice:s3cret@", "up.bin"), (local / "down.bin").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(peers::sha256_file(local / "down.bin"), peers::sha256_hex(data));
  std::filesystem::resize_file(local / "down.bin", 1000);
  r = run_wire({"ftp", "get", "--resume", server.url("alice:s3cret@", "up.bin"), (local / "down.bin").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(peers::sha256_file(local / "down.bin"), peers::sha256_hex(data));
  r = run_wire({"ftp", "rm", server.url("alice:s3cret@", "up.bin")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(std::filesystem::exists(root / "up.bin"));
  // Failures: one line on stderr, non-zero, and no file under the name asked for.
  r = run_wire({"ftp", "get", server.url("alice:s3cret@", "up.bin"), (local / "gone.bin").string()});
  EXPECT_EQ(r.exit_code, 78);  // curl's "remote file not found"
  EXPECT_EQ(r.err, "wire: FTP localhost:" + server.port() + ": RETR up.bin: 550 RETR: No such file or directory.\n");
  EXPECT_FALSE(std::filesystem::exists(local / "gone.bin"));
  r = run_wire({"ftp", "ls", server.url("alice:wrong@", "")});
  EXPECT_EQ(r.exit_code, 67);  // login denied
  EXPECT_NE(r.err.find("530 Login incorrect."), std::string::npos) << r.err;
  r = run_wire({"ftp", "ls", "--tls", server.url("alice:s3cret@", "")});  // a plain server: no AUTH TLS
  EXPECT_EQ(r.exit_code, 64);  // TLS required and refused
  EXPECT_NE(r.err.find("AUTH TLS: 502"), std::string::npos) << r.err;
  auto stopped = server.stop();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_NE(stopped.out.find("received /up.bin"), std::string::npos) << stopped.out;
}

TEST(WireFtpCli, FtpsWithACertificateAndRequireTls) {
  TestPki pki;
  TempDir root("wire-ftp-cli-root-");
  root.write_file("hello.txt", "over TLS\n");
  WireFtpServe server(root.path(), {"--anonymous", "--tls-cert", pki.cert_file("leaf").string(), "--tls-key",
                                    pki.key_file("leaf").string(), "--require-tls"});
  auto r = run_wire({"ftp", "get", "--tls", "--cacert", pki.ca_file().string(), server.url("", "hello.txt"), "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "over TLS\n");
  r = run_wire({"ftp", "get", server.url("", "hello.txt"), "-"});  // in clear: refused
  EXPECT_EQ(r.exit_code, 67);  // the login (USER) refused
  EXPECT_NE(r.err.find("530 TLS required: send AUTH TLS first."), std::string::npos) << r.err;
  r = run_wire({"ftp", "get", "--tls", server.url("", "hello.txt"), "-"});  // the system CAs do not know it
  EXPECT_EQ(r.exit_code, 60);  // curl's "certificate not verified", as for wire http get
  EXPECT_NE(r.err.find("certificate verify failed"), std::string::npos) << r.err;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The same failure against the same server exits as curl does: curl (Debian's) and wire side by
// side, each refusal caused for real by `wire ftp serve`, the status compared, not assumed.
TEST(WireFtpCli, ExitStatusesAreCurls) {
  TempDir root("wire-ftp-exit-root-");
  TempDir local("wire-ftp-exit-local-");
  root.write_file("a.txt", "twelve bytes");
  std::filesystem::create_directory(root / "d");
  WireFtpServe server(root.path(), {"--user", "alice", "--password", "s3cret"});
  WireFtpServe anonymous(root.path(), {"--anonymous"});
  WireFtpServe one_each(root.path(), {"--anonymous", "--max-per-client", "1"});
  auto curl = [](std::vector<std::string> args) {
    args.insert(args.begin(), {"curl", "-sS", "--max-time", "20"});
    return wire::test::run_process(args);
  };
  struct Case {
    std::string what;
    std::vector<std::string> curl;
    std::vector<std::string> wire;
    int status;
  };
  std::string out = (local / "out").string();
  std::string up = root.write_file("up.txt", "upload").string();
  std::vector<Case> cases = {
      {"a wrong password", {server.url("alice:wrong@", "a.txt"), "-o", out},
       {"ftp", "get", server.url("alice:wrong@", "a.txt"), out}, 67},
      {"no such file", {server.url("alice:s3cret@", "missing.txt"), "-o", out},
       {"ftp", "get", server.url("alice:s3cret@", "missing.txt"), out}, 78},
      {"no such directory to list", {server.url("alice:s3cret@", "nodir/")},
       {"ftp", "ls", server.url("alice:s3cret@", "nodir/")}, 9},
      {"an upload to a read-only login", {"-T", up, anonymous.url("", "b.txt")},
       {"ftp", "put", anonymous.url("", "b.txt"), up}, 25},
      {"TLS required, a server without it", {"--ssl-reqd", server.url("alice:s3cret@", "a.txt"), "-o", out},
       {"ftp", "get", "--tls", server.url("alice:s3cret@", "a.txt"), out}, 64},
      {"DELE refused", {"-Q", "DELE missing.txt", server.url("alice:s3cret@", "")},
       {"ftp", "rm", server.url("alice:s3cret@", "missing.txt")}, 21},
      {"MKD refused", {"-Q", "MKD d", server.url("alice:s3cret@", "")},
       {"ftp", "mkdir", server.url("alice:s3cret@", "d")}, 21},
  };
  for (const Case& c : cases) {
    auto by_curl = curl(c.curl);
    auto by_wire = run_wire(c.wire);
    EXPECT_EQ(by_curl.exit_code, c.status) << c.what << ": curl said " << by_curl.err;
    EXPECT_EQ(by_wire.exit_code, c.status) << c.what << ": wire said " << by_wire.err;
    EXPECT_FALSE(by_wire.err.empty()) << c.what;
  }

  // Resuming with a local file longer than the remote one: 36, the local file untouched.
  std::string longer = local.write_file("longer.txt", "more than twelve bytes").string();
  auto by_curl = curl({"-C", "-", "-o", longer, server.url("alice:s3cret@", "a.txt")});
  auto by_wire = run_wire({"ftp", "get", "--resume", server.url("alice:s3cret@", "a.txt"), longer});
  EXPECT_EQ(by_curl.exit_code, 36) << by_curl.err;
  EXPECT_EQ(by_wire.exit_code, 36) << by_wire.err;
  EXPECT_EQ(slurp(longer), "more than twelve bytes");
  // ...and with the whole file already there: nothing to do, 0, the file as it was.
  std::string whole = local.write_file("whole.txt", "twelve bytes").string();
  by_wire = run_wire({"ftp", "get", "--resume", server.url("alice:s3cret@", "a.txt"), whole});
  EXPECT_EQ(by_wire.exit_code, 0) << by_wire.err;
  EXPECT_EQ(slurp(whole), "twelve bytes");

  // 421 (here: over --max-per-client while another connection is open) is curl's 28.
  auto held = wire::net::tcp_connect("127.0.0.1", static_cast<std::uint16_t>(std::stoi(one_each.port())));
  char greeting[64];
  ASSERT_GT(held.recv(std::as_writable_bytes(std::span(greeting))), 0u);  // the connection counts now
  by_curl = curl({one_each.url("", "a.txt"), "-o", out});
  by_wire = run_wire({"ftp", "get", one_each.url("", "a.txt"), out});
  EXPECT_EQ(by_curl.exit_code, 28) << by_curl.err;
  EXPECT_EQ(by_wire.exit_code, 28) << by_wire.err;
  EXPECT_NE(by_wire.err.find("421"), std::string::npos) << by_wire.err;

  // ...and over --max-connections, where the client used to wait unanswered (curl: 120 s).
  WireFtpServe full(root.path(), {"--anonymous", "--max-connections", "1"});
  auto holder = wire::net::tcp_connect("127.0.0.1", static_cast<std::uint16_t>(std::stoi(full.port())));
  ASSERT_GT(holder.recv(std::as_writable_bytes(std::span(greeting))), 0u);
  by_curl = curl({full.url("", "a.txt"), "-o", out});
  by_wire = run_wire({"ftp", "get", full.url("", "a.txt"), out});
  EXPECT_EQ(by_curl.exit_code, 28) << by_curl.err;
  EXPECT_EQ(by_wire.exit_code, 28) << by_wire.err;
  EXPECT_NE(by_wire.err.find("421 Too many users connected"), std::string::npos) << by_wire.err;
}

}  // namespace
