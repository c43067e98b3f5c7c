// SPDX-License-Identifier: MIT
#include "wire/tls/engine.hpp"

#include <openssl/x509v3.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <vector>

#include "context_impl.hpp"
#include "wire/net/address.hpp"

namespace wire::tls {
namespace {

constexpr std::size_t kInputCapacity = 32 * 1024;    // two full records
constexpr std::size_t kMinInputSpace = 16 * 1024 + 512;  // one record with its overhead

}  // namespace

struct Engine::Impl {
  std::shared_ptr<Context::Impl> context;  // keeps the SSL_CTX and the callbacks' state alive
  detail::SslPtr ssl;
  std::string peer;
  std::string server_name;

  std::unique_ptr<std::byte[]> in;  // received, not yet read by OpenSSL: [in_begin, in_end)
  std::size_t in_begin = 0;
  std::size_t in_end = 0;
  bool eof = false;
  std::vector<std::byte> out;  // written by OpenSSL, not yet sent: [out_begin, out.size())
  std::size_t out_begin = 0;

  unsigned char first_bytes[16] = {};  // the first bytes ever received, for error messages
  std::size_t first_count = 0;
  bool handshake_done = false;
  std::exception_ptr failure;  // sticky: every later call rethrows it

  std::string describe(const char* operation) const {
    std::string what = std::string("TLS ") + operation;
    if (!peer.empty()) what += (std::strcmp(operation, "handshake") == 0 ? " with " : " from ") + peer;
    return what;
  }
  [[noreturn]] void fail(Error error) {
    failure = std::make_exception_ptr(error);
    throw error;
  }
  void check() const {
    if (failure) std::rethrow_exception(failure);
  }
  [[noreturn]] void fail_handshake(int ssl_error);
  [[noreturn]] void fail_session(const char* operation, int ssl_error);
};

// --- The BIO: OpenSSL reads from `in` and appends to `out`.

namespace {

Engine::Impl* bio_impl(BIO* bio) { return static_cast<Engine::Impl*>(BIO_get_data(bio)); }

int bio_read(BIO* bio, char* data, std::size_t len, std::size_t* readbytes) {
  BIO_clear_retry_flags(bio);
  auto* self = bio_impl(bio);
  std::size_t available = self->in_end - self->in_begin;
  if (available == 0) {
    if (!self->eof) BIO_set_retry_read(bio);  // without the retry flag OpenSSL sees end of file
    *readbytes = 0;
    return 0;
  }
  std::size_t n = std::min(len, available);
  std::memcpy(data, self->in.get() + self->in_begin, n);
  self->in_begin += n;
  if (self->in_begin == self->in_end) self->in_begin = self->in_end = 0;
  *readbytes = n;
  return 1;
}

int bio_write(BIO* bio, const char* data, std::size_t len, std::size_t* written) {
  BIO_clear_retry_flags(bio);
  auto* self = bio_impl(bio);
  const auto* bytes = reinterpret_cast<const std::byte*>(data);
  self->out.insert(self->out.end(), bytes, bytes + len);
  *written = len;
  return 1;
}

long bio_ctrl(BIO* bio, int cmd, long, void*) {
  auto* self = bio_impl(bio);
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_PENDING:
      return static_cast<long>(self->in_end - self->in_begin);
    case BIO_CTRL_WPENDING:
      return static_cast<long>(self->out.size() - self->out_begin);
    case BIO_CTRL_EOF:
      return self->eof && self->in_begin == self->in_end;
    default:
      return 0;
  }
}

int bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

BIO_METHOD* bio_method() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "wire engine");
    BIO_meth_set_read_ex(m, bio_read);
    BIO_meth_set_write_ex(m, bio_write);
    BIO_meth_set_ctrl(m, bio_ctrl);
    BIO_meth_set_create(m, bio_create);
    return m;
  }();
  return method;
}

