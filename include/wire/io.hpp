// SPDX-License-Identifier: MIT
// wire::io: the epoll loop, Task<T>, async streams and readers, the runtime, TcpServer and the
// server kit (idle queues, lingering close, the jailed FileRoot).
#pragma once

#include "wire/io/file_root.hpp"
#include "wire/io/loop.hpp"
#include "wire/io/reader.hpp"
#include "wire/io/runtime.hpp"
#include "wire/io/server_kit.hpp"
#include "wire/io/signal.hpp"
#include "wire/io/stream.hpp"
#include "wire/io/task.hpp"
#include "wire/io/tcp_server.hpp"
#include "wire/io/timeout.hpp"
