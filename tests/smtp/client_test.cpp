// SPDX-License-Identifier: MIT
// wire::smtp::Client against scripted servers: the exact commands it sends, when it sends them
// (one flight with PIPELINING, one at a time without), and what it refuses to send.
#include <gtest/gtest.h>

#include "smtp_helpers.hpp"
#include "wire/dialogue/error.hpp"
#include "wire/error.hpp"
#include "wire/mime/message.hpp"
#include "wire/smtp/client.hpp"
#include "wire/tls/error.hpp"

namespace wire::smtp {
namespace {

using test::smtp::Peer;
using test::smtp::ScriptedServer;
using namespace std::chrono_literals;

// The greeting and an EHLO answered with `extensions` (one per line after the name).
void greet(Peer& p, std::vector<std::string> extensions) {
  p.send("220 fake.test ESMTP\r\n");
  EXPECT_EQ(p.line(), "EHLO [127.0.0.1]");
  std::string reply = "250" + std::string(extensions.empty() ? " " : "-") + "fake.test\r\n";
  for (std::size_t i = 0; i < extensions.size(); ++i) {
    reply += "250" + std::string(i + 1 == extensions.size() ? " " : "-") + extensions[i] + "\r\n";
  }
  p.send(reply);
}

const std::string kMessage = "Subject: t\n\nline\n.\n..\nend";
const std::string kWire = "Subject: t\r\n\r\nline\r\n..\r\n...\r\nend\r\n.\r\n";

// A pipelined group from a@example.com to `to`, as the script reads it: MAIL, RCPT, DATA.
void expect_group(Peer& p, const std::string& to) {
  EXPECT_EQ(p.line(), "MAIL FROM:<a@example.com>");
  EXPECT_EQ(p.line(), "RCPT TO:<" + to + ">");
  EXPECT_EQ(p.line(), "DATA");
}

TEST(SmtpClient, PipelinesMailRcptAndDataInOneFlight) {
  ScriptedServer server([](Peer& p) {
    greet(p, {"PIPELINING", "SIZE 1000", "ENHANCEDSTATUSCODES"});
    // Every command of the transaction arrives before any reply is sent: one flight.
    EXPECT_EQ(p.line(), "MAIL FROM:<anna@example.com> SIZE=" + std::to_string(kMessage.size()));
    EXPECT_EQ(p.line(), "RCPT TO:<bob@example.org>");
    EXPECT_EQ(p.line(), "RCPT TO:<nobody@example.org>");
    EXPECT_EQ(p.line(), "DATA");
    p.send("250 2.1.0 OK\r\n250 2.1.5 OK\r\n550 5.1.1 No such user\r\n354 go\r\n");
    EXPECT_EQ(p.data(), kWire);
    p.send("250 2.0.0 queued as X\r\n");
    EXPECT_EQ(p.line(), "QUIT");
    p.send("221 2.0.0 bye\r\n");
  });
  Client c("127.0.0.1", server.port());
  SendResult r = c.send(Envelope{.from = "anna@example.com", .to = {"bob@example.org", "nobody@example.org"}}, kMessage);
  EXPECT_TRUE(c.async().last_send_pipelined());
  ASSERT_EQ(r.recipients.size(), 2u);
  EXPECT_TRUE(r.recipients[0].accepted());
  EXPECT_EQ(r.recipients[1].reply, (Reply{550, "5.1.1", "No such user"}));
  EXPECT_EQ(r.refused(), std::vector<std::string>{"nobody@example.org"});
  EXPECT_EQ(r.reply, (Reply{250, "2.0.0", "queued as X"}));
  c.quit();
  server.join();
}

// send_all with PIPELINING: each message's end goes with the next one's MAIL, RCPT and DATA,
// one round trip a message. The script proves it: it reads the next MAIL before it answers
// the end of data (a client waiting for that reply would leave it waiting). Refusals on the
// way are reported in their message's result and the batch goes on.
TEST(SmtpClient, SendAllPutsEachMessagesEndWithTheNextMessagesCommands) {
  ScriptedServer server([](Peer& p) {
    greet(p, {"PIPELINING"});
    expect_group(p, "one@example.org");
    p.send("250 OK\r\n250 OK\r\n354 go\r\n");
    EXPECT_EQ(p.data(), "first\r\n.\r\n");
    // The second message's commands came with the first one's end, unanswered yet.
    expect_group(p, "two@example.org");
    p.send("554 5.6.0 first refused at its end\r\n250 OK\r\n250 OK\r\n354 go\r\n");
    EXPECT_EQ(p.data(), "second\r\n.\r\n");
    // The third: its only recipient refused, DATA refused by the server, no text sent.
    expect_group(p, "nobody@example.org");
    p.send("250 2.0.0 second queued\r\n250 OK\r\n550 5.1.1 No such user\r\n554 5.5.1 No valid recipients\r\n");
    // The fourth begins with RSET (the third failed half-way), and is the last: its end
    // goes alone and its reply is read before send_all returns.
    EXPECT_EQ(p.line(), "RSET");
    expect_group(p, "four@example.org");
    p.send("250 OK\r\n250 OK\r\n250 OK\r\n354 go\r\n");
    EXPECT_EQ(p.data(), "fourth\r\n.\r\n");
    p.send("250 2.0.0 fourth queued\r\n");
    EXPECT_EQ(p.line(), "QUIT");
    p.send("221 bye\r\n");
  });
  Client c("127.0.0.1", server.port());
  std::vector<Outgoing> batch;
  for (const char* to : {"one@example.org", "two@example.org", "nobody@example.org", "four@example.org"}) {
    batch.push_back({.envelope = {.from = "a@example.com", .to = {to}}});
  }
  batch[0].text = "first";
  batch[1].text = "second\n";
  batch[2].text = "third";
  text::StringSource fourth("fourth");  // a source, as a streamed message comes
  batch[3].source = &fourth;
  std::vector<SendResult> results = c.send_all(batch);
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].reply, (Reply{554, "5.6.0", "first refused at its end"}));
  EXPECT_EQ(results[1].reply, (Reply{250, "2.0.0", "second queued"}));
  EXPECT_EQ(results[2].reply, (Reply{550, "5.1.1", "No such user"}));  // the recipient's refusal
  EXPECT_EQ(results[2].refused(), std::vector<std::string>{"nobody@example.org"});
  EXPECT_EQ(results[3].reply, (Reply{250, "2.0.0", "fourth queued"}));
  c.quit();
  server.join();
}

