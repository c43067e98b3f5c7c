// SPDX-License-Identifier: MIT
// The FTP client's data connections: passive (EPSV, RFC 2428 §3; PASV, RFC 959 §4.1.2) and
// active (EPRT, RFC 2428 §2; PORT), protected per RFC 4217 §9-§10, and ABOR (RFC 959 §4.1.3).
//
// Rules:
// - Passive: the data connection goes to the control connection's peer, at the port the 229
//   or 227 reply names; a 227's address is ignored unless ClientOptions::use_pasv_address.
//   EPSV is tried first; after a 500/501/502 to it, PASV is used for the rest of the session.
// - Active: the client listens on the control connection's local address; only a connection
//   from the control connection's peer is taken (anyone else could feed or steal the data).
// - TLS: the data connection's handshake starts after the command's 1yz reply (pyftpdlib
//   drops one that begins earlier), as the TLS client in both modes (RFC 4217 §9), resuming the
//   control connection's session (servers such as vsftpd refuse a data connection that does
//   not: it proves the same client made both).
// - A transfer ends with its final reply; a negative one is a ReplyError even if the data
//   seemed complete.
#include <utility>

#include "client_state.hpp"
#include "same_host.hpp"
#include "wire/error.hpp"
#include "wire/ftp/codec.hpp"
#include "wire/io/timeout.hpp"
#include "wire/net/tcp.hpp"
#include "wire/tls/error.hpp"

