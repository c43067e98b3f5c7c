// SPDX-License-Identifier: MIT
// The server's shared state (Server::Impl), a worker's share, and one control connection's
// session: the command loop and the commands, split over server_session.cpp (the loop, login,
// TLS, the commands without files), server_files.cpp (paths and file commands) and
// server_data.cpp (data connections and transfers).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "wire/dialogue/command_parser.hpp"
#include "wire/ftp/codec.hpp"
#include "wire/ftp/server.hpp"
#include "wire/io/file_root.hpp"
#include "wire/io/server_kit.hpp"
#include "wire/io/stream.hpp"
#include "wire/net/input_buffer.hpp"
#include "wire/tls/any_stream.hpp"

namespace wire::ftp {

namespace detail {

// Data connections are read and written this many bytes at a time (and sendfile(2) sends this
// much between two looks at the control connection for ABOR).
inline constexpr std::size_t kServerDataBuffer = 256 * 1024;
inline constexpr std::uint64_t kSendfilePiece = 8 * 1024 * 1024;

// One worker thread's share: touched only on that thread.
struct Worker {
  io::IdleQueue idle;  // control connections waiting for their next command
  bool draining = false;
};

// What PASV/EPSV or PORT/EPRT prepared for the next transfer.
struct DataSetup {
  std::optional<io::Listener> listener;  // passive: the client connects here
  std::optional<net::Address> target;    // active: the server connects there
  bool ready() const noexcept { return listener || target; }
  void clear() noexcept {
    listener.reset();
    target.reset();
  }
};

class Session;

}  // namespace detail

struct Server::Impl {
  ServerOptions options;
  io::FileRoot root;
  dialogue::CommandLimits command_limits;
  std::unique_ptr<io::TcpServer> tcp;
  io::PerWorker<detail::Worker> workers;
  std::atomic<std::uint32_t> next_port{0};  // where the search for a free passive port starts

  explicit Impl(ServerOptions o);
  io::Task<void> serve(io::Stream& stream, const net::Address& peer);
  // 421 with `why`, then the lingering close: over the per-address limit, or over the whole.
  io::Task<void> refuse_busy(io::Stream& stream, const net::Address& peer, bool per_client);
  void drain_worker();
  void log(const net::Address& peer, std::string_view what) const;
};

namespace detail {

/// One control connection: its login, its current directory, the data connection being
/// prepared, the transfer under way. Lives in the connection's coroutine frame.
class Session {
 public:
  Session(Server::Impl& server, Worker& worker, io::Stream stream, const net::Address& peer);
  io::Task<void> run();

  using Handler = io::Task<void> (Session::*)(std::string_view arg);
  struct Verb {
    std::string_view name;
    Handler handler;
    bool needs_login;
    bool needs_write;
  };

 private:
  // Every command the server knows (server_session.cpp).
  static std::span<const Verb> verbs() noexcept;

  // --- the loop and replies (server_session.cpp)
  io::Task<std::optional<dialogue::Command>> next_command();
  io::Task<void> dispatch(const dialogue::Command& command);
  io::Task<void> reply(int code, std::string_view text);
  io::Task<void> reply(int code, std::span<const std::string_view> lines);
  bool control_buffered() noexcept;
  // Reads what arrived on the control connection during a transfer: true if it was ABOR
  // (anything else waits in pending_ until the transfer ends).
  io::Task<bool> abort_requested();

  io::Task<void> cmd_user(std::string_view arg);
  io::Task<void> cmd_pass(std::string_view arg);
  io::Task<void> cmd_acct(std::string_view arg);
  io::Task<void> cmd_auth(std::string_view arg);
  io::Task<void> cmd_pbsz(std::string_view arg);
  io::Task<void> cmd_prot(std::string_view arg);
  io::Task<void> cmd_feat(std::string_view arg);
  io::Task<void> cmd_opts(std::string_view arg);
  io::Task<void> cmd_syst(std::string_view arg);
  io::Task<void> cmd_noop(std::string_view arg);
  io::Task<void> cmd_help(std::string_view arg);
  io::Task<void> cmd_quit(std::string_view arg);
  io::Task<void> cmd_type(std::string_view arg);
  io::Task<void> cmd_mode(std::string_view arg);
  io::Task<void> cmd_stru(std::string_view arg);
  io::Task<void> cmd_rest(std::string_view arg);
  io::Task<void> cmd_abor(std::string_view arg);

