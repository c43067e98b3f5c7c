// SPDX-License-Identifier: MIT
#include "tls_helpers.hpp"

#include <openssl/evp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "io/io_helpers.hpp"
#include "support/net.hpp"
#include "wire/net/tcp.hpp"

#ifndef WIRE_TEST_OPENSSL
#define WIRE_TEST_OPENSSL ""
#endif

namespace wire::test::tls {

testing::AssertionResult is_tls_error(const std::optional<wire::tls::Error>& error, wire::tls::Errc code,
                                      std::initializer_list<std::string_view> words) {
  if (!error) return testing::AssertionFailure() << "no wire::tls::Error was thrown";
  std::string what = error->what();
  if (error->code() != code) {
    return testing::AssertionFailure() << "wrong code: " << error->code().message() << " (expected "
                                       << wire::tls::make_error_code(code).message() << "): " << what;
  }
  for (auto word : words) {
    if (!contains(what, word)) {
      return testing::AssertionFailure() << "what() lacks \"" << word << "\": " << what;
    }
  }
  return testing::AssertionSuccess() << what;
}

std::string sha256_hex(std::span<const std::byte> data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("EVP_Digest failed");
  }
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

ScriptedPeer::ScriptedPeer(std::function<void(wire::net::Socket&)> session, std::string_view host)
    : listener_(wire::net::tcp_listen(host, 0)), port_(listener_.local_address().port()) {
  listener_.set_timeout(20s);
  thread_ = std::make_unique<Background>([this, session = std::move(session)] {
    auto accepted = listener_.accept();
    accepted.socket.set_timeout(10s);
    session(accepted.socket);
  });
}

ScriptedPeer::~ScriptedPeer() {
  // Wakes an accept() still waiting (its client never came): it fails with EINVAL.
  ::shutdown(listener_.fd(), SHUT_RDWR);
  thread_.reset();  // joins
}

void ScriptedPeer::join() { thread_->join(); }

AsyncPeer::AsyncPeer(std::function<wire::io::Task<void>(wire::io::Stream)> session, std::string_view host) {
  wire::net::Socket listening = wire::net::tcp_listen(host, 0);
  address_ = listening.local_address();
  thread_ = std::make_unique<Background>(
      [this, session = std::move(session), listening = std::move(listening)]() mutable {
        auto serve = [&]() -> wire::io::Task<void> {
          wire::io::Listener listener(std::move(listening));
          auto accepted = co_await listener.accept();
          accepted_ = true;
          accepted.stream.set_read_timeout(10s);
          accepted.stream.set_write_timeout(10s);
          co_await session(std::move(accepted.stream));
        };
        wire::test::io::run_bounded(serve(), 30s);
      });
}

AsyncPeer::~AsyncPeer() {
  if (!accepted_) {
    // Its client never came: one that hangs up at once ends the accept and the session.
    wire::net::Socket wake(address_.family(), wire::net::SocketType::stream);
    std::error_code ec;
    wake.connect(address_, ec);
  }
  thread_.reset();  // joins
}

void AsyncPeer::join() { thread_->join(); }

std::string drain(wire::net::Socket& socket) {
  std::string all;
  char buf[65536];
  while (all.size() < (64u << 20)) {
    std::error_code ec;
    std::size_t n = socket.recv(std::as_writable_bytes(std::span(buf)), ec);
    if (ec || n == 0) break;
    all.append(buf, n);
  }
  return all;
}

std::string record_types(std::string_view bytes) {
  std::string types;
  while (bytes.size() >= 5) {
    std::size_t len = (static_cast<unsigned char>(bytes[3]) << 8) | static_cast<unsigned char>(bytes[4]);
    if (bytes.size() < 5 + len) return "";
    types += static_cast<char>(bytes[0]);
    bytes.remove_prefix(5 + len);
  }
  return bytes.empty() ? types : "";
}

std::string record_client_bytes(wire::net::Socket& s, const wire::tls::Context& ctx) {
  wire::tls::Engine server(ctx);
  std::string all;
  bool failed = false;
  char buf[16384];
  for (int i = 0; i < 10000; ++i) {
    if (!failed) {
      try {
        server.handshake();
      } catch (const wire::tls::Error&) {
        failed = true;  // keep recording
      }
      auto out = server.output();
      if (!out.empty()) s.send_all(out);
      server.consume_output(out.size());
    }
    std::error_code ec;
    std::size_t n = s.recv(std::as_writable_bytes(std::span(buf)), ec);
    if (ec || n == 0) break;
    all.append(buf, n);
    if (!failed) {
      auto space = server.input_space();
      std::memcpy(space.data(), buf, std::min(n, space.size()));
      server.commit_input(std::min(n, space.size()));
    }
  }
  return all;
}

const std::string& openssl() {
  static const std::string path = WIRE_TEST_OPENSSL;
  if (path.empty()) {
    throw std::runtime_error(
        "the openssl program was not found when CMake configured the tests; run scripts/install-deps.sh "
        "(Debian's openssl) and reconfigure");
  }
  return path;
}

std::vector<std::string> cert_args(const TestPki& pki, std::string_view name) {
  return {"-cert", pki.cert_file(name).string(), "-key", pki.key_file(name).string()};
}

SServer::SServer(const TestPki& pki, std::vector<std::string> args, std::string input) {
  // free_tcp_port() is racy: if another process takes the port first, s_server
  // fails to bind and exits, and we try again with another.
  std::string last_error;
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = free_tcp_port();
    std::vector<std::string> argv{openssl(), "s_server", "-accept", "127.0.0.1:" + std::to_string(port_),
                                  "-quiet"};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.cwd = pki.dir();
    options.input = input;
    options.hold_stdin = true;
    process_ = std::make_unique<ChildProcess>(argv, options);
    bool listening =
        wait_until([&] { return !process_->running() || wait_for_listening_port(port_, 0ms); }, 10s, 5ms);
    if (listening && process_->running()) return;
    auto result = process_->stop(SIGKILL, 0ms);
    last_error = result.err;
  }
  throw std::runtime_error("openssl s_server did not start listening: " + last_error);
}

wire::test::ProcessResult run_s_client(std::uint16_t port, const std::vector<std::string>& args,
                                       std::string input, std::chrono::milliseconds timeout) {
  std::vector<std::string> argv{openssl(), "s_client", "-connect", "127.0.0.1:" + std::to_string(port)};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions options;
  options.input = std::move(input);
  options.timeout = timeout;
  return run_process(argv, options);
}

}  // namespace wire::test::tls
