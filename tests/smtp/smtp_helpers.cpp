// SPDX-License-Identifier: MIT
#include "smtp_helpers.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "support/net.hpp"
#include "wire/net/tcp.hpp"

namespace wire::test::smtp {

namespace {

std::string read_whole(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

Peer::Peer(net::Socket s) : sock(std::move(s)) { sock.set_timeout(10s); }

std::string Peer::line() {
  std::string l = sock.recv_until("\r\n", 1 << 20);
  received += l;
  return l.substr(0, l.size() - 2);
}

std::string Peer::data() {
  std::string d = sock.recv_until("\r\n.\r\n", 64 << 20);
  received += d;
  return d;
}

std::string Peer::replies(int n) {
  std::string all;
  while (n > 0) {
    std::string l = sock.recv_until("\r\n", 1 << 20);
    all += l;
    if (l.size() < 4 || l[3] != '-') --n;
  }
  return all;
}

void Peer::send(std::string_view bytes) { sock.send_all(bytes); }

bool Peer::quiet_for(std::chrono::milliseconds time) {
  pollfd p{sock.fd(), POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(time.count())) == 0;
}

ScriptedServer::ScriptedServer(std::function<void(Peer&)> script)
    : listener_(net::tcp_listen("127.0.0.1", 0)) {
  port_ = listener_.local_address().port();
  thread_ = std::make_unique<Background>([this, script = std::move(script)] {
    listener_.set_timeout(10s);
    auto [sock, addr] = listener_.accept();
    Peer peer(std::move(sock));
    try {
      script(peer);
    } catch (...) {
      received_ = peer.received;
      throw;
    }
    received_ = peer.received;
  });
}

ScriptedServer::~ScriptedServer() { thread_.reset(); }

std::string ScriptedServer::join() {
  thread_->join();
  return received_;
}

ProcessResult run_peers_script(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  std::vector<std::string> argv{"/usr/bin/python3", WIRE_SMTP_PEERS_SCRIPT};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions o;
  o.timeout = timeout;
  return run_process(argv, o);
}

std::string python_parse(const std::vector<std::filesystem::path>& files) {
  std::vector<std::string> argv{"/usr/bin/python3", WIRE_MIME_INTEROP_SCRIPT, "parse"};
  for (const auto& f : files) argv.push_back(f.string());
  ProcessResult r = run_process(argv);
  if (r.exit_code != 0) throw std::runtime_error("mime_interop.py parse failed: " + r.err);
  return r.out;
}

std::vector<std::string> wait_for_files(const std::filesystem::path& dir, std::size_t n) {
  std::vector<std::filesystem::path> names;
  wait_until(
      [&] {
        names.clear();
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator(dir, ec)) names.push_back(e.path());
        return names.size() >= n;
      },
      10s, 5ms);
  std::sort(names.begin(), names.end());
  std::vector<std::string> out;
  for (const auto& p : names) out.push_back(read_whole(p));
  return out;
}

Aiosmtpd::Aiosmtpd(const Options& o) : dir_("wire-aiosmtpd-") {
  std::vector<std::string> argv{"/usr/bin/python3", "-u", WIRE_SMTP_PEERS_SCRIPT, "aiosmtpd", dir_.path().string()};
  if (o.pki) {
    argv.insert(argv.end(), {"--cert", o.pki->cert_file("leaf").string(), "--key", o.pki->key_file("leaf").string()});
  }
  if (o.require_starttls) argv.emplace_back("--require-starttls");
  if (!o.user.empty()) argv.insert(argv.end(), {"--user", o.user, "--password", o.password});
  for (const auto& r : o.refuse) argv.insert(argv.end(), {"--refuse", r});
  process_ = std::make_unique<ChildProcess>(argv);
  bool ready = wait_until([&] { return !process_->running() || process_->out().find('\n') != std::string::npos; }, 20s, 5ms);
  std::string out = process_->out();
  if (!ready || !out.starts_with("port ")) throw std::runtime_error("aiosmtpd did not start: " + out + process_->err());
  port_ = static_cast<std::uint16_t>(std::stoul(out.substr(5)));
}

Aiosmtpd::~Aiosmtpd() { process_->stop(SIGTERM, 5s); }

std::string Aiosmtpd::message(int n) const {
  auto path = dir_ / (std::to_string(n) + ".eml");
  if (!wait_until([&] { return std::filesystem::exists(path); }, 10s, 5ms)) {
    throw std::runtime_error("aiosmtpd stored no message " + std::to_string(n) + ": " + process_->err());
  }
  return read_whole(path);
}

std::vector<std::string> Aiosmtpd::envelope(int n) const {
  message(n);  // written before the .eml is renamed into place
  std::ifstream in(dir_ / (std::to_string(n) + ".env"));
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

OpenSmtpd::OpenSmtpd() : dir_("wire-opensmtpd-") {
  // Delivery runs as `nobody`, which must reach the Maildir through the test's private directory.
  std::filesystem::permissions(dir_.path(), std::filesystem::perms::owner_all | std::filesystem::perms::group_exec |
                                                std::filesystem::perms::others_exec);
  std::filesystem::create_directories(maildir());
  if (::chown(maildir().c_str(), 65534, 65534) != 0) throw std::system_error(errno, std::generic_category(), "chown Maildir");
  dir_.write_file("vusers", "bob@example.org nobody\ncarol@example.org nobody\n");
  std::string last;
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = free_tcp_port();
    dir_.write_file("smtpd.conf", "# Generated by wire's tests\n"
                                  "table vusers file:" + (dir_ / "vusers").string() + "\n"
                                  "listen on 127.0.0.1 port " + std::to_string(port_) + " hostname opensmtpd.test\n"
                                  "action \"deliver\" maildir \"" + maildir().string() + "\" virtual <vusers>\n"
                                  "match from any for domain \"example.org\" action \"deliver\"\n");
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"/usr/sbin/smtpd", "-d", "-f", (dir_ / "smtpd.conf").string()});
    if (wait_until([&] { return !process_->running() || wait_for_listening_port(port_, 0ms); }, 15s, 10ms) &&
        process_->running()) {
      return;
    }
    last = process_->stop(SIGKILL, 0ms).err;
    process_.reset();
  }
  throw std::runtime_error("OpenSMTPD did not start (it needs root): " + last);
}

OpenSmtpd::~OpenSmtpd() {
  if (process_) process_->stop(SIGTERM, 10s);
}

std::vector<std::string> OpenSmtpd::messages(std::size_t n) const { return wait_for_files(maildir() / "new", n); }

}  // namespace wire::test::smtp
