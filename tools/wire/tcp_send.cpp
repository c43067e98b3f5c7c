// SPDX-License-Identifier: MIT
// `wire tcp send`, full duplex in bounded memory: the payload goes out while the answer comes
// in, each through one 64 KiB buffer. So a payload of any size to an echo server cannot
// deadlock (both sides' socket buffers full, neither side reading), and a server that floods
// cannot make the tool hold more than a buffer of it. One thread: poll(2) over the payload's
// descriptor and the socket, which is non-blocking; TLS by driving the engine of a
// tls::Stream that has made its handshake.
#include "tcp_send.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "exit_status.hpp"
#include "wire/error.hpp"
#include "wire/net.hpp"
#include "wire/tls.hpp"

namespace wire::cli {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kPiece = 64 * 1024;

// The payload, a piece at a time: MESSAGE, or the bytes of a file or of stdin as they come.
class Payload {
 public:
  explicit Payload(const SendOptions& o) {
    std::string path = !o.file.empty() ? o.file : o.message == "-" ? "-" : "";
    if (path.empty()) {
      text_ = o.message;
    } else if (path == "-") {
      fd_ = STDIN_FILENO;
    } else {
      fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd_ < 0) throw std::runtime_error("cannot open " + path);
      owned_ = true;
    }
  }
  ~Payload() {
    if (owned_) ::close(fd_);
  }
  Payload(const Payload&) = delete;
  Payload& operator=(const Payload&) = delete;

