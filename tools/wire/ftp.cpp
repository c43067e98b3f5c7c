// SPDX-License-Identifier: MIT
// `wire ftp ls|get|put|rm|mkdir URL` on wire::ftp::Client, and `wire ftp serve DIR` on
// wire::ftp::Server, pyftpdlib's job; and the FTP step of `wire demo`.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include "commands.hpp"
#include "options.hpp"
#include "output.hpp"
#include "wire/ftp.hpp"
#include "wire/io.hpp"
#include "wire/text/date.hpp"
#include "wire/text/percent.hpp"
#include "wire/text/url.hpp"
#include "wire/tls.hpp"

namespace wire::cli {
namespace {

using namespace std::chrono_literals;

struct FtpClientOptions {
  std::string url;
  std::string local;
  bool tls = false;
  TlsClientOptions trust;
  bool resume = false;
  bool active = false;
  double timeout = 60;
  double connect_timeout = 30;
};

// What an ftp:// or ftps:// URL says: where, as whom, and the path relative to the login
// directory (RFC 1738 §3.2.2: "ftp://host/a/b" is a/b from there, "ftp://host/%2Fetc" is /etc).
struct Target {
  std::string host;
  std::uint16_t port = 0;
  std::string user = "anonymous";
  std::string password = "anonymous@";
  std::string path;
  ftp::ClientOptions client;
};

Target parse_target(const FtpClientOptions& o) {
  text::Url url = text::Url::parse(o.url);
  if (url.scheme() != "ftp" && url.scheme() != "ftps") {
    throw std::invalid_argument(o.url + ": not an ftp:// or ftps:// URL");
  }
  if (url.host().empty()) throw std::invalid_argument(o.url + ": no host");
  Target t;
  t.host = url.host();
  t.port = url.port();
  if (url.has_userinfo()) {
    t.user = url.username();
    t.password = url.password().value_or("");
  }
  std::string_view path = url.path();
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  t.path = text::percent_decode(path);
  ftp::ClientOptions& c = t.client;
  if (url.scheme() == "ftps") {
    c.security = ftp::Security::implicit_tls;
  } else if (o.tls) {
    c.security = ftp::Security::explicit_tls;
  }
  if (url.scheme() == "ftps" || o.tls) c.tls = o.trust.context();
  c.data_mode = o.active ? ftp::DataMode::active : ftp::DataMode::passive;
  c.timeout = seconds_to_ms(o.timeout, "--timeout");
  c.connect_timeout = seconds_to_ms(o.connect_timeout, "--connect-timeout");
  return t;
}

ftp::Client login(const Target& t) {
  ftp::Client client(t.host, t.port, t.client);
  client.login(t.user, t.password);
  return client;
}

// "d        -  2024-01-16 14:19  name": the type, the size, the time (UTC) and the name.
void print_entry(char type, std::optional<std::uint64_t> size, std::optional<std::int64_t> modify, std::string_view name) {
  char line[96];
  std::string when = "                ";
  if (modify) when = text::format_time_val(*modify).substr(0, 12);
  if (modify) {
    when = when.substr(0, 4) + "-" + when.substr(4, 2) + "-" + when.substr(6, 2) + " " + when.substr(8, 2) + ":" +
           when.substr(10, 2);
  }
  std::snprintf(line, sizeof line, "%c %14s  %s  ", type, size ? std::to_string(*size).c_str() : "-", when.c_str());
  print_line(line, name);
}

void run_ls(const FtpClientOptions& o) {
  Target t = parse_target(o);
  ftp::Client client = login(t);
  try {
    for (const auto& e : client.mlsd(t.path)) {
      if (e.type == ftp::EntryType::cdir || e.type == ftp::EntryType::pdir) continue;
      char type = e.type == ftp::EntryType::dir ? 'd' : e.type == ftp::EntryType::file ? '-' : '?';
      print_entry(type, e.size, e.modify, e.name);
    }
  } catch (const ftp::ReplyError& e) {
    if (e.code() != 500 && e.code() != 502) throw;
    for (const auto& e2 : client.list(t.path)) print_line("", e2.line);  // no MLSD: LIST as sent
  }
  client.quit();
}

void run_get(const FtpClientOptions& o) {
  Target t = parse_target(o);
  std::string local = o.local.empty() ? std::filesystem::path(t.path).filename().string() : o.local;
  if (local.empty()) throw std::invalid_argument(o.url + ": no file name in the URL; give LOCAL");
  ftp::Client client = login(t);
  if (o.resume && local != "-") {
    Progress bar;
    client.download(t.path, local, {.resume = true, .progress = [&](std::uint64_t done, auto total) {
                                      bar.update(done, total);
                                      return true;
                                    }});
    bar.finish();
  } else {
    OutputFile out(local);
    Progress bar(!out.is_stdout());
    client.retr(
        t.path, [&](std::span<const std::byte> piece) { out.write(piece); },
        {.progress = [&](std::uint64_t done, auto total) {
          bar.update(done, total);
          return true;
        }});
    bar.finish();
    out.commit();
  }
  client.quit();
}

void run_put(const FtpClientOptions& o) {
  Target t = parse_target(o);
  if (t.path.empty() || t.path.back() == '/') t.path += std::filesystem::path(o.local).filename().string();
  ftp::Client client = login(t);
  Progress bar;
  auto progress = [&](std::uint64_t done, std::optional<std::uint64_t> total) {
    bar.update(done, total);
    return true;
  };
  if (o.local == "-") {
    client.stor(t.path, [](std::span<std::byte> buf) { return std::fread(buf.data(), 1, buf.size(), stdin); },
                {.progress = progress});
  } else {
    client.upload(o.local, t.path, {.resume = o.resume, .progress = progress});
  }
  bar.finish();
  client.quit();
}

void add_client_options(CLI::App* cmd, FtpClientOptions& o) {
  cmd->add_option("url", o.url, "ftp://[user[:password]@]host[:port]/path (ftps:// for implicit TLS)")->required();
  cmd->add_flag("--tls", o.tls, "Explicit FTPS: AUTH TLS before the login, PROT P (fails without it)");
  o.trust.add_to(cmd);
  cmd->add_flag("--active", o.active, "Active mode: the server connects back (EPRT/PORT)");
  add_seconds(cmd, "--timeout", o.timeout, "Seconds any step may take");
  add_seconds(cmd, "--connect-timeout", o.connect_timeout, "Seconds to connect");
}

}  // namespace

void add_ftp_commands(CLI::App& app) {
  auto* ftp_cmd = app.add_subcommand("ftp", "FTP and FTPS client and server");
  ftp_cmd->require_subcommand(1);

  auto ls = std::make_shared<FtpClientOptions>();
  auto* ls_cmd = ftp_cmd->add_subcommand("ls", "List a directory (MLSD; LIST if the server has no MLSD)");
  add_client_options(ls_cmd, *ls);
  ls_cmd->callback([ls] { run_ls(*ls); });

  auto get = std::make_shared<FtpClientOptions>();
  auto* get_cmd = ftp_cmd->add_subcommand("get", "Download a file to LOCAL (default: its name; '-': stdout)");
  add_client_options(get_cmd, *get);
  get_cmd->add_option("local", get->local, "Where to write it");
  get_cmd->add_flag("--resume,-C", get->resume, "Go on from the end of LOCAL (REST)");
  get_cmd->callback([get] { run_get(*get); });

  auto put = std::make_shared<FtpClientOptions>();
  auto* put_cmd = ftp_cmd->add_subcommand("put", "Upload LOCAL ('-': stdin) to the URL");
  add_client_options(put_cmd, *put);
  put_cmd->add_option("local", put->local, "The file to send")->required();
  put_cmd->add_flag("--resume,-C", put->resume, "Send only what the server lacks (SIZE, then APPE)");
  put_cmd->callback([put] { run_put(*put); });

  // rm and mkdir: one command on the URL's path.
  auto one_call = [ftp_cmd](const char* name, const char* help, void (*call)(ftp::Client&, const std::string&)) {
    auto o = std::make_shared<FtpClientOptions>();
    auto* cmd = ftp_cmd->add_subcommand(name, help);
    add_client_options(cmd, *o);
    cmd->callback([o, call] {
      Target t = parse_target(*o);
      ftp::Client client = login(t);
      call(client, t.path);
      client.quit();
    });
  };
  one_call("rm", "Delete a file (DELE)", [](ftp::Client& c, const std::string& path) { c.dele(path); });
  one_call("mkdir", "Make a directory (MKD)",
           [](ftp::Client& c, const std::string& path) { print_line("", c.mkd(path)); });

  add_ftp_serve_command(*ftp_cmd);
}

// --- wire ftp serve --------------------------------------------------------------------------

namespace {

struct FtpServeOptions {
  std::string dir;
  std::string host = "localhost";
  std::uint16_t port = 2121;
  unsigned threads = 0;
  std::string user;
  std::string password;
  bool anonymous = false;
  TlsServerOptions tls;
  bool require_tls = false;
  std::string passive_ports;
  ConnectionLimitOptions limits{.max_connections = 1'000, .max_per_client = 20};
  double idle_timeout = 300;
  bool log = false;
  double grace = 10;
};

ftp::PortRange parse_port_range(const std::string& text) {
  if (text.empty()) return {};
  auto dash = text.find('-');
  try {
    if (dash == std::string::npos) throw std::invalid_argument("no dash");
    unsigned long first = std::stoul(text.substr(0, dash));
    unsigned long last = std::stoul(text.substr(dash + 1));
    if (first < 1024 || last > 65535 || first > last) throw std::out_of_range("range");
    return {static_cast<std::uint16_t>(first), static_cast<std::uint16_t>(last)};
  } catch (const std::logic_error&) {
    throw std::invalid_argument("--passive-ports must be FIRST-LAST within 1024-65535, not '" + text + "'");
  }
}

void serve_ftp(const FtpServeOptions& o) {
  if (o.user.empty() != o.password.empty()) throw std::invalid_argument("--user and --password go together");
  if (o.user.empty() && !o.anonymous) throw std::invalid_argument("give --user U --password P, or --anonymous");
  ftp::ServerOptions options;
  options.host = o.host;
  options.port = o.port;
  options.threads = o.threads;
  options.root = std::filesystem::absolute(o.dir);
  if (!o.user.empty()) options.users.push_back({o.user, o.password, true});
  options.anonymous = o.anonymous;
  options.tls = o.tls.context(o.host);
  options.require_tls = o.require_tls;
  if (o.require_tls && !options.tls) throw std::invalid_argument("--require-tls needs --tls-cert/--tls-key or --tls-self-signed");
  options.passive_ports = parse_port_range(o.passive_ports);
  options.limits.max_connections = o.limits.max_connections;
  options.limits.max_connections_per_client = o.limits.max_per_client;
  options.limits.idle_timeout = seconds_to_ms(o.idle_timeout, "--idle-timeout", 1e6);
  if (o.log) options.log = [](std::string_view line) { print_line("", line); };
  auto grace = seconds_to_ms(o.grace, "--grace", 1e6);
  ftp::Server server(options);
  serve_until_signal(
      [&] {
        server.start();
        std::cout << "Serving " << options.root.string() << " on " << server.url() << (options.tls ? " (AUTH TLS)" : "")
                  << (o.anonymous ? ", anonymous read-only" : "") << (o.user.empty() ? "" : ", user " + o.user)
                  << " (Ctrl-C to stop)" << std::endl;
      },
      [&] { return server.shutdown(grace); });
}

}  // namespace

void add_ftp_serve_command(CLI::App& ftp_cmd) {
  auto o = std::make_shared<FtpServeOptions>();
  auto* cmd = ftp_cmd.add_subcommand("serve", "Serve DIR over FTP (and FTPS), like pyftpdlib");
  cmd->add_option("dir", o->dir, "Directory to serve (nothing outside it can be reached)")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--host", o->host, "Address or name to listen on (\"\" or :: for every address)")
      ->capture_default_str();
  cmd->add_option("--port,-p", o->port, "Port (0: any free port)")->capture_default_str();
  cmd->add_option("--threads", o->threads, "Worker threads (0: one per core)")->check(CLI::Range(0, 1024));
  auto* user = cmd->add_option("--user", o->user, "The account's name (read and write)");
  auto* password = cmd->add_option("--password", o->password, "The account's password");
  user->needs(password);
  password->needs(user);
  cmd->add_flag("--anonymous", o->anonymous, "Anonymous logins, read-only");
  o->tls.add_to(cmd, "FTPS (AUTH TLS)");
  cmd->add_flag("--require-tls", o->require_tls, "Refuse logins and data connections without TLS");
  cmd->add_option("--passive-ports", o->passive_ports, "Passive data ports FIRST-LAST (default: any free port)");
  o->limits.add_to(cmd);
  add_seconds(cmd, "--idle-timeout", o->idle_timeout, "Seconds a control connection may stay silent");
  cmd->add_flag("--log", o->log, "Print a line per login, refusal and transfer to stdout");
  add_seconds(cmd, "--grace", o->grace, "Seconds transfers in flight get to finish on SIGINT/SIGTERM");
  cmd->callback([o] { serve_ftp(*o); });
}

// --- the demo step -----------------------------------------------------------------------------

std::vector<DemoStep> ftp_demo_steps() {
  DemoStep step;
  step.title = "FTP: upload, list and download against wire ftp serve";
  step.run = [] {
    DemoDirectory temp("wire-demo-ftp");
    const std::filesystem::path& dir = temp.path();
    std::filesystem::create_directory(dir / "served");
    std::string contents = "Hello, FTP!\n";
    std::ofstream(dir / "hello.txt") << contents;
    std::mutex log_mutex;
    std::vector<std::string> log;
    ftp::ServerOptions options{.host = "localhost", .threads = 1, .root = dir / "served", .users = {{"demo", "demo"}}};
    options.log = [&](std::string_view line) {
      std::lock_guard lock(log_mutex);
      log.emplace_back(line);
    };
    ftp::Server server(options);
    server.start();
    std::cout << "  server: wire ftp serve " << (dir / "served").string() << " --user demo --password demo on "
              << server.url() << "\n";
    ftp::Client client("localhost", server.local_address().port());
    client.login("demo", "demo");
    client.upload(dir / "hello.txt", "hello.txt");
    auto entries = client.mlsd();
    client.download("hello.txt", dir / "back.txt");
    client.quit();
    server.shutdown(2s);
    {
      std::lock_guard lock(log_mutex);
      for (const auto& line : log) std::cout << "  server log: " << line << "\n";
    }
    for (const auto& e : entries) std::cout << "  client: listed " << e.name << " (" << e.size.value_or(0) << " bytes)\n";
    std::ifstream in(dir / "back.txt", std::ios::binary);
    std::string back{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::cout << "  client: downloaded " << back.size() << " bytes, " << (back == contents ? "the same" : "DIFFERENT")
              << " as uploaded\n";
    return back == contents && entries.size() == 1 && entries[0].name == "hello.txt";
  };
  return {step};
}

}  // namespace wire::cli
