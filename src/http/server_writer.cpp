// SPDX-License-Identifier: MIT
// The server's answers: the head through the codec's one response serializer (with the
// worker's cached Date and the framing the server decides), then the body: inline in the head's
// send() when small, a file with sendfile(2) over plain HTTP, or a stream in chunks.
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "server_access.hpp"
#include "server_connection.hpp"
#include "static_cache.hpp"
#include "wire/http/serializer.hpp"

namespace wire::http::detail {

namespace {

// Writes ServerResponse::stream bodies: chunked, or raw until the close for HTTP/1.0.
template <typename S>
class ChunkWriter final : public BodyWriter {
 public:
  ChunkWriter(Channel<S>& c, bool chunked) : c_(c), chunked_(chunked) {}
  using BodyWriter::write;
  io::Task<void> write(std::span<const std::byte> data) override {
    if (data.empty()) co_return;
    if (!c_.ok) throw std::system_error(std::make_error_code(std::errc::broken_pipe), "write");
    sent += data.size();
    if (!chunked_) {
      co_await c_.send(data);
    } else {
      std::string& head = c_.x->scratch;
      head.clear();
      encode_chunk_header(data.size(), head);
      if (data.size() <= 4096) {  // small chunks: one send with their framing
        head.append(reinterpret_cast<const char*>(data.data()), data.size());
        head += "\r\n";
        co_await c_.send(std::as_bytes(std::span(head)));
      } else {
        co_await c_.send(std::as_bytes(std::span(head)));
        co_await c_.send(data);
        co_await c_.send(std::string_view("\r\n"));
      }
    }
    if (!c_.ok) throw std::system_error(std::make_error_code(std::errc::broken_pipe), "write");
  }
  std::uint64_t sent = 0;

