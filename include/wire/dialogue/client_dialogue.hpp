// SPDX-License-Identifier: MIT
// The sans-I/O core of a line-dialogue client: the commands sent, in order, and the replies
// matched to them, so a driver can pipeline (RFC 2920) and still know what each reply answers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "wire/dialogue/reply.hpp"
#include "wire/dialogue/reply_parser.hpp"
#include "wire/dialogue/syntax.hpp"

namespace wire::dialogue {

/// Whether the server speaks first.
enum class Greeting : std::uint8_t {
  expected,  ///< a new connection: the server's greeting (220) answers "command" 0
  none,      ///< e.g. after STARTTLS, where the client speaks first (RFC 3207 §4.2)
};

/// What ClientDialogue::next() reports.
struct DialogueEvent {
  enum Kind : std::uint8_t {
    need_more,    ///< nothing until feed() gets more bytes
    preliminary,  ///< a 1yz reply: the command (or greeting) is still outstanding
    reply,        ///< the final reply (2yz-5yz) of the oldest outstanding command
    closing,      ///< a 421 while nothing was outstanding: the server is closing the
                  ///< connection (RFC 959 §4.2, RFC 5321 §3.8); no reply may follow
    error,        ///< ClientDialogue::error() says why. Sticky.
  };
  Kind kind = need_more;
  std::uint64_t id = 0;   ///< what send() returned for the command answered; 0 is the greeting
  std::string_view verb;  ///< its verb (or the label given to expect()); "" for the greeting.
                          ///< Valid until the next call of next().
};

/// Records the commands a client sends, first in first out, and pairs each reply with the
/// command it answers. It does no I/O: send() appends the encoded command to output(), which
/// the driver writes; feed() takes the bytes the driver reads. Several commands may be sent in
/// one write (RFC 2920 pipelining): their replies come in the order the commands were sent
/// (RFC 959 §4.2 and RFC 5321 §4.1 give one reply sequence per command, in order).
///
///   ClientDialogue d(Syntax::smtp);              // the greeting is expected first
///   d.send("MAIL", {"FROM:<a@example.org>"});    // id 1
///   d.send("RCPT", {"TO:<b@example.org>"});      // id 2
///   write_all(d.output()); d.consume_output(d.output().size());
///   std::size_t n = d.feed(buffer);              // stops after each reply
///   for (auto ev = d.next(); ev.kind != DialogueEvent::need_more; ev = d.next())
///     if (ev.kind == DialogueEvent::reply) handle(ev.id, d.reply());
///
/// Rules: a 1yz reply is preliminary (FTP's 150 before 226): the command stays outstanding
/// and its final reply is still to come. Any other reply ends the oldest outstanding entry,
/// whatever its code; a 3yz (331 after USER, 354 after DATA) ends the command too, and what
/// the client sends next is a new command (or expect()). A reply with nothing outstanding is
/// Errc::unexpected_reply, except a 421, reported as `closing`: servers send it on their own
/// when they time out or shut down. Errors of the reply parser stop the dialogue too.
///
/// STARTTLS and AUTH TLS: after their reply, bytes the driver still holds were sent before
/// the handshake: refuse them. Continue on the TLS session with a new
/// ClientDialogue(syntax, limits, Greeting::none).
class ClientDialogue {
 public:
  explicit ClientDialogue(Syntax syntax, const ReplyLimits& limits = {}, Greeting greeting = Greeting::expected);

  /// Encodes a command into output() and records it as outstanding. Returns its id (1, 2, ...).
  /// @throws LocalError before anything is written or recorded, as encode_command().
  std::uint64_t send(std::string_view verb, std::string_view arg = {});
  std::uint64_t send(std::string_view verb, std::initializer_list<std::string_view> args);
  std::uint64_t send(std::string_view verb, std::span<const std::string_view> args);
  /// Records a reply the caller arranged for without a command of this dialogue, e.g. the
  /// one after the message data that follows 354 (RFC 5321 §4.1.1.4), whose bytes the
  /// driver writes itself after output(). Returns its id; `label` is the event's verb.
  std::uint64_t expect(std::string_view label);

  /// The encoded commands not yet written.
  std::string_view output() const noexcept { return output_; }
  /// Drops the first `n` bytes of output(), once written.
  void consume_output(std::size_t n) noexcept;
  /// Entries waiting for their final reply, the greeting included.
  std::size_t outstanding() const noexcept { return outstanding_.size(); }

  /// Parses replies up to the end of the next one; returns the bytes used (see ReplyParser).
  std::size_t feed(std::string_view bytes);
  std::size_t feed(std::span<const std::byte> bytes);
  /// The server closed the connection. Inside a reply that is Errc::truncated_reply.
  void feed_eof();
  /// The next event; need_more when there is none until more bytes arrive.
  DialogueEvent next();

  /// The reply of the last preliminary, reply or closing event, valid until the next feed().
  const Reply& reply() const noexcept { return parser_.reply(); }
  Reply take_reply() noexcept { return parser_.take_reply(); }
  /// The error that stopped the dialogue, or {}.
  std::error_code error() const noexcept { return error_; }
  /// Whether bytes of a reply not yet complete have been consumed.
  bool in_reply() const noexcept { return parser_.in_reply(); }

 private:
  struct Entry {
    std::uint64_t id;
    std::string verb;
  };
  std::uint64_t record(std::string_view verb);

  ReplyParser parser_;
  std::string output_;
  std::deque<Entry> outstanding_;
  std::string answered_;  // the verb of the entry the last event ended
  std::uint64_t next_id_ = 1;
  bool closed_ = false;   // a 421 came with nothing outstanding
  std::error_code error_;
};

}  // namespace wire::dialogue
