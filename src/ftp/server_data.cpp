// SPDX-License-Identifier: MIT
// The server's data connections and transfers: PASV, EPSV (RFC 2428 §3, EPSV ALL §4), PORT,
// EPRT (RFC 2428 §2), LIST, NLST, MLSD, RETR, STOR, APPE, with REST (RFC 3659 §5) and TLS on
// the data connection (RFC 4217 §9).
//
// Rules:
// - No FTP bounce (RFC 2577): PORT and EPRT may name only the control connection's peer, and a
//   port of 1024 or more; a passive port takes only a connection from that peer (another is
//   closed and the wait goes on), so no third host can steal or feed a transfer.
// - The order of a transfer: the data connection (accepted or made), then 150, then over PROT P
//   the TLS handshake as the server, then the bytes, then 226 (426 if they did not all pass).
// - Uploads go to a temporary name renamed over the real one when complete (STOR); an
//   interrupted one leaves nothing. APPE, and STOR after REST, write the named file in place:
//   what they resume is that file.
// - A TLS upload ends with the client's close_notify; one that ends without it is incomplete
//   (it could have been cut by anyone on the path) and is not kept.
// - Plain downloads go out with sendfile(2); between pieces the control connection is looked
//   at, and ABOR there stops the transfer (426, then 226).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "same_host.hpp"
#include "server_session.hpp"
#include "wire/ftp/codec.hpp"
#include "wire/io/timeout.hpp"
#include "wire/net/tcp.hpp"
#include "wire/tls/async_stream.hpp"
#include "wire/tls/error.hpp"

