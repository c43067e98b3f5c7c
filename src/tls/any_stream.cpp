// SPDX-License-Identifier: MIT
#include "wire/tls/any_stream.hpp"

#include <stdexcept>

namespace wire::tls {

io::Stream& AnyStream::plain() noexcept {
  if (auto* tls_stream = std::get_if<AsyncStream>(&stream_)) return tls_stream->next_layer();
  return std::get<io::Stream>(stream_);
}

io::Task<void> AnyStream::start_tls(const Context& context, std::string_view server_name,
                                    std::span<const std::byte> buffered) {
  if (is_tls()) throw std::logic_error("AnyStream::start_tls: the stream is already TLS");
  stream_ = AsyncStream(std::move(std::get<io::Stream>(stream_)), context, server_name, buffered);
  co_await tls().handshake();
}

io::Task<std::size_t> AnyStream::read_some(std::span<std::byte> buffer) {
  if (is_tls()) co_return co_await tls().read_some(buffer);
  co_return co_await std::get<io::Stream>(stream_).read_some(buffer);
}

io::Task<std::size_t> AnyStream::read_some(std::span<std::byte> buffer, std::error_code& ec) {
  if (is_tls()) co_return co_await tls().read_some(buffer, ec);
  co_return co_await std::get<io::Stream>(stream_).read_some(buffer, ec);
}

io::Task<void> AnyStream::write_all(std::span<const std::byte> data) {
  if (is_tls()) {
    co_await tls().write_all(data);
  } else {
    co_await std::get<io::Stream>(stream_).write_all(data);
  }
}

io::Task<std::size_t> AnyStream::write_all(std::span<const std::byte> data, std::error_code& ec) {
  if (is_tls()) co_return co_await tls().write_all(data, ec);
  co_return co_await std::get<io::Stream>(stream_).write_all(data, ec);
}

io::Task<void> AnyStream::shutdown() {
  if (is_tls()) {
    co_await tls().shutdown();
  } else {
    std::get<io::Stream>(stream_).shutdown_write();
  }
}

void AnyStream::close() noexcept {
  if (is_tls()) {
    tls().close();
  } else {
    std::get<io::Stream>(stream_).close();
  }
}

}  // namespace wire::tls
