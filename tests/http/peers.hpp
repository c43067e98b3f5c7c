// SPDX-License-Identifier: MIT
// HTTP servers that are not ours, started by the tests on free loopback ports:
// Debian's nginx with a generated configuration, and Python's http.server; and
// the `wire` command-line tool run as a child.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "support/certs.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace wire::test::http {

/// nginx (WIRE_TEST_NGINX, Debian's /usr/sbin/nginx) in one unprivileged process
/// (`daemon off; master_process off;`), everything it writes (pid, logs, temp
/// paths) inside a temporary directory, listening on 127.0.0.1 on three free ports:
///   port()             plain HTTP
///   tls_port()         HTTPS with pki's "leaf" (localhost, 127.0.0.1), signed by pki's CA
///   self_signed_port() HTTPS with pki's "self_signed" certificate (answers "self-signed\n")
/// The first two serve root() as static files, gzip on for text/plain, plus these
/// locations (see nginx.cpp for the exact configuration):
///   /method                  200, the request's method
///   /conn                    200, "$connection $connection_requests": which connection, how many requests on it
///   /headers                 200, "x-test=... user-agent=... accept=... accept-encoding=...", one a line
///   /r301 /r302 /r303 /r307 /r308   that status, Location: /method (made absolute by nginx)
///   /relative                302, Location: /method as written (absolute_redirect off)
///   /to-conn                 302 to /conn
///   /to-https                302 to https://127.0.0.1:<tls_port>/method
///   /loop                    302 to itself
///   /sub/FILE                FILE with "@@NAME@@" replaced by "wire" (sub_filter): no length, chunked
///   /missing                 404, "not here\n"
/// The destructor stops it (SIGTERM, by its PID) and removes the directory.
///   Nginx nginx(pki);
///   nginx.write_file("a.bin", data);
///   auto conn = wire::http::Connection::http("127.0.0.1", nginx.port());
class Nginx {
 public:
  explicit Nginx(const TestPki& pki);
  ~Nginx();
  Nginx(const Nginx&) = delete;
  Nginx& operator=(const Nginx&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  std::uint16_t tls_port() const noexcept { return tls_port_; }
  std::uint16_t self_signed_port() const noexcept { return self_signed_port_; }
  /// "http://127.0.0.1:<port>" (or https with the TLS port) and `path`.
  std::string url(std::string_view path) const;
  std::string tls_url(std::string_view path) const;
  /// The document root.
  std::filesystem::path root() const { return dir_ / "www"; }
  /// Writes a file under root() (served at once: nginx opens files per request).
  std::filesystem::path write_file(std::string_view name, std::string_view contents) const;
  /// The directory holding the configuration, logs and pid file.
  const std::filesystem::path& dir() const noexcept { return dir_.path(); }
  /// What nginx wrote to stderr so far (its error log, at level warn and up).
  std::string errors() const;
  /// Stops nginx (SIGTERM) and returns how it ended; idempotent.
  ProcessResult stop();

 private:
  TempDir dir_;
  std::uint16_t port_ = 0;
  std::uint16_t tls_port_ = 0;
  std::uint16_t self_signed_port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

/// Python's http.server (/usr/bin/python3 -m http.server), HTTP/1.0: one request
/// per connection, closed after each response. Serves dir() on 127.0.0.1, on the
/// port it chose itself (port 0), read from its first line of output.
class PythonHttpServer {
 public:
  PythonHttpServer();
  ~PythonHttpServer();
  PythonHttpServer(const PythonHttpServer&) = delete;
  PythonHttpServer& operator=(const PythonHttpServer&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  std::string url(std::string_view path) const;
  const std::filesystem::path& dir() const noexcept { return dir_.path(); }
  std::filesystem::path write_file(std::string_view name, std::string_view contents) const {
    return dir_.write_file(name, contents);
  }
  /// Its log so far (one line per request on stderr).
  std::string log() const { return process_->err(); }
  ProcessResult stop();

 private:
  TempDir dir_;
  std::uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

/// Runs the `wire` tool (WIRE_TEST_CLI) with `args`, at most `timeout`.
///   auto r = run_wire({"http", "get", url});
ProcessResult run_wire(const std::vector<std::string>& args, std::string input = {},
                       std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace wire::test::http