 private:
  Channel<S>& c_;
  bool chunked_;
};

}  // namespace

template <typename S>
bool ResponseWriter<S>::encode(const ServerResponse& res, std::optional<std::uint64_t> length, bool chunked, bool keep,
                               Version version, std::string_view field_lines) {
  std::string& out = c_.x->out;
  if (c_.x->held == 0) out.clear();  // else after the responses held for the batch
  ResponseFraming framing;
  framing.content_length = length;
  framing.chunked = chunked;
  framing.close = !keep;
  framing.keep_alive = keep && version.minor == 0;
  framing.server_line = c_.srv.server_line;
  framing.date_line = c_.w.date_line();
  framing.field_lines = field_lines;
  // A handler may not send a 1xx as its answer: those belong to the server.
  if (res.status < 200) return false;
  return !encode_response_head(res.status, res.reason, res.headers, framing, out);
}

template <typename S>
io::Task<bool> ResponseWriter<S>::respond(ServerResponse& res, bool head_only, bool keep, Version version,
                                          std::uint64_t& body_bytes) {
  const bool no_body = res.status == 204 || res.status == 304;
  const CachedFile* cached = ServerAccess::cached(res).get();
  if (cached) co_return co_await respond_cached(res, *cached, head_only || no_body, keep, version, body_bytes);
  std::optional<std::uint64_t> length;
  if (!no_body && !res.stream) length = res.file ? res.file.length() : res.body.size();
  const bool chunked = res.stream && !no_body && version.minor >= 1;
  if (res.stream && !no_body && !chunked) keep = false;  // HTTP/1.0: the close ends the body
  if (!encode(res, length, chunked, keep, version)) {
    std::fprintf(stderr, "wire http: the response to %s %s has an invalid status, reason or header: "
                 "answered 500 instead\n", c_.x->req ? c_.x->req->method().c_str() : "?",
                 c_.x->req ? c_.x->req->target().c_str() : "?");
    res = ServerResponse::error(500);
    co_return co_await respond(res, head_only, keep, version, body_bytes);
  }
  if (res.stream && !no_body) co_return co_await send_stream(res, head_only, keep, version, body_bytes);
  if (res.file && !no_body && !head_only && res.file.length() > 0) {
    body_bytes = res.file.length();
    if (!co_await c_.send_out()) co_return false;
    co_return co_await send_file(res.file);
  }
  if (!no_body && !head_only && !res.file) {
    body_bytes = res.body.size();
    if (res.body.size() > kInlineBody) {
      if (!co_await c_.send_out()) co_return false;
      co_return co_await c_.send(std::string_view(res.body));
    }
    c_.x->out += res.body;
  }
  // The whole response lies in x->out: held for the batch while more requests are buffered,
  // or sent with those held before it.
  if (c_.hold(keep)) co_return true;
  co_return co_await c_.send_out();
}

// A file from a StaticRoot's cache: its fields were encoded when it was cached; a small one's
// bytes go in the head's write (copied after it up to kInlineBody, which lets a pipelined batch
// hold it; gathered with it by writev above), a large one's with sendfile from the cache's
// descriptor.
template <typename S>
io::Task<bool> ResponseWriter<S>::respond_cached(ServerResponse& res, const CachedFile& file, bool no_body, bool keep,
                                                 Version version, std::uint64_t& body_bytes) {
  if (!encode(res, res.status == 304 ? std::nullopt : std::optional<std::uint64_t>(file.size), false, keep, version,
              file.fields)) {
    res = ServerResponse::error(500);  // a header a handler added to the file's answer is invalid
    co_return co_await respond(res, no_body, keep, version, body_bytes);
  }
  if (no_body || file.size == 0) {
    if (c_.hold(keep)) co_return true;
    co_return co_await c_.send_out();
  }
  body_bytes = file.size;
  if (file.in_memory) {
    if (file.size <= kInlineBody || !Channel<S>::kPlain) {
      c_.x->out += file.body;
      if (c_.hold(keep)) co_return true;
      co_return co_await c_.send_out();
    }
    co_return co_await c_.send_out_with(file.body);
  }
  if (!co_await c_.send_out()) co_return false;
  const FileBody body = file.file_body(ServerAccess::cached(res), 0, file.size);
  const bool sent = co_await send_file(body);
  co_return sent;
}

template <typename S>
io::Task<bool> ResponseWriter<S>::send_stream(ServerResponse& res, bool head_only, bool keep, Version version,
                                              std::uint64_t& body_bytes) {
  if (!co_await c_.send_out()) co_return false;
  if (head_only) co_return keep;
  const bool chunked = version.minor >= 1;
  ChunkWriter<S> writer(c_, chunked);
  try {
    co_await res.stream(writer);
  } catch (const std::exception& e) {
    // Too late for an error status: the body ends without its last chunk, and the
    // connection closes, so the client sees it is incomplete.
    body_bytes = writer.sent;
    std::fprintf(stderr, "wire http: streaming the response body failed: %s\n", e.what());
    co_return false;
  }
  body_bytes = writer.sent;
  if (chunked && !co_await c_.send(std::string_view("0\r\n\r\n"))) co_return false;
  co_return keep;
}

template <typename S>
io::Task<bool> ResponseWriter<S>::send_file(const FileBody& file) {
  if constexpr (Channel<S>::kPlain) {
    try {
      co_await c_.sock.sendfile(file.fd(), static_cast<long long>(file.offset()), file.length());
    } catch (const std::exception&) {
      c_.ok = false;
    }
    co_return c_.ok;
  } else {
    std::vector<std::byte> buffer(64 * 1024);
    std::uint64_t offset = file.offset();
    std::uint64_t left = file.length();
    while (left > 0) {
      std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer.size()));
      ssize_t n = ::pread(file.fd(), buffer.data(), want, static_cast<off_t>(offset));
      if (n <= 0) {
        if (n < 0 && errno == EINTR) continue;
        c_.ok = false;  // the file shrank or failed: the response cannot be completed
        co_return false;
      }
      if (!co_await c_.send(std::span<const std::byte>(buffer.data(), static_cast<std::size_t>(n)))) co_return false;
      offset += static_cast<std::uint64_t>(n);
      left -= static_cast<std::uint64_t>(n);
    }
    co_return true;
  }
}

template <typename S>
io::Task<void> ResponseWriter<S>::refuse(int status, std::string_view request_line) {
  c_.take();
  ServerResponse res = ServerResponse::error(status);
  if (c_.x->req) ServerAccess::run_after(c_.srv.router, *c_.x->req, res);
  if (!encode(res, res.body.size(), false, false, Version{}, {})) co_return;
  c_.x->out += res.body;
  bool sent = co_await c_.send_out();  // after the responses held before it, if any
  c_.srv.log(c_.w, c_.peer, request_line, status, res.body.size());
  if (sent) co_await c_.linger();
}

template class ResponseWriter<io::Stream>;
template class ResponseWriter<tls::AsyncStream>;

}  // namespace wire::http::detail
