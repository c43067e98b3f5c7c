// SPDX-License-Identifier: MIT
// wire::ftp::Server: control connections on io::TcpServer's workers, one Session coroutine each
// (server_session.hpp), with the server kit of wire::io: an idle queue per worker, the
// per-address connection limit answered 421, the drain hook.
#include "wire/ftp/server.hpp"

#include <algorithm>
#include <stdexcept>

#include "server_session.hpp"
#include "wire/dialogue/reply.hpp"

namespace wire::ftp {

namespace {
// Connections over max_connections told 421 at once; past that many, they wait in the backlog.
constexpr std::size_t kBusyReplies = 64;
}  // namespace

std::chrono::milliseconds failed_login_delay(const ServerLimits& limits, unsigned failures) noexcept {
  if (failures == 0) return std::chrono::milliseconds(0);
  auto delay = limits.login_failure_delay;
  for (unsigned i = 1; i < failures && delay < limits.max_login_delay; ++i) delay *= 2;
  return std::min(delay, limits.max_login_delay);
}

Server::Impl::Impl(ServerOptions o) : options(std::move(o)), root(options.root) {
  command_limits.max_line_length = options.limits.max_command_line;
}

io::Task<void> Server::Impl::serve(io::Stream& stream, const net::Address& peer) {
  detail::Session session(*this, workers.local(), std::move(stream), peer);
  co_await session.run();
}

// Over the per-address limit or the server's: 421 (RFC 959 §4.2: the service is closing the
// control connection), as vsftpd and pyftpdlib answer, then the lingering close so that the
// reply is read rather than reset away.
io::Task<void> Server::Impl::refuse_busy(io::Stream& stream, const net::Address& peer, bool per_client) {
  log(peer, per_client ? "refused: too many connections from this address" : "refused: too many connections");
  std::string out;
  dialogue::encode_reply(out, 421, per_client ? "Too many connections from your address; try again later."
                                              : "Too many users connected; try again later.");
  std::error_code ec;
  co_await stream.write_all(std::as_bytes(std::span(out)), ec);
  if (!ec) co_await io::linger_close(stream, std::chrono::seconds(2), 64 * 1024);
}

void Server::Impl::drain_worker() {
  detail::Worker& w = workers.local();
  w.draining = true;
  w.idle.close_all();  // idle control connections end now; transfers get the grace period
}

void Server::Impl::log(const net::Address& peer, std::string_view what) const {
  if (!options.log) return;
  std::string line = peer.host();
  line += ' ';
  line += what;
  options.log(line);
}

Server::Server(ServerOptions options) {
  if (options.require_tls && !options.tls) {
    throw std::invalid_argument("ftp::Server: require_tls needs a TLS context (options.tls)");
  }
  if (options.users.empty() && !options.anonymous) {
    throw std::invalid_argument("ftp::Server: no users and no anonymous access: nobody could log in");
  }
  if (options.passive_ports.first > options.passive_ports.last) {
    throw std::invalid_argument("ftp::Server: the passive port range is empty");
  }
  impl_ = std::make_unique<Impl>(std::move(options));
  Impl& im = *impl_;
  io::ServerOptions tcp;
  tcp.host = im.options.host;
  tcp.port = im.options.port;
  tcp.threads = im.options.threads;
  tcp.limits.max_connections = im.options.limits.max_connections;
  tcp.limits.max_connections_per_client = im.options.limits.max_connections_per_client;
  tcp.limits.busy_replies = kBusyReplies;
  tcp.limits.idle_timeout = im.options.limits.idle_timeout;  // a backstop: the idle queue closes first
  tcp.limits.write_timeout = im.options.limits.data_timeout;
  Impl* self = impl_.get();
  im.tcp = std::make_unique<io::TcpServer>(
      tcp, [self](io::Stream& s, const net::Address& peer) { return self->serve(s, peer); });
  im.tcp->on_refused([self](io::Stream& s, const net::Address& peer) { return self->refuse_busy(s, peer, true); });
  im.tcp->on_busy([self](io::Stream& s, const net::Address& peer) { return self->refuse_busy(s, peer, false); });
  im.tcp->on_drain([self] { self->drain_worker(); });
}

Server::~Server() {
  if (impl_ && impl_->tcp) impl_->tcp->shutdown(0s);
}

void Server::start() { impl_->tcp->start(); }

net::Address Server::local_address() const { return impl_->tcp->local_address(); }

std::string Server::url() const { return impl_->tcp->url("ftp"); }

std::size_t Server::connections() const noexcept { return impl_->tcp->connections(); }

io::ShutdownReport Server::shutdown(std::chrono::milliseconds grace) { return impl_->tcp->shutdown(grace); }

io::ShutdownReport Server::run_until_signal(std::chrono::milliseconds grace) {
  return impl_->tcp->run_until_signal(grace);
}

}  // namespace wire::ftp
