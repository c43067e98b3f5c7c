// SPDX-License-Identifier: MIT
// A control connection of the server: the command loop, login, TLS (RFC 4217), and the
// commands that touch no file (RFC 959 §4.1, RFC 2389, RFC 3659 §7.9).
//
// Rules of the loop:
// - Between commands the connection waits in its worker's idle queue (idle_timeout), holding
//   no read buffer; a silent client gets 421 and the close.
// - Before login only USER, PASS, ACCT, AUTH, PBSZ, PROT, FEAT, OPTS, SYST, NOOP, HELP and QUIT
//   are answered (530 for the rest); with require_tls USER and PASS need AUTH TLS first.
// - A line the parser refuses (too long, bare CR or LF, NUL) is answered 500 and skipped.
// - After 234 to AUTH TLS, bytes the client sent behind AUTH in clear are refused (the
//   connection closes): they would be taken as sent under TLS (CVE-2011-0411 style).
#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "server_session.hpp"
#include "wire/dialogue/reply.hpp"
#include "wire/ftp/codec.hpp"
#include "wire/ftp/features.hpp"
#include "wire/io/loop.hpp"
#include "wire/io/reader.hpp"
#include "wire/io/timeout.hpp"
#include "wire/tls/async_stream.hpp"

namespace wire::ftp::detail {
namespace {

bool equals_nocase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
         });
}

// Passwords compared in constant time for equal lengths (CRYPTO_memcmp).
bool same_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

// Every command the server knows: its handler, whether it needs a login, and whether it
// changes files (refused to read-only accounts).
std::span<const Session::Verb> Session::verbs() noexcept {
  using S = Session;
  static constexpr std::array kVerbs = {
    S::Verb{"USER", &S::cmd_user, false, false}, S::Verb{"PASS", &S::cmd_pass, false, false},
    S::Verb{"ACCT", &S::cmd_acct, false, false}, S::Verb{"AUTH", &S::cmd_auth, false, false},
    S::Verb{"PBSZ", &S::cmd_pbsz, false, false}, S::Verb{"PROT", &S::cmd_prot, false, false},
    S::Verb{"FEAT", &S::cmd_feat, false, false}, S::Verb{"OPTS", &S::cmd_opts, false, false},
    S::Verb{"SYST", &S::cmd_syst, false, false}, S::Verb{"NOOP", &S::cmd_noop, false, false},
    S::Verb{"HELP", &S::cmd_help, false, false}, S::Verb{"QUIT", &S::cmd_quit, false, false},
    S::Verb{"TYPE", &S::cmd_type, true, false},  S::Verb{"MODE", &S::cmd_mode, true, false},
    S::Verb{"STRU", &S::cmd_stru, true, false},  S::Verb{"REST", &S::cmd_rest, true, false},
    S::Verb{"ABOR", &S::cmd_abor, true, false},  S::Verb{"PWD", &S::cmd_pwd, true, false},
    S::Verb{"XPWD", &S::cmd_pwd, true, false},   S::Verb{"CWD", &S::cmd_cwd, true, false},
    S::Verb{"XCWD", &S::cmd_cwd, true, false},   S::Verb{"CDUP", &S::cmd_cdup, true, false},
    S::Verb{"XCUP", &S::cmd_cdup, true, false},  S::Verb{"MKD", &S::cmd_mkd, true, true},
    S::Verb{"XMKD", &S::cmd_mkd, true, true},    S::Verb{"RMD", &S::cmd_rmd, true, true},
    S::Verb{"XRMD", &S::cmd_rmd, true, true},    S::Verb{"DELE", &S::cmd_dele, true, true},
    S::Verb{"RNFR", &S::cmd_rnfr, true, true},   S::Verb{"RNTO", &S::cmd_rnto, true, true},
    S::Verb{"SIZE", &S::cmd_size, true, false},  S::Verb{"MDTM", &S::cmd_mdtm, true, false},
    S::Verb{"MLST", &S::cmd_mlst, true, false},  S::Verb{"PASV", &S::cmd_pasv, true, false},
    S::Verb{"EPSV", &S::cmd_epsv, true, false},  S::Verb{"PORT", &S::cmd_port, true, false},
    S::Verb{"EPRT", &S::cmd_eprt, true, false},  S::Verb{"LIST", &S::cmd_list, true, false},
    S::Verb{"NLST", &S::cmd_nlst, true, false},  S::Verb{"MLSD", &S::cmd_mlsd, true, false},
    S::Verb{"RETR", &S::cmd_retr, true, false},  S::Verb{"STOR", &S::cmd_stor, true, true},
    S::Verb{"APPE", &S::cmd_appe, true, true},
  };
  return kVerbs;
}

