// SPDX-License-Identifier: MIT
// wire::smtp::Server: connections on io::TcpServer's workers, one coroutine each (a
// Conversation, server_session.cpp), with the server kit of wire::io: the per-address limit
// answered with 421, an idle queue per worker closed on drain, the lingering close, and the
// TLS accept with a deadline for implicit TLS.
#include <unistd.h>

#include <stdexcept>

#include "server_impl.hpp"
#include "wire/dialogue/reply.hpp"
#include "wire/tls/async_stream.hpp"

namespace wire::smtp {

using namespace std::chrono_literals;

io::Task<void> Server::Impl::serve(io::Stream& socket, const net::Address& peer) {
  detail::Worker& w = workers.local();
  tls::AnyStream stream;
  if (options.implicit_tls) {  // RFC 8314 §3.3: TLS first, then the greeting inside it
    std::error_code ec;
    tls::AsyncStream tls = co_await tls::AsyncStream::accept(std::move(socket), *options.tls,
                                                             options.limits.idle_timeout, ec);
    if (ec) co_return;
    stream = tls::AnyStream(std::move(tls));
  } else {
    stream = tls::AnyStream(std::move(socket));
  }
  detail::Conversation conversation(*this, w, stream, peer);
  co_await conversation.run();
}

// Over the per-address limit or the server's: 421 (RFC 5321 §3.8; 4.7.0 for the address,
// 4.3.2 "system not accepting network messages" for the whole, RFC 3463), then the lingering
// close, so that the reply is not lost to a reset.
io::Task<void> Server::Impl::refuse_busy(io::Stream& stream, const net::Address& peer, bool per_client) {
  log("refused " + peer.to_string() + (per_client ? ": too many connections from its address" : ": too many connections"));
  std::string busy;
  dialogue::encode_reply(busy, 421, per_client ? "4.7.0 " + hostname + " Too many connections from your address, try later"
                                               : "4.3.2 " + hostname + " Too many connections, try later");
  std::error_code ec;
  if (options.implicit_tls) co_return;  // no TLS session to say it in: the close says it
  co_await stream.write_all(std::as_bytes(std::span(busy)), ec);
  if (!ec) co_await io::linger_close(stream, 2s, 64 * 1024);
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>()) {
  Impl& im = *impl_;
  im.options = std::move(options);
  if (im.options.implicit_tls && !im.options.tls) {
    throw std::invalid_argument("smtp::Server: implicit_tls needs a TLS context");
  }
  im.hostname = im.options.hostname;
  if (im.hostname.empty()) {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0 || host[0] == 0) std::snprintf(host, sizeof host, "localhost");
    im.hostname = host;
  }
  for (char c : im.hostname) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) throw std::invalid_argument("smtp::Server: bad hostname");
  }
  if (!im.options.maildir.empty()) im.maildir.emplace(im.options.maildir);
  const ServerLimits& l = im.options.limits;
  io::ServerOptions tcp;
  tcp.host = im.options.host;
  tcp.port = im.options.port;
  tcp.threads = im.options.threads;
  tcp.limits.max_connections = l.max_connections;
  tcp.limits.max_connections_per_client = l.max_connections_per_client;
  tcp.limits.busy_replies = 64;  // over max_connections: 421 at once, this many at a time
  tcp.limits.idle_timeout = l.idle_timeout;  // each read; the idle queue bounds the waits between commands
  tcp.limits.write_timeout = l.idle_timeout;
  Impl* self = impl_.get();
  im.tcp = std::make_unique<io::TcpServer>(
      tcp, [self](io::Stream& s, const net::Address& peer) { return self->serve(s, peer); });
  im.tcp->on_refused([self](io::Stream& s, const net::Address& peer) { return self->refuse_busy(s, peer, true); });
  im.tcp->on_busy([self](io::Stream& s, const net::Address& peer) { return self->refuse_busy(s, peer, false); });
  // Draining: connections waiting for a command go at once; those in a transaction get the grace.
  im.tcp->on_drain([self] { self->workers.local().idle.close_all(); });
}

Server::~Server() {
  if (impl_ && impl_->tcp) impl_->tcp->shutdown(0s);
}

void Server::start() { impl_->tcp->start(); }
net::Address Server::local_address() const { return impl_->tcp->local_address(); }
std::uint64_t Server::messages_accepted() const noexcept { return impl_->accepted.load(); }
io::ShutdownReport Server::shutdown(std::chrono::milliseconds grace) { return impl_->tcp->shutdown(grace); }
io::ShutdownReport Server::run_until_signal(std::chrono::milliseconds grace) {
  return impl_->tcp->run_until_signal(grace);
}

}  // namespace wire::smtp
