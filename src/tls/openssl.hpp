// SPDX-License-Identifier: MIT
// Private helpers over OpenSSL shared by the tls sources.
#pragma once

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "wire/tls/error.hpp"

namespace wire::tls::detail {

struct SslCtxFree { void operator()(SSL_CTX* p) const noexcept { SSL_CTX_free(p); } };
struct SslFree { void operator()(SSL* p) const noexcept { SSL_free(p); } };
struct X509Free { void operator()(X509* p) const noexcept { X509_free(p); } };
struct PkeyFree { void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); } };
struct BioFree { void operator()(BIO* p) const noexcept { BIO_free(p); } };
struct ChainFree {
  void operator()(STACK_OF(X509)* p) const noexcept { sk_X509_pop_free(p, X509_free); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;
using ChainPtr = std::unique_ptr<STACK_OF(X509), ChainFree>;

/// Empties this thread's OpenSSL error queue into one line of reasons
/// ("certificate verify failed"), or "" if it was empty.
std::string take_openssl_errors();

/// Throws tls::Error(code, what + ": " + OpenSSL's reasons).
[[noreturn]] void throw_openssl(Errc code, const std::string& what);

}  // namespace wire::tls::detail