Session::Session(Server::Impl& server, Worker& worker, io::Stream stream, const net::Address& peer)
    : server_(server), worker_(worker), peer_(peer), parser_(dialogue::Syntax::ftp, server.command_limits) {
  local_ = stream.local_address();
  stream.set_no_delay(true);
  // The Telnet IP and Synch some clients send before ABOR are urgent data: kept in the stream,
  // where the command parser drops them (RFC 959 §4.1.3), instead of lost or misread.
  int on = 1;
  ::setsockopt(stream.fd(), SOL_SOCKET, SO_OOBINLINE, &on, sizeof on);
  control_ = tls::AnyStream(std::move(stream));
}

io::Task<void> Session::reply(int code, std::string_view text) {
  out_.clear();
  std::error_code ec;
  dialogue::encode_reply(out_, dialogue::Syntax::ftp, code, std::span<const std::string_view>(&text, 1), ec);
  if (ec) dialogue::encode_reply(out_, code, "(a name that cannot be written in a reply)");
  co_await control_.write_all(std::as_bytes(std::span(out_)), ec);
  if (ec) quit_ = true;
}

io::Task<void> Session::reply(int code, std::span<const std::string_view> lines) {
  out_.clear();
  std::error_code ec;
  dialogue::encode_reply(out_, dialogue::Syntax::ftp, code, lines, ec);
  if (ec) dialogue::encode_reply(out_, code, "(a name that cannot be written in a reply)");
  co_await control_.write_all(std::as_bytes(std::span(out_)), ec);
  if (ec) quit_ = true;
}

bool Session::control_buffered() noexcept {
  if (!in_.empty()) return true;
  if (!control_.is_tls()) return false;
  const tls::Engine& e = control_.tls().engine();
  return e.plaintext_buffered() > 0 || e.input_buffered() > 0;
}

// The next command line, waiting in the worker's idle queue while nothing is buffered.
io::Task<std::optional<dialogue::Command>> Session::next_command() {
  if (!pending_.empty()) {
    dialogue::Command c = std::move(pending_.front());
    pending_.pop_front();
    co_return c;
  }
  for (;;) {
    std::error_code ec;
    if (!control_buffered()) {
      if (worker_.draining) co_return std::nullopt;
      in_.release();  // an idle connection holds no read buffer
      idle_.stream = &control_.plain();
      worker_.idle.push(idle_, io::Loop::current().now() + server_.options.limits.idle_timeout);
      co_await control_.plain().wait_readable(ec);
      idle_.unlink();
      if (ec) co_return std::nullopt;  // closed at its deadline (or by a drain), or the client left
    }
    dialogue::CommandEvent ev = co_await io::next_event(parser_, in_, control_, ec);
    if (ec) co_return std::nullopt;
    if (ev.kind == dialogue::CommandEvent::command) co_return parser_.command();
    co_await reply(500, "Refused: " + ev.error.message());
    if (quit_) co_return std::nullopt;
  }
}

io::Task<void> Session::run() {
  co_await reply(220, "wire FTP server ready.");
  while (!quit_) {
    std::optional<dialogue::Command> command = co_await next_command();
    if (!command) break;
    co_await dispatch(*command);
  }
  control_.close();
}

io::Task<void> Session::dispatch(const dialogue::Command& command) {
  const Verb* verb = nullptr;
  for (const Verb& v : verbs()) {
    if (v.name == command.verb) verb = &v;
  }
  bool keep_restart = command.verb == "REST";
  if (command.verb.empty()) {  // a line refused while a transfer ran (abort_requested)
    co_await reply(500, command.arg);
  } else if (!verb) {
    co_await reply(502, command.verb + " not implemented.");
  } else if (verb->needs_login && !logged_in_) {
    co_await reply(530, "Please log in with USER and PASS first.");
  } else if (verb->needs_write && !may_write_) {
    co_await reply(550, "Permission denied: this account may only read.");
  } else {
    co_await (this->*(verb->handler))(command.arg);
  }
  if (!keep_restart) restart_set_ = false;  // RFC 3659 §5.3: REST applies to the next command only
  if (command.verb != "RNFR") rename_from_.reset();  // RFC 959 §4.1.3: RNTO must follow RNFR
}

// --- login (RFC 959 §4.1.1, §5.4) -------------------------------------------------------------

