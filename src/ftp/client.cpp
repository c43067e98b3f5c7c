// SPDX-License-Identifier: MIT
// The blocking client: each call runs one step of AsyncClient on the client's own loop.
#include "wire/ftp/client.hpp"

#include <optional>
#include <utility>

#include "wire/io/loop.hpp"

namespace wire::ftp {

struct Client::Impl {
  // Each call is loop.run(step), which enters the loop only if the step has to wait;
  // the client's streams live on it between calls.
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

void Client::login(std::string user, std::string password, std::string account) {
  impl_->loop.run(impl_->client->login(std::move(user), std::move(password), std::move(account)));
}
const std::string& Client::welcome() const noexcept { return impl_->client->welcome(); }
bool Client::is_tls() const noexcept { return impl_->client->is_tls(); }
Features Client::features() { return impl_->loop.run(impl_->client->features()); }

std::string Client::pwd() { return impl_->loop.run(impl_->client->pwd()); }
void Client::cwd(std::string path) { impl_->loop.run(impl_->client->cwd(std::move(path))); }
void Client::cdup() { impl_->loop.run(impl_->client->cdup()); }
std::string Client::mkd(std::string path) { return impl_->loop.run(impl_->client->mkd(std::move(path))); }
void Client::rmd(std::string path) { impl_->loop.run(impl_->client->rmd(std::move(path))); }
void Client::dele(std::string path) { impl_->loop.run(impl_->client->dele(std::move(path))); }
void Client::rename(std::string from, std::string to) {
  impl_->loop.run(impl_->client->rename(std::move(from), std::move(to)));
}
std::uint64_t Client::size(std::string path) { return impl_->loop.run(impl_->client->size(std::move(path))); }
std::int64_t Client::mdtm(std::string path) { return impl_->loop.run(impl_->client->mdtm(std::move(path))); }
void Client::noop() { impl_->loop.run(impl_->client->noop()); }

std::vector<ListEntry> Client::list(std::string path) { return impl_->loop.run(impl_->client->list(std::move(path))); }
std::vector<std::string> Client::nlst(std::string path) { return impl_->loop.run(impl_->client->nlst(std::move(path))); }
std::vector<MlsxEntry> Client::mlsd(std::string path) { return impl_->loop.run(impl_->client->mlsd(std::move(path))); }
MlsxEntry Client::mlst(std::string path) { return impl_->loop.run(impl_->client->mlst(std::move(path))); }

std::uint64_t Client::retr(std::string path, Sink sink, TransferOptions options) {
  return impl_->loop.run(impl_->client->retr(std::move(path), std::move(sink), std::move(options)));
}
std::uint64_t Client::stor(std::string path, Source source, TransferOptions options) {
  return impl_->loop.run(impl_->client->stor(std::move(path), std::move(source), std::move(options)));
}
std::uint64_t Client::appe(std::string path, Source source, TransferOptions options) {
  return impl_->loop.run(impl_->client->appe(std::move(path), std::move(source), std::move(options)));
}
std::uint64_t Client::download(std::string remote, std::filesystem::path local, FileTransferOptions options) {
  return impl_->loop.run(impl_->client->download(std::move(remote), std::move(local), std::move(options)));
}
std::uint64_t Client::upload(std::filesystem::path local, std::string remote, FileTransferOptions options) {
  return impl_->loop.run(impl_->client->upload(std::move(local), std::move(remote), std::move(options)));
}

dialogue::Reply Client::command(std::string verb, std::string argument) {
  return impl_->loop.run(impl_->client->command(std::move(verb), std::move(argument)));
}
void Client::quit() { impl_->loop.run(impl_->client->quit()); }
void Client::close() noexcept {
  if (impl_ && impl_->client) impl_->client->close();
}

}  // namespace wire::ftp