namespace wire::ftp::detail {
namespace {

// The IPv4 form of an address a dual-stack socket may show as ::ffff:a.b.c.d; "" if IPv6.
std::string ipv4_of(const net::Address& a) {
  std::string host = a.host();
  if (a.is_ipv4()) return host;
  if (host.rfind("::ffff:", 0) == 0 && host.find('.') != std::string::npos) return host.substr(7);
  return {};
}

}  // namespace

std::optional<io::Listener> Session::passive_listener() {
  const PortRange& range = server_.options.passive_ports;
  std::string host = local_.host();
  if (range.first == 0) return io::Listener(net::tcp_listen(host, 0, 1));
  std::uint32_t span = static_cast<std::uint32_t>(range.last - range.first) + 1;
  std::uint32_t start = server_.next_port.fetch_add(1, std::memory_order_relaxed);
  for (std::uint32_t i = 0; i < span; ++i) {
    auto port = static_cast<std::uint16_t>(range.first + (start + i) % span);
    try {
      return io::Listener(net::tcp_listen(host, port, 1));
    } catch (const std::system_error&) {  // taken: the next one
    }
  }
  return std::nullopt;
}

io::Task<void> Session::cmd_pasv(std::string_view) {
  if (epsv_all_) co_return co_await reply(503, "EPSV ALL was sent: EPSV only.");  // RFC 2428 §4
  std::string told = server_.options.passive_address.empty() ? ipv4_of(local_) : server_.options.passive_address;
  if (told.empty()) co_return co_await reply(425, "PASV cannot name an IPv6 address: use EPSV.");
  data_.clear();
  if (auto listener = passive_listener()) data_.listener.emplace(std::move(*listener));
  if (!data_.listener) co_return co_await reply(425, "No passive port is free.");
  std::uint16_t port = data_.listener->local_address().port();
  co_await reply(227, pasv_reply_text(told, port));
}

io::Task<void> Session::cmd_epsv(std::string_view arg) {
  if (arg == "ALL" || arg == "all") {
    epsv_all_ = true;
    co_return co_await reply(200, "EPSV ALL ok.");
  }
  bool v6 = ipv4_of(local_).empty();
  if (!arg.empty() && arg != (v6 ? "2" : "1")) {
    co_return co_await reply(522, v6 ? "Network protocol not supported, use (2)." : "Network protocol not supported, use (1).");
  }
  data_.clear();
  if (auto listener = passive_listener()) data_.listener.emplace(std::move(*listener));
  if (!data_.listener) co_return co_await reply(425, "No passive port is free.");
  co_await reply(229, epsv_reply_text(data_.listener->local_address().port()));
}

namespace {

// Where an active data connection may go: the control connection's peer, an unprivileged port.
std::string_view bounce_check(const HostPort& where, const net::Address& peer, net::Address& target) {
  auto parsed = net::Address::try_parse(where.host.find(':') != std::string::npos
                                            ? "[" + where.host + "]:" + std::to_string(where.port)
                                            : where.host + ":" + std::to_string(where.port));
  if (!parsed) return "Malformed address.";
  if (!same_host(*parsed, peer)) return "Data connections go only to your own address (no FTP bounce).";
  if (where.port < 1024) return "Data connections to a privileged port are refused.";  // RFC 2577 §3
  target = *parsed;
  return {};
}

}  // namespace

// PORT and EPRT once parsed: the address is checked, then kept for the next transfer.
io::Task<void> Session::set_active(std::string_view verb, const HostPort& where) {
  net::Address target;
  std::string_view refused = bounce_check(where, peer_, target);
  if (!refused.empty()) {
    server_.log(peer_, "refused " + std::string(verb) + " to " + where.host + ":" + std::to_string(where.port));
    co_return co_await reply(501, refused);
  }
  data_.clear();
  data_.target = target;
  co_await reply(200, std::string(verb) + " command successful.");
}

io::Task<void> Session::cmd_port(std::string_view arg) {
  if (epsv_all_) co_return co_await reply(503, "EPSV ALL was sent: EPSV only.");
  std::error_code ec;
  HostPort where = parse_port_argument(arg, ec);
  if (ec) co_return co_await reply(501, "Malformed PORT argument.");
  co_await set_active("PORT", where);
}

io::Task<void> Session::cmd_eprt(std::string_view arg) {
  if (epsv_all_) co_return co_await reply(503, "EPSV ALL was sent: EPSV only.");
  std::error_code ec;
  HostPort where = parse_eprt_argument(arg, ec);
  if (ec == Errc::unsupported_protocol) co_return co_await reply(522, "Network protocol not supported, use (1,2).");
  if (ec) co_return co_await reply(501, "Malformed EPRT argument.");
  co_await set_active("EPRT", where);
}

io::Task<std::optional<tls::AnyStream>> Session::open_data(std::string_view opening) {
  const ServerOptions& o = server_.options;
  if (!data_.ready()) {
    co_await reply(425, "Use PORT, EPRT, PASV or EPSV first.");
    co_return std::nullopt;
  }
  if (o.require_tls && !protect_) {
    co_await reply(521, "Data connections must be protected: send PROT P.");  // RFC 4217 §9
    co_return std::nullopt;
  }
  DataSetup setup = std::move(data_);
  data_.clear();
  io::Stream stream;
  auto deadline = io::Clock::now() + o.limits.data_timeout;
  try {
    if (setup.target) {
      stream = co_await io::connect(*setup.target, o.limits.data_timeout);
    } else {
      for (int tries = 0; tries < 16 && !stream.is_open(); ++tries) {
        io::Listener::Accepted a = co_await io::with_timeout(setup.listener->accept(), deadline - io::Clock::now());
        if (same_host(a.peer, peer_)) {
          stream = std::move(a.stream);
        } else {  // not the client: someone trying to steal or feed the transfer
          server_.log(peer_, "refused a data connection from " + a.peer.host());
        }
      }
    }
  } catch (const std::system_error&) {  // timed out, refused, reset
  }
  setup.clear();
  if (!stream.is_open()) {
    co_await reply(425, "Cannot open the data connection.");
    co_return std::nullopt;
  }
  stream.set_read_timeout(o.limits.data_timeout);
  stream.set_write_timeout(o.limits.data_timeout);
  co_await reply(150, opening);
  if (!protect_) co_return tls::AnyStream(std::move(stream));
  std::error_code ec;
  tls::AsyncStream secured = co_await tls::AsyncStream::accept(std::move(stream), *o.tls, o.limits.data_timeout, ec);
  if (ec) {
    server_.log(peer_, "TLS handshake on a data connection failed: " + ec.message());
    co_await reply(425, "TLS handshake on the data connection failed.");
    co_return std::nullopt;
  }
  co_return tls::AnyStream(std::move(secured));
}

io::Task<void> Session::end_transfer(tls::AnyStream& data, bool complete, bool aborted, std::string_view what) {
  if (complete && data.is_tls()) {
    try {
      co_await data.shutdown();  // close_notify: the end of the data, said under TLS
    } catch (const std::exception&) {
      complete = false;
    }
  }
  data.close();
  if (complete) co_return co_await reply(226, "Transfer complete.");
  server_.log(peer_, std::string(what) + (aborted ? " aborted" : " failed"));
  co_await reply(426, "Connection closed; transfer aborted.");
  if (aborted && !quit_) co_await reply(226, "ABOR successful.");  // RFC 959 §4.1.3: the ABOR's own reply
}

// --- listings ----------------------------------------------------------------------------------

namespace {

// Sends all of `bytes`; false if the data connection failed.
io::Task<bool> send_all(tls::AnyStream& data, std::string_view bytes) {
  std::error_code ec;
  co_await data.write_all(std::as_bytes(std::span(bytes.data(), bytes.size())), ec);
  co_return !ec;
}

}  // namespace

// LIST, NLST, MLSD: the listing is made (or refused) before the data connection opens.
io::Task<void> Session::send_listing(std::string_view verb, std::string_view arg, std::string_view opening) {
  auto text = co_await listing(verb, arg);
  if (!text) co_return;
  auto data = co_await open_data(opening);
  if (!data) co_return;
  bool sent = co_await send_all(*data, *text);
  co_await end_transfer(*data, sent, false, verb);
}

io::Task<void> Session::cmd_list(std::string_view arg) { co_await send_listing("LIST", arg, "Here comes the directory listing."); }
io::Task<void> Session::cmd_nlst(std::string_view arg) { co_await send_listing("NLST", arg, "Here comes the name list."); }
io::Task<void> Session::cmd_mlsd(std::string_view arg) { co_await send_listing("MLSD", arg, "Here comes the MLSD listing."); }

// --- RETR --------------------------------------------------------------------------------------

io::Task<bool> Session::send_file(tls::AnyStream& data, int fd, std::uint64_t offset, std::uint64_t end,
                                  bool& aborted) {
  if (!data.is_tls()) {
    io::Stream& socket = data.plain();
    while (offset < end) {
      std::uint64_t piece = std::min(kSendfilePiece, end - offset);
      try {
        co_await socket.sendfile(fd, static_cast<long long>(offset), static_cast<std::size_t>(piece));
      } catch (const std::system_error&) {
        co_return false;
      }
      offset += piece;
      if (offset < end) {  // (statements, not a condition: GCC 12 miscompiles co_await in one)
        aborted = co_await abort_requested();
        if (aborted) co_return false;
      }
    }
    co_return true;
  }
  std::vector<std::byte> buffer(kServerDataBuffer);
  for (std::size_t rounds = 0; offset < end; ++rounds) {
    ssize_t n = ::pread(fd, buffer.data(), static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), end - offset)),
                        static_cast<off_t>(offset));
    if (n <= 0) co_return false;  // a read error, or the file shrank
    std::error_code ec;
    co_await data.write_all(std::span<const std::byte>(buffer.data(), static_cast<std::size_t>(n)), ec);
    if (ec) co_return false;
    offset += static_cast<std::uint64_t>(n);
    if (rounds % 32 == 31 && offset < end) {
      aborted = co_await abort_requested();
      if (aborted) co_return false;
    }
  }
  co_return true;
}

