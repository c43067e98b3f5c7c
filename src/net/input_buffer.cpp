// SPDX-License-Identifier: MIT
#include "wire/net/input_buffer.hpp"

#include <cstring>

namespace wire::net {

std::span<std::byte> InputBuffer::space() {
  if (!storage_) storage_ = std::make_unique_for_overwrite<std::byte[]>(capacity_);
  if (end_ == capacity_ && begin_ > 0) {
    // Room only at the front: move the unread bytes there.
    std::memmove(storage_.get(), storage_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  return {storage_.get() + end_, capacity_ - end_};
}

void InputBuffer::append(std::span<const std::byte> data) {
  if (data.empty()) return;
  if (size() + data.size() > capacity_) reserve(size() + data.size());
  std::span<std::byte> room = space();
  if (room.size() < data.size()) {
    std::memmove(storage_.get(), storage_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
    room = space();
  }
  std::memcpy(room.data(), data.data(), data.size());
  commit(data.size());
}

std::string InputBuffer::take_unread() {
  std::string out(view());
  begin_ = end_ = 0;
  return out;
}

void InputBuffer::reserve(std::size_t capacity) {
  if (capacity <= capacity_ && storage_) return;
  capacity = std::max(capacity, capacity_);
  auto fresh = std::make_unique_for_overwrite<std::byte[]>(capacity);
  if (storage_) std::memcpy(fresh.get(), storage_.get() + begin_, end_ - begin_);
  end_ -= begin_;
  begin_ = 0;
  storage_ = std::move(fresh);
  capacity_ = capacity;
}

void InputBuffer::release() noexcept {
  if (!empty()) return;
  storage_.reset();
  begin_ = end_ = 0;
}

}  // namespace wire::net