// A batch the server cuts short (it closes after the first message's data): the error, and a
// connection that says it is closed rather than a dialogue left half way.
TEST(SmtpClient, SendAllCutShortThrowsAndTheConnectionIsDone) {
  ScriptedServer server([](Peer& p) {
    greet(p, {"PIPELINING"});
    expect_group(p, "b@example.org");
    p.send("250 OK\r\n250 OK\r\n354 go\r\n");
    EXPECT_EQ(p.data(), "one\r\n.\r\n");
    p.sock.close();  // gone, the end of the first message unanswered
  });
  Client c("127.0.0.1", server.port());
  std::vector<Outgoing> batch(3, Outgoing{.envelope = {.from = "a@example.com", .to = {"b@example.org"}}, .text = "one"});
  EXPECT_THROW(c.send_all(batch), std::system_error);
  server.join();
  try {
    c.send(Envelope{.from = "a@example.com", .to = {"b@example.org"}}, "two");
    ADD_FAILURE() << "a send on the broken connection went";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::not_connected) << e.what();
  }
}

// Without PIPELINING send_all goes one command at a time, as send() does; and a batch with a
// message that cannot be sent sends nothing at all.
TEST(SmtpClient, SendAllWithoutPipeliningAndRefusedUpFront) {
  ScriptedServer server([](Peer& p) {
    greet(p, {"SIZE 100"});
    for (const char* to : {"one@example.org", "two@example.org"}) {
      for (std::string expected : {std::string("MAIL FROM:<a@example.com> SIZE=1"), "RCPT TO:<" + std::string(to) + ">",
                                   std::string("DATA")}) {
        EXPECT_EQ(p.line(), expected);
        EXPECT_TRUE(p.quiet_for(200ms)) << "the client sent more before the reply to " << expected;
        p.send(expected == "DATA" ? "354 go\r\n" : "250 OK\r\n");
      }
      EXPECT_EQ(p.data(), "x\r\n.\r\n");
      EXPECT_TRUE(p.quiet_for(200ms)) << "the client went on before the end's reply";
      p.send("250 OK\r\n");
    }
    EXPECT_EQ(p.line(), "QUIT");  // the refused batch sent nothing
    p.send("221 bye\r\n");
  });
  Client c("127.0.0.1", server.port());
  std::vector<Outgoing> batch{{.envelope = {.from = "a@example.com", .to = {"one@example.org"}}, .text = "x"},
                              {.envelope = {.from = "a@example.com", .to = {"two@example.org"}}, .text = "x"}};
  std::vector<SendResult> results = c.send_all(batch);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].reply.code, 250);
  EXPECT_EQ(results[1].reply.code, 250);
  std::string big(200, 'x');
  batch.push_back({.envelope = {.from = "a@example.com", .to = {"three@example.org"}}, .text = big});
  try {
    c.send_all(batch);
    ADD_FAILURE() << "a message over SIZE was not refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::message_too_large);
  }
  batch.pop_back();
  batch.push_back({.envelope = {.from = "a@example.com", .to = {}}, .text = "x"});
  EXPECT_THROW(c.send_all(batch), Error);  // no recipients
  c.quit();
  server.join();
}

