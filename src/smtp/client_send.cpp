// SPDX-License-Identifier: MIT
// AsyncClient::send: the mail transaction (RFC 5321 §3.3) — MAIL, RCPT..., DATA in one flight
// when the server offers PIPELINING (RFC 2920), one at a time otherwise — and the message,
// dot-stuffed, with CRLF line ends only.
#include <exception>
#include <vector>

#include "client_state.hpp"
#include "wire/mime/message_writer.hpp"

namespace wire::smtp {
namespace {

constexpr std::size_t kChunk = 64 * 1024;

// A message held by the caller, read without a copy.
class ViewSource final : public text::Source {
 public:
  explicit ViewSource(std::string_view data) noexcept : data_(data) {}
  using text::Source::read;
  std::size_t read(std::span<char> out) override {
    std::size_t n = std::min(out.size(), data_.size());
    std::copy_n(data_.data(), n, out.data());
    data_.remove_prefix(n);
    return n;
  }
  std::optional<std::uint64_t> size() const override { return data_.size(); }

 private:
  std::string_view data_;
};

std::vector<std::string_view> views(const std::vector<std::string>& args) {
  return {args.begin(), args.end()};
}

}  // namespace

// MAIL's arguments and each RCPT's, made by check().
struct AsyncClient::Arguments {
  std::vector<std::string> mail;
  std::vector<std::vector<std::string>> rcpts;
};

io::Task<SendResult> AsyncClient::send(const mime::Message& message) {
  mime::MessageWriter writer(message);  // every field checked before anything is sent
  Envelope envelope;
  // RFC 5321 §4.1.1.2: the reverse-path is where failures go: Sender's if there is one.
  envelope.from = message.sender ? message.sender->address : message.from.address;
  envelope.to = writer.recipients();
  envelope.smtputf8 = writer.needs_smtputf8();
  SendResult result;
  result.message_id = writer.message_id();
  if (co_await open_transaction(envelope, check(envelope, writer.size()), result)) co_await send_data(writer, result);
  co_return result;
}

io::Task<SendResult> AsyncClient::send(const Envelope& envelope, text::Source& data) {
  SendResult result;
  if (co_await open_transaction(envelope, check(envelope, data.size()), result)) co_await send_data(data, result);
  co_return result;
}

io::Task<SendResult> AsyncClient::send(const Envelope& envelope, std::string_view data) {
  ViewSource source(data);
  co_return co_await send(envelope, source);
}

// What may not be sent, refused before a byte is: and the arguments of MAIL and each RCPT.
AsyncClient::Arguments AsyncClient::check(const Envelope& env, std::optional<std::uint64_t> size) const {
  const State& s = *s_;
  if (env.to.empty()) throw Error(Errc::no_recipients, "SMTP: a message without recipients");
  bool utf8 = env.smtputf8 || is_utf8_address(env.from);
  for (const auto& to : env.to) utf8 = utf8 || is_utf8_address(to);
  if (utf8 && !s.ext.smtputf8()) {
    throw Error(Errc::smtputf8_not_offered, "SMTP server " + s.peer + " does not offer SMTPUTF8, which a UTF-8 address needs");
  }
  auto limit = s.ext.size();
  if (size && limit && *limit > 0 && *size > *limit) {  // RFC 1870 §6: the server would refuse it
    throw Error(Errc::message_too_large, "SMTP server " + s.peer + " takes messages up to " + std::to_string(*limit) +
                                             " bytes; this one has " + std::to_string(*size));
  }
  const DsnRequest* dsn = s.ext.dsn() ? &env.dsn : nullptr;  // RFC 3461 §4: only to a DSN server
  Arguments args;
  args.mail = mail_arguments(env.from, limit ? size : std::nullopt, env.eight_bit && s.ext.eight_bit_mime(), utf8, dsn);
  for (const auto& to : env.to) args.rcpts.push_back(rcpt_arguments(to, utf8, dsn));
  return args;
}

// MAIL, RCPT... and DATA, with the arguments check() made (and checked) before a byte is
// sent. True when the server said 354; throws when the message cannot go.
io::Task<bool> AsyncClient::open_transaction(const Envelope& env, const Arguments& checked, SendResult& result) {
  State& s = *s_;
  if (s.broken || !s.stream.is_open()) {
    throw std::system_error(std::make_error_code(std::errc::not_connected), "SMTP connection to " + s.peer + " is closed");
  }
  const std::vector<std::string>& mail = checked.mail;
  const std::vector<std::vector<std::string>>& rcpts = checked.rcpts;

  s.pipelined = s.options.pipelining && s.ext.pipelining();
  auto timeout = s.options.command_timeout;
  auto step = [&](std::string_view verb, const std::vector<std::string>& args) {
    auto v = views(args);
    s.dialogue.send(verb, std::span<const std::string_view>(v));
  };
  if (s.needs_reset) {
    s.dialogue.send("RSET");  // pipelined: it leads the group (RFC 2920 §3.1), its reply read first
    if (!s.pipelined) {
      co_await s.flush(timeout);
      dialogue::Reply r = co_await s.next_reply(timeout, "RSET");
      if (r.code / 100 != 2) throw ReplyError("RSET", detail::to_reply(r), s.peer);
      s.needs_reset = false;
    }
  }
  std::string mail_what = "MAIL " + mail.front();
  step("MAIL", mail);
  if (s.pipelined) {
    // RFC 2920 §3.1: MAIL, every RCPT and DATA (the last of the group) in one write.
    for (const auto& r : rcpts) step("RCPT", r);
    s.dialogue.send("DATA");
    co_await s.flush(timeout);
    if (s.awaiting_end) {  // the previous message's end went in this write (send_all): its reply first
      SendResult& previous = *std::exchange(s.awaiting_end, nullptr);
      previous.reply = detail::to_reply(co_await s.next_reply(s.options.data_timeout, "the end of data"));
      // Refused or not, its transaction is over (RFC 5321 §4.1.1.4): the reply says which.
    }
    if (s.needs_reset) {
      dialogue::Reply r = co_await s.next_reply(timeout, "RSET");
      if (r.code / 100 != 2) {
        s.broken = true;  // the rest of its group is unread: the dialogue cannot go on
        throw ReplyError("RSET", detail::to_reply(r), s.peer);
      }
      s.needs_reset = false;
    }
  } else {
    co_await s.flush(timeout);
  }
  Reply mail_reply = detail::to_reply(co_await s.next_reply(timeout, mail_what));
  if (!s.pipelined && mail_reply.code / 100 != 2) {
    s.needs_reset = true;
    throw ReplyError(mail_what, mail_reply, s.peer);
  }
  for (std::size_t i = 0; i < rcpts.size(); ++i) {
    if (!s.pipelined) {
      step("RCPT", rcpts[i]);
      co_await s.flush(timeout);
    }
    Reply r = detail::to_reply(co_await s.next_reply(timeout, "RCPT " + rcpts[i].front()));
    result.recipients.push_back({env.to[i], std::move(r)});
  }
  co_return co_await finish_transaction(mail_what, mail_reply, result);
}

// The DATA step: its reply (read now, or sent now when one command goes at a time), and what
// the replies before it mean.
io::Task<bool> AsyncClient::finish_transaction(const std::string& mail_what, const Reply& mail_reply,
                                               SendResult& result) {
  State& s = *s_;
  auto timeout = s.options.command_timeout;
  std::vector<RecipientsRefused::Refusal> refused;
  for (const auto& r : result.recipients) {
    if (!r.accepted()) refused.push_back({r.address, r.reply});
  }
  bool any = refused.size() < result.recipients.size();
  if (!s.pipelined && !any) {  // no DATA for nobody
    s.needs_reset = true;
    throw RecipientsRefused(std::move(refused), s.peer);
  }
  if (!s.pipelined) {
    s.dialogue.send("DATA");
    co_await s.flush(timeout);
  }
  Reply data = detail::to_reply(co_await s.next_reply(timeout, "DATA"));
  bool mail_ok = mail_reply.code / 100 == 2;
  if (data.code == 354 && (!mail_ok || !any)) {
    // RFC 2920 §3.1: a server should refuse DATA then; one that did not gets an empty
    // message that it must not deliver (no valid recipients), then RSET.
    s.dialogue.expect("end of data");
    co_await s.write(".\r\n", s.options.data_timeout);
    co_await s.next_reply(s.options.data_timeout, "the end of data");
  }
  if (!mail_ok) {
    s.needs_reset = true;
    throw ReplyError(mail_what, mail_reply, s.peer);
  }
  if (!any) {
    s.needs_reset = true;
    throw RecipientsRefused(std::move(refused), s.peer);
  }
  if (data.code != 354) {
    s.needs_reset = true;
    throw ReplyError("DATA", data, s.peer);
  }
  co_return true;
}

io::Task<void> AsyncClient::send_data(text::Source& data, SendResult& result, bool defer) {
  State& s = *s_;
  std::vector<char> buffer(kChunk);
  std::string out;
  DataEncoder encoder;
  try {
    for (;;) {
      std::size_t n = data.read(std::span<char>(buffer));
      if (n == 0) break;
      encoder.encode(std::string_view(buffer.data(), n), out);
      if (out.size() >= kChunk) {
        co_await s.write(out, s.options.data_timeout);
        out.clear();
      }
    }
  } catch (...) {
    // The message cannot be finished, and ending it here would send a truncated one: the
    // connection goes instead (RFC 5321 §4.1.1.4: the server then discards the transaction).
    s.broken = true;
    s.stream.close();
    throw;
  }
  encoder.finish(out);  // the last piece and "." go in one write
  s.dialogue.expect("end of data");
  if (defer) {  // ...with the next message's commands
    s.held = std::move(out);
    s.awaiting_end = &result;
    co_return;
  }
  co_await s.write(out, s.options.data_timeout);
  result.reply = detail::to_reply(co_await s.next_reply(s.options.data_timeout, "the end of data"));
  if (result.reply.code / 100 != 2) {
    // The transaction ended with the reply (RFC 5321 §4.1.1.4); an RSET before the next one
    // costs nothing in a pipelined group and leaves no doubt about the server's state.
    s.needs_reset = true;
    throw ReplyError("the message (end of data)", result.reply, s.peer);
  }
}

io::Task<std::vector<SendResult>> AsyncClient::send_all(std::span<const Outgoing> messages) {
  State& s = *s_;
  std::vector<ViewSource> texts;
  std::vector<Arguments> checked;  // nothing goes unless everything can
  texts.reserve(messages.size());
  checked.reserve(messages.size());
  for (const Outgoing& m : messages) {
    texts.emplace_back(m.text);
    checked.push_back(check(m.envelope, (m.source ? *m.source : texts.back()).size()));
  }
  const bool pipelined = s.options.pipelining && s.ext.pipelining();
  std::vector<SendResult> results(messages.size());  // sized once: awaiting_end points into it
  std::exception_ptr failed;
  try {
    for (std::size_t i = 0; i < messages.size(); ++i) {
      text::Source& source = messages[i].source ? *messages[i].source : texts[i];
      SendResult& result = results[i];
      try {
        if (co_await open_transaction(messages[i].envelope, checked[i], result)) {
          co_await send_data(source, result, pipelined && i + 1 < messages.size());
        }
      } catch (const ReplyError& e) {
        if (s.broken) throw;  // 421: the server is closing; nothing after it can go
        result.reply = e.reply();
      }
    }
    if (s.awaiting_end) {  // (every deferred end is read by the next message's transaction)
      co_await s.flush(s.options.data_timeout);
      SendResult& last = *std::exchange(s.awaiting_end, nullptr);
      last.reply = detail::to_reply(co_await s.next_reply(s.options.data_timeout, "the end of data"));
    }
  } catch (...) {
    failed = std::current_exception();
  }
  if (failed) {
    // Whatever stopped the batch left the dialogue in doubt (an end held or unanswered, a
    // group half read): the connection cannot go on, and nothing may point into `results`.
    s.awaiting_end = nullptr;
    s.held.clear();
    s.broken = true;
    std::rethrow_exception(failed);
  }
  co_return results;
}

}  // namespace wire::smtp
