// SPDX-License-Identifier: MIT
#include "wire/tls/session.hpp"

#include <openssl/ssl.h>

namespace wire::tls {

Session::Session(ssl_session_st* session)
    : session_(session, [](SSL_SESSION* s) noexcept { SSL_SESSION_free(s); }) {
  if (!session) session_.reset();
}

bool Session::resumable() const noexcept { return session_ && SSL_SESSION_is_resumable(session_.get()) == 1; }

}  // namespace wire::tls