  /// The descriptor to wait on before read(), or -1 (MESSAGE: read() has it at once).
  int fd() const noexcept { return fd_; }
  /// The next piece into `buffer`: 0 at the end, nullopt if none is there yet.
  std::optional<std::size_t> read(std::span<std::byte> buffer) {
    if (fd_ < 0) {
      std::size_t n = std::min(buffer.size(), text_.size() - offset_);
      std::memcpy(buffer.data(), text_.data() + offset_, n);
      offset_ += n;
      return n;
    }
    ssize_t n = 0;
    do {
      n = ::read(fd_, buffer.data(), buffer.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return std::nullopt;
    if (n < 0) throw std::system_error(errno, std::generic_category(), "reading the payload");
    return static_cast<std::size_t>(n);
  }

 private:
  std::string text_;
  std::size_t offset_ = 0;
  int fd_ = -1;
  bool owned_ = false;
};

// The answer on stdout as "Response: <data>\n", written as it arrives: the prefix before its
// first byte (nothing at all for an exchange that fails before one), the line's end after its
// last — after what came, too, when the exchange fails on the way.
class Answer {
 public:
  Answer() = default;
  Answer(const Answer&) = delete;
  Answer& operator=(const Answer&) = delete;
  ~Answer() {
    if (started_ && !ended_) put("\n", 1);
  }
  void write(std::span<const std::byte> data) {
    if (!started_) begin();
    put(data.data(), data.size());
    bytes_ += data.size();
  }
  void end() {
    if (!started_) begin();
    put("\n", 1);
    ended_ = true;
  }
  std::uint64_t bytes() const noexcept { return bytes_; }

 private:
  void begin() {
    started_ = true;
    put("Response: ", 10);
  }
  void put(const void* data, std::size_t n) {
    if (std::fwrite(data, 1, n, stdout) != n || std::fflush(stdout) != 0) {
      ended_ = true;  // nothing more goes there
      throw WriteError(errno, "writing the response to stdout");
    }
  }
  bool started_ = false;
  bool ended_ = false;
  std::uint64_t bytes_ = 0;
};

// The connection as the exchange drives it: pieces of the payload in, bytes for the socket
// out; bytes from the socket in, the answer out.
class Link {
 public:
  Link(net::Socket& socket, std::string peer) : socket_(socket), peer_(std::move(peer)) {}
  virtual ~Link() = default;
  int fd() const noexcept { return socket_.fd(); }
  const std::string& peer() const noexcept { return peer_; }
  /// Bytes waiting for the socket.
  virtual std::span<const std::byte> outgoing() = 0;
  /// A piece of the payload, given only when outgoing() is empty; valid until it is again.
  virtual void put(std::span<const std::byte> piece) = 0;
  /// The payload has ended: a half-close, or close_notify.
  virtual void end_payload() = 0;
  /// Takes what the socket has (if anything) and passes the answer on; false at its end.
  virtual bool receive(Answer& answer) = 0;

  /// Sends what the socket takes now of outgoing().
  void send() {
    std::span<const std::byte> out = outgoing();
    std::error_code ec;
    std::size_t n = socket_.send(out, ec);
    if (ec == std::errc::resource_unavailable_try_again) return;
    if (ec) throw_error(ec, "send to " + peer_);
    sent(n);
  }

 protected:
  virtual void sent(std::size_t n) = 0;
  // Receives into `buffer`: nullopt if nothing is there, 0 at the end of the stream.
  std::optional<std::size_t> recv(std::span<std::byte> buffer) {
    std::error_code ec;
    std::size_t n = socket_.recv(buffer, ec);
    if (ec == std::errc::resource_unavailable_try_again) return std::nullopt;
    if (ec) throw_error(ec, "recv from " + peer_);
    return n;
  }

  net::Socket& socket_;
  std::string peer_;
};

class PlainLink final : public Link {
 public:
  using Link::Link;
  std::span<const std::byte> outgoing() override { return out_; }
  void put(std::span<const std::byte> piece) override { out_ = piece; }
  void end_payload() override { socket_.shutdown(net::Shutdown::write); }
  bool receive(Answer& answer) override {
    std::optional<std::size_t> n = recv(in_);
    if (n && *n == 0) return false;
    if (n) answer.write(std::span(in_).first(*n));
    return true;
  }

 private:
  void sent(std::size_t n) override { out_ = out_.subspan(n); }
  std::span<const std::byte> out_;
  std::array<std::byte, kPiece> in_{};
};

class TlsLink final : public Link {
 public:
  TlsLink(tls::Stream& stream, std::string peer) : Link(stream.socket(), std::move(peer)), engine_(stream.engine()) {}
  std::span<const std::byte> outgoing() override { return engine_.output(); }
  void put(std::span<const std::byte> piece) override { engine_.write(piece); }
  void end_payload() override { engine_.shutdown(); }
  bool receive(Answer& answer) override {
    if (std::optional<std::size_t> n = recv(engine_.input_space())) {
      if (*n == 0) {
        engine_.input_eof();
      } else {
        engine_.commit_input(*n);
      }
    }
    // Records already in the engine (some may have come with the handshake) first.
    for (;;) {
      std::size_t n = 0;
      tls::Engine::Status status;
      try {
        status = engine_.read(in_, n);
      } catch (const tls::Error& e) {
        // Many servers (Python's ssl among them) close without close_notify. With no
        // framing of its own, the answer may be cut: tcp_send() says so.
        if (e.code() != tls::Errc::truncated) throw;
        truncated_ = true;
        return false;
      }
      if (status == tls::Engine::Status::want_input) return true;
      if (status == tls::Engine::Status::closed) return false;
      answer.write(std::span(in_).first(n));
    }
  }
  bool truncated() const noexcept { return truncated_; }

 private:
  void sent(std::size_t n) override { engine_.consume_output(n); }
  tls::Engine& engine_;
  std::array<std::byte, kPiece> in_{};
  bool truncated_ = false;
};

// Moves the payload out and the answer in until the answer ends (the peer's FIN, or its
// close_notify), within `deadline`. The answer ending first ends the exchange too: nobody is
// left to take the rest of the payload.
void exchange(Link& link, Payload& payload, Answer& answer, Clock::time_point deadline) {
  std::vector<std::byte> piece(kPiece);
  bool payload_ended = false;
  for (bool open = link.receive(answer); open;) {
    if (link.outgoing().empty() && !payload_ended && payload.fd() < 0) {
      std::size_t n = *payload.read(piece);  // MESSAGE: no waiting
      if (n == 0) {
        payload_ended = true;
        link.end_payload();
      } else {
        link.put(std::span(piece).first(n));
      }
    }
    if (!link.outgoing().empty()) link.send();
    if (link.outgoing().empty() && !payload_ended && payload.fd() < 0) continue;  // more of MESSAGE, or its end
    const bool wants_input = link.outgoing().empty() && !payload_ended && payload.fd() >= 0;
    std::array<pollfd, 2> fds{pollfd{link.fd(), POLLIN, 0}, pollfd{wants_input ? payload.fd() : -1, POLLIN, 0}};
    if (!link.outgoing().empty()) fds[0].events |= POLLOUT;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    int ready = left > 0 ? ::poll(fds.data(), fds.size(), static_cast<int>(std::min<long long>(left, 1 << 30))) : 0;
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) throw std::system_error(errno, std::generic_category(), "poll");
    if (ready == 0) {
      throw TimeoutError("waiting for the response from " + link.peer() + " (" + std::to_string(answer.bytes()) +
                         " bytes so far)");
    }
    if (fds[1].revents != 0) {
      std::optional<std::size_t> n = payload.read(piece);
      if (n && *n == 0) {
        payload_ended = true;
        link.end_payload();
      } else if (n) {
        link.put(std::span(piece).first(*n));
      }
    }
    if (fds[0].revents & (POLLOUT | POLLERR)) link.send();
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) open = link.receive(answer);
  }
}

}  // namespace

void tcp_send(const SendOptions& options) {
  auto timeout = seconds_to_ms(options.timeout, "--timeout");
  Payload payload(options);
  const auto deadline = Clock::now() + timeout;
  Answer answer;
  if (options.tls) {
    auto stream = tls::Stream::connect(options.tls_options.context(), options.host, options.port, timeout);
    stream.socket().set_timeout(std::chrono::milliseconds(0));  // non-blocking: poll() waits
    TlsLink link(stream, stream.socket().peer_address().to_string());
    exchange(link, payload, answer, deadline);
    answer.end();
    if (link.truncated()) {
      std::cerr << "wire: warning: the server closed the connection without close_notify; "
                   "the response may be truncated"
                << std::endl;
    }
    return;
  }
  auto socket = net::tcp_connect(options.host, options.port, timeout);
  socket.set_timeout(std::chrono::milliseconds(0));
  PlainLink link(socket, socket.peer_address().to_string());
  exchange(link, payload, answer, deadline);
  answer.end();
}

}  // namespace wire::cli