TEST(SmtpClient, OneCommandAtATimeWithoutPipelining) {
  ScriptedServer server([](Peer& p) {
    greet(p, {"8BITMIME"});
    for (std::string expected : {"MAIL FROM:<anna@example.com>", "RCPT TO:<bob@example.org>", "DATA"}) {
      EXPECT_EQ(p.line(), expected);
      EXPECT_TRUE(p.quiet_for(300ms)) << "the client sent more before the reply to " << expected;
      p.send(expected == "DATA" ? "354 go\r\n" : "250 OK\r\n");
    }
    EXPECT_EQ(p.data(), kWire);
    p.send("250 OK\r\n");
  });
  Client c("127.0.0.1", server.port());
  SendResult r = c.send(Envelope{.from = "anna@example.com", .to = {"bob@example.org"}}, kMessage);
  EXPECT_FALSE(c.async().last_send_pipelined());
  EXPECT_EQ(r.reply.code, 250);
  EXPECT_EQ(r.reply.enhanced_code, "");  // none given
  server.join();
}

TEST(SmtpClient, AllRecipientsRefusedSendsNoDataAndRsetsBeforeTheNextMessage) {
  ScriptedServer server([](Peer& p) {
    greet(p, {});
    EXPECT_EQ(p.line(), "MAIL FROM:<anna@example.com>");
    p.send("250 OK\r\n");
    EXPECT_EQ(p.line(), "RCPT TO:<x@example.org>");
    p.send("550 5.7.1 Relaying denied\r\n");
    EXPECT_EQ(p.line(), "RSET");  // not DATA: the next message begins with RSET
    p.send("250 OK\r\n");
    EXPECT_EQ(p.line(), "MAIL FROM:<anna@example.com>");
    p.send("451 4.3.0 Try later\r\n");
    EXPECT_EQ(p.line(), "RSET");
    p.send("250 OK\r\n");
    EXPECT_EQ(p.line(), "QUIT");
    p.send("221 bye\r\n");
  });
  Client c("127.0.0.1", server.port());
  try {
    c.send(Envelope{.from = "anna@example.com", .to = {"x@example.org"}}, "x");
    ADD_FAILURE() << "no exception";
  } catch (const RecipientsRefused& e) {
    ASSERT_EQ(e.recipients().size(), 1u);
    EXPECT_EQ(e.recipients()[0].address, "x@example.org");
    EXPECT_EQ(e.code(), 550);
    EXPECT_EQ(e.enhanced_code(), "5.7.1");
  }
  try {
    c.send(Envelope{.from = "anna@example.com", .to = {"x@example.org"}}, "x");
    ADD_FAILURE() << "no exception";
  } catch (const ReplyError& e) {
    EXPECT_EQ(e.code(), 451);
    EXPECT_TRUE(e.transient());
    EXPECT_EQ(e.command(), "MAIL FROM:<anna@example.com>");
  }
  c.rset();
  c.quit();
  server.join();
}

