// SPDX-License-Identifier: MIT
// What every protocol server on io::TcpServer needs besides its protocol: idle connections
// closed at their deadlines without a timer each, state per worker thread, the lingering
// close, and a look at the first byte a client sends. Per-address connection limits are
// TcpServer's own (ServerLimits::max_connections_per_client).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>
#include <vector>

#include "wire/io/loop.hpp"
#include "wire/io/stream.hpp"
#include "wire/io/task.hpp"

namespace wire::io {

/// A connection's place in an IdleQueue while it waits for its next message.
struct IdleLink {
  IdleLink() = default;
  IdleLink(const IdleLink&) = delete;
  IdleLink& operator=(const IdleLink&) = delete;
  ~IdleLink() { unlink(); }

  Stream* stream = nullptr;  ///< closed when the deadline passes (or the server drains)
  Clock::time_point deadline{};
  bool linked() const noexcept { return next != this; }
  void unlink() noexcept {
    prev->next = next;
    next->prev = prev;
    prev = next = this;
  }

 private:
  friend class IdleQueue;
  void link_after(IdleLink& at) noexcept {
    next = at.next;
    prev = &at;
    at.next->prev = this;
    at.next = this;
  }
  IdleLink* prev = this;
  IdleLink* next = this;
};

/// Connections waiting for their next message, earliest deadline first, with one loop timer
/// armed at (or before) the first deadline; when it fires, every connection past its deadline
/// is closed (its wait ends with operation_canceled). A message begins and ends such a wait:
/// a timer of its own per wait costs a heap insertion and removal each time, this a list
/// link. Keep one queue per kind of wait (one timeout), so that a new link almost always
/// goes at the end. Lives on one loop's thread.
///   queue.push(link, loop.now() + 30s);  co_await stream.wait_readable(ec);  link.unlink();
class IdleQueue {
 public:
  IdleQueue() = default;
  IdleQueue(const IdleQueue&) = delete;
  IdleQueue& operator=(const IdleQueue&) = delete;
  ~IdleQueue();

  /// Links `link` (its stream set) to be closed at `deadline` unless unlinked before.
  void push(IdleLink& link, Clock::time_point deadline);
  /// Closes every linked connection now (a server draining).
  void close_all() noexcept;
  bool empty() const noexcept { return !head_.linked(); }

 private:
  static void expire(detail::TimerNode* node) noexcept;
  IdleLink head_;
  detail::TimerNode timer_;
  Loop* loop_ = nullptr;
};

/// One T per worker thread of a server, made on the worker's first call to local() and kept
/// until the PerWorker goes: a protocol server's spare buffers, idle queues and caches, touched
/// only by their own thread, with no lock on the request path.
///   PerWorker<Worker> workers;  ...  Worker& w = workers.local();
template <typename T>
class PerWorker {
 public:
  PerWorker() : id_(next_id()) {}
  PerWorker(const PerWorker&) = delete;
  PerWorker& operator=(const PerWorker&) = delete;

  T& local() {
    thread_local std::uint64_t owner = 0;  // ids start at 1: 0 matches no PerWorker
    thread_local T* mine = nullptr;
    if (owner != id_) {
      std::lock_guard lock(mutex_);
      items_.push_back(std::make_unique<T>());
      mine = items_.back().get();
      owner = id_;
    }
    return *mine;
  }

 private:
  static std::uint64_t next_id() noexcept {
    static std::atomic<std::uint64_t> counter{0};
    return ++counter;
  }
  std::uint64_t id_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<T>> items_;
};

/// The lingering close (RFC 9112 §9.6): stops sending (a TCP half-close), then reads and drops
/// what the client still sends, for `time` or `max_bytes` at most, so that closing with
/// unread input does not reset the connection (a reset may erase an answer the client has not
/// read yet, and fails the client's writes). Over TLS, send close_notify first.
Task<void> linger_close(Stream& stream, Clock::duration time = std::chrono::seconds(2),
                        std::size_t max_bytes = 1 << 20);

/// The first byte the peer sent, left in the socket for whoever reads next (MSG_PEEK), waiting
/// up to `timeout` for it; std::nullopt with `ec` set if none came (timed_out, the peer
/// closed: unexpected_eof, or another error). A server tells protocols apart with it: a TLS
/// ClientHello begins with 22.
Task<std::optional<unsigned char>> peek_byte(Stream& stream, Clock::duration timeout, std::error_code& ec);

}  // namespace wire::io
