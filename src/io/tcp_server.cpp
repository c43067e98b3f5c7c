// SPDX-License-Identifier: MIT
#include "wire/io/tcp_server.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <array>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "wire/io/runtime.hpp"
#include "wire/io/signal.hpp"
#include "wire/net/tcp.hpp"

namespace wire::io {

// One worker's share of the server. Everything but the atomics is touched only
// on that worker's thread.
struct WorkerShare {
  Loop* loop = nullptr;
  std::unique_ptr<Listener> listener;
  std::size_t max_connections = 0;
  std::size_t active = 0;                     // busy ones included
  std::atomic<std::size_t> active_shared{0};  // for connections() and shutdown()
  std::size_t max_busy = 0;                   // ServerLimits::busy_replies, this worker's share
  std::size_t busy = 0;                       // connections over the limit, being told so
  std::atomic<std::size_t> busy_shared{0};    // the same, for the hand-out's choice
  bool draining = false;
  std::coroutine_handle<> accept_waiting;      // the acceptor, paused at the limit
};

namespace {

// A client's address as 16 bytes (IPv4 as IPv4-mapped IPv6), the key of the per-address
// connection count: small enough to live in every connection's frame.
using ClientKey = std::array<unsigned char, 16>;
struct ClientKeyHash {
  std::size_t operator()(const ClientKey& k) const noexcept {
    std::uint64_t a;
    std::uint64_t b;
    std::memcpy(&a, k.data(), 8);
    std::memcpy(&b, k.data() + 8, 8);
    return std::hash<std::uint64_t>{}(a * 0x9E3779B97F4A7C15ULL ^ b);
  }
};

ClientKey client_key(const net::Address& a) {
  ClientKey key{};
  if (a.is_ipv4()) {
    auto* sin = reinterpret_cast<const sockaddr_in*>(a.data());
    key[10] = key[11] = 0xff;
    std::memcpy(key.data() + 12, &sin->sin_addr, 4);
  } else if (a.is_ipv6()) {
    auto* sin6 = reinterpret_cast<const sockaddr_in6*>(a.data());
    std::memcpy(key.data(), &sin6->sin6_addr, 16);
  }
  return key;
}

// Connections per client address, over all workers: one lock at accept and one at close.
class ClientCounts {
 public:
  bool admit(const ClientKey& key, std::size_t limit) {
    std::lock_guard lock(mutex_);
    std::size_t& count = counts_[key];
    if (count >= limit) {
      if (count == 0) counts_.erase(key);
      return false;
    }
    ++count;
    return true;
  }
  void release(const ClientKey& key) {
    std::lock_guard lock(mutex_);
    auto it = counts_.find(key);
    if (it != counts_.end() && --it->second == 0) counts_.erase(it);
  }

 private:
  std::mutex mutex_;
  std::unordered_map<ClientKey, std::size_t, ClientKeyHash> counts_;
};

}  // namespace

struct TcpServer::Impl {
  ServerOptions options;
  Handler handler;
  Handler refused;
  Handler busy_handler;
  ClientCounts clients;
  std::function<void()> drain_hook;
  std::unique_ptr<Runtime> runtime;
  std::vector<net::Socket> sockets;  // bound listeners, handed to the workers at start
  std::vector<std::unique_ptr<WorkerShare>> shares;
  net::Address address;
  std::mutex mutex;  // shutdown bookkeeping, off the request path
  std::condition_variable drained;
  bool started = false;
  bool stopped = false;
  std::optional<ShutdownReport> report;