bool looks_like_tls(const unsigned char* bytes, std::size_t n) {
  // A TLS record starts with a content type (20..24) and major version 3.
  if (n == 0) return true;
  if (bytes[0] < 20 || bytes[0] > 24) return false;
  return n < 2 || bytes[1] == 3;
}

// OpenSSL 3.0's ERR_clear_error() frees every slot of the queue even when it
// is empty (32 frees): look first. Called before each SSL_* call whose
// SSL_get_error() must not see stale errors.
inline void clear_errors() noexcept {
  if (ERR_peek_error() != 0) ERR_clear_error();
}

std::string printable(const unsigned char* bytes, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    unsigned char c = bytes[i];
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      static const char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

bool last_error_is(int reason) {
  unsigned long e = ERR_peek_last_error();
  return e != 0 && ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) == reason;
}

}  // namespace

void Engine::Impl::fail_handshake(int ssl_error) {
  std::string what = describe("handshake");
  long verify = SSL_get_verify_result(ssl.get());
  bool verify_failed = last_error_is(SSL_R_CERTIFICATE_VERIFY_FAILED);
  if (verify_failed && verify != X509_V_OK) {
    std::string reason = detail::take_openssl_errors();
    fail(Error(Errc::verify_failed,
               what + ": certificate verify failed: " + verify_result_string(verify), reason, verify));
  }
  if (!looks_like_tls(first_bytes, first_count)) {
    ERR_clear_error();
    fail(Error(Errc::unexpected_plaintext,
               what + ": the peer sent data that is not TLS (\"" + printable(first_bytes, first_count) + "\")",
               "not TLS"));
  }
  std::string reason = detail::take_openssl_errors();
  if (eof && (reason.empty() || reason == "unexpected eof while reading")) {
    reason = "connection closed by the peer during the handshake";
  }
  if (reason.empty()) reason = "SSL error " + std::to_string(ssl_error);
  fail(Error(Errc::handshake_failed, what + ": " + reason, reason));
}

void Engine::Impl::fail_session(const char* operation, int ssl_error) {
  std::string what = describe(operation);
  if (last_error_is(SSL_R_UNEXPECTED_EOF_WHILE_READING) || (ssl_error == SSL_ERROR_SYSCALL && eof)) {
    ERR_clear_error();
    fail(Error(Errc::truncated, what + ": connection closed without close_notify (data may be truncated)",
               "unexpected eof while reading"));
  }
  std::string reason = detail::take_openssl_errors();
  if (reason.empty()) reason = "SSL error " + std::to_string(ssl_error);
  fail(Error(Errc::protocol_error, what + ": " + reason, reason));
}

Engine::Engine(const Context& context, std::string_view server_name, std::string_view peer)
    : impl_(std::make_unique<Impl>()) {
  Impl& d = *impl_;
  d.context = context.impl();
  Context::Impl& ctx = *d.context;
  d.peer = peer;
  d.server_name = server_name;
  d.ssl.reset(SSL_new(ctx.ctx.get()));
  if (!d.ssl) detail::throw_openssl(Errc::handshake_failed, "SSL_new");
  SSL* ssl = d.ssl.get();
  BIO* bio = BIO_new(bio_method());
  if (!bio) detail::throw_openssl(Errc::handshake_failed, "BIO_new");
  BIO_set_data(bio, &d);
  SSL_set_bio(ssl, bio, bio);
  SSL_set_ex_data(ssl, detail::peer_index(), &d.peer);

  if (ctx.role == Role::server) {
    SSL_set_accept_state(ssl);
    return;
  }
  SSL_set_connect_state(ssl);
  if (!ctx.insecure) {
    if (server_name.empty()) {
      throw std::invalid_argument(
          "TLS client: the server's name is needed to verify it (or make the context insecure)");
    }
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    std::string name(server_name);
    if (X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str()) != 1) {
      ERR_clear_error();
      if (SSL_set1_host(ssl, name.c_str()) != 1) {
        detail::throw_openssl(Errc::handshake_failed, "invalid server name '" + name + "'");
      }
    }
  }
  // SNI carries host names only, never IP literals (RFC 6066 section 3).
  if (!server_name.empty() && !net::is_ip_literal(server_name)) {
    SSL_set_tlsext_host_name(ssl, std::string(server_name).c_str());
  }
  if (ctx.resumption && !d.peer.empty()) {
    if (SSL_SESSION* session = ctx.take_session(d.peer)) {
      SSL_set_session(ssl, session);
      SSL_SESSION_free(session);
    }
  }
}

Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;
Engine::~Engine() = default;

