// SPDX-License-Identifier: MIT
// tcp_connect() implements Happy Eyeballs v2 (RFC 8305) over poll(2).
#include "wire/net/tcp.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <climits>
#include <string>
#include <vector>

#include "wire/error.hpp"
#include "wire/net/resolver.hpp"

namespace wire::net {
namespace {

using Clock = std::chrono::steady_clock;

// RFC 8305 §4: alternate address families, starting with the first one in the
// resolver's (RFC 6724) order, and otherwise keep that order.
std::vector<Address> interleave(std::span<const Address> addresses) {
  if (addresses.empty()) return {};
  std::vector<Address> first, second;
  auto family = addresses.front().family();
  for (const auto& a : addresses) (a.family() == family ? first : second).push_back(a);
  std::vector<Address> out;
  out.reserve(addresses.size());
  for (std::size_t i = 0; i < std::max(first.size(), second.size()); ++i) {
    if (i < first.size()) out.push_back(first[i]);
    if (i < second.size()) out.push_back(second[i]);
  }
  return out;
}

struct Attempt {
  Socket socket;
  Address address;
};

}  // namespace

Socket tcp_connect(std::span<const Address> addresses, const ConnectOptions& options,
                   std::error_code& ec) {
  ec.clear();
  auto order = interleave(addresses);
  if (order.empty()) {
    ec = std::error_code(EAI_NONAME, resolver_category());
    return {};
  }
  const auto start = Clock::now();
  const auto deadline = start + options.timeout;
  auto next_start = start;
  std::size_t next = 0;
  std::vector<Attempt> pending;
  std::error_code last;  // the most recent failure, reported if every attempt fails

  for (;;) {
    auto now = Clock::now();
    // Start the next attempt when it is due, or at once if nothing is pending.
    while (next < order.size() && (pending.empty() || now >= next_start)) {
      const Address& address = order[next++];
      std::error_code attempt_ec;
      Socket s;
      try {
        s = Socket(address.family(), SocketType::stream);
        s.set_timeout(std::chrono::milliseconds(0));
      } catch (const std::system_error& e) {
        last = e.code();
        continue;
      }
      s.connect(address, attempt_ec);
      if (!attempt_ec) {
        s.set_timeout(options.timeout);
        return s;
      }
      if (attempt_ec == std::errc::operation_in_progress) {
        pending.push_back({std::move(s), address});
        next_start = now + options.attempt_delay;
        break;
      }
      last = attempt_ec;  // failed at once (refused, unreachable): try the next now
    }
    if (pending.empty()) {
      ec = last;
      return {};
    }
    if (now >= deadline) {
      ec = std::make_error_code(std::errc::timed_out);
      return {};
    }

    auto wake = next < order.size() ? std::min(deadline, next_start) : deadline;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(wake - now).count();
    std::vector<pollfd> fds;
    fds.reserve(pending.size());
    for (auto& a : pending) fds.push_back({a.socket.fd(), POLLOUT, 0});
    int n = ::poll(fds.data(), fds.size(), static_cast<int>(std::clamp<long long>(left, 0, INT_MAX)));
    if (n < 0) {
      if (errno == EINTR) continue;
      ec = {errno, std::system_category()};
      return {};
    }
    if (n == 0) continue;
    // Collect results; erase from the back so indexes stay valid.
    for (std::size_t i = fds.size(); i-- > 0;) {
      if (fds[i].revents == 0) continue;
      int so_error = 0;
      socklen_t len = sizeof so_error;
      if (::getsockopt(fds[i].fd, SOL_SOCKET, SO_ERROR, &so_error, &len) < 0) so_error = errno;
      if (so_error == 0) {
        Socket winner = std::move(pending[i].socket);
        winner.set_timeout(options.timeout);
        return winner;  // the other attempts close as `pending` goes out of scope
      }
      last = {so_error, std::system_category()};
      pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(i));
      next_start = Clock::now();  // RFC 8305 §5: a failure starts the next attempt now
    }
  }
}

Socket tcp_connect(std::span<const Address> addresses, const ConnectOptions& options) {
  std::error_code ec;
  auto s = tcp_connect(addresses, options, ec);
  if (ec) {
    std::string what = "connect to ";
    if (addresses.size() == 1) {
      what += addresses.front().to_string();
    } else {
      for (std::size_t i = 0; i < addresses.size(); ++i) {
        what += (i ? ", " : "") + addresses[i].to_string();
      }
    }
    throw_error(ec, what);
  }
  return s;
}

Socket tcp_connect(std::string_view host, std::uint16_t port, std::chrono::milliseconds timeout) {
  auto addresses = resolve(host, port);
  std::error_code ec;
  auto s = tcp_connect(addresses, ConnectOptions{.timeout = timeout}, ec);
  if (ec) {
    // An IPv6 literal host is bracketed so the port stays readable.
    bool bare_v6 = host.find(':') != std::string_view::npos && !host.starts_with('[');
    std::string where = bare_v6 ? "[" + std::string(host) + "]" : std::string(host);
    throw_error(ec, "connect to " + where + ":" + std::to_string(port));
  }
  return s;
}

namespace {

// The address a listener binds for `host`: see tcp_listen()'s contract.
Address listen_address(std::string_view host, std::uint16_t port, int socket_type,
                       bool& dual_stack) {
  dual_stack = host.empty() || host == "::" || host == "[::]";
  if (dual_stack) return Address::ip("::", port);
  auto candidates = resolve(host, port, ResolveOptions{.family = std::nullopt, .socket_type = socket_type, .passive = true});
  auto v4 = std::find_if(candidates.begin(), candidates.end(),
                         [](const Address& a) { return a.is_ipv4(); });
  return v4 != candidates.end() ? *v4 : candidates.front();
}

Socket bound_socket(std::string_view host, std::uint16_t port, SocketType type,
                    bool reuse_port = false) {
  bool dual_stack = false;
  Address address = listen_address(host, port, static_cast<int>(type), dual_stack);
  Socket s;
  try {
    s = Socket(address.family(), type);
  } catch (const std::system_error& e) {
    // No IPv6 on this host: "any address" then means IPv4's.
    if (!(dual_stack && host.empty() && e.code() == std::errc::address_family_not_supported)) {
      throw;
    }
    address = Address::ip("0.0.0.0", port);
    dual_stack = false;
    s = Socket(address.family(), type);
  }
  if (type == SocketType::stream) s.set_reuse_address(true);
  if (reuse_port) s.set_reuse_port(true);
  if (dual_stack) s.set_v6_only(false);
  s.bind(address);
  return s;
}

}  // namespace

Socket tcp_listen(std::string_view host, std::uint16_t port, int backlog, bool reuse_port) {
  Socket s = bound_socket(host, port, SocketType::stream, reuse_port);
  s.listen(backlog);
  return s;
}

Socket udp_bind(std::string_view host, std::uint16_t port) {
  return bound_socket(host, port, SocketType::datagram);
}

Socket unix_connect(std::string_view path, SocketType type) {
  auto address = Address::unix_path(path);
  Socket s(Family::local, type);
  s.connect(address);
  return s;
}

Socket unix_listen(std::string_view path, int backlog) {
  Socket s = unix_bind(path, SocketType::stream);
  s.listen(backlog);
  return s;
}

Socket unix_bind(std::string_view path, SocketType type) {
  auto address = Address::unix_path(path);
  Socket s(Family::local, type);
  s.bind(address);
  return s;
}

}  // namespace wire::net
