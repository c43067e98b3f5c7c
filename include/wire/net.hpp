// SPDX-License-Identifier: MIT
// wire::net: addresses, name resolution and blocking sockets.
#pragma once

#include "wire/error.hpp"
#include "wire/net/address.hpp"
#include "wire/net/resolver.hpp"
#include "wire/net/socket.hpp"
#include "wire/net/tcp.hpp"
#include "wire/version.hpp"
