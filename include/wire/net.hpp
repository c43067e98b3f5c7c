// SPDX-License-Identifier: MIT
// wire::net: addresses, name resolution, blocking sockets, the input buffer and line reading.
#pragma once

#include "wire/error.hpp"
#include "wire/net/address.hpp"
#include "wire/net/input_buffer.hpp"
#include "wire/net/line_reader.hpp"
#include "wire/net/resolver.hpp"
#include "wire/net/socket.hpp"
#include "wire/net/tcp.hpp"
#include "wire/version.hpp"
