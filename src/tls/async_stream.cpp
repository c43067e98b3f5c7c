// SPDX-License-Identifier: MIT
#include "wire/tls/async_stream.hpp"

#include <algorithm>
#include <exception>

#include "transport.hpp"
#include "wire/error.hpp"
#include "wire/io/timeout.hpp"

namespace wire::tls {

io::Task<AsyncStream> AsyncStream::connect(Context context, std::string host, std::uint16_t port,
                                           io::Clock::duration timeout) {
  auto deadline = io::Clock::now() + timeout;
  io::Stream stream = co_await io::connect(host, port, timeout);
  AsyncStream tls(std::move(stream), context, host);
  auto left = std::max<io::Clock::duration>(deadline - io::Clock::now(), std::chrono::milliseconds(1));
  co_await io::with_timeout(tls.handshake(), left);
  co_return tls;
}

io::Task<AsyncStream> AsyncStream::accept(io::Stream stream, const Context& context, io::Clock::duration timeout,
                                          std::error_code& ec) {
  ec.clear();
  AsyncStream tls(std::move(stream), context);
  try {
    co_await io::with_timeout(tls.handshake(), timeout);
  } catch (const std::system_error& e) {
    ec = e.code();
    tls.close();
  }
  co_return tls;
}

AsyncStream::AsyncStream(io::Stream stream, const Context& context, std::string_view server_name,
                         std::span<const std::byte> buffered)
    : stream_(std::move(stream)),
      peer_(detail::describe_peer(stream_.fd(), server_name)),
      engine_(context, server_name, peer_),
      client_(context.role() == Role::client),
      injected_(!buffered.empty()) {}

io::Task<void> AsyncStream::handshake() {
  if (engine_.handshake_done()) co_return;
  if (!started_) {
    if (injected_) {
      throw Error(Errc::unexpected_plaintext,
                  "TLS handshake with " + peer_ +
                      ": plaintext was read past the point of the TLS upgrade; refusing it",
                  "plaintext before handshake");
    }
    if (client_) detail::refuse_waiting_plaintext(stream_.fd(), peer_);
    started_ = true;
  }
  for (;;) {
    Engine::Status status{};
    std::exception_ptr failure;
    try {
      status = engine_.handshake();
    } catch (const Error&) {
      failure = std::current_exception();
    }
    if (failure) {
      // Tell the peer why (the alert) without waiting for it.
      detail::send_without_waiting(stream_.fd(), engine_);
      std::rethrow_exception(failure);
    }
    co_await flush("handshake");
    if (status == Engine::Status::done) co_return;
    co_await fill("handshake");
  }
}

AsyncStream& AsyncStream::operator=(AsyncStream&& other) noexcept {
  if (this != &other) {
    close();
    stream_ = std::move(other.stream_);
    peer_ = std::move(other.peer_);
    engine_ = std::move(other.engine_);
    sending_ = std::move(other.sending_);
    sent_ = other.sent_;
    client_ = other.client_;
    started_ = other.started_;
    injected_ = other.injected_;
    flushing_ = other.flushing_;
  }
  return *this;
}

AsyncStream::~AsyncStream() { close(); }

void AsyncStream::release_buffers() noexcept {
  if (flushing_) return;
  if (sent_ >= sending_.size()) {
    std::vector<std::byte>().swap(sending_);
    sent_ = 0;
  }
  engine_.release_buffers();
}

void AsyncStream::close() noexcept {
  if (!stream_.is_open()) return;
  if (!flushing_ && sent_ == sending_.size()) {  // else close_notify would cut into a record
    try {
      engine_.shutdown();
      detail::send_without_waiting(stream_.fd(), engine_);
    } catch (...) {  // closing anyway
    }
  }
  stream_.close();
}

io::Task<void> AsyncStream::flush(const char* operation) {
  // The bytes being sent live in sending_, which the engine never touches: a
  // read running meanwhile may make the engine write (an alert) without moving them.
  flushing_ = true;
  struct Reset {
    bool& flag;
    ~Reset() { flag = false; }
  } reset{flushing_};
  for (;;) {
    if (sent_ == sending_.size()) {
      engine_.take_output(sending_);
      sent_ = 0;
      if (sending_.empty()) co_return;
    }
    std::error_code ec;
    std::size_t n = co_await stream_.write_some(std::span(sending_).subspan(sent_), ec);
    if (ec == std::errc::timed_out) {
      throw TimeoutError(std::string("TLS ") + operation + " with " + peer_ + ": timed out");
    }
    if (ec) throw_error(ec, std::string("TLS ") + operation + " with " + peer_);
    sent_ += n;
  }
}

void AsyncStream::flush_from_read() noexcept {
  if (flushing_ || sent_ != sending_.size()) return;  // the writer sends it, in order
  auto out = engine_.output();
  std::size_t n = detail::send_now(stream_.fd(), out);
  engine_.consume_output(n);
}

io::Task<void> AsyncStream::fill(const char* operation) {
  std::error_code ec;
  std::size_t n = co_await stream_.read_some(engine_.input_space(), ec);
  if (ec == std::errc::timed_out) throw TimeoutError(std::string("TLS ") + operation + " with " + peer_ + ": timed out");
  if (ec) throw_error(ec, std::string("TLS ") + operation + " with " + peer_);
  if (n == 0) {
    engine_.input_eof();
  } else {
    engine_.commit_input(n);
  }
}

io::Task<std::size_t> AsyncStream::read_some(std::span<std::byte> buffer) {
  co_await handshake();
  if (buffer.empty()) co_return 0;
  for (;;) {
    std::size_t n = 0;
    auto status = engine_.read(buffer, n);
    if (!engine_.output().empty()) flush_from_read();
    if (status == Engine::Status::done) co_return n;
    if (status == Engine::Status::closed) co_return 0;
    co_await fill("read");
  }
}

io::Task<std::size_t> AsyncStream::read_some(std::span<std::byte> buffer, std::error_code& ec) {
  ec.clear();
  try {
    co_return co_await read_some(buffer);
  } catch (const std::system_error& e) {
    ec = e.code();
  }
  co_return 0;
}

io::Task<void> AsyncStream::read_exactly(std::span<std::byte> buffer) {
  std::size_t got = 0;
  while (got < buffer.size()) {
    std::size_t n = co_await read_some(buffer.subspan(got));
    if (n == 0) {
      throw std::system_error(make_error_code(wire::Errc::unexpected_eof),
                              "TLS read from " + peer_ + ": " + std::to_string(got) + " of " +
                                  std::to_string(buffer.size()) + " bytes before close_notify");
    }
    got += n;
  }
}

io::Task<void> AsyncStream::write_all(std::span<const std::byte> data) {
  co_await handshake();
  while (!data.empty()) {
    auto chunk = data.first(std::min(data.size(), kWriteChunk));
    engine_.write(chunk);
    co_await flush("write");
    data = data.subspan(chunk.size());
  }
}

io::Task<std::size_t> AsyncStream::write_all(std::span<const std::byte> data, std::error_code& ec) {
  ec.clear();
  try {
    co_await write_all(data);
    co_return data.size();
  } catch (const std::system_error& e) {
    ec = e.code();
  }
  co_return 0;
}

io::Task<void> AsyncStream::shutdown() {
  engine_.shutdown();
  co_await flush("shutdown");
}

}  // namespace wire::tls
