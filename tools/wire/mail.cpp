// SPDX-License-Identifier: MIT
// `wire mail send` (smtplib + email's everyday use) and `wire mail serve` (aiosmtpd's), on
// wire::smtp and wire::mime; and the demo's mail step.
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <mutex>
#include <sstream>

#include "commands.hpp"
#include "options.hpp"
#include "output.hpp"
#include "wire/io.hpp"
#include "wire/mime.hpp"
#include "wire/smtp.hpp"
#include "wire/text/url.hpp"

namespace wire::cli {
namespace {

using namespace std::chrono_literals;

struct SendOptions {
  std::string server;
  std::string from;
  std::vector<std::string> to;
  std::string subject;
  std::string body;
  std::string body_file;
  std::string html_file;
  std::vector<std::string> attach;
  bool starttls = false;
  TlsClientOptions tls;
  std::string user;
  std::string password;
  unsigned count = 1;
  double timeout = 60;
  bool quiet = false;
};

struct ServeOptions {
  std::string host = "localhost";
  std::uint16_t port = 2525;
  std::string maildir;
  std::vector<std::string> domains;
  TlsServerOptions tls;
  bool implicit_tls = false;
  std::string user;
  std::string password;
  unsigned threads = 0;
  ConnectionLimitOptions limits{1000, 20};
  std::uint64_t max_message_size = 32 * 1024 * 1024;
  double idle_timeout = 300;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::system_error(errno, std::generic_category(), "open " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The message source with a progress bar: the bytes handed to the client so far.
class Counted final : public text::Source {
 public:
  Counted(text::Source& inner, Progress& bar) : inner_(inner), bar_(bar) {}
  using text::Source::read;
  std::size_t read(std::span<char> out) override {
    std::size_t n = inner_.read(out);
    done_ += n;
    bar_.update(done_, inner_.size());
    return n;
  }
  std::optional<std::uint64_t> size() const override { return inner_.size(); }

 private:
  text::Source& inner_;
  Progress& bar_;
  std::uint64_t done_ = 0;
};

mime::Message build_message(const SendOptions& o) {
  mime::Message msg;
  msg.from = mime::parse_mailbox(o.from);
  for (const auto& to : o.to) msg.to.push_back(mime::parse_mailbox(to));
  msg.subject = o.subject;
  msg.text = o.body_file.empty() ? o.body : read_file(o.body_file);
  if (!o.html_file.empty()) msg.html = read_file(o.html_file);
  for (const auto& file : o.attach) msg.attachments.push_back(mime::Attachment::from_file(file));
  return msg;
}

smtp::ClientOptions client_options(const SendOptions& o, const text::Url& url) {
  smtp::ClientOptions options;
  if (url.scheme() == "smtps") options.security = smtp::Security::implicit;
  else if (o.starttls) options.security = smtp::Security::starttls;
  if (options.security != smtp::Security::none) options.tls = o.tls.context();
  auto step = seconds_to_ms(o.timeout, "--timeout", 1e6);
  options.connect_timeout = step;
  options.command_timeout = step;
  options.data_timeout = step;
  if (!o.user.empty()) options.credentials = smtp::Credentials{o.user, o.password};
  return options;
}

// Prints each recipient's outcome and the message's; returns how many recipients were refused.
std::size_t report(const smtp::SendResult& r, unsigned index, bool quiet) {
  std::size_t refused = 0;
  for (const auto& rcpt : r.recipients) {
    if (!rcpt.accepted()) ++refused;
    if (quiet && rcpt.accepted()) continue;
    std::cout << "  <" << rcpt.address << ">: " << rcpt.reply.code << " " << rcpt.reply.enhanced_code
              << (rcpt.reply.enhanced_code.empty() ? "" : " ") << rcpt.reply.text << "\n";
  }
  if (!quiet || r.reply.code / 100 != 2) {  // a refused message is said even with -q
    std::cout << "message " << index << ": " << r.reply.code << " " << r.reply.enhanced_code
              << (r.reply.enhanced_code.empty() ? "" : " ") << r.reply.text << "\n";
  }
  return refused;
}

void send_mail(const SendOptions& o) {
  text::Url url = text::Url::parse(o.server);
  if ((url.scheme() != "smtp" && url.scheme() != "smtps") || url.host().empty()) {
    throw std::invalid_argument("--server must be smtp://host[:port] or smtps://host[:port], not " + o.server);
  }
  if (url.scheme() == "smtps" && o.starttls) throw std::invalid_argument("--starttls is for smtp://, not smtps://");
  mime::Message msg = build_message(o);
  mime::MessageWriter check(msg);  // every field refused before connecting
  smtp::Client client(url.host(), url.port(), client_options(o, url));
  std::size_t refused = 0;
  std::size_t failed = 0;
  Progress bar(isatty(2) && !o.quiet);
  if (o.count == 1) {  // a refusal throws, with its own exit status
    mime::MessageWriter writer(msg);
    smtp::Envelope env{.from = msg.from.address, .to = writer.recipients(), .smtputf8 = writer.needs_smtputf8()};
    Counted source(writer, bar);
    refused += report(client.send(env, source), 1, false);
  }
  // More: send_all, kBatch at a time (each message's end with the next one's commands: one
  // round trip a message with PIPELINING); a refused message is reported and the rest go on.
  constexpr unsigned kBatch = 100;
  for (unsigned first = 1; o.count > 1 && first <= o.count; first += kBatch) {
    unsigned n = std::min(kBatch, o.count - first + 1);
    std::deque<mime::MessageWriter> writers;  // (a deque: its elements never move)
    std::deque<Counted> sources;
    std::vector<smtp::Outgoing> batch;
    for (unsigned i = 0; i < n; ++i) {
      mime::MessageWriter& writer = writers.emplace_back(msg);
      batch.push_back({.envelope = {.from = msg.from.address, .to = writer.recipients(), .smtputf8 = writer.needs_smtputf8()},
                       .source = &sources.emplace_back(writer, bar)});
    }
    std::vector<smtp::SendResult> results = client.send_all(batch);
    for (unsigned i = 0; i < n; ++i) {
      refused += report(results[i], first + i, o.quiet);
      if (results[i].reply.code / 100 != 2) ++failed;
    }
  }
  bar.finish();
  client.quit();
  if (o.count > 1) std::cout << o.count - failed << " message(s) sent over one connection\n";
  // The others got the message; curl, which stops at the first refusal, exits 55 here too.
  if (failed > 0) throw smtp::Error(smtp::Errc::refused, std::to_string(failed) + " message(s) refused");
  if (refused > 0) throw smtp::Error(smtp::Errc::refused, std::to_string(refused) + " recipient(s) refused");
}

void serve_mail(const ServeOptions& o) {
  smtp::ServerOptions options;
  options.host = o.host;
  options.port = o.port;
  options.threads = o.threads;
  options.tls = o.tls.context(o.host);
  options.implicit_tls = o.implicit_tls;
  if (o.implicit_tls && !options.tls) throw std::invalid_argument("--implicit-tls needs --tls-cert/--tls-key or --tls-self-signed");
  options.domains = o.domains.empty() ? std::vector<std::string>{"localhost"} : o.domains;
  options.maildir = o.maildir;
  options.limits.max_connections = o.limits.max_connections;
  options.limits.max_connections_per_client = o.limits.max_per_client;
  options.limits.max_message_size = o.max_message_size;
  options.limits.idle_timeout = seconds_to_ms(o.idle_timeout, "--idle-timeout", 1e6);
  if (!o.user.empty()) {
    options.authenticate = [user = o.user, password = o.password](std::string_view u, std::string_view p) {
      return u == user && p == password;
    };
  }
  options.log = [](std::string_view line) { print_line("wire: ", line); };
  if (o.maildir.empty()) {  // no maildir: each message to stdout, as aiosmtpd's Debugging handler
    options.on_message = [](const smtp::Session&, std::string_view message) {
      print_line("---------- message\n", message);
      return smtp::Verdict::accept();
    };
  }
  smtp::Server server(options);
  serve_until_signal(
      [&] {
        server.start();
        net::Address a = server.local_address();
        std::string host = o.host.empty() || o.host == "::" ? "127.0.0.1" : (a.is_ipv6() ? "[" + a.host() + "]" : a.host());
        std::string domains;
        for (const auto& d : options.domains) domains += (domains.empty() ? "" : ", ") + d;
        std::cout << "Serving SMTP on " << (o.implicit_tls ? "smtps://" : "smtp://") << host << ":" << a.port()
                  << " for " << domains << " into " << (o.maildir.empty() ? std::string("stdout") : "Maildir " + o.maildir)
                  << (options.tls && !o.implicit_tls ? " (STARTTLS)" : "") << " (Ctrl-C to stop)" << std::endl;
      },
      [&] { return server.shutdown(10s); });
  std::cerr << "wire: " << server.messages_accepted() << " message(s) accepted" << std::endl;
}

}  // namespace

void add_mail_commands(CLI::App& app) {
  auto* mail = app.add_subcommand("mail", "Send mail over SMTP, or receive it into a Maildir");
  mail->require_subcommand(1);

  auto s = std::make_shared<SendOptions>();
  auto* send = mail->add_subcommand("send", "Send a message (with attachments) to an SMTP server");
  send->add_option("--server", s->server, "smtp://host[:port] (25) or smtps://host[:port] (465, TLS)")->required();
  send->add_option("--from", s->from, "The sender: address or 'Name <address>'")->required();
  send->add_option("--to", s->to, "A recipient (repeatable)")->required();
  send->add_option("--subject", s->subject, "The subject (UTF-8)");
  auto* body = send->add_option("--body", s->body, "The text of the message");
  send->add_option("--body-file", s->body_file, "Read the text from a file")->excludes(body)->check(CLI::ExistingFile);
  send->add_option("--html-file", s->html_file, "An HTML alternative, from a file")->check(CLI::ExistingFile);
  send->add_option("--attach", s->attach, "Attach a file (repeatable)")->check(CLI::ExistingFile);
  send->add_flag("--starttls", s->starttls, "Require STARTTLS (fail if the server does not offer it)");
  s->tls.add_to(send);
  auto* user = send->add_option("--user", s->user, "Log in (AUTH; only over TLS)");
  send->add_option("--password", s->password, "The password for --user")->needs(user);
  send->add_option("--count", s->count, "Send the message N times over one connection")
      ->capture_default_str()
      ->check(CLI::Range(1u, 10'000'000u));
  add_seconds(send, "--timeout", s->timeout, "Seconds each step may take");
  send->add_flag("-q,--quiet", s->quiet, "With --count: print only refusals");
  send->callback([s] { send_mail(*s); });

  auto v = std::make_shared<ServeOptions>();
  auto* serve = mail->add_subcommand("serve", "Receive mail over SMTP into a Maildir (or print it)");
  serve->add_option("--host", v->host, "Address or name to listen on (\"\" or :: for every address)")->capture_default_str();
  serve->add_option("--port,-p", v->port, "Port (0: any free port)")->capture_default_str();
  serve->add_option("--maildir", v->maildir, "Deliver into this Maildir (tmp/, new/, cur/; made if missing)");
  serve->add_option("--domain", v->domains, "Accept mail for this domain (repeatable; default: localhost)");
  v->tls.add_to(serve, "STARTTLS");
  serve->add_flag("--implicit-tls", v->implicit_tls, "TLS from the first byte (smtps), instead of STARTTLS");
  auto* su = serve->add_option("--user", v->user, "Offer AUTH (over TLS) for this user");
  serve->add_option("--password", v->password, "The password for --user")->needs(su);
  serve->add_option("--threads", v->threads, "Worker threads (0: one per core)")->check(CLI::Range(0, 1024));
  v->limits.add_to(serve);
  serve->add_option("--max-message-size", v->max_message_size, "Largest message in bytes (SIZE)")->capture_default_str();
  add_seconds(serve, "--idle-timeout", v->idle_timeout, "Seconds a client may stay silent");
  serve->callback([v] { serve_mail(*v); });
}

}  // namespace wire::cli