  Task<void> accept_loop(WorkerShare& w);
  Task<void> hand_out_loop(WorkerShare& w);
  Task<void> connection(WorkerShare& w, Listener::Accepted accepted);
  // A connection over max_connections, given to busy_handler (a frame of its own: the
  // connection()'s, which every idle connection holds, stays as small as it was).
  Task<void> busy_connection(WorkerShare& w, Listener::Accepted accepted);
  void connection_began(WorkerShare& w, bool busy);
  void connection_ended(WorkerShare& w, bool busy);
  // Ends a connection's count when its coroutine ends: returns, throws, or is cut at shutdown.
  template <bool Busy>
  struct Ended {
    Impl* impl;
    WorkerShare& w;
    ~Ended() { impl->connection_ended(w, Busy); }
  };
};

namespace {

// Waits (on the worker's own loop) until the worker is below its connection limit, or may
// answer one more connection over it "busy".
struct SlotAwaiter {
  WorkerShare& w;
  bool await_ready() const noexcept {
    return w.draining || w.active - w.busy < w.max_connections || w.busy < w.max_busy;
  }
  void await_suspend(std::coroutine_handle<> h) noexcept { w.accept_waiting = h; }
  void await_resume() const noexcept {}
  ~SlotAwaiter() {
    if (w.accept_waiting) w.accept_waiting = {};  // destroyed while waiting (shutdown)
  }
};

bool transient_accept_error(const std::error_code& ec) {
  // Out of descriptors or memory: back off and try again instead of dying.
  return ec == std::errc::too_many_files_open || ec == std::errc::too_many_files_open_in_system ||
         ec == std::errc::no_buffer_space || ec == std::errc::not_enough_memory;
}

}  // namespace

// The next connection on this worker's listener, or nothing once the worker
// drains or accepting fails for good; transient failures (out of descriptors or
// memory) back off and try again.
static Task<std::optional<Listener::Accepted>> next_connection(WorkerShare& w) {
  while (!w.draining) {
    std::error_code ec;
    auto accepted = co_await w.listener->accept(ec);
    if (w.draining || ec == std::errc::operation_canceled) break;
    if (!ec) co_return std::optional<Listener::Accepted>(std::move(accepted));
    if (!transient_accept_error(ec)) {
      std::fprintf(stderr, "wire::io::TcpServer: accept failed: %s\n", ec.message().c_str());
      break;
    }
    co_await sleep_for(50ms);
  }
  co_return std::nullopt;
}

Task<void> TcpServer::Impl::accept_loop(WorkerShare& w) {
  while (!w.draining) {
    co_await SlotAwaiter{w};
    if (w.draining) break;
    auto accepted = co_await next_connection(w);
    if (!accepted) break;
    if (w.active - w.busy >= w.max_connections) {  // let in by a busy reply's room
      w.loop->spawn(busy_connection(w, std::move(*accepted)));
    } else {
      w.loop->spawn(connection(w, std::move(*accepted)));
    }
  }
}

// AcceptMode::one_acceptor: worker 0 accepts for everyone and hands each
// connection to the worker with the fewest, through that worker's post queue.
Task<void> TcpServer::Impl::hand_out_loop(WorkerShare& w) {
  // The least loaded worker with room, or shares.size() if none has room. Busy replies run
  // here on `w`, and only `w` counts any (busy_shared is 0 elsewhere).
  auto least_loaded = [this] {
    auto load = [](const WorkerShare& s) {
      return s.active_shared.load(std::memory_order_relaxed) - s.busy_shared.load(std::memory_order_relaxed);
    };
    std::size_t best = 0;
    for (std::size_t i = 1; i < shares.size(); ++i) {
      if (load(*shares[i]) < load(*shares[best])) best = i;
    }
    return load(*shares[best]) < shares[best]->max_connections ? best : shares.size();
  };
  while (!w.draining) {
    // Wait (bounded poll) for a slot, or room for one more busy reply.
    while (!w.draining && least_loaded() == shares.size() && w.busy >= w.max_busy) co_await sleep_for(10ms);
    if (w.draining) break;
    auto next = co_await next_connection(w);
    if (!next) break;
    auto& accepted = *next;
    // Chosen now that the connection is here: slots only open up while accept() waits.
    std::size_t target = least_loaded();
    if (target == shares.size()) {  // every worker full: told so here
      w.active_shared.fetch_add(1, std::memory_order_relaxed);
      w.loop->spawn(busy_connection(w, std::move(accepted)));
      continue;
    }
    WorkerShare& to = *shares[target];
    // Counted now, so the next choice sees it; the receiving worker keeps the count.
    to.active_shared.fetch_add(1, std::memory_order_relaxed);
    if (&to == &w) {
      w.loop->spawn(connection(w, std::move(accepted)));
      continue;
    }
    // The descriptor travels alone; if the worker is gone before it runs, the
    // shared_ptr closes it.
    auto fd = std::make_shared<net::Socket>(accepted.stream.release_socket());
    auto peer = accepted.peer;
    runtime->post(static_cast<unsigned>(target), [this, &to, fd, peer] {
      if (to.draining) {
        to.active_shared.fetch_sub(1, std::memory_order_relaxed);
        std::lock_guard guard(mutex);
        drained.notify_all();
        return;  // `fd` closes with the last copy of this function
      }
      to.loop->spawn(connection(to, Listener::Accepted{Stream(std::move(*fd), Stream::NonBlocking{}), peer}));
    });
  }
}

void TcpServer::Impl::connection_ended(WorkerShare& w, bool busy) {
  --w.active;
  if (busy) w.busy_shared.store(--w.busy, std::memory_order_relaxed);
  if (options.accept_mode == AcceptMode::reuse_port) {
    w.active_shared.store(w.active, std::memory_order_relaxed);
  } else {
    w.active_shared.fetch_sub(1, std::memory_order_relaxed);
  }
  if (w.accept_waiting && !w.draining) {
    // Resume the acceptor from the loop, not from inside this frame's teardown.
    w.loop->post([&w] {
      if (auto h = std::exchange(w.accept_waiting, {})) h.resume();
    });
  }
  if (w.draining && w.active == 0) {
    std::lock_guard lock(mutex);
    drained.notify_all();
  }
}

void TcpServer::Impl::connection_began(WorkerShare& w, bool busy) {
  ++w.active;
  if (busy) w.busy_shared.store(++w.busy, std::memory_order_relaxed);
  if (options.accept_mode == AcceptMode::reuse_port) {
    w.active_shared.store(w.active, std::memory_order_relaxed);
  }  // else hand_out_loop counted it already
}

Task<void> TcpServer::Impl::busy_connection(WorkerShare& w, Listener::Accepted accepted) {
  connection_began(w, true);
  Ended<true> ended{this, w};
  if (!busy_handler) co_return;  // the close says it
  auto& stream = accepted.stream;
  stream.set_read_timeout(options.limits.idle_timeout);
  stream.set_write_timeout(options.limits.write_timeout);
  try {
    co_await busy_handler(stream, accepted.peer);
  } catch (const std::exception&) {
  }
}

Task<void> TcpServer::Impl::connection(WorkerShare& w, Listener::Accepted accepted) {
  connection_began(w, false);
  Ended<false> ended{this, w};
  auto& stream = accepted.stream;
  stream.set_read_timeout(options.limits.idle_timeout);
  stream.set_write_timeout(options.limits.write_timeout);
  struct Slot {  // this connection's place in its client's count
    ClientCounts& counts;
    ClientKey key;
    bool admitted = false;
    ~Slot() {
      if (admitted) counts.release(key);
    }
  } slot{clients, client_key(accepted.peer)};
  const std::size_t per_client = options.limits.max_connections_per_client;
  slot.admitted = per_client == 0 || clients.admit(slot.key, per_client);
  if (!slot.admitted && !refused) co_return;
  try {
    co_await (slot.admitted ? handler : refused)(stream, accepted.peer);
  } catch (const std::exception&) {
    // The connection's own failure (reset, timeout, the handler's error): it closes.
  }
}

TcpServer::TcpServer(ServerOptions options, Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
}

TcpServer::~TcpServer() {
  if (impl_->started) shutdown(0s);
}

void TcpServer::on_drain(std::function<void()> hook) { impl_->drain_hook = std::move(hook); }

void TcpServer::on_refused(Handler handler) { impl_->refused = std::move(handler); }

void TcpServer::on_busy(Handler handler) { impl_->busy_handler = std::move(handler); }

void TcpServer::start() {
  auto& im = *impl_;
  if (im.started) return;
  unsigned threads = im.options.threads ? im.options.threads
                                        : std::max(1u, std::thread::hardware_concurrency());
  // Bind on the caller's thread so errors surface here; the first socket fixes the
  // port (when 0 was asked) and the others join it with SO_REUSEPORT.
  const bool one = im.options.accept_mode == AcceptMode::one_acceptor;
  if (!one && im.options.port != 0) {
    // SO_REUSEPORT would let this server share a port another process (of the same
    // user) already listens on, each getting some of the connections. Bind once
    // without it first, so a port in use fails here as it does for any server.
    net::tcp_listen(im.options.host, im.options.port, im.options.backlog, false);
  }
  im.sockets.push_back(net::tcp_listen(im.options.host, im.options.port, im.options.backlog, !one));
  im.address = im.sockets.front().local_address();
  for (unsigned i = 1; i < threads && !one; ++i) {
    im.sockets.push_back(
        net::tcp_listen(im.options.host, im.address.port(), im.options.backlog, true));
  }
  // Small replies go out at once, as nginx's tcp_nodelay does. Accepted sockets inherit
  // TCP_NODELAY from their listener on Linux: set once here, not once per connection.
  for (auto& listener : im.sockets) {
    int on = 1;
    ::setsockopt(listener.fd(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  }
  std::size_t per_worker = (im.options.limits.max_connections + threads - 1) / threads;
  std::size_t busy_replies = im.options.limits.busy_replies;
  for (unsigned i = 0; i < threads; ++i) {
    auto share = std::make_unique<WorkerShare>();
    share->max_connections = std::max<std::size_t>(1, per_worker);
    if (!one) {
      share->max_busy = (busy_replies + threads - 1) / threads;
    } else if (i == 0) {
      share->max_busy = busy_replies;  // the acceptor tells them all
    }
    im.shares.push_back(std::move(share));
  }
  im.runtime = std::make_unique<Runtime>(threads);
  im.runtime->start([&im](Loop& loop, unsigned index) {
    WorkerShare& w = *im.shares[index];
    w.loop = &loop;
    if (im.options.accept_mode == AcceptMode::one_acceptor) {
      if (index != 0) return;  // workers other than 0 only take what is handed to them
      w.listener = std::make_unique<Listener>(std::move(im.sockets[0]));
      loop.spawn(im.hand_out_loop(w));
      return;
    }
    w.listener = std::make_unique<Listener>(std::move(im.sockets[index]));
    loop.spawn(im.accept_loop(w));
  });
  im.started = true;
}

net::Address TcpServer::local_address() const { return impl_->address; }

std::string TcpServer::url(std::string_view scheme) const {
  std::string host = impl_->options.host;
  if (host.empty() || host == "0.0.0.0") {
    host = "127.0.0.1";
  } else if (host == "::") {
    host = "[::1]";
  } else if (host.find(':') != std::string::npos) {
    host = "[" + host + "]";
  }
  return std::string(scheme) + "://" + host + ":" + std::to_string(impl_->address.port()) + "/";
}

std::size_t TcpServer::connections() const noexcept {
  std::size_t n = 0;
  for (auto& w : impl_->shares) n += w->active_shared.load(std::memory_order_relaxed);
  return n;
}

ShutdownReport TcpServer::shutdown(Clock::duration grace) {
  auto& im = *impl_;
  std::unique_lock lock(im.mutex);
  if (im.report) return *im.report;
  if (!im.started) return *(im.report = ShutdownReport{});
  lock.unlock();

  // 1. Stop accepting on every worker: closing a listener cancels its accept.
  for (unsigned i = 0; i < im.shares.size(); ++i) {
    WorkerShare* w = im.shares[i].get();
    im.runtime->post(i, [w, &im] {
      w->draining = true;
      if (w->listener) w->listener->close();
      if (auto h = std::exchange(w->accept_waiting, {})) h.resume();
      if (im.drain_hook) im.drain_hook();
      // Connections that ended before `draining` was set did not notify.
      if (w->active == 0) {
        std::lock_guard guard(im.mutex);
        im.drained.notify_all();
      }
    });
  }
  std::size_t in_flight = connections();
  // 2. Let handlers finish, up to the grace period.
  lock.lock();
  im.drained.wait_until(lock, Clock::now() + grace, [this] { return connections() == 0; });
  std::size_t cut = connections();
  lock.unlock();
  // 3. Stop the loops: each destroys the connections it still holds.
  im.runtime->stop();
  im.runtime->join();
  lock.lock();
  im.report = ShutdownReport{in_flight >= cut ? in_flight - cut : 0, cut};
  return *im.report;
}

ShutdownReport TcpServer::run_until_signal(Clock::duration grace) {
  SignalSet signals{SIGINT, SIGTERM};  // blocked before the workers start: they inherit it
  start();
  {
    Loop loop;  // this thread's own loop, only to wait for the signal
    loop.run(signals.wait());
  }
  return shutdown(grace);
}

}  // namespace wire::io