io::Task<void> Session::cmd_user(std::string_view arg) {
  if (logged_in_) co_return co_await reply(503, "Already logged in.");
  if (server_.options.require_tls && !control_.is_tls()) {
    co_return co_await reply(530, "TLS required: send AUTH TLS first.");
  }
  if (arg.empty()) co_return co_await reply(501, "USER needs a name.");
  user_ = arg;
  co_await reply(331, "Password required for " + user_ + ".");  // for every name: none is revealed
}

io::Task<void> Session::cmd_pass(std::string_view arg) {
  if (logged_in_) co_return co_await reply(503, "Already logged in.");
  if (user_.empty()) co_return co_await reply(503, "Send USER first.");
  const ServerOptions& o = server_.options;
  bool anonymous = o.anonymous && (equals_nocase(user_, "anonymous") || equals_nocase(user_, "ftp"));
  const User* account = nullptr;
  for (const User& u : o.users) {
    if (u.name == user_) account = &u;
  }
  if (anonymous || (account && same_secret(account->password, arg))) {
    logged_in_ = true;
    may_write_ = !anonymous && account && account->write;
    cwd_.clear();
    server_.log(peer_, "login " + user_ + (may_write_ ? "" : " (read-only)"));
    co_return co_await reply(230, "Login successful.");
  }
  ++failures_;
  auto delay = failed_login_delay(o.limits, failures_);
  server_.log(peer_, "login failed for " + user_ + " (" + std::to_string(failures_) + "), answered after " +
                         std::to_string(delay.count()) + " ms");
  user_.clear();
  co_await io::sleep_for(delay);  // password guessing gets slower with each failure
  if (failures_ >= o.limits.max_login_failures) {
    quit_ = true;
    co_return co_await reply(421, "Too many failed logins; closing the connection.");
  }
  co_await reply(530, "Login incorrect.");
}

io::Task<void> Session::cmd_acct(std::string_view) { co_await reply(202, "ACCT not needed."); }

// --- TLS (RFC 4217) ----------------------------------------------------------------------------

io::Task<void> Session::cmd_auth(std::string_view arg) {
  if (!server_.options.tls) co_return co_await reply(502, "TLS is not configured on this server.");
  if (!equals_nocase(arg, "TLS") && !equals_nocase(arg, "TLS-C") && !equals_nocase(arg, "SSL")) {
    co_return co_await reply(504, "AUTH TLS only.");
  }
  if (control_.is_tls()) co_return co_await reply(503, "Already using TLS.");
  if (logged_in_) co_return co_await reply(503, "AUTH after login is not supported.");
  co_await reply(234, "AUTH TLS successful.");
  if (quit_) co_return;
  std::string unread = in_.take_unread();  // sent in clear behind AUTH: start_tls refuses it
  try {
    co_await io::with_timeout(control_.start_tls(*server_.options.tls, {}, std::as_bytes(std::span(unread))),
                              server_.options.limits.data_timeout);
  } catch (const std::exception& e) {
    server_.log(peer_, std::string("TLS handshake failed: ") + e.what());
    quit_ = true;  // nothing more can be said on this connection
    co_return;
  }
  parser_ = dialogue::CommandParser(dialogue::Syntax::ftp, server_.command_limits);
}

