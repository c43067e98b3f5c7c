// SPDX-License-Identifier: MIT
// wire::net::InputBuffer: bytes received and not yet used, the one read buffer every reader of
// wire shares (line readers, the HTTP client and server, the FTP and SMTP dialogues).
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace wire::net {

/// A read buffer: a stream reads into space() and commit()s what arrived; a parser looks at
/// view() and consume()s what it used. The storage is allocated at the first space() and can be
/// given back while the buffer is empty (release()), so an idle connection holds none.
///   InputBuffer in;
///   std::size_t n = sock.recv(in.space());  in.commit(n);
///   std::size_t used = parser.feed(in.bytes());  in.consume(used);
/// Views of the unread bytes stay valid until the next space(), which may move them to the
/// front to make room.
class InputBuffer {
 public:
  explicit InputBuffer(std::size_t capacity = 16 * 1024) noexcept : capacity_(capacity) {}
  InputBuffer(InputBuffer&&) noexcept = default;
  InputBuffer& operator=(InputBuffer&&) noexcept = default;

  /// The unread bytes.
  std::string_view view() const noexcept {
    return {reinterpret_cast<const char*>(storage_.get()) + begin_, end_ - begin_};
  }
  std::span<const std::byte> bytes() const noexcept { return {storage_.get() + begin_, end_ - begin_}; }
  std::size_t size() const noexcept { return end_ - begin_; }
  bool empty() const noexcept { return begin_ == end_; }
  std::size_t capacity() const noexcept { return capacity_; }

  /// The free room after the unread bytes, for the next read; empty only when the buffer is
  /// full of unread bytes (see reserve()).
  std::span<std::byte> space();
  /// `n` bytes were read into space().
  void commit(std::size_t n) noexcept { end_ += n; }
  /// The first `n` unread bytes were used.
  void consume(std::size_t n) noexcept {
    begin_ += n;
    if (begin_ == end_) begin_ = end_ = 0;
  }
  /// Appends `data` (bytes that arrived elsewhere, e.g. read straight into a caller's buffer).
  void append(std::span<const std::byte> data);
  /// Takes every unread byte out. What a connection read past a STARTTLS reply must not be
  /// read as TLS: hand this to the upgrade, which refuses it if it is not empty.
  std::string take_unread();
  /// Grows the capacity to at least `capacity`, keeping the unread bytes.
  void reserve(std::size_t capacity);
  /// Frees the storage if nothing is unread (an idle connection); the next space() allocates.
  void release() noexcept;

 private:
  std::unique_ptr<std::byte[]> storage_;
  std::size_t capacity_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

}  // namespace wire::net
