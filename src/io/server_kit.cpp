// SPDX-License-Identifier: MIT
#include "wire/io/server_kit.hpp"

#include <sys/socket.h>

#include <cerrno>

#include "wire/error.hpp"

namespace wire::io {

IdleQueue::~IdleQueue() {
  if (timer_.pending()) loop_->cancel_timer(timer_);
  while (head_.linked()) head_.next->unlink();
}

void IdleQueue::push(IdleLink& link, Clock::time_point deadline) {
  link.unlink();
  link.deadline = deadline;
  IdleLink* after = head_.prev;
  while (after != &head_ && after->deadline > deadline) after = after->prev;
  link.link_after(*after);
  if (link.prev != &head_) return;
  // The new first: the timer must not wait past it (a timer set earlier just fires early).
  if (timer_.pending() && timer_.when <= deadline) return;
  loop_ = &Loop::current();
  timer_.fire = &IdleQueue::expire;
  timer_.context = this;
  loop_->add_timer(timer_, deadline);
}

// Closes every connection past its deadline (each ends from inside close(), off the list
// first), then waits for the next deadline.
void IdleQueue::expire(detail::TimerNode* node) noexcept {
  auto* q = static_cast<IdleQueue*>(node->context);
  auto now = Clock::now();
  while (q->head_.linked() && q->head_.next->deadline <= now) {
    IdleLink* link = q->head_.next;
    link->unlink();
    link->stream->close();
  }
  if (q->head_.linked()) q->loop_->add_timer(q->timer_, q->head_.next->deadline);
}

void IdleQueue::close_all() noexcept {
  if (timer_.pending()) loop_->cancel_timer(timer_);
  while (head_.linked()) {
    IdleLink* link = head_.next;
    link->unlink();
    link->stream->close();
  }
}

Task<void> linger_close(Stream& stream, Clock::duration time, std::size_t max_bytes) {
  stream.shutdown_write();
  auto until = Clock::now() + time;
  std::size_t total = 0;
  std::byte sink[4096];
  while (total < max_bytes) {
    auto now = Clock::now();
    if (now >= until) break;
    stream.set_read_timeout(until - now);
    std::error_code ec;
    std::size_t n = co_await stream.read_some(std::span(sink), ec);
    if (ec || n == 0) break;
    total += n;
  }
}

Task<std::optional<unsigned char>> peek_byte(Stream& stream, Clock::duration timeout, std::error_code& ec) {
  ec.clear();
  if (timeout <= Clock::duration::zero()) {
    ec = std::make_error_code(std::errc::timed_out);
    co_return std::nullopt;
  }
  stream.set_read_timeout(timeout);
  co_await stream.wait_readable(ec);
  if (ec) co_return std::nullopt;
  unsigned char first = 0;
  ssize_t n = ::recv(stream.fd(), &first, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 1) co_return first;
  ec = n == 0 ? make_error_code(Errc::unexpected_eof) : std::error_code(errno, std::generic_category());
  co_return std::nullopt;
}

}  // namespace wire::io
