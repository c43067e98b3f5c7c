// SPDX-License-Identifier: MIT
// Helpers for the server tests: a wire::ftp::Server on a free loopback port over a temporary
// root, and a raw control connection that sends lines as given and reads replies whole.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "support/temp_dir.hpp"
#include "wire/dialogue/reply_parser.hpp"
#include "wire/ftp/server.hpp"
#include "wire/net/socket.hpp"

namespace wire::test::ftp {

/// A started server on 127.0.0.1 (port 0) serving a temporary root, with the user kUser
/// (kPassword) who may write, and anonymous reading when asked. Lines the server logs are kept.
///   TestServer server;  server.write_file("a.txt", "hi");  ... server.port() ...
class TestServer {
 public:
  explicit TestServer(wire::ftp::ServerOptions options = {});
  ~TestServer();
  std::uint16_t port() const { return server_->local_address().port(); }
  const std::filesystem::path& root() const { return dir_.path(); }
  std::filesystem::path write_file(std::string_view name, std::string_view contents) const {
    return dir_.write_file(name, contents);
  }
  wire::ftp::Server& server() { return *server_; }
  /// The log lines so far, each ended by "\n".
  std::string log() const;

 private:
  TempDir dir_{"wire-ftp-root-"};
  struct Log;
  std::shared_ptr<Log> log_;
  std::unique_ptr<wire::ftp::Server> server_;
};

/// A control connection driven by hand: lines go out exactly as given (CRLF added by
/// command()), replies are read whole (multi-line included) with a 10 s timeout.
///   RawControl c(port);  EXPECT_EQ(c.greeting().code, 220);  EXPECT_EQ(c.command("NOOP").code, 200);
class RawControl {
 public:
  explicit RawControl(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  dialogue::Reply greeting() { return read_reply(); }
  /// Sends `line` + CRLF and reads the reply.
  dialogue::Reply command(std::string_view line);
  /// Sends raw bytes.
  void send(std::string_view bytes);
  dialogue::Reply read_reply();
  /// USER and PASS as kUser; true on 230.
  bool login();
  /// Whether the server closed the connection (a read returns EOF within the timeout).
  bool closed_by_server();
  net::Socket& socket() { return socket_; }

 private:
  net::Socket socket_;
  dialogue::ReplyParser parser_{dialogue::Syntax::ftp};
  std::string pending_;
};

}  // namespace wire::test::ftp