io::Task<void> Session::cmd_retr(std::string_view arg) {
  auto path = co_await resolve(arg);
  if (!path) co_return;
  std::uint64_t offset = restart_set_ ? restart_ : 0;
  std::error_code ec;
  io::FileRoot::Opened file = server_.root.open(*path, ec);
  if (!ec && !file.info.is_file()) ec = std::make_error_code(std::errc::no_such_file_or_directory);
  if (ec) co_return co_await refuse_path(ec, "RETR");
  if (offset > file.info.size) co_return co_await reply(554, "REST offset past the end of the file.");
  // The file was opened O_NONBLOCK (a FIFO cannot hang the worker); reads of a regular file
  // never wait, but sendfile(2) wants it cleared.
  ::fcntl(file.fd.get(), F_SETFL, O_RDONLY);
  auto data = co_await open_data("Opening BINARY mode data connection for /" + *path + " (" +
                                 std::to_string(file.info.size - offset) + " bytes).");
  if (!data) co_return;
  bool aborted = false;
  bool sent = co_await send_file(*data, file.fd.get(), offset, file.info.size, aborted);
  server_.log(peer_, (sent ? "sent /" : "did not send all of /") + *path);
  co_await end_transfer(*data, sent, aborted, "RETR");
}

// --- STOR, APPE --------------------------------------------------------------------------------

io::Task<bool> Session::receive_file(tls::AnyStream& data, int fd, std::uint64_t offset) {
  std::vector<std::byte> buffer(kServerDataBuffer);
  for (;;) {
    std::error_code ec;
    std::size_t n = co_await data.read_some(buffer, ec);
    if (ec) co_return false;  // a reset, a timeout, or over TLS an end without close_notify
    if (n == 0) co_return true;
    for (std::size_t done = 0; done < n;) {
      ssize_t w = ::pwrite(fd, buffer.data() + done, n - done, static_cast<off_t>(offset));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) co_return false;
      done += static_cast<std::size_t>(w);
      offset += static_cast<std::uint64_t>(w);
    }
  }
}

io::Task<void> Session::store(std::string_view arg, bool append) {
  auto path = co_await resolve(arg);
  if (!path) co_return;
  std::uint64_t offset = restart_set_ ? restart_ : 0;
  std::error_code ec;
  io::FileRoot::Upload upload;
  io::UniqueFd in_place;
  if (append || offset > 0) {
    in_place = server_.root.open_write(*path, append ? io::FileRoot::WriteMode::append : io::FileRoot::WriteMode::positioned, ec);
    if (!ec && append) offset = static_cast<std::uint64_t>(::lseek(in_place.get(), 0, SEEK_END));
  } else {
    upload = server_.root.create_upload(*path, ec);
  }
  if (ec) co_return co_await refuse_path(ec, append ? "APPE" : "STOR");
  auto data = co_await open_data("Ok to send data for /" + *path + ".");
  if (!data) co_return;
  bool complete = co_await receive_file(*data, in_place ? in_place.get() : upload.fd(), offset);
  if (complete && upload) {
    upload.commit(ec);  // the file appears under its name only now, whole
    complete = !ec;
  }
  if (!complete && upload) upload.abandon();  // the temporary file goes before the 426 says so
  server_.log(peer_, (complete ? "received /" : "did not receive all of /") + *path);
  co_await end_transfer(*data, complete, false, append ? "APPE" : "STOR");
}

io::Task<void> Session::cmd_stor(std::string_view arg) { co_await store(arg, false); }
io::Task<void> Session::cmd_appe(std::string_view arg) { co_await store(arg, true); }

}  // namespace wire::ftp::detail
