// SPDX-License-Identifier: MIT
// The per-thread cache of coroutine frames behind wire::io::Task (task.hpp).
#include "wire/io/task.hpp"

#include <cstdint>
#include <new>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define WIRE_FRAME_CACHE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define WIRE_FRAME_CACHE 0
#endif
#endif
#ifndef WIRE_FRAME_CACHE
#define WIRE_FRAME_CACHE 1
#endif

namespace wire::io::detail {

#if WIRE_FRAME_CACHE
namespace {

constexpr std::size_t kStep = 16;
constexpr std::size_t kClasses = 256;              // frames up to 4 KiB
constexpr std::uint32_t kPerClass = 64;            // free frames kept per size
constexpr std::size_t kMaxBytes = 256 * 1024;      // and in all, per thread

struct FreeFrame {
  FreeFrame* next;
};

// Constant-initialised and trivially destructible: usable at any point of a thread's
// life, also after the Reaper below has run (frames freed by other thread_local
// destructors then go straight back to the heap).
struct FrameCache {
  FreeFrame* heads[kClasses];
  std::uint32_t counts[kClasses];
  std::size_t bytes;
  bool armed;   // this thread's Reaper is constructed
  bool closed;  // ... and has run
};
thread_local constinit FrameCache cache{};

// Gives the cached frames back to the heap when the thread ends.
struct Reaper {
  Reaper() = default;
  Reaper(const Reaper&) = delete;
  Reaper& operator=(const Reaper&) = delete;
  ~Reaper() {
    cache.closed = true;
    for (std::size_t c = 0; c < kClasses; ++c) {
      while (FreeFrame* f = cache.heads[c]) {
        cache.heads[c] = f->next;
        ::operator delete(f);
      }
      cache.counts[c] = 0;
    }
    cache.bytes = 0;
  }
};
thread_local Reaper reaper;

constexpr std::size_t size_class(std::size_t size) noexcept { return (size + kStep - 1) / kStep; }

}  // namespace

void* allocate_frame(std::size_t size) {
  std::size_t c = size_class(size);
  if (c >= kClasses) return ::operator new(size);
  if (FreeFrame* f = cache.heads[c]) {
    cache.heads[c] = f->next;
    --cache.counts[c];
    cache.bytes -= c * kStep;
    return f;
  }
  return ::operator new(c * kStep);  // the whole class, so that any frame of it fits later
}

void free_frame(void* frame, std::size_t size) noexcept {
  std::size_t c = size_class(size);
  if (c >= kClasses) {
    ::operator delete(frame);
    return;
  }
  if (cache.closed || cache.counts[c] >= kPerClass || cache.bytes + c * kStep > kMaxBytes) {
    ::operator delete(frame);
    return;
  }
  if (!cache.armed) {
    [[maybe_unused]] Reaper& r = reaper;  // constructed on first use, destroyed at thread exit
    cache.armed = true;
  }
  auto* f = static_cast<FreeFrame*>(frame);
  f->next = cache.heads[c];
  cache.heads[c] = f;
  ++cache.counts[c];
  cache.bytes += c * kStep;
}

#else

void* allocate_frame(std::size_t size) { return ::operator new(size); }
void free_frame(void* frame, std::size_t) noexcept { ::operator delete(frame); }

#endif

}  // namespace wire::io::detail