std::span<std::byte> Engine::input_space() {
  Impl& d = *impl_;
  if (!d.in) d.in = std::make_unique_for_overwrite<std::byte[]>(kInputCapacity);
  if (kInputCapacity - d.in_end < kMinInputSpace && d.in_begin > 0) {
    std::memmove(d.in.get(), d.in.get() + d.in_begin, d.in_end - d.in_begin);
    d.in_end -= d.in_begin;
    d.in_begin = 0;
  }
  return {d.in.get() + d.in_end, kInputCapacity - d.in_end};
}

void Engine::commit_input(std::size_t n) noexcept {
  Impl& d = *impl_;
  if (d.first_count < sizeof d.first_bytes) {
    std::size_t k = std::min(n, sizeof d.first_bytes - d.first_count);
    std::memcpy(d.first_bytes + d.first_count, d.in.get() + d.in_end, k);
    d.first_count += k;
  }
  d.in_end += n;
}

void Engine::input_eof() noexcept { impl_->eof = true; }
std::size_t Engine::input_buffered() const noexcept { return impl_->in_end - impl_->in_begin; }

void Engine::release_buffers() noexcept {
  Impl& d = *impl_;
  if (d.in && d.in_begin == d.in_end) {
    d.in.reset();
    d.in_begin = d.in_end = 0;
  }
  if (d.out_begin >= d.out.size()) {
    std::vector<std::byte>().swap(d.out);
    d.out_begin = 0;
  }
  if (d.ssl) SSL_free_buffers(d.ssl.get());  // only the empty ones; 0 if one still holds data
}

std::span<const std::byte> Engine::output() const noexcept {
  return {impl_->out.data() + impl_->out_begin, impl_->out.size() - impl_->out_begin};
}

void Engine::consume_output(std::size_t n) noexcept {
  Impl& d = *impl_;
  d.out_begin += n;
  if (d.out_begin >= d.out.size()) {
    d.out.clear();
    d.out_begin = 0;
  }
}

void Engine::take_output(std::vector<std::byte>& buffer) {
  Impl& d = *impl_;
  buffer.clear();
  if (d.out_begin > 0) {
    buffer.assign(d.out.begin() + static_cast<std::ptrdiff_t>(d.out_begin), d.out.end());
    d.out.clear();
  } else {
    buffer.swap(d.out);  // d.out now has `buffer`'s old capacity, empty
  }
  d.out_begin = 0;
}

Engine::Status Engine::handshake() {
  Impl& d = *impl_;
  d.check();
  if (d.handshake_done) return Status::done;
  clear_errors();
  int r = SSL_do_handshake(d.ssl.get());
  if (r == 1) {
    d.handshake_done = true;
    return Status::done;
  }
  int err = SSL_get_error(d.ssl.get(), r);
  if (err == SSL_ERROR_WANT_READ) return Status::want_input;
  d.fail_handshake(err);
}

Engine::Status Engine::read(std::span<std::byte> buffer, std::size_t& n) {
  Impl& d = *impl_;
  d.check();
  n = 0;
  while (n < buffer.size()) {
    clear_errors();
    std::size_t got = 0;
    int r = SSL_read_ex(d.ssl.get(), buffer.data() + n, buffer.size() - n, &got);
    if (r == 1) {
      n += got;
      continue;
    }
    int err = SSL_get_error(d.ssl.get(), r);
    if (err == SSL_ERROR_WANT_READ) return n > 0 ? Status::done : Status::want_input;
    if (err == SSL_ERROR_ZERO_RETURN) return n > 0 ? Status::done : Status::closed;
    if (!d.handshake_done && !SSL_is_init_finished(d.ssl.get())) d.fail_handshake(err);
    try {
      d.fail_session("read", err);
    } catch (const Error&) {
      if (n == 0) throw;
      return Status::done;  // hand over what was read; the next call rethrows
    }
  }
  if (SSL_is_init_finished(d.ssl.get())) d.handshake_done = true;
  return Status::done;
}