namespace wire::ftp {
namespace {

// A reply saying the server does not know a command (RFC 959 §4.2.1: 500, 501, 502).
bool not_understood(const dialogue::Reply& r) { return r.code == 500 || r.code == 501 || r.code == 502; }

}  // namespace

io::Task<detail::DataPlan> AsyncClient::State::plan_data() {
  detail::DataPlan plan;
  bool v6 = peer.is_ipv6() && peer.host().find('.') == std::string::npos;
  if (options.data_mode == DataMode::passive) {
    std::uint16_t data_port = 0;
    net::Address target;
    if (options.extended && !extended_refused) {
      dialogue::Reply r = co_await exchange("EPSV");
      if (r.code == 229) {
        data_port = parse_epsv_reply(r);
      } else if (!not_understood(r) || v6) {
        refuse(r, "EPSV", {});
      } else {
        extended_refused = true;
      }
    }
    if (data_port == 0) {
      dialogue::Reply r = co_await exchange("PASV");
      if (r.code != 227) refuse(r, "PASV", {});
      HostPort where = parse_pasv_reply(r);
      data_port = where.port;
      // CVE-2021-4189, CVE-2020-8284: the address is the server's word, the peer is a fact.
      if (options.use_pasv_address) target = net::Address::ip(where.host, where.port);
    }
    if (target.empty()) target = peer.with_port(data_port);
    plan.connected = co_await io::connect(target, options.connect_timeout);
    co_return plan;
  }
  net::Socket listening = net::tcp_listen(local.host(), 0, 1);
  std::uint16_t listen_port = listening.local_address().port();
  plan.listener.emplace(std::move(listening));
  if (options.extended && !extended_refused) {
    std::string arg = eprt_argument(local.host(), listen_port);
    dialogue::Reply r = co_await exchange("EPRT", arg);
    if (r.positive_completion()) co_return plan;
    if (!not_understood(r) || v6) refuse(r, "EPRT", arg);
    extended_refused = true;
  }
  std::string arg = port_argument(local.host(), listen_port);
  co_await complete("PORT", arg);
  co_return plan;
}

namespace {

// The server's connection to an active-mode listener: only from the control connection's peer.
io::Task<io::Stream> accept_from(io::Listener& listener, const net::Address& peer, std::chrono::milliseconds timeout,
                                 const std::string& what) {
  io::Listener::Accepted a = co_await io::with_timeout(listener.accept(), timeout);
  if (!detail::same_host(a.peer, peer)) {
    throw std::system_error(std::make_error_code(std::errc::permission_denied),
                            what + ": a data connection came from " + a.peer.host() + ", not the server " +
                                peer.host() + "; refused");
  }
  co_return std::move(a.stream);
}

}  // namespace

io::Task<detail::DataChannel> AsyncClient::State::start_transfer(std::string_view verb, std::string_view arg,
                                                                  std::uint64_t offset) {
  if (!binary) {
    co_await complete("TYPE", "I");
    binary = true;
  }
  detail::DataPlan plan = co_await plan_data();
  if (offset > 0) {  // RFC 3659 §5.3: REST, then 350, then the transfer command
    std::string n = std::to_string(offset);
    dialogue::Reply r = co_await exchange("REST", n);
    if (r.code != 350) refuse(r, "REST", n);
  }
  std::uint64_t id = co_await send(verb, arg);
  detail::DataChannel data;
  detail::Answer a = co_await next_reply(verb);
  while (!a.preliminary && a.id != id) a = co_await next_reply(verb);
  if (!a.preliminary) {
    if (!a.reply.positive_completion()) refuse(a.reply, verb, arg);
    data.final_seen = true;  // 2yz without 1yz: the data may have come all the same
    data.final_reply = std::move(a.reply);
  }
  io::Stream stream;
  if (plan.connected) {
    stream = std::move(*plan.connected);
  } else {  // (not a conditional expression: GCC 12 miscompiles co_await inside one)
    stream = co_await accept_from(*plan.listener, peer, options.timeout, describe(verb, arg));
  }
  stream.set_read_timeout(options.timeout);
  stream.set_write_timeout(options.timeout);
  if (!protect) {
    data.stream = tls::AnyStream(std::move(stream));
    co_return data;
  }
  tls::AsyncStream secured(std::move(stream), *context, tls_name);
  secured.set_session(control.tls().session());  // RFC 4217 §10.2: the same client
  co_await io::with_timeout(secured.handshake(), options.timeout);
  data.stream = tls::AnyStream(std::move(secured));
  co_return data;
}

io::Task<void> AsyncClient::State::finish_transfer(detail::DataChannel& data, std::string_view verb,
                                                   std::string_view arg) {
  data.stream.close();
  if (data.final_seen) co_return;
  detail::Answer a = co_await next_reply(verb);
  while (a.preliminary) a = co_await next_reply(verb);
  if (!a.reply.positive_completion()) refuse(a.reply, verb, arg);
}

// Closing a socket with unread input resets the connection, and a reset can destroy data the
// server has not read yet: over TLS the server sends its session tickets on the data
// connection too, which an upload never reads, and the tail of the file was lost that way.
// So: close_notify, FIN, then read (and drop) until the server closes, bounded by the timeout.
io::Task<void> AsyncClient::State::end_upload(detail::DataChannel& data) {
  co_await data.stream.shutdown();
  if (data.stream.is_tls()) data.stream.plain().shutdown_write();
  std::vector<std::byte> scrap(16 * 1024);
  for (std::size_t total = 0; total < (1u << 20);) {
    std::error_code ec;
    std::size_t n = co_await data.stream.read_some(scrap, ec);
    if (ec || n == 0) break;  // the server's close (or a reset after all: the reply decides)
    total += n;
  }
}

// RFC 959 §4.1.3: ABOR. The data connection is closed first, so a server busy sending sees
// its transfer fail (426) even if it reads no command meanwhile; then the replies are read up
// to the one that answers ABOR (226 or 225), whatever the transfer's own final reply was.
io::Task<void> AsyncClient::State::abort_transfer(detail::DataChannel& data) {
  data.stream.close();
  std::uint64_t id = co_await send("ABOR");
  for (int i = 0; i < 8; ++i) {
    detail::Answer a = co_await next_reply("ABOR");
    if (!a.preliminary && a.id == id) co_return;
  }
}

io::Task<std::string> AsyncClient::State::read_listing(std::string_view verb, std::string_view arg) {
  detail::DataChannel data = co_await start_transfer(verb, arg, 0);
  std::string listing;
  std::vector<std::byte> buffer(64 * 1024);
  for (;;) {
    std::error_code ec;
    std::size_t n = co_await data.stream.read_some(buffer, ec);
    if (ec == tls::Errc::truncated) break;  // no close_notify: the final reply decides
    if (ec == std::errc::timed_out) throw TimeoutError(describe(verb, arg) + ": the listing stalled");
    if (ec) throw_error(ec, describe(verb, arg) + ": data connection");
    if (n == 0) break;
    if (listing.size() + n > detail::kMaxListing) {
      co_await abort_transfer(data);
      throw std::system_error(make_error_code(wire::Errc::limit_exceeded),
                              describe(verb, arg) + ": listing larger than " +
                                  std::to_string(detail::kMaxListing) + " bytes");
    }
    listing.append(reinterpret_cast<const char*>(buffer.data()), n);
  }
  co_await finish_transfer(data, verb, arg);
  co_return listing;
}

}  // namespace wire::ftp
