// SPDX-License-Identifier: MIT
#include "client_helpers.hpp"

#include <openssl/evp.h>
#include <sys/socket.h>

#include <cctype>
#include <stdexcept>

#include "wire/net/tcp.hpp"

namespace wire::test::http {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("EVP_DigestInit_ex failed");
  }
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256::update(std::string_view data) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size());
}

void Sha256::update(std::span<const std::byte> data) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size());
}

std::string Sha256::hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), digest, &len);
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += digits[digest[i] >> 4];
    out += digits[digest[i] & 15];
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  Sha256 sha;
  sha.update(data);
  return sha.hex();
}

testing::AssertionResult is_failure(const Failure& failure, Failure::Kind kind, std::error_code code,
                                    std::initializer_list<std::string_view> words) {
  static const char* const kinds[] = {"no exception", "http::Error", "TimeoutError", "std::system_error",
                                      "another exception"};
  if (failure.kind != kind) {
    return testing::AssertionFailure() << "got " << kinds[static_cast<int>(failure.kind)] << " (expected "
                                       << kinds[static_cast<int>(kind)] << "): " << failure.code.message()
                                       << ": " << failure.what;
  }
  // A code, or the portable condition it stands for (ECONNREFUSED as std::errc).
  if (failure.code != code && failure.code.default_error_condition() != code.default_error_condition()) {
    return testing::AssertionFailure() << "wrong code " << failure.code.category().name() << ":"
                                       << failure.code.message() << " (expected " << code.category().name()
                                       << ":" << code.message() << "): " << failure.what;
  }
  for (auto word : words) {
    if (failure.what.find(word) == std::string::npos) {
      return testing::AssertionFailure() << "what() lacks \"" << word << "\": " << failure.what;
    }
  }
  return testing::AssertionSuccess() << failure.what;
}

RawServer::RawServer(Session session, int max_connections)
    : listener_(wire::net::tcp_listen("127.0.0.1", 0)), port_(listener_.local_address().port()) {
  listener_.set_timeout(20s);
  thread_ = std::make_unique<Background>([this, session = std::move(session), max_connections] {
    for (int n = 0; n < max_connections; ++n) {
      std::error_code ec;
      auto accepted = listener_.accept(ec);
      if (ec) return;  // shut down by the destructor, or nobody came
      ++accepted_;
      accepted.socket.set_timeout(10s);
      session(accepted.socket, n);
    }
  });
}

RawServer::~RawServer() {
  ::shutdown(listener_.fd(), SHUT_RDWR);  // wakes an accept() still waiting: it fails with EINVAL
  thread_.reset();                        // joins
}

void RawServer::join() {
  ::shutdown(listener_.fd(), SHUT_RDWR);
  thread_->join();
}

std::string read_head(wire::net::Socket& s) {
  std::error_code ec;
  std::string head = s.recv_until("\r\n\r\n", 1 << 20, ec);
  if (ec) return "";
  return head;
}

std::string read_request(wire::net::Socket& s) {
  std::string head = read_head(s);
  if (head.empty()) return head;
  // Content-Length, found without case (a test server needs no more than this).
  std::string lower;
  for (char c : head) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto at = lower.find("\r\ncontent-length:");
  if (at == std::string::npos) return head;
  std::size_t length = std::stoul(head.substr(at + 17));
  if (length == 0) return head;
  return head + s.recv_exactly(length);
}

std::string read_to_eof(wire::net::Socket& s) {
  std::string all;
  char buf[65536];
  while (all.size() < (64u << 20)) {
    std::error_code ec;
    std::size_t n = s.recv(std::as_writable_bytes(std::span(buf)), ec);
    if (ec || n == 0) break;
    all.append(buf, n);
  }
  return all;
}

void send_quietly(wire::net::Socket& s, std::string_view data) {
  std::error_code ec;
  s.send_all(std::as_bytes(std::span(data)), ec);
}

std::string body_of(std::string_view message) {
  auto end = message.find("\r\n\r\n");
  return end == std::string_view::npos ? std::string() : std::string(message.substr(end + 4));
}

}  // namespace wire::test::http