TEST(SmtpClient, AfterAFailureThePipelinedGroupBeginsWithRset) {
  ScriptedServer server([](Peer& p) {
    greet(p, {"PIPELINING"});
    expect_group(p, "b@example.org");
    p.send("250 OK\r\n250 OK\r\n354 go\r\n");
    EXPECT_EQ(p.data(), "one\r\n.\r\n");
    p.send("554 5.7.1 rejected by content filter\r\n");
    // The next message's group: RSET first, in the same flight.
    for (std::string expected : {"RSET", "MAIL FROM:<a@example.com>", "RCPT TO:<b@example.org>", "DATA"}) {
      EXPECT_EQ(p.line(), expected);
    }
    p.send("250 OK\r\n250 OK\r\n250 OK\r\n354 go\r\n");
    EXPECT_EQ(p.data(), "two\r\n.\r\n");
    p.send("250 2.0.0 OK\r\n");
  });
  Client c("127.0.0.1", server.port());
  Envelope env{.from = "a@example.com", .to = {"b@example.org"}};
  try {
    c.send(env, "one");
    ADD_FAILURE();
  } catch (const ReplyError& e) {
    EXPECT_EQ(e.code(), 554);
    EXPECT_EQ(e.command(), "the message (end of data)");
  }
  EXPECT_EQ(c.send(env, "two").reply, (Reply{250, "2.0.0", "OK"}));
  server.join();
}

TEST(SmtpClient, FallsBackToHeloWhenEhloIsRefused) {
  ScriptedServer server([](Peer& p) {
    p.send("220 old.test SMTP\r\n");
    EXPECT_EQ(p.line(), "EHLO [127.0.0.1]");
    p.send("502 Command not implemented\r\n");
    EXPECT_EQ(p.line(), "HELO [127.0.0.1]");
    p.send("250 old.test\r\n");
    EXPECT_EQ(p.line(), "MAIL FROM:<a@example.com>");  // no SIZE: nothing was offered
    p.send("250 OK\r\n");
    EXPECT_EQ(p.line(), "RCPT TO:<b@example.org>");
    p.send("250 OK\r\n");
    EXPECT_EQ(p.line(), "DATA");
    p.send("354 go\r\n");
    EXPECT_EQ(p.data(), "hi\r\n.\r\n");
    p.send("250 OK\r\n");
  });
  Client c("127.0.0.1", server.port());
  EXPECT_FALSE(c.async().esmtp());
  EXPECT_EQ(c.send(Envelope{.from = "a@example.com", .to = {"b@example.org"}}, "hi").reply.code, 250);
  server.join();
}

TEST(SmtpClient, StarttlsRequiredAndNotOfferedFailsClosedWithoutMail) {
  ScriptedServer server([](Peer& p) {
    greet(p, {"PIPELINING", "AUTH PLAIN"});
    EXPECT_EQ(p.line(), "QUIT");
  });
  ClientOptions o;
  o.security = Security::starttls;
  o.credentials = Credentials{.user = "anna", .password = "secret"};
  try {
    Client c("127.0.0.1", server.port(), o);
    ADD_FAILURE() << "connected";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::starttls_not_offered);
  }
  std::string sent = server.join();
  EXPECT_EQ(sent, "EHLO [127.0.0.1]\r\nQUIT\r\n");  // no MAIL, no AUTH, nothing else
}

