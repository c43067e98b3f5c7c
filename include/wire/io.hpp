// SPDX-License-Identifier: MIT
// wire::io: the epoll loop, Task<T>, async streams, the runtime and TcpServer.
#pragma once

#include "wire/io/loop.hpp"
#include "wire/io/runtime.hpp"
#include "wire/io/signal.hpp"
#include "wire/io/stream.hpp"
#include "wire/io/task.hpp"
#include "wire/io/tcp_server.hpp"
#include "wire/io/timeout.hpp"