void Engine::write(std::span<const std::byte> data) {
  Impl& d = *impl_;
  d.check();
  if (data.empty()) return;
  clear_errors();
  std::size_t written = 0;
  int r = SSL_write_ex(d.ssl.get(), data.data(), data.size(), &written);
  if (r == 1 && written == data.size()) return;
  int err = SSL_get_error(d.ssl.get(), r);
  if (err == SSL_ERROR_WANT_READ && !d.handshake_done) {
    throw std::logic_error("tls::Engine::write before the handshake finished");
  }
  d.fail_session("write", err);
}

void Engine::shutdown() {
  Impl& d = *impl_;
  if (d.failure || !d.handshake_done) return;
  clear_errors();
  if (SSL_shutdown(d.ssl.get()) < 0) ERR_clear_error();  // already shut, or the peer went away
}

bool Engine::handshake_done() const noexcept { return impl_->handshake_done; }
bool Engine::peer_closed() const noexcept {
  return (SSL_get_shutdown(impl_->ssl.get()) & SSL_RECEIVED_SHUTDOWN) != 0;
}

std::string Engine::alpn() const {
  const unsigned char* data = nullptr;
  unsigned int len = 0;
  SSL_get0_alpn_selected(impl_->ssl.get(), &data, &len);
  return data ? std::string(reinterpret_cast<const char*>(data), len) : std::string();
}

std::string Engine::version() const { return SSL_get_version(impl_->ssl.get()); }

std::string Engine::cipher() const {
  const char* name = SSL_get_cipher_name(impl_->ssl.get());
  return name ? name : "";
}

bool Engine::session_reused() const noexcept { return SSL_session_reused(impl_->ssl.get()) == 1; }

Session Engine::session() const { return Session(SSL_get1_session(impl_->ssl.get())); }

void Engine::set_session(const Session& session) {
  SSL* ssl = impl_->ssl.get();
  if (SSL_is_server(ssl)) throw std::logic_error("tls::Engine::set_session on a server engine");
  if (impl_->handshake_done || SSL_get_state(ssl) != TLS_ST_BEFORE) {
    throw std::logic_error("tls::Engine::set_session after the handshake began");
  }
  // A copy: OpenSSL marks the session of a connection freed without close_notify as not
  // resumable (ssl_clear_bad_session), and a data connection that ends badly must not take
  // its control connection's session, which the next data connection needs, down with it.
  SSL_SESSION* copy = nullptr;
  if (session.native_handle()) {
    copy = SSL_SESSION_dup(session.native_handle());
    if (!copy) detail::throw_openssl(Errc::handshake_failed, "SSL_SESSION_dup");
  }
  int ok = SSL_set_session(ssl, copy);
  SSL_SESSION_free(copy);  // SSL_set_session took its own reference
  if (ok != 1) detail::throw_openssl(Errc::handshake_failed, "SSL_set_session");
}

std::string Engine::peer_subject() const {
  X509* cert = SSL_get0_peer_certificate(impl_->ssl.get());
  if (!cert) return {};
  detail::BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string Engine::requested_server_name() const {
  const char* name = SSL_get_servername(impl_->ssl.get(), TLSEXT_NAMETYPE_host_name);
  return name ? name : "";
}

ssl_st* Engine::native_handle() const noexcept { return impl_->ssl.get(); }

std::size_t Engine::plaintext_buffered() const noexcept {
  int n = SSL_pending(impl_->ssl.get());
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

}  // namespace wire::tls