TEST(SmtpClient, BytesAfterTheStarttlsReplyAreRefused) {
  test::TestPki pki;
  ScriptedServer server([](Peer& p) {
    greet(p, {"STARTTLS"});
    EXPECT_EQ(p.line(), "STARTTLS");
    p.send("220 go ahead\r\n250 injected\r\n");  // one write: the client holds both
  });
  ClientOptions o;
  o.security = Security::starttls;
  o.tls = pki.client_context();
  try {
    Client c("127.0.0.1", server.port(), o);
    ADD_FAILURE() << "connected";
  } catch (const tls::Error& e) {
    EXPECT_EQ(e.code(), tls::Errc::unexpected_plaintext) << e.what();
  }
  server.join();
}

TEST(SmtpClient, NoAuthInClearUnlessAsked) {
  ScriptedServer server([](Peer& p) {
    greet(p, {"AUTH PLAIN LOGIN"});
    std::error_code ec;
    p.received += p.sock.recv_until("never", 1 << 16, ec);  // to EOF: the client sends nothing more
  });
  ClientOptions o;
  o.credentials = Credentials{.user = "anna", .password = "secret"};
  try {
    Client c("127.0.0.1", server.port(), o);
    ADD_FAILURE() << "connected";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::cleartext_auth);
  }
  EXPECT_EQ(server.join(), "EHLO [127.0.0.1]\r\n");
}

TEST(SmtpClient, AuthLoginWhenTheCallerInsists) {
  ScriptedServer server([](Peer& p) {
    greet(p, {"AUTH LOGIN"});
    EXPECT_EQ(p.line(), "AUTH LOGIN");
    p.send("334 VXNlcm5hbWU6\r\n");
    EXPECT_EQ(p.line(), "YW5uYQ==");  // anna
    p.send("334 UGFzc3dvcmQ6\r\n");
    EXPECT_EQ(p.line(), "c2VjcmV0");  // secret
    p.send("235 2.7.0 OK\r\n");
    EXPECT_EQ(p.line(), "NOOP");
    p.send("250 2.0.0 OK\r\n");
  });
  ClientOptions o;
  o.credentials = Credentials{.user = "anna", .password = "secret"};
  o.allow_cleartext_auth = true;
  Client c("127.0.0.1", server.port(), o);
  EXPECT_EQ(c.noop(), (Reply{250, "2.0.0", "OK"}));
  server.join();
}

TEST(SmtpClient, Xoauth2FailureIsAReplyError) {
  ScriptedServer server([](Peer& p) {
    greet(p, {"AUTH XOAUTH2 PLAIN"});
    EXPECT_EQ(p.line(), "AUTH XOAUTH2 dXNlcj1hbm5hAWF1dGg9QmVhcmVyIHRvawEB");
    p.send("334 eyJzdGF0dXMiOiI0MDEifQ==\r\n");
    EXPECT_EQ(p.line(), "");
    p.send("535 5.7.8 Username and Password not accepted\r\n");
  });
  ClientOptions o;
  o.credentials = Credentials{.user = "anna", .oauth_token = "tok"};
  o.allow_cleartext_auth = true;
  try {
    Client c("127.0.0.1", server.port(), o);
    ADD_FAILURE() << "connected";
  } catch (const ReplyError& e) {
    EXPECT_EQ(e.code(), 535);
    EXPECT_EQ(e.enhanced_code(), "5.7.8");
    EXPECT_EQ(e.command(), "AUTH XOAUTH2");
    EXPECT_EQ(std::string(e.what()).find("tok"), std::string::npos);
  }
  server.join();
}