  // --- paths and files (server_files.cpp)
  // The clean path beneath the root that `arg` names from the current directory; ".." stops
  // at the root, as in a chroot. std::nullopt (after a 553 or 501) if it cannot name a file.
  io::Task<std::optional<std::string>> resolve(std::string_view arg);
  io::Task<void> refuse_path(std::error_code ec, std::string_view what);
  // MKD, RMD, DELE: `change` on the path `arg` names, then `code` (257 names the path).
  using PathChange = void (io::FileRoot::*)(std::string_view, std::error_code&) const;
  io::Task<void> change_path(std::string_view verb, std::string_view arg, PathChange change, int code,
                             std::string_view done);
  // SIZE, MDTM: what the file `arg` names is, or std::nullopt after a 550.
  io::Task<std::optional<io::FileInfo>> file_info(std::string_view verb, std::string_view arg);
  io::Task<void> cmd_pwd(std::string_view arg);
  io::Task<void> cmd_cwd(std::string_view arg);
  io::Task<void> cmd_cdup(std::string_view arg);
  io::Task<void> cmd_mkd(std::string_view arg);
  io::Task<void> cmd_rmd(std::string_view arg);
  io::Task<void> cmd_dele(std::string_view arg);
  io::Task<void> cmd_rnfr(std::string_view arg);
  io::Task<void> cmd_rnto(std::string_view arg);
  io::Task<void> cmd_size(std::string_view arg);
  io::Task<void> cmd_mdtm(std::string_view arg);
  io::Task<void> cmd_mlst(std::string_view arg);
  // The listing's bytes (CRLF lines), or std::nullopt after a reply saying why not.
  io::Task<std::optional<std::string>> listing(std::string_view verb, std::string_view arg);

  // --- data connections and transfers (server_data.cpp)
  io::Task<void> cmd_pasv(std::string_view arg);
  io::Task<void> cmd_epsv(std::string_view arg);
  io::Task<void> cmd_port(std::string_view arg);
  io::Task<void> cmd_eprt(std::string_view arg);
  io::Task<void> set_active(std::string_view verb, const HostPort& where);
  io::Task<void> cmd_list(std::string_view arg);
  io::Task<void> cmd_nlst(std::string_view arg);
  io::Task<void> cmd_mlsd(std::string_view arg);
  io::Task<void> cmd_retr(std::string_view arg);
  io::Task<void> cmd_stor(std::string_view arg);
  io::Task<void> cmd_appe(std::string_view arg);
  io::Task<void> send_listing(std::string_view verb, std::string_view arg, std::string_view opening);
  io::Task<void> store(std::string_view arg, bool append);
  // The listener of a passive data connection, on the control connection's local address.
  std::optional<io::Listener> passive_listener();
  // The data connection for a transfer, after the 150 reply (and over TLS its handshake);
  // std::nullopt after a 425 (or 521) reply.
  io::Task<std::optional<tls::AnyStream>> open_data(std::string_view opening);
  io::Task<bool> send_file(tls::AnyStream& data, int fd, std::uint64_t offset, std::uint64_t end, bool& aborted);
  io::Task<bool> receive_file(tls::AnyStream& data, int fd, std::uint64_t offset);
  // The end of a transfer: 226, or 426 (and 226 for an ABOR that stopped it).
  io::Task<void> end_transfer(tls::AnyStream& data, bool complete, bool aborted, std::string_view what);

  Server::Impl& server_;
  Worker& worker_;
  tls::AnyStream control_;
  net::Address peer_;
  net::Address local_;
  net::InputBuffer in_{4 * 1024};
  dialogue::CommandParser parser_;
  std::deque<dialogue::Command> pending_;  // commands that came during a transfer
  std::string out_;
  io::IdleLink idle_;
  // login
  std::string user_;
  bool logged_in_ = false;
  bool may_write_ = false;
  unsigned failures_ = 0;
  // TLS (RFC 4217)
  bool pbsz_ = false;
  bool protect_ = false;
  // the session's state
  std::string cwd_;  // clean, relative to the root: "" is "/"
  std::optional<std::string> rename_from_;
  std::uint64_t restart_ = 0;
  bool restart_set_ = false;
  DataSetup data_;
  bool epsv_all_ = false;
  bool quit_ = false;
};

}  // namespace detail
}  // namespace wire::ftp
