// SPDX-License-Identifier: MIT
// `wire tcp serve`'s output: a queue bounded per connection and in all, and one thread that
// writes it. The thread uses write(2), not stdio: if stdout never drains, the process can
// still exit (nothing waits on a FILE lock the thread holds).
#include "tcp_printer.hpp"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace wire::cli {

struct Printer::Source {
  std::string peer;
  std::size_t queued = 0;       // bytes of its messages waiting (under State::mutex)
  std::uint64_t skipped = 0;    // bytes not printed since the last note
  std::uint64_t skipped_messages = 0;
};

struct Printer::State {
  struct Item {
    std::shared_ptr<Source> source;
    std::string data;
    bool note_only = false;  // no message: the note of a source that had none queued
  };
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<Item> queue;
  std::size_t total = 0;  // bytes queued, over all sources
  bool busy = false;      // the thread is writing an item
  bool stopping = false;
  bool terminal = ::isatty(STDOUT_FILENO) == 1;

  void run();
};

namespace {

// Writes all of `text` to `fd`; gives up on an error (a closed pipe: nobody reads).
void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

std::string escape_for_terminal(std::string_view data) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size());
  for (char c : data) {
    auto b = static_cast<unsigned char>(c);
    if (c == '\\') {
      out += "\\\\";
    } else if (b >= 0x20 && b < 0x7f) {
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 0xf];
    }
  }
  return out;
}

void Printer::State::run() {
  std::unique_lock lock(mutex);
  for (;;) {
    changed.wait(lock, [&] { return !queue.empty() || stopping; });
    if (queue.empty()) return;
    Item item = std::move(queue.front());
    queue.pop_front();
    busy = true;
    lock.unlock();
    if (!item.note_only) {
      std::string line = "Received: " + (terminal ? escape_for_terminal(item.data) : item.data) + "\n";
      write_all(STDOUT_FILENO, line);
    }
    lock.lock();
    busy = false;
    Source& s = *item.source;
    s.queued -= item.data.size();
    total -= item.data.size();
    if (s.queued == 0 && s.skipped > 0) {
      std::string note = "wire: " + std::to_string(s.skipped) + " bytes in " + std::to_string(s.skipped_messages) +
                         " message(s) from " + s.peer + " not printed: stdout did not keep up\n";
      s.skipped = s.skipped_messages = 0;
      lock.unlock();
      write_all(STDERR_FILENO, note);
      lock.lock();
    }
    changed.notify_all();
  }
}

Printer::Printer() : state_(std::make_shared<State>()) {
  // The thread shares the state: if it is left behind at exit (a stdout that never drains),
  // nothing it touches has gone. It takes no signal (it is started before the server blocks
  // SIGINT and SIGTERM for its own wait), and a closed stdout is EPIPE to it, not SIGPIPE.
  sigset_t all;
  sigset_t old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  std::thread([state = state_] { state->run(); }).detach();
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

Printer::~Printer() {
  std::unique_lock lock(state_->mutex);
  state_->changed.wait_for(lock, std::chrono::seconds(5), [&] { return state_->queue.empty() && !state_->busy; });
  state_->stopping = true;
  state_->changed.notify_all();
}

std::shared_ptr<Printer::Source> Printer::source(std::string peer) {
  auto s = std::make_shared<Source>();
  s->peer = std::move(peer);
  return s;
}

void Printer::print(const std::shared_ptr<Source>& source, std::span<const std::byte> data) {
  std::lock_guard lock(state_->mutex);
  Source& s = *source;
  // A message alone always fits (at most a read's 64 KiB): a connection is never silenced
  // for good, only while its backlog is full.
  if ((s.queued > 0 && s.queued + data.size() > kPerConnection) ||
      (state_->total > 0 && state_->total + data.size() > kTotal)) {
    // With nothing of its own queued, no item of this connection would bring the note: one
    // that carries only the note does.
    if (s.queued == 0 && s.skipped == 0) state_->queue.push_back({source, {}, true});
    s.skipped += data.size();
    ++s.skipped_messages;
    state_->changed.notify_all();
    return;
  }
  s.queued += data.size();
  state_->total += data.size();
  state_->queue.push_back({source, std::string(reinterpret_cast<const char*>(data.data()), data.size())});
  state_->changed.notify_all();
}

}  // namespace wire::cli
