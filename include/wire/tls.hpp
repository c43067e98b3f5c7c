// SPDX-License-Identifier: MIT
// wire::tls: OpenSSL contexts, a sans-I/O engine, blocking and async TLS streams.
#pragma once

#include "wire/tls/any_stream.hpp"
#include "wire/tls/async_stream.hpp"
#include "wire/tls/context.hpp"
#include "wire/tls/engine.hpp"
#include "wire/tls/error.hpp"
#include "wire/tls/session.hpp"
#include "wire/tls/stream.hpp"
