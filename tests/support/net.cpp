// SPDX-License-Identifier: MIT
#include "support/net.hpp"

#include <sys/ioctl.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "support/wait.hpp"
#include "wire/net/tcp.hpp"

namespace wire::test {

TcpPair tcp_pair(std::string_view host, wire::net::Timeout timeout) {
  TcpPair p;
  p.listener = wire::net::tcp_listen(host, 0);
  p.client = wire::net::Socket(p.listener.local_address().family(), wire::net::SocketType::stream);
  p.client.connect(p.listener.local_address());
  p.server = p.listener.accept().socket;
  p.client.set_timeout(timeout);
  p.server.set_timeout(timeout);
  return p;
}

std::uint16_t free_tcp_port() {
  wire::net::Socket s(wire::net::Family::ipv4, wire::net::SocketType::stream);
  s.bind(wire::net::Address::ip("127.0.0.1", 0));
  return s.local_address().port();
}

bool wait_for_listener(const wire::net::Address& address, std::chrono::milliseconds timeout) {
  return wait_until(
      [&] {
        std::error_code ec;
        wire::net::Socket s(address.family(), wire::net::SocketType::stream);
        s.set_timeout(500ms);
        s.connect(address, ec);
        return !ec;
      },
      timeout, 10ms);
}

namespace {

// Whether /proc/net/<table> lists a socket in state LISTEN (0A) on `port`.
bool proc_lists_listener(const char* table, std::uint16_t port) {
  std::ifstream in(std::string("/proc/net/") + table);
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    if (!(fields >> slot >> local >> remote >> state)) continue;
    auto colon = local.rfind(':');
    if (colon == std::string::npos || state != "0A") continue;
    if (std::stoul(local.substr(colon + 1), nullptr, 16) == port) return true;
  }
  return false;
}

}  // namespace

bool wait_for_listening_port(std::uint16_t port, std::chrono::milliseconds timeout) {
  return wait_until(
      [&] { return proc_lists_listener("tcp", port) || proc_lists_listener("tcp6", port); }, timeout,
      5ms);
}

HangingListener hanging_listener(std::string_view host) {
  HangingListener h;
  h.listener = wire::net::tcp_listen(host, 0, 0);
  h.address = h.listener.local_address();
  for (int i = 0; i < 8; ++i) {
    wire::net::Socket probe(h.address.family(), wire::net::SocketType::stream);
    probe.set_timeout(300ms);
    std::error_code ec;
    probe.connect(h.address, ec);
    if (ec == std::errc::timed_out) return h;
    if (ec) throw std::system_error(ec, "hanging_listener: connect to " + h.address.to_string());
    h.queued.push_back(std::move(probe));
  }
  throw std::runtime_error("hanging_listener: connects to " + h.address.to_string() +
                           " never hung; is the accept queue unbounded here?");
}

RefusingPort refusing_port(std::string_view host) {
  RefusingPort r;
  auto any = wire::net::Address::ip(host, 0);
  r.reserved = wire::net::Socket(any.family(), wire::net::SocketType::stream);
  r.reserved.bind(any);
  r.address = r.reserved.local_address();
  return r;
}

std::size_t bytes_queued(const wire::net::Socket& socket) {
  int n = 0;
  if (::ioctl(socket.fd(), FIONREAD, &n) < 0) {
    throw std::system_error(errno, std::system_category(), "ioctl(FIONREAD)");
  }
  return static_cast<std::size_t>(n);
}

std::vector<std::string> loopback_hosts() { return {"127.0.0.1", "::1"}; }

std::string loopback_name(std::string_view host) {
  return host.find(':') != std::string_view::npos ? "ipv6" : "ipv4";
}

std::size_t raise_fd_limit(std::size_t want) {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) throw std::system_error(errno, std::generic_category(), "getrlimit");
  if (rl.rlim_cur < want) {
    rl.rlim_cur = std::min<rlim_t>(want, rl.rlim_max);
    if (::setrlimit(RLIMIT_NOFILE, &rl) != 0) throw std::system_error(errno, std::generic_category(), "setrlimit");
  }
  return static_cast<std::size_t>(rl.rlim_cur);
}

}  // namespace wire::test
