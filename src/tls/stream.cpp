// SPDX-License-Identifier: MIT
#include "wire/tls/stream.hpp"

#include <algorithm>

#include "transport.hpp"
#include "wire/error.hpp"
#include "wire/net/tcp.hpp"

namespace wire::tls {

using Clock = std::chrono::steady_clock;

// The socket's timeout bounds a whole Stream call: each transport step gets
// what is left of it, and the socket's own setting is put back afterwards.
class Stream::Call {
 public:
  Call(Stream& stream, const char* operation)
      : stream_(stream), operation_(operation), saved_(stream.socket_.timeout()) {
    if (saved_ && saved_->count() > 0) deadline_ = Clock::now() + *saved_;
  }
  Call(const Call&) = delete;
  ~Call() {
    if (armed_) {
      try {
        stream_.socket_.set_timeout(saved_);
      } catch (...) {  // the socket is unusable anyway
      }
    }
  }
  // Gives the socket what is left of the deadline before a transport step.
  void arm() {
    if (!deadline_) return;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline_ - Clock::now());
    if (left.count() <= 0) timed_out();
    stream_.socket_.set_timeout(left);
    armed_ = true;
  }
  [[noreturn]] void timed_out() const {
    throw TimeoutError(std::string("TLS ") + operation_ + " with " + stream_.peer_ + ": timed out");
  }
  const char* operation() const noexcept { return operation_; }

 private:
  Stream& stream_;
  const char* operation_;
  net::Timeout saved_;
  std::optional<Clock::time_point> deadline_;
  bool armed_ = false;
};

Stream Stream::connect(const Context& context, std::string_view host, std::uint16_t port,
                       std::chrono::milliseconds timeout) {
  auto start = Clock::now();
  net::Socket socket = net::tcp_connect(host, port, timeout);
  auto left = std::chrono::ceil<std::chrono::milliseconds>(timeout - (Clock::now() - start));
  socket.set_timeout(std::max(left, std::chrono::milliseconds(1)));
  Stream stream(std::move(socket), context, host);
  stream.handshake();
  stream.socket_.set_timeout(timeout);
  return stream;
}

Stream::Stream(net::Socket socket, const Context& context, std::string_view server_name)
    : socket_(std::move(socket)),
      peer_(detail::describe_peer(socket_.fd(), server_name)),
      engine_(context, server_name, peer_),
      client_(context.role() == Role::client) {}

Stream& Stream::operator=(Stream&& other) noexcept {
  if (this != &other) {
    close();
    socket_ = std::move(other.socket_);
    peer_ = std::move(other.peer_);
    engine_ = std::move(other.engine_);
    client_ = other.client_;
    started_ = other.started_;
  }
  return *this;
}

Stream::~Stream() { close(); }

void Stream::handshake() {
  Call call(*this, "handshake");
  handshake(call);
}

void Stream::handshake(Call& call) {
  if (engine_.handshake_done()) return;
  if (!started_ && client_) detail::refuse_waiting_plaintext(socket_.fd(), peer_);
  started_ = true;
  for (;;) {
    Engine::Status status;
    try {
      status = engine_.handshake();
    } catch (const Error&) {
      // Tell the peer why (the alert), without waiting: the error is what matters.
      detail::send_without_waiting(socket_.fd(), engine_);
      throw;
    }
    flush(call);
    if (status == Engine::Status::done) return;
    fill(call, "handshake");
  }
}

void Stream::flush(Call& call) {
  while (!engine_.output().empty()) {
    call.arm();
    std::error_code ec;
    std::size_t n = socket_.send(engine_.output(), ec);
    if (ec == std::errc::timed_out) call.timed_out();
    if (ec) throw_error(ec, std::string("TLS ") + call.operation() + " with " + peer_);
    engine_.consume_output(n);
  }
}

void Stream::fill(Call& call, const char* operation) {
  call.arm();
  std::error_code ec;
  std::size_t n = socket_.recv(engine_.input_space(), ec);
  if (ec == std::errc::timed_out) call.timed_out();
  if (ec) throw_error(ec, std::string("TLS ") + operation + " with " + peer_);
  if (n == 0) {
    engine_.input_eof();
  } else {
    engine_.commit_input(n);
  }
}

std::size_t Stream::send(std::span<const std::byte> data) {
  send_all(data);
  return data.size();
}

void Stream::send_all(std::span<const std::byte> data) {
  Call call(*this, "send");
  handshake(call);
  while (!data.empty()) {
    auto chunk = data.first(std::min(data.size(), kWriteChunk));
    engine_.write(chunk);
    flush(call);
    data = data.subspan(chunk.size());
  }
}

std::size_t Stream::recv(std::span<std::byte> buffer) {
  Call call(*this, "recv");
  handshake(call);
  if (buffer.empty()) return 0;
  for (;;) {
    std::size_t n = 0;
    auto status = engine_.read(buffer, n);
    flush(call);  // reading can produce records to send (a key update)
    if (status == Engine::Status::done) return n;
    if (status == Engine::Status::closed) return 0;
    fill(call, "recv");
  }
}

std::string Stream::recv(std::size_t max) {
  std::string out(max, '\0');
  out.resize(recv(std::as_writable_bytes(std::span(out))));
  return out;
}

void Stream::recv_exactly(std::span<std::byte> buffer) {
  std::size_t got = 0;
  while (got < buffer.size()) {
    std::size_t n = recv(buffer.subspan(got));
    if (n == 0) {
      throw std::system_error(make_error_code(wire::Errc::unexpected_eof),
                              "TLS recv from " + peer_ + ": " + std::to_string(got) + " of " +
                                  std::to_string(buffer.size()) + " bytes before close_notify");
    }
    got += n;
  }
}

std::string Stream::recv_exactly(std::size_t n) {
  std::string out(n, '\0');
  recv_exactly(std::as_writable_bytes(std::span(out)));
  return out;
}

void Stream::shutdown() {
  Call call(*this, "shutdown");
  engine_.shutdown();
  flush(call);
}

void Stream::close() noexcept {
  if (!socket_.is_open()) return;
  try {
    engine_.shutdown();
    detail::send_without_waiting(socket_.fd(), engine_);
  } catch (...) {  // closing anyway
  }
  socket_.close();
}

}  // namespace wire::tls
