// SPDX-License-Identifier: MIT
// wire::smtp::AsyncClient and Client: one SMTP submission connection, what Python's smtplib
// gives (RFC 5321), with the parts smtplib leaves to the caller done by default: STARTTLS
// that fails closed (RFC 3207), no AUTH in clear (RFC 4954), PIPELINING (RFC 2920), SIZE
// (RFC 1870), 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531), DSN (RFC 3461), enhanced status
// codes (RFC 3463), a timeout on every step.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wire/dialogue/reply_parser.hpp"
#include "wire/io/task.hpp"
#include "wire/mime/message.hpp"
#include "wire/smtp/envelope.hpp"
#include "wire/smtp/error.hpp"
#include "wire/smtp/extensions.hpp"
#include "wire/text/source.hpp"
#include "wire/tls/any_stream.hpp"
#include "wire/tls/context.hpp"

namespace wire::smtp {

/// How the connection is protected.
enum class Security : std::uint8_t {
  none,      ///< plaintext (port 25 between servers, or tests)
  starttls,  ///< plaintext, then STARTTLS, required: a server that does not offer it is an
             ///< error (Errc::starttls_not_offered) and no MAIL is sent (RFC 3207, RFC 8314 §3.2)
  implicit,  ///< TLS from the first byte (smtps, port 465, RFC 8314 §3.3)
};

/// SASL mechanisms the client speaks (RFC 4954).
enum class AuthMechanism : std::uint8_t {
  automatic,  ///< XOAUTH2 with a token, else PLAIN, else LOGIN, as the server offers them
  plain,      ///< RFC 4616, sent with the AUTH command (initial response)
  login,      ///< user, then password, each after a 334
  xoauth2,    ///< an OAuth 2.0 bearer token (Gmail, Outlook)
};

/// Who logs in.
struct Credentials {
  std::string user{};
  std::string password{};     ///< for PLAIN and LOGIN
  std::string oauth_token{};  ///< for XOAUTH2
  AuthMechanism mechanism = AuthMechanism::automatic;
};

/// How a client connects, speaks and waits. Every step has a timeout (RFC 5321 §4.5.3.2
/// gives the minimums servers expect clients to wait).
struct ClientOptions {
  Security security = Security::none;
  /// The TLS context for starttls and implicit (default: the system's CAs, verifying).
  std::optional<tls::Context> tls{};
  /// The name the certificate must carry (default: the host connected to).
  std::string tls_server_name{};
  /// The name given in EHLO (default: our address literal, "[127.0.0.1]", RFC 5321 §4.1.4).
  std::string local_name{};
  std::optional<Credentials> credentials{};
  /// AUTH over a connection without TLS. Off: credentials would cross the network readable
  /// (Errc::cleartext_auth before anything is sent).
  bool allow_cleartext_auth = false;
  /// Send MAIL, RCPT... and DATA in one flight when the server offers PIPELINING (RFC 2920).
  bool pipelining = true;
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(30);
  /// Each reply to a command (greeting, EHLO, MAIL, RCPT, DATA; §4.5.3.2: 5 min).
  std::chrono::milliseconds command_timeout = std::chrono::minutes(5);
  /// Each write of the message, and the reply after its end (§4.5.3.2.5-6: 3 and 10 min).
  std::chrono::milliseconds data_timeout = std::chrono::minutes(10);
  dialogue::ReplyLimits limits{};
};

/// One recipient's outcome.
struct RecipientResult {
  std::string address{};
  Reply reply{};  ///< the reply to its RCPT
  bool accepted() const noexcept { return reply.code / 100 == 2; }
};

/// What sending one message did: some recipients may be refused while the others got it, as
/// smtplib's sendmail() reports.
struct SendResult {
  std::vector<RecipientResult> recipients{};
  Reply reply{};             ///< the server's reply after the message's end (250 ...)
  std::string message_id{};  ///< the Message-ID written, when sending a mime::Message
  /// The refused recipients' addresses.
  std::vector<std::string> refused() const;
};

/// One message of a batch (AsyncClient::send_all): its envelope and its text, `text` as it is
/// or, when `source` is set, read from it (kept alive by the caller for the call).
///   std::vector<Outgoing> batch{{.envelope = {.from = "a@x.org", .to = {"b@y.org"}}, .text = body}};
struct Outgoing {
  Envelope envelope{};
  std::string_view text{};
  text::Source* source = nullptr;
};

/// One SMTP connection, as coroutines. Messages go one after another on it; after a failed
/// one the next begins with RSET (RFC 5321 §4.1.1.5).
///   auto c = co_await AsyncClient::connect("mail.example.com", 587, {.security = Security::starttls,
///                                          .credentials = Credentials{"anna", "secret"}});
///   SendResult r = co_await c.send(message);
///   co_await c.quit();
class AsyncClient {
 public:
  /// Connects, reads the greeting, EHLO (HELO if the server refuses EHLO), STARTTLS and EHLO
  /// again (Security::starttls), AUTH (with credentials).
  /// @throws ReplyError (a refused greeting, STARTTLS or AUTH), Error (starttls_not_offered,
  ///   auth_not_offered, cleartext_auth), tls::Error, std::system_error, TimeoutError.
  static io::Task<AsyncClient> connect(std::string host, std::uint16_t port, ClientOptions options = {});
  AsyncClient(AsyncClient&&) noexcept;
  AsyncClient& operator=(AsyncClient&&) noexcept;
  ~AsyncClient();

