// SPDX-License-Identifier: MIT
// The FTP client's control connection: connecting, TLS (RFC 4217), login, and the commands
// that need no data connection (RFC 959 §4.1, RFC 3659 §3-§4, RFC 2389).
//
// Rules: nothing is sent after a refused AUTH TLS (no fallback to cleartext); the bytes read
// past the 234 reply are handed to the TLS upgrade, which refuses them (they came in clear);
// every read and write has the options' timeout, every handshake too.
#include <utility>

#include "client_state.hpp"
#include "wire/error.hpp"
#include "wire/ftp/codec.hpp"
#include "wire/io/reader.hpp"
#include "wire/io/timeout.hpp"
#include "wire/text/chars.hpp"

namespace wire::ftp {

void check_argument(std::string_view what, std::string_view arg) {
  if (text::has_line_break(arg)) {
    throw dialogue::LocalError(dialogue::Errc::invalid_argument,
                               "FTP: CR, LF or NUL in the " + std::string(what) + "; nothing was sent");
  }
}

std::string AsyncClient::State::describe(std::string_view verb, std::string_view arg) const {
  std::string out = "FTP " + name;
  if (verb.empty()) return out;
  out += ": ";
  out += verb;
  if (!arg.empty()) {
    out += ' ';
    out += verb == "PASS" ? std::string_view("****") : arg;
  }
  return out;
}

void AsyncClient::State::refuse(const dialogue::Reply& reply, std::string_view verb, std::string_view arg,
                                std::string_view command) const {
  std::string text = reply.text();
  throw ReplyError(reply.code, text, std::string(command.empty() ? verb : command),
                   describe(verb, arg) + ": " + std::to_string(reply.code) + " " + text);
}

io::Task<std::uint64_t> AsyncClient::State::send(std::string_view verb, std::string_view arg) {
  std::uint64_t id = dialogue.send(verb, arg);
  std::string_view out = dialogue.output();
  std::error_code ec;
  co_await control.write_all(std::as_bytes(std::span(out.data(), out.size())), ec);
  dialogue.consume_output(out.size());
  if (ec == std::errc::timed_out) throw TimeoutError(describe(verb, arg) + ": could not send within the timeout");
  if (ec) throw_error(ec, describe(verb, arg));
  co_return id;
}

io::Task<detail::Answer> AsyncClient::State::next_reply(std::string_view verb) {
  std::error_code ec;
  dialogue::DialogueEvent ev = co_await io::next_event(dialogue, in, control, ec);
  if (ec == std::errc::timed_out) throw TimeoutError(describe(verb) + ": no reply within the timeout");
  if (ec == wire::Errc::unexpected_eof) {
    throw std::system_error(ec, describe(verb) + ": the server closed the connection");
  }
  if (ec) throw_error(ec, describe(verb));
  switch (ev.kind) {
    case dialogue::DialogueEvent::preliminary:
    case dialogue::DialogueEvent::reply:
      co_return detail::Answer{dialogue.take_reply(), ev.id, ev.kind == dialogue::DialogueEvent::preliminary};
    case dialogue::DialogueEvent::closing: {
      dialogue::Reply r = dialogue.take_reply();
      std::string text = r.text();
      throw ReplyError(r.code, text, std::string(verb),
                       describe(verb) + ": the server is closing the connection: " + std::to_string(r.code) + " " + text);
    }
    default:
      break;
  }
  std::error_code why = dialogue.error();
  throw dialogue::Error(why, describe(verb) + ": malformed reply: " + why.message());
}

io::Task<dialogue::Reply> AsyncClient::State::exchange(std::string_view verb, std::string_view arg) {
  std::uint64_t id = co_await send(verb, arg);
  for (;;) {
    detail::Answer a = co_await next_reply(verb);
    if (!a.preliminary && a.id == id) co_return std::move(a.reply);
  }
}

io::Task<dialogue::Reply> AsyncClient::State::complete(std::string_view verb, std::string_view arg) {
  dialogue::Reply r = co_await exchange(verb, arg);
  if (!r.positive_completion()) refuse(r, verb, arg);
  co_return r;
}

io::Task<void> AsyncClient::State::read_greeting() {
  for (;;) {  // 120 "ready in nnn minutes" may come before 220 (RFC 959 §5.4)
    detail::Answer a = co_await next_reply("greeting");
    if (a.preliminary) continue;
    if (a.reply.code != 220) refuse(a.reply, "greeting", {});
    welcome = a.reply.text();
    co_return;
  }
}

io::Task<void> AsyncClient::State::start_tls() {
  if (!context) context = tls::Context::client();
  std::string unread = in.take_unread();  // sent in clear after the 234: start_tls refuses it
  co_await io::with_timeout(control.start_tls(*context, tls_name, std::as_bytes(std::span(unread))),
                            options.timeout);
}

// --- AsyncClient ------------------------------------------------------------------------------

AsyncClient::AsyncClient(std::unique_ptr<State> state) : s_(std::move(state)) {}
AsyncClient::AsyncClient(AsyncClient&&) noexcept = default;
AsyncClient& AsyncClient::operator=(AsyncClient&&) noexcept = default;
AsyncClient::~AsyncClient() = default;

io::Task<AsyncClient> AsyncClient::connect(std::string host, std::uint16_t port, ClientOptions options) {
  auto s = std::make_unique<State>(options);
  bool implicit = options.security == Security::implicit_tls;
  s->host = std::move(host);
  s->port = port ? port : (implicit ? 990 : 21);
  bool literal6 = s->host.find(':') != std::string::npos;
  s->name = (literal6 ? "[" + s->host + "]" : s->host) + ":" + std::to_string(s->port);
  s->tls_name = options.tls_server_name.empty() ? s->host : options.tls_server_name;
  s->context = std::move(options.tls);
  io::Stream plain = co_await io::connect(s->host, s->port, options.connect_timeout);
  plain.set_no_delay(true);
  plain.set_read_timeout(options.timeout);
  plain.set_write_timeout(options.timeout);
  s->peer = plain.peer_address();
  s->local = plain.local_address();
  s->control = tls::AnyStream(std::move(plain));
  if (implicit) co_await s->start_tls();
  co_await s->read_greeting();
  if (options.security == Security::explicit_tls) {
    // RFC 4217 §4: AUTH TLS, 234. Anything else ends here: USER and PASS must not go in clear.
    dialogue::Reply r = co_await s->exchange("AUTH", "TLS");
    if (r.code != 234) {
      std::string text = r.text();
      throw ReplyError(r.code, text, "AUTH",
                       s->describe("AUTH", "TLS") + ": " + std::to_string(r.code) + " " + text +
                           " (TLS was asked for: not going on in the clear)");
    }
    co_await s->start_tls();
    s->dialogue = dialogue::ClientDialogue(dialogue::Syntax::ftp, options.reply_limits, dialogue::Greeting::none);
  }
  co_return AsyncClient(std::move(s));
}

io::Task<void> AsyncClient::login(std::string user, std::string password, std::string account) {
  State& s = *s_;
  check_argument("user name", user);
  check_argument("password", password);
  check_argument("account", account);
  // RFC 959 §5.4: USER gives 230 (in), 331 (PASS), 332 (ACCT); PASS gives 230, 202 or 332.
  std::string_view last = "USER";
  dialogue::Reply r = co_await s.exchange(last, user);
  if (r.code == 331) r = co_await s.exchange(last = "PASS", password);
  if (r.code == 332) r = co_await s.exchange(last = "ACCT", account);
  if (r.code != 230 && r.code != 202) s.refuse(r, "login as", user, last);
  if (s.control.is_tls()) {
    // RFC 4217 §9: PBSZ 0 before PROT; PROT P protects the data connections.
    co_await s.complete("PBSZ", "0");
    co_await s.complete("PROT", s.options.protect_data ? "P" : "C");
    s.protect = s.options.protect_data;
  }
}

const std::string& AsyncClient::welcome() const noexcept { return s_->welcome; }
const net::Address& AsyncClient::peer_address() const noexcept { return s_->peer; }
bool AsyncClient::is_tls() const noexcept { return s_->control.is_tls(); }

io::Task<Features> AsyncClient::features() {
  State& s = *s_;
  if (!s.features) {
    dialogue::Reply r = co_await s.exchange("FEAT");
    // RFC 2389 §3.2: a server that does not know FEAT answers 500 or 502: no features.
    s.features = r.code == 211 ? parse_feat_reply(r) : Features{};
  }
  co_return *s.features;
}

io::Task<std::string> AsyncClient::pwd() {
  dialogue::Reply r = co_await s_->complete("PWD");
  co_return parse_path_reply(r);
}

io::Task<void> AsyncClient::cwd(std::string path) {
  check_argument("path", path);
  co_await s_->complete("CWD", path);
}

io::Task<void> AsyncClient::cdup() { co_await s_->complete("CDUP"); }

io::Task<std::string> AsyncClient::mkd(std::string path) {
  check_argument("path", path);
  dialogue::Reply r = co_await s_->complete("MKD", path);
  std::error_code ec;
  std::string made = parse_path_reply(r, ec);
  co_return ec ? path : made;
}

io::Task<void> AsyncClient::rmd(std::string path) {
  check_argument("path", path);
  co_await s_->complete("RMD", path);
}

io::Task<void> AsyncClient::dele(std::string path) {
  check_argument("path", path);
  co_await s_->complete("DELE", path);
}

io::Task<void> AsyncClient::rename(std::string from, std::string to) {
  check_argument("path", from);
  check_argument("path", to);
  State& s = *s_;
  dialogue::Reply r = co_await s.exchange("RNFR", from);
  if (r.code != 350) s.refuse(r, "RNFR", from);  // RFC 959 §4.1.3: 350, then RNTO
  co_await s.complete("RNTO", to);
}

io::Task<std::uint64_t> AsyncClient::size(std::string path) {
  check_argument("path", path);
  State& s = *s_;
  if (!s.binary) {  // RFC 3659 §4: SIZE counts the bytes of the current TYPE
    co_await s.complete("TYPE", "I");
    s.binary = true;
  }
  dialogue::Reply r = co_await s.complete("SIZE", path);
  co_return parse_size_reply(r);
}

io::Task<std::int64_t> AsyncClient::mdtm(std::string path) {
  check_argument("path", path);
  dialogue::Reply r = co_await s_->complete("MDTM", path);
  co_return parse_mdtm_reply(r);
}

io::Task<void> AsyncClient::noop() { co_await s_->complete("NOOP"); }

io::Task<MlsxEntry> AsyncClient::mlst(std::string path) {
  check_argument("path", path);
  dialogue::Reply r = co_await s_->complete("MLST", path);
  co_return parse_mlst_reply(r);
}

io::Task<dialogue::Reply> AsyncClient::command(std::string verb, std::string argument) {
  co_return co_await s_->exchange(verb, argument);
}

io::Task<void> AsyncClient::quit() {
  State& s = *s_;
  if (!s.control.is_open()) co_return;
  try {
    co_await s.exchange("QUIT");
    if (s.control.is_tls()) co_await s.control.shutdown();
  } catch (const std::exception&) {  // the server may close first: the session is over either way
  }
  s.control.close();
}

void AsyncClient::close() noexcept {
  if (s_) s_->control.close();
}

}  // namespace wire::ftp
