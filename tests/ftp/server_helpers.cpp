// SPDX-License-Identifier: MIT
#include "server_helpers.hpp"

#include <mutex>
#include <stdexcept>

#include "peers.hpp"
#include "wire/net/tcp.hpp"

namespace wire::test::ftp {

struct TestServer::Log {
  std::mutex mutex;
  std::string lines;
};

TestServer::TestServer(wire::ftp::ServerOptions options) : log_(std::make_shared<Log>()) {
  options.host = "127.0.0.1";
  options.port = 0;
  if (options.threads == 0) options.threads = 1;
  options.root = dir_.path();
  if (options.users.empty()) options.users.push_back({std::string(kUser), std::string(kPassword), true});
  auto log = log_;
  options.log = [log](std::string_view line) {
    std::lock_guard lock(log->mutex);
    log->lines.append(line);
    log->lines += '\n';
  };
  server_ = std::make_unique<wire::ftp::Server>(std::move(options));
  server_->start();
}

TestServer::~TestServer() { server_->shutdown(std::chrono::milliseconds(500)); }

std::string TestServer::log() const {
  std::lock_guard lock(log_->mutex);
  return log_->lines;
}

RawControl::RawControl(std::uint16_t port, std::chrono::milliseconds timeout)
    : socket_(net::tcp_connect("127.0.0.1", port, timeout)) {}

void RawControl::send(std::string_view bytes) { socket_.send_all(std::as_bytes(std::span(bytes.data(), bytes.size()))); }

dialogue::Reply RawControl::command(std::string_view line) {
  send(std::string(line) + "\r\n");
  return read_reply();
}

dialogue::Reply RawControl::read_reply() {
  for (int i = 0; i < 10000; ++i) {
    std::size_t used = parser_.feed(pending_);
    pending_.erase(0, used);
    auto ev = parser_.next();
    if (ev.kind == dialogue::ReplyEvent::reply) return parser_.take_reply();
    if (ev.kind == dialogue::ReplyEvent::error) throw std::runtime_error("malformed reply: " + parser_.error().message());
    if (!pending_.empty()) continue;
    std::string got = socket_.recv(4096);
    if (got.empty()) throw std::runtime_error("the server closed the connection");
    pending_ += got;
  }
  throw std::runtime_error("no reply");
}

bool RawControl::login() {
  if (command("USER " + std::string(kUser)).code != 331) return false;
  return command("PASS " + std::string(kPassword)).code == 230;
}

bool RawControl::closed_by_server() {
  try {
    for (int i = 0; i < 1000; ++i) {
      if (socket_.recv(4096).empty()) return true;
    }
  } catch (const std::system_error&) {
    return false;
  }
  return false;
}

}  // namespace wire::test::ftp