TEST(SmtpClient, CrLfInjectionThroughEveryFieldIsRefusedBeforeSending) {
  ScriptedServer server([](Peer& p) {
    greet(p, {"PIPELINING", "SMTPUTF8", "DSN"});
    EXPECT_EQ(p.line(), "NOOP");  // the first thing after EHLO: every refusal sent nothing
    p.send("250 OK\r\n");
  });
  Client c("127.0.0.1", server.port());
  const std::string evil = "\r\nRCPT TO:<eve@evil.example>\r\n";
  auto refused = [&](Envelope e, std::string what) {
    EXPECT_THROW(c.send(e, "x"), std::invalid_argument) << what;
  };
  refused({.from = "a@example.com" + evil, .to = {"b@example.org"}}, "from");
  refused({.from = "a@example.com", .to = {"b@example.org" + evil}}, "to");
  refused({.from = "a@example.com\n", .to = {"b@example.org"}}, "LF");
  refused({.from = std::string("a\0@example.com", 15), .to = {"b@example.org"}}, "NUL");
  refused({.from = "a@example.com", .to = {"b@example.org"}, .dsn = {.ret = "FULL" + evil}}, "RET");
  refused({.from = "a@example.com", .to = {"b@example.org"}, .dsn = {.notify = "NEVER" + evil}}, "NOTIFY");
  mime::Message m;
  m.from = {"Anna", "anna@example.com"};
  m.to = {{"Bob", "bob@example.org"}};
  for (std::string* field : {&m.subject, &m.from.name, &m.to[0].name, &m.to[0].address, &m.message_id}) {
    std::string keep = *field;
    *field += evil;
    EXPECT_THROW(c.send(m), std::invalid_argument);
    *field = keep;
  }
  m.headers.add("X-Tag", "a" + evil);
  EXPECT_THROW(c.send(m), std::invalid_argument);
  c.noop();
  server.join();

  ScriptedServer second([](Peer& p) {
    p.send("220 fake.test ESMTP\r\n");
    std::error_code ec;
    p.received += p.sock.recv_until("never", 1 << 16, ec);
  });
  ClientOptions o;
  o.local_name = "me" + evil;
  EXPECT_THROW(Client("127.0.0.1", second.port(), o), dialogue::LocalError);
  EXPECT_EQ(second.join(), "");  // not even EHLO went out
}

TEST(SmtpClient, EveryStepHasATimeout) {
  ScriptedServer server([](Peer& p) {
    greet(p, {});
    EXPECT_EQ(p.line(), "MAIL FROM:<a@example.com>");
    std::error_code ec;
    p.sock.recv_until("never", 1 << 16, ec);  // silent until the client gives up and closes
  });
  ClientOptions o;
  o.command_timeout = 300ms;
  Client c("127.0.0.1", server.port(), o);
  auto started = std::chrono::steady_clock::now();
  EXPECT_THROW(c.send(Envelope{.from = "a@example.com", .to = {"b@example.org"}}, "x"), TimeoutError);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  c.close();
  server.join();
}

TEST(SmtpClient, LimitsTheServerAnnouncedAreKeptLocally) {
  ScriptedServer server([](Peer& p) {
    greet(p, {"SIZE 10"});
    EXPECT_EQ(p.line(), "QUIT");
    p.send("221 bye\r\n");
  });
  Client c("127.0.0.1", server.port());
  try {
    c.send(Envelope{.from = "a@example.com", .to = {"b@example.org"}}, "more than ten bytes");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::message_too_large);
  }
  try {
    c.send(Envelope{.from = "a@example.com", .to = {"bö@example.org"}}, "x");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::smtputf8_not_offered);
  }
  c.quit();
  EXPECT_EQ(server.join(), "EHLO [127.0.0.1]\r\nQUIT\r\n");
}

TEST(SmtpClient, AGreetingThatRefusesAndAnUnaskedClose) {
  ScriptedServer refusing([](Peer& p) { p.send("554 5.3.2 no service\r\n"); });
  try {
    Client c("127.0.0.1", refusing.port());
    ADD_FAILURE();
  } catch (const ReplyError& e) {
    EXPECT_EQ(e.code(), 554);
    EXPECT_EQ(e.enhanced_code(), "5.3.2");
  }
  refusing.join();
  ScriptedServer closing([](Peer& p) {
    greet(p, {});
    EXPECT_EQ(p.line(), "MAIL FROM:<a@example.com>");
    p.send("421 4.4.2 idle too long\r\n");
  });
  Client c("127.0.0.1", closing.port());
  try {
    c.send(Envelope{.from = "a@example.com", .to = {"b@example.org"}}, "x");
    ADD_FAILURE();
  } catch (const ReplyError& e) {
    EXPECT_EQ(e.code(), 421);
  }
  closing.join();
}

}  // namespace
}  // namespace wire::smtp