  /// Sends a message built with wire::mime: the envelope from its From and To/Cc/Bcc, SIZE
  /// from MessageWriter::size(), SMTPUTF8 when an address needs it.
  /// @throws ReplyError (MAIL, DATA or the end refused), RecipientsRefused (all of them),
  ///   Error (smtputf8_not_offered, message_too_large, no_recipients), std::invalid_argument
  ///   (a field that may not be sent; nothing was sent), TimeoutError, std::system_error.
  io::Task<SendResult> send(const mime::Message& message);
  /// Sends `data` (a whole message, any line ends: they become CRLF) under `envelope`.
  io::Task<SendResult> send(const Envelope& envelope, text::Source& data);
  io::Task<SendResult> send(const Envelope& envelope, std::string_view data);
  /// Sends the messages one after another and reports each: SendResult::reply is 250 when the
  /// message went, else the reply that refused it (MAIL's, DATA's, the end's, or the first
  /// recipient's when every one was refused); a refusal does not stop the batch. With
  /// PIPELINING each message's end goes in the same write as the next one's MAIL, RCPT... and
  /// DATA (RFC 2920 §3.1): one round trip a message instead of two. Every message is checked
  /// before the first is sent.
  /// @throws Error (smtputf8_not_offered, message_too_large, no_recipients: nothing was sent),
  ///   std::invalid_argument (an address that may not be sent: nothing was sent),
  ///   TimeoutError, std::system_error, ReplyError (421: the server closing): the batch stops.
  io::Task<std::vector<SendResult>> send_all(std::span<const Outgoing> messages);

  /// NOOP, RSET: the reply (a refusal throws ReplyError).
  io::Task<Reply> noop();
  io::Task<Reply> rset();
  /// QUIT, its reply, and the connection closes.
  io::Task<void> quit();
  void close() noexcept;

  /// What the server offered in its (last) EHLO reply; empty after HELO.
  const Extensions& extensions() const noexcept;
  /// Whether the connection is encrypted now.
  bool tls_active() noexcept;
  /// Whether the server took EHLO (false: HELO, no extensions).
  bool esmtp() const noexcept;
  /// "host:port", for messages.
  const std::string& peer() const noexcept;
  /// The greeting (220) and the reply to the last EHLO or HELO.
  const Reply& greeting() const noexcept;
  /// Whether the last send() went in one flight (PIPELINING).
  bool last_send_pipelined() const noexcept;

 private:
  struct State;
  explicit AsyncClient(std::unique_ptr<State> state);
  io::Task<void> start();
  io::Task<void> hello();
  io::Task<void> start_tls();
  io::Task<void> authenticate();
  io::Task<Reply> command(std::string_view verb, std::string_view arg);
  struct Arguments;
  Arguments check(const Envelope& envelope, std::optional<std::uint64_t> size) const;
  io::Task<bool> open_transaction(const Envelope& envelope, const Arguments& checked, SendResult& result);
  io::Task<bool> finish_transaction(const std::string& mail_what, const Reply& mail_reply, SendResult& result);
  // `defer`: the end of the data waits for the next flush, its reply read by the next
  // open_transaction (send_all with PIPELINING).
  io::Task<void> send_data(text::Source& data, SendResult& result, bool defer = false);
  std::unique_ptr<State> s_;
};

/// The blocking form, Python's smtplib.SMTP (and SMTP_SSL with Security::implicit): it
/// connects in the constructor and runs AsyncClient on a loop of its own.
///   wire::smtp::Client smtp("mail.example.com", 587, {.security = wire::smtp::Security::starttls});
///   smtp.send(message);
///   smtp.quit();
class Client {
 public:
  /// @throws as AsyncClient::connect().
  Client(std::string host, std::uint16_t port, ClientOptions options = {});
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  ~Client();

  SendResult send(const mime::Message& message);
  SendResult send(const Envelope& envelope, text::Source& data);
  SendResult send(const Envelope& envelope, std::string_view data);
  std::vector<SendResult> send_all(std::span<const Outgoing> messages);
  Reply noop();
  Reply rset();
  void quit();
  void close() noexcept;
  const Extensions& extensions() const noexcept;
  bool tls_active() noexcept;
  AsyncClient& async() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wire::smtp