io::Task<void> Session::cmd_pbsz(std::string_view arg) {
  if (!control_.is_tls()) co_return co_await reply(503, "PBSZ needs AUTH TLS first.");
  if (arg.empty() || !std::all_of(arg.begin(), arg.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    co_return co_await reply(501, "PBSZ needs a number.");
  }
  pbsz_ = true;
  co_await reply(200, "PBSZ=0");  // RFC 4217 §8: a stream protocol has no buffer size
}

io::Task<void> Session::cmd_prot(std::string_view arg) {
  if (!control_.is_tls() || !pbsz_) co_return co_await reply(503, "PROT needs AUTH TLS and PBSZ first.");
  if (equals_nocase(arg, "P")) {
    protect_ = true;
    co_return co_await reply(200, "Data connections will be protected.");
  }
  if (equals_nocase(arg, "C")) {
    if (server_.options.require_tls) co_return co_await reply(534, "Data connections must be protected.");
    protect_ = false;
    co_return co_await reply(200, "Data connections will be in the clear.");
  }
  if (equals_nocase(arg, "S") || equals_nocase(arg, "E")) co_return co_await reply(536, "PROT S and E are not supported.");
  co_await reply(504, "PROT C or P.");
}

// --- commands without files ---------------------------------------------------------------------

io::Task<void> Session::cmd_feat(std::string_view) {
  Features f;
  if (server_.options.tls) f.add("AUTH", "TLS");
  for (const char* name : {"EPRT", "EPSV", "MDTM", "PASV", "SIZE", "TVFS", "UTF8"}) f.add(name);
  f.add("MLST", "type*;size*;modify*;perm*;UNIX.mode*;");
  if (server_.options.tls) {
    f.add("PBSZ");
    f.add("PROT");
  }
  f.add("REST", "STREAM");
  out_.clear();
  encode_feat_reply(out_, f);
  std::error_code ec;
  co_await control_.write_all(std::as_bytes(std::span(out_)), ec);
  if (ec) quit_ = true;
}

io::Task<void> Session::cmd_opts(std::string_view arg) {
  std::string_view name = arg.substr(0, arg.find(' '));
  if (equals_nocase(name, "UTF8")) co_return co_await reply(200, "Always in UTF8 mode.");
  if (equals_nocase(name, "MLST")) co_return co_await reply(200, "MLST OPTS type;size;modify;perm;UNIX.mode;");
  co_await reply(501, "Option not understood.");
}

io::Task<void> Session::cmd_syst(std::string_view) { co_await reply(215, "UNIX Type: L8"); }
io::Task<void> Session::cmd_noop(std::string_view) { co_await reply(200, "NOOP ok."); }

io::Task<void> Session::cmd_help(std::string_view) {
  std::string names;
  for (const Verb& v : verbs()) {
    names += ' ';
    names += v.name;
  }
  std::array<std::string_view, 3> lines = {"The commands understood:", names, "Help OK."};
  co_await reply(214, lines);
}

io::Task<void> Session::cmd_quit(std::string_view) {
  quit_ = true;
  co_await reply(221, "Goodbye.");
  if (control_.is_tls()) {
    try {
      co_await control_.shutdown();
    } catch (const std::exception&) {  // the client may be gone already
    }
  }
}

io::Task<void> Session::cmd_type(std::string_view arg) {
  // ASCII and image are both sent as the file's bytes, as vsftpd does by default: no line end
  // is rewritten (listings always come with CRLF).
  if (equals_nocase(arg, "I") || equals_nocase(arg, "L 8")) co_return co_await reply(200, "Switching to Binary mode.");
  if (equals_nocase(arg, "A") || equals_nocase(arg, "A N")) co_return co_await reply(200, "Switching to ASCII mode.");
  co_await reply(504, "TYPE A or I.");
}

io::Task<void> Session::cmd_mode(std::string_view arg) {
  if (equals_nocase(arg, "S")) co_return co_await reply(200, "Mode set to S.");
  co_await reply(504, "MODE S only.");
}

io::Task<void> Session::cmd_stru(std::string_view arg) {
  if (equals_nocase(arg, "F")) co_return co_await reply(200, "Structure set to F.");
  co_await reply(504, "STRU F only.");
}

io::Task<void> Session::cmd_rest(std::string_view arg) {
  std::error_code ec;
  std::uint64_t at = parse_rest_argument(arg, ec);
  if (ec) co_return co_await reply(501, "REST needs a byte offset.");
  restart_ = at;
  restart_set_ = true;
  co_await reply(350, "Restarting at " + std::to_string(at) + ". Send STOR or RETR.");
}

io::Task<void> Session::cmd_abor(std::string_view) {
  // A transfer in progress sees ABOR itself (abort_requested); here there is none.
  data_.clear();
  co_await reply(225, "No transfer to abort.");
}

// Between pieces of a transfer: the command lines that came meanwhile are read, without
// waiting for more (a part of a line stays for later); ABOR stops the transfer, anything else
// waits its turn in pending_ (a refused line too, answered 500 then).
io::Task<bool> Session::abort_requested() {
  if (in_.empty()) {
    if (!control_.plain().readable_now()) co_return false;
    std::error_code ec;
    std::size_t n = co_await control_.read_some(in_.space(), ec);  // data, or the end, is there
    if (ec || n == 0) {
      quit_ = true;  // the client left: stop sending to it
      co_return true;
    }
    in_.commit(n);
  }
  for (int i = 0; i < 64; ++i) {
    dialogue::CommandEvent ev = parser_.next();
    if (ev.kind == dialogue::CommandEvent::need_more) {
      if (in_.empty()) break;
      in_.consume(parser_.feed(in_.bytes()));
      continue;
    }
    if (ev.kind == dialogue::CommandEvent::bad_line) {
      pending_.push_back({"", "Refused: " + ev.error.message()});
    } else if (parser_.command().verb == "ABOR") {
      co_return true;
    } else {
      pending_.push_back(parser_.command());
    }
  }
  co_return false;
}

}  // namespace wire::ftp::detail
