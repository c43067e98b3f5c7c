// SPDX-License-Identifier: MIT
// AsyncClient: connecting, the greeting, EHLO/HELO, STARTTLS, AUTH, and the blocking Client.
// The mail transaction is in client_send.cpp.
#include <utility>

#include "client_state.hpp"
#include "wire/error.hpp"
#include "wire/io/loop.hpp"
#include "wire/io/reader.hpp"
#include "wire/io/stream.hpp"
#include "wire/io/timeout.hpp"
#include "wire/smtp/enhanced_status.hpp"
#include "wire/smtp/sasl.hpp"
#include "wire/text/base64.hpp"

namespace wire::smtp {

namespace detail {

Reply to_reply(const dialogue::Reply& raw) {
  Reply r;
  r.code = raw.code;
  for (std::size_t i = 0; i < raw.lines.size(); ++i) {
    std::string_view line = raw.lines[i];
    std::string_view rest;
    auto status = parse_enhanced_status(line, &rest);
    if (status && status->cls == raw.code / 100) {
      if (r.enhanced_code.empty()) r.enhanced_code = status->str();
      line = rest;
    }
    if (i > 0) r.text += '\n';
    r.text += line;
  }
  return r;
}

}  // namespace detail

namespace {

// The context TLS uses unless told otherwise: the system's CAs, verifying; shared, so that
// sessions resume across connections.
const tls::Context& default_context() {
  static const tls::Context context = tls::Context::client();
  return context;
}


}  // namespace

void AsyncClient::State::fail_io(std::error_code ec, std::string_view what) {
  broken = true;
  if (ec == std::errc::timed_out) {
    throw TimeoutError("SMTP server " + peer + ": no answer to " + std::string(what) + " within the timeout");
  }
  if (ec == wire::Errc::unexpected_eof) {
    throw std::system_error(ec, "SMTP server " + peer + " closed the connection (waiting for the reply to " +
                                    std::string(what) + ")");
  }
  throw std::system_error(ec, "SMTP server " + peer + " (" + std::string(what) + ")");
}

io::Task<void> AsyncClient::State::write(std::string_view bytes, std::chrono::milliseconds timeout) {
  stream.plain().set_write_timeout(timeout);
  std::error_code ec;
  co_await stream.write_all(std::as_bytes(std::span(bytes)), ec);
  if (ec) fail_io(ec, "a write");
}

io::Task<void> AsyncClient::State::flush(std::chrono::milliseconds timeout) {
  if (!held.empty()) {  // a message's end, then the next commands: one write
    held += dialogue.output();
    dialogue.consume_output(dialogue.output().size());
    co_await write(held, timeout);
    held.clear();
    co_return;
  }
  if (dialogue.output().empty()) co_return;
  co_await write(dialogue.output(), timeout);
  dialogue.consume_output(dialogue.output().size());
}

io::Task<dialogue::Reply> AsyncClient::State::next_reply(std::chrono::milliseconds timeout, std::string_view what) {
  stream.plain().set_read_timeout(timeout);
  for (;;) {
    std::error_code ec;
    dialogue::DialogueEvent ev = co_await io::next_event(dialogue, in, stream, ec);
    if (ec) fail_io(ec, what);
    switch (ev.kind) {
      case dialogue::DialogueEvent::reply:
        co_return dialogue.take_reply();
      case dialogue::DialogueEvent::closing:  // 421 with nothing outstanding (RFC 5321 §3.8)
        broken = true;
        throw ReplyError(std::string(what), detail::to_reply(dialogue.take_reply()), peer);
      case dialogue::DialogueEvent::error:
        broken = true;
        throw Error(Errc::protocol_error, "SMTP server " + peer + ": a malformed reply to " + std::string(what) +
                                              " (" + dialogue.error().message() + ")");
      default:
        continue;  // a 1yz: SMTP has none; its final reply follows (the dialogue says so)
    }
  }
}

io::Task<dialogue::Reply> AsyncClient::State::exchange(std::string_view verb, std::span<const std::string_view> args,
                                                       std::string_view what) {
  dialogue.send(verb, args);
  co_await flush(options.command_timeout);
  co_return co_await next_reply(options.command_timeout, what);
}

AsyncClient::AsyncClient(std::unique_ptr<State> state) : s_(std::move(state)) {}
AsyncClient::AsyncClient(AsyncClient&&) noexcept = default;
AsyncClient& AsyncClient::operator=(AsyncClient&&) noexcept = default;
AsyncClient::~AsyncClient() = default;

io::Task<AsyncClient> AsyncClient::connect(std::string host, std::uint16_t port, ClientOptions options) {
  AsyncClient client(std::make_unique<State>(std::move(host), port, std::move(options)));
  co_await client.start();
  co_return client;
}

io::Task<void> AsyncClient::start() {
  State& s = *s_;
  bool literal6 = s.host.find(':') != std::string::npos;
  s.peer = (literal6 ? "[" + s.host + "]" : s.host) + ":" + std::to_string(s.port);
  io::Stream plain = co_await io::connect(s.host, s.port, s.options.connect_timeout);
  plain.set_no_delay(true);
  if (s.options.local_name.empty()) {
    // RFC 5321 §4.1.3: an address literal when we have no name of our own.
    net::Address local = plain.local_address();
    s.options.local_name = local.is_ipv6() ? "[IPv6:" + local.host() + "]" : "[" + local.host() + "]";
  }
  s.stream = tls::AnyStream(std::move(plain));
  if (s.options.security == Security::implicit) {
    const tls::Context& ctx = s.options.tls ? *s.options.tls : default_context();
    std::string name = s.options.tls_server_name.empty() ? s.host : s.options.tls_server_name;
    co_await io::with_timeout(s.stream.start_tls(ctx, name), s.options.connect_timeout);
  }
  dialogue::Reply greeting = co_await s.next_reply(s.options.command_timeout, "the greeting");
  s.greeting = detail::to_reply(greeting);
  if (greeting.code != 220) {  // RFC 5321 §3.1: 554 is "no service here"
    s.broken = true;
    throw ReplyError("the connection (greeting)", s.greeting, s.peer);
  }
  co_await hello();
  if (s.options.security == Security::starttls) co_await start_tls();
  if (s.options.credentials) co_await authenticate();
}

io::Task<void> AsyncClient::hello() {
  State& s = *s_;
  std::string_view name = s.options.local_name;
  dialogue::Reply r = co_await s.exchange("EHLO", std::span(&name, 1), "EHLO");
  if (r.code == 250) {
    s.ext = Extensions::parse(r);
    s.esmtp = true;
    co_return;
  }
  if (r.code / 100 != 5) throw ReplyError("EHLO", detail::to_reply(r), s.peer);
  // RFC 5321 §3.2: a server that does not know EHLO refuses it (500, 502): fall back to HELO.
  r = co_await s.exchange("HELO", std::span(&name, 1), "HELO");
  if (r.code != 250) throw ReplyError("HELO", detail::to_reply(r), s.peer);
  s.ext = Extensions();
  s.esmtp = false;
}

io::Task<void> AsyncClient::start_tls() {
  State& s = *s_;
  if (!s.ext.starttls()) {
    // Fail closed (RFC 8314 §3.2, RFC 3207 §4): no MAIL goes out in clear. QUIT, politely.
    s.broken = true;
    try {
      s.dialogue.send("QUIT");
      co_await s.flush(s.options.command_timeout);
    } catch (const std::exception&) {
    }
    s.stream.close();
    throw Error(Errc::starttls_not_offered, "SMTP server " + s.peer +
                                                " does not offer STARTTLS, which was required: nothing was sent");
  }
  dialogue::Reply r = co_await s.exchange("STARTTLS", {}, "STARTTLS");
  if (r.code != 220) throw ReplyError("STARTTLS", detail::to_reply(r), s.peer);
  // Whatever was read past the 220 came in clear before the handshake (CVE-2011-0411 style
  // injection): it goes to start_tls(), which refuses it if there is any.
  std::string held = s.in.take_unread();
  const tls::Context& ctx = s.options.tls ? *s.options.tls : default_context();
  std::string name = s.options.tls_server_name.empty() ? s.host : s.options.tls_server_name;
  co_await io::with_timeout(s.stream.start_tls(ctx, name, std::as_bytes(std::span(held))),
                            s.options.connect_timeout);
  // RFC 3207 §4.2: everything learnt before is forgotten; the client speaks first now.
  s.dialogue = dialogue::ClientDialogue(dialogue::Syntax::smtp, s.options.limits, dialogue::Greeting::none);
  co_await hello();
}

io::Task<void> AsyncClient::authenticate() {
  State& s = *s_;
  const Credentials& cred = *s.options.credentials;
  if (!s.stream.is_tls() && !s.options.allow_cleartext_auth) {
    throw Error(Errc::cleartext_auth, "SMTP server " + s.peer +
                                          ": AUTH over a connection without TLS refused (use STARTTLS or implicit TLS)");
  }
  AuthMechanism mech = cred.mechanism;
  if (mech == AuthMechanism::automatic) {
    if (!cred.oauth_token.empty() && s.ext.offers_auth("XOAUTH2")) mech = AuthMechanism::xoauth2;
    else if (s.ext.offers_auth("PLAIN")) mech = AuthMechanism::plain;
    else if (s.ext.offers_auth("LOGIN")) mech = AuthMechanism::login;
  }
  const char* names[] = {"", "PLAIN", "LOGIN", "XOAUTH2"};
  std::string name = names[static_cast<int>(mech)];
  if (mech == AuthMechanism::automatic || !s.ext.offers_auth(name)) {
    throw Error(Errc::auth_not_offered, "SMTP server " + s.peer + " offers no AUTH mechanism the client speaks" +
                                            (name.empty() ? "" : " (" + name + ")"));
  }
  std::string what = "AUTH " + name;  // never the credentials
  dialogue::Reply r;
  if (mech == AuthMechanism::login) {
    std::string_view arg = "LOGIN";
    r = co_await s.exchange("AUTH", std::span(&arg, 1), what);
    for (const std::string* field : {&cred.user, &cred.password}) {
      if (r.code != 334) break;
      s.dialogue.expect(what);
      co_await s.write(text::base64_encode(*field) + "\r\n", s.options.command_timeout);
      r = co_await s.next_reply(s.options.command_timeout, what);
    }
  } else {
    std::string response = mech == AuthMechanism::plain ? sasl_plain(cred.user, cred.password)
                                                        : sasl_xoauth2(cred.user, cred.oauth_token);
    std::string_view args[] = {name, response};
    r = co_await s.exchange("AUTH", args, what);
    if (r.code == 334) {  // XOAUTH2's error challenge: answer empty, the 535 follows
      s.dialogue.expect(what);
      co_await s.write(mech == AuthMechanism::xoauth2 ? "\r\n" : "*\r\n", s.options.command_timeout);
      r = co_await s.next_reply(s.options.command_timeout, what);
    }
  }
  if (r.code != 235) throw ReplyError(what, detail::to_reply(r), s.peer);
}

io::Task<Reply> AsyncClient::command(std::string_view verb, std::string_view arg) {
  State& s = *s_;
  dialogue::Reply r = co_await s.exchange(verb, arg.empty() ? std::span<const std::string_view>() : std::span(&arg, 1), verb);
  Reply reply = detail::to_reply(r);
  if (r.code / 100 != 2) throw ReplyError(std::string(verb), reply, s.peer);
  co_return reply;
}

io::Task<Reply> AsyncClient::noop() { co_return co_await command("NOOP", {}); }

io::Task<Reply> AsyncClient::rset() {
  Reply r = co_await command("RSET", {});
  s_->needs_reset = false;
  co_return r;
}

io::Task<void> AsyncClient::quit() {
  State& s = *s_;
  if (!s.broken && s.stream.is_open()) {
    s.dialogue.send("QUIT");
    co_await s.flush(s.options.command_timeout);
    co_await s.next_reply(s.options.command_timeout, "QUIT");
  }
  s.stream.close();
}

void AsyncClient::close() noexcept {
  if (s_) s_->stream.close();
}

const Extensions& AsyncClient::extensions() const noexcept { return s_->ext; }
bool AsyncClient::tls_active() noexcept { return s_->stream.is_tls(); }
bool AsyncClient::esmtp() const noexcept { return s_->esmtp; }
const std::string& AsyncClient::peer() const noexcept { return s_->peer; }
const Reply& AsyncClient::greeting() const noexcept { return s_->greeting; }
bool AsyncClient::last_send_pipelined() const noexcept { return s_->pipelined; }

std::vector<std::string> SendResult::refused() const {
  std::vector<std::string> out;
  for (const auto& r : recipients) {
    if (!r.accepted()) out.push_back(r.address);
  }
  return out;
}

// --- Client: the blocking form

struct Client::Impl {
  // Each call is loop.run(step), which enters the loop only if the step has to wait;
  // the connection's stream lives on it between calls.
  io::Loop loop;
  std::optional<AsyncClient> client;
};

Client::Client(std::string host, std::uint16_t port, ClientOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->client.emplace(impl_->loop.run(AsyncClient::connect(std::move(host), port, std::move(options))));
}
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&& other) noexcept {
  if (this != &other) {
    close();
    impl_ = std::move(other.impl_);
  }
  return *this;
}
Client::~Client() { close(); }

SendResult Client::send(const mime::Message& message) { return impl_->loop.run(impl_->client->send(message)); }
SendResult Client::send(const Envelope& envelope, text::Source& data) {
  return impl_->loop.run(impl_->client->send(envelope, data));
}
std::vector<SendResult> Client::send_all(std::span<const Outgoing> messages) {
  return impl_->loop.run(impl_->client->send_all(messages));
}
SendResult Client::send(const Envelope& envelope, std::string_view data) {
  return impl_->loop.run(impl_->client->send(envelope, data));
}
Reply Client::noop() { return impl_->loop.run(impl_->client->noop()); }
Reply Client::rset() { return impl_->loop.run(impl_->client->rset()); }
void Client::quit() { impl_->loop.run(impl_->client->quit()); }
void Client::close() noexcept {
  if (impl_ && impl_->client) {
    impl_->client->close();
    impl_->client.reset();
  }
}
const Extensions& Client::extensions() const noexcept { return impl_->client->extensions(); }
bool Client::tls_active() noexcept { return impl_->client->tls_active(); }
AsyncClient& Client::async() noexcept { return *impl_->client; }

}  // namespace wire::smtp
