// SPDX-License-Identifier: MIT
#include "wire/http/client.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <exception>
#include <fstream>
#include <functional>
#include <memory>
#include <stdexcept>

#include "basic_auth.hpp"
#include "wire/error.hpp"
#include "wire/http/error.hpp"
#include "wire/io/loop.hpp"
#include "wire/io/timeout.hpp"
#include "wire/text/chars.hpp"
#include "wire/text/multipart.hpp"
#include "wire/text/source.hpp"
#include "wire/version.hpp"

namespace wire::http {
namespace {

bool idempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
         method == "OPTIONS" || method == "TRACE";
}

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// What a pooled connection the server closed while it sat idle fails with.
bool stale_connection_error(std::error_code ec) {
  return ec == wire::Errc::unexpected_eof || ec == std::errc::connection_reset ||
         ec == std::errc::broken_pipe || ec == std::errc::not_connected;
}

// scheme://host:port, without userinfo: what the pool and the credentials rule key on.
std::string origin_of(const Url& url) {
  const std::string& host = url.host();
  bool literal6 = host.find(':') != std::string::npos;
  return url.scheme() + "://" + (literal6 ? "[" + host + "]" : host) + ":" + std::to_string(url.port());
}

// gzip or deflate (zlib-wrapped, or raw as some servers send it), streaming.
class Inflater {
 public:
  Inflater(bool gzip, std::string where) : gzip_(gzip), where_(std::move(where)) {}
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  ~Inflater() {
    if (started_) inflateEnd(&z_);
  }

  template <typename Out>
  void feed(std::span<const std::byte> in, Out&& out) {
    if (in.empty()) return;
    if (!started_) start(in);
    if (done_) return;  // anything after the end of the stream is ignored
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    while (z_.avail_in > 0 && !done_) {
      z_.next_out = reinterpret_cast<Bytef*>(buffer_.data());
      z_.avail_out = static_cast<uInt>(buffer_.size());
      int rc = inflate(&z_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        done_ = true;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        fail(z_.msg ? z_.msg : "corrupt data");
      }
      std::size_t produced = buffer_.size() - z_.avail_out;
      if (produced > 0) out(std::span<const std::byte>(buffer_.data(), produced));
      if (rc == Z_BUF_ERROR && produced == 0) break;
    }
  }
  void finish() {
    if (started_ && !done_) fail("the body ends before the compressed stream does");
  }

 private:
  void start(std::span<const std::byte> first) {
    int window = 16 + MAX_WBITS;  // gzip
    if (!gzip_) {
      // RFC 9110's deflate is zlib-wrapped; some servers send raw deflate.
      auto b0 = static_cast<unsigned>(first[0]);
      bool zlib = first.size() < 2 || ((b0 & 0x0f) == 8 && ((b0 << 8) | static_cast<unsigned>(first[1])) % 31 == 0);
      window = zlib ? MAX_WBITS : -MAX_WBITS;
    }
    if (inflateInit2(&z_, window) != Z_OK) fail("cannot start zlib");
    started_ = true;
  }
  [[noreturn]] void fail(const std::string& why) const {
    throw Error(Errc::bad_content_encoding,
                where_ + ": the " + (gzip_ ? "gzip" : "deflate") + " body does not decode: " + why);
  }

  bool gzip_;
  std::string where_;
  z_stream z_{};
  bool started_ = false;
  bool done_ = false;
  std::array<std::byte, 64 * 1024> buffer_{};
};

// A response's Content-Encoding undone, layer by layer: the codings are listed in the order
// they were applied (RFC 9110 §8.4), so the last is undone first. What each inner layer
// gives is bounded by `max` too: a bomb wrapped in another does not get past the limit
// by decoding into the next layer instead of the caller.
class Decoder {
 public:
  using Out = std::function<void(std::span<const std::byte>)>;
  static constexpr std::size_t kMaxLayers = 3;

  // The decoder a Content-Encoding field asks for: none for identity (or no field) and for a
  // lone coding this client does not decode (passed on as it came, the field saying what it
  // is); @throws Error (bad_content_encoding) for a list it cannot undo whole.
  static std::unique_ptr<Decoder> for_field(std::string_view field, std::uint64_t max, const std::string& where) {
    std::vector<std::string> codings;
    bool unknown = false;
    while (!field.empty()) {
      auto comma = field.find(',');
      std::string coding = text::to_lower(trim_ows(field.substr(0, comma)));
      field.remove_prefix(comma == std::string_view::npos ? field.size() : comma + 1);
      if (coding.empty() || coding == "identity") continue;
      if (coding != "gzip" && coding != "x-gzip" && coding != "deflate") unknown = true;
      codings.push_back(std::move(coding));
    }
    if (codings.empty() || (unknown && codings.size() == 1)) return nullptr;
    if (unknown || codings.size() > kMaxLayers) {
      std::string list;
      for (const auto& c : codings) list += (list.empty() ? "" : ", ") + c;
      throw Error(Errc::bad_content_encoding,
                  where + ": cannot decode Content-Encoding '" + list + "' (gzip and deflate, at most " +
                      std::to_string(kMaxLayers) + " layers)");
    }
    auto decoder = std::make_unique<Decoder>(max, where);
    for (auto it = codings.rbegin(); it != codings.rend(); ++it) {
      decoder->layers_.push_back(std::make_unique<Inflater>(*it != "deflate", where));
      decoder->produced_.push_back(0);
    }
    return decoder;
  }

  Decoder(std::uint64_t max, std::string where) : max_(max), where_(std::move(where)) {}
  void feed(std::span<const std::byte> in, const Out& out) { feed_layer(0, in, out); }
  void finish() {
    for (auto& layer : layers_) layer->finish();
  }

 private:
  void feed_layer(std::size_t i, std::span<const std::byte> in, const Out& out) {
    if (i + 1 == layers_.size()) {
      layers_[i]->feed(in, out);
      return;
    }
    layers_[i]->feed(in, [&](std::span<const std::byte> piece) {
      produced_[i] += piece.size();
      if (produced_[i] > max_) {
        throw std::system_error(make_error_code(wire::Errc::limit_exceeded),
                                where_ + ": a layer of the Content-Encoding decodes to more than " +
                                    std::to_string(max_) + " bytes");
      }
      feed_layer(i + 1, piece, out);
    });
  }

  std::vector<std::unique_ptr<Inflater>> layers_;  // the outermost coding first
  std::vector<std::uint64_t> produced_;
  std::uint64_t max_;
  std::string where_;
};

// RFC 7578 §2 (and HTML's form encoding): '"', CR and LF percent-encoded in a name.
std::string form_quoted(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"') out += "%22";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else out += c;
  }
  return out;
}

// A multipart/form-data body (RFC 7578) as a pull source: the files are read as it goes out.
// A fresh one for every attempt, so that a retry or a 307 can send the files again.
std::shared_ptr<text::MultipartWriter> form_body(const std::vector<FormPart>& parts) {
  auto body = std::make_shared<text::MultipartWriter>("form-data", text::make_boundary("wire-"), 0);
  for (const auto& part : parts) {
    std::string disposition = "form-data; name=\"" + form_quoted(part.name) + "\"";
    if (part.file.empty()) {
      Headers fields{{"Content-Disposition", disposition}};
      if (!part.content_type.empty()) fields.add("Content-Type", part.content_type);
      body->add(fields, part.value);
      continue;
    }
    std::string filename = part.filename.empty() ? part.file.filename().string() : part.filename;
    disposition += "; filename=\"" + form_quoted(filename) + "\"";
    Headers fields{{"Content-Disposition", disposition},
                   {"Content-Type", part.content_type.empty() ? "application/octet-stream" : part.content_type}};
    try {
      body->add(fields, std::make_unique<text::FileSource>(part.file));
    } catch (const std::system_error& e) {
      throw std::system_error(e.code(), "form file " + part.file.string());
    }
  }
  return body;
}

}  // namespace

void RequestOptions::upload_file(const std::filesystem::path& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) throw std::system_error(ec, "upload " + path.string());
  auto file = std::make_shared<std::ifstream>(path, std::ios::binary);
  if (!*file) throw std::runtime_error("cannot read " + path.string());
  body_source = [file, path](std::span<std::byte> out) -> std::size_t {
    file->read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(out.size()));
    if (file->bad()) throw std::runtime_error("reading " + path.string());
    return static_cast<std::size_t>(file->gcount());
  };
  body_length = size;
}

struct AsyncClient::Impl {
  ClientOptions options;
  std::map<std::string, std::vector<AsyncConnection>> idle;
  std::size_t opened = 0;

  // A connection to `url`'s origin: an idle one that is still good, or a new one.
  io::Task<std::pair<AsyncConnection, bool>> acquire(const Url& url) {
    auto it = idle.find(origin_of(url));
    while (it != idle.end() && !it->second.empty()) {
      AsyncConnection c = std::move(it->second.back());
      it->second.pop_back();
      tls::AnyStream& s = c.stream();
      bool stale = !s.is_open() || s.plain().readable_now() ||
                   (s.is_tls() && s.tls().engine().input_buffered() > 0);
      if (!stale) co_return std::pair<AsyncConnection, bool>(std::move(c), true);
      c.close();  // the server closed it (or sent what nobody asked for)
    }
    AsyncConnection fresh = co_await AsyncConnection::open(url.scheme(), url.host(), url.port(), options.connection);
    ++opened;
    co_return std::pair<AsyncConnection, bool>(std::move(fresh), false);
  }

  void release(const Url& url, AsyncConnection c) {
    auto& pool = idle[origin_of(url)];
    if (c.reusable() && pool.size() < options.max_idle_per_origin) {
      pool.push_back(std::move(c));
    } else {
      c.close();
    }
  }
};

AsyncClient::AsyncClient(ClientOptions options) : impl_(std::make_unique<Impl>()) {
  if (options.user_agent.empty()) options.user_agent = std::string("wire/") + WIRE_VERSION_STRING;
  impl_->options = std::move(options);
}
AsyncClient::AsyncClient(AsyncClient&&) noexcept = default;
AsyncClient& AsyncClient::operator=(AsyncClient&&) noexcept = default;
AsyncClient::~AsyncClient() = default;

std::size_t AsyncClient::idle_connections() const noexcept {
  std::size_t n = 0;
  for (auto& [origin, pool] : impl_->idle) n += pool.size();
  return n;
}
std::size_t AsyncClient::connections_opened() const noexcept { return impl_->opened; }
void AsyncClient::close_idle() noexcept {
  for (auto& [origin, pool] : impl_->idle) {
    for (auto& c : pool) c.close();
  }
  impl_->idle.clear();
}

io::Task<Reply> AsyncClient::request(std::string method, std::string url, RequestOptions options) {
  if (impl_->options.timeout) {
    try {
      co_return co_await io::with_timeout(request_once(method, url, options), *impl_->options.timeout);
    } catch (const TimeoutError&) {
      throw TimeoutError(method + " " + url + ": no complete response within " +
                         std::to_string(impl_->options.timeout->count()) + " ms");
    }
  }
  co_return co_await request_once(std::move(method), std::move(url), options);
}

// One request through its redirects: what is sent, and what a redirect changes of it.
struct AsyncClient::Outgoing {
  Outgoing(const ClientOptions& client, RequestOptions& options, std::string m, std::string text)
      : o(options), method(std::move(m)), url_text(std::move(text)), url(Url::parse_http(url_text)),
        headers(options.headers), body(options.body), form(!options.form.empty()),
        streamed(static_cast<bool>(options.body_source)) {
    if (!headers.contains("User-Agent")) headers.add("User-Agent", client.user_agent);
    if (!headers.contains("Accept")) headers.add("Accept", "*/*");
    decode = client.decompress && !headers.contains("Accept-Encoding");
    if (decode) headers.add("Accept-Encoding", "gzip, deflate");
    if (!headers.contains("Authorization")) {
      if (o.basic_auth) {
        headers.add("Authorization", detail::basic_credentials(o.basic_auth->first, o.basic_auth->second));
      } else if (url.has_userinfo()) {
        headers.add("Authorization", detail::basic_credentials(percent_decode(url.username()),
                                                               percent_decode(url.password().value_or(""))));
      }
    }
    own_cookie = headers.contains("Cookie");  // the caller's; the jar then stays out of it
  }

  RequestOptions& o;
  std::string method;
  std::string url_text;  // as the caller gave it, for messages
  Url url;
  Headers headers;
  std::string body;
  bool form;
  bool streamed;  // a body source can be read only once
  bool own_cookie = false;
  bool decode = false;

  // Sends the request on `conn`: the form, the stream or the body.
  io::Task<void> send_on(AsyncConnection& conn) {
    if (form) {
      auto source = form_body(o.form);
      // A token boundary, unquoted, as form parsers have always seen it from wire.
      headers.set("Content-Type", "multipart/form-data; boundary=" + source->boundary());
      std::optional<std::uint64_t> length = source->size();
      AsyncConnection::BodySource read = [source](std::span<std::byte> out) { return source->read(out); };
      co_await conn.send_request(Request{method, url.target(), headers}, std::move(read), length);
    } else if (streamed) {
      co_await conn.send_request(Request{method, url.target(), headers}, o.body_source, o.body_length);
    } else {
      co_await conn.send_request(Request{method, url.target(), headers}, body);
    }
  }
};

io::Task<Reply> AsyncClient::request_once(std::string method, std::string url_text, RequestOptions& o) {
  Impl& d = *impl_;
  Outgoing out(d.options, o, std::move(method), std::move(url_text));
  Reply reply;
  for (int redirects = 0;; ++redirects) {
    if (d.options.cookies && !out.own_cookie) {
      std::string cookie = d.options.cookies->header_for(out.url);
      if (cookie.empty()) {
        out.headers.remove("Cookie");
      } else {
        out.headers.set("Cookie", cookie);
      }
    }
    AsyncConnection conn = co_await send(out);
    const Response& head = conn.response();
    if (d.options.cookies) d.options.cookies->store(out.url, head.headers);
    if (o.on_head) o.on_head(head);
    if (is_redirect(head.status) && head.headers.contains("Location") && d.options.max_redirects > 0) {
      co_await follow(out, conn, redirects);
      reply.redirects = redirects + 1;
      continue;
    }
    co_await read_reply(out, conn, reply);
    co_return reply;
  }
}

// Sends, and reads the head; a pooled connection the server closed meanwhile gets one more
// try on a fresh one, for a request that may be repeated.
io::Task<AsyncConnection> AsyncClient::send(Outgoing& out) {
  Impl& d = *impl_;
  for (int attempt = 0;; ++attempt) {
    auto [conn, reused] = co_await d.acquire(out.url);
    std::exception_ptr failure;
    bool retry = false;
    try {
      co_await out.send_on(conn);
      co_await conn.read_response_head();
    } catch (const Error&) {
      failure = std::current_exception();  // the server's answer was wrong: not retried
    } catch (const std::system_error& e) {
      failure = std::current_exception();
      retry = reused && attempt == 0 && idempotent(out.method) && !out.streamed && stale_connection_error(e.code());
    }
    if (!failure) co_return std::move(conn);
    conn.close();
    if (!retry) std::rethrow_exception(failure);
  }
}

// A redirect (RFC 9110 §15.4): where it leads, what the request becomes on the way, and the
// connection kept if its body is small enough to read away.
io::Task<void> AsyncClient::follow(Outgoing& out, AsyncConnection& conn, int redirects) {
  Impl& d = *impl_;
  const Response& head = conn.response();
  std::string location(*head.headers.get("Location"));
  if (redirects >= d.options.max_redirects) {
    throw Error(Errc::too_many_redirects, out.url_text + ": more than " + std::to_string(d.options.max_redirects) +
                                       " redirects (the last to " + location + ")");
  }
  Url next = resolve(out.url, location);
  if (next.scheme() != "http" && next.scheme() != "https") {
    throw Error(Errc::bad_message, out.url_text + ": redirect to a URL that is not http or https: " + next.str());
  }
  const int status = head.status;
  std::array<std::byte, 16 * 1024> skip;
  std::size_t drained = 0;
  while (drained <= 64 * 1024) {
    std::size_t n = co_await conn.read_body(skip);
    if (n == 0) break;
    drained += n;
  }
  if (drained <= 64 * 1024) {
    d.release(out.url, std::move(conn));
  } else {
    conn.close();
  }
  // 303, and 301/302 after a POST, continue as GET without a body.
  if (status == 303 || ((status == 301 || status == 302) && out.method == "POST")) {
    if (out.method != "HEAD") out.method = "GET";
    out.body.clear();
    out.form = out.streamed = false;
    out.headers.remove("Content-Type");
    out.headers.remove("Content-Length");
    out.headers.remove("Transfer-Encoding");
  } else if (out.streamed) {
    throw Error(Errc::bad_message, out.url_text + ": redirected (" + std::to_string(status) + ") to " + next.str() +
                                       ", but a streamed body cannot be sent again");
  }
  // Credentials and cookies are for the origin they were given to.
  if (origin_of(next) != origin_of(out.url)) {
    out.headers.remove("Authorization");
    out.headers.remove("Cookie");
    out.own_cookie = false;  // the jar (if any) speaks for the new origin
  }
  out.url = std::move(next);
}

// The final response's body, decoded if it is gzip or deflate (in layers), to the sink or
// into `reply`. `max_body` bounds what is decoded whatever the sink (a compression bomb
// stops there, exactly `max_body` bytes delivered), and a body kept in `reply`.
io::Task<void> AsyncClient::read_reply(Outgoing& out, AsyncConnection& conn, Reply& reply) {
  Impl& d = *impl_;
  const Response& head = conn.response();
  reply.status = head.status;
  reply.reason = head.reason;
  reply.headers = head.headers;
  reply.url = out.url;
  std::optional<std::uint64_t> length = conn.content_length();
  const std::string where = "response from " + conn.peer();
  std::unique_ptr<Decoder> decoder;
  if (out.decode && head.headers.contains("Content-Encoding")) {
    decoder = Decoder::for_field(head.headers.combined("Content-Encoding"), d.options.max_body, where);
  }
  RequestOptions& o = out.o;
  const bool bounded = decoder || !o.sink;
  std::uint64_t delivered = 0;
  auto put = [&](std::span<const std::byte> data) {
    if (o.sink) {
      o.sink(data);
    } else {
      reply.body.append(reinterpret_cast<const char*>(data.data()), data.size());
    }
  };
  auto deliver = [&](std::span<const std::byte> data) {
    if (bounded && data.size() > d.options.max_body - delivered) {
      put(data.first(static_cast<std::size_t>(d.options.max_body - delivered)));
      throw std::system_error(make_error_code(wire::Errc::limit_exceeded),
                              where + ": " + (decoder ? "decoded " : "") + "body larger than " +
                                  std::to_string(d.options.max_body) + " bytes");
    }
    delivered += data.size();
    put(data);
  };
  // Pieces of up to 256 KiB: a large body is read in a quarter of the recv() calls 64 KiB
  // pieces take (and the CLI writes each piece once); a small one gets a buffer its size
  // (16 KiB at least, for AsyncConnection's direct reads) instead of a zeroed 256 KiB.
  constexpr std::uint64_t kMinChunk = 16 * 1024;
  constexpr std::uint64_t kMaxChunk = 256 * 1024;
  std::vector<std::byte> chunk(
      static_cast<std::size_t>(length ? std::clamp(*length, kMinChunk, kMaxChunk) : 64 * 1024));
  std::uint64_t received = 0;
  while (std::size_t n = co_await conn.read_body(chunk)) {
    received += n;
    std::span<const std::byte> data(chunk.data(), n);
    if (decoder) {
      decoder->feed(data, deliver);
    } else {
      deliver(data);
    }
    if (o.progress) o.progress(received, length);
  }
  if (decoder) decoder->finish();
  d.release(out.url, std::move(conn));
}

// --- Client: the blocking form

Client::Client(ClientOptions options)
    : loop_(std::make_unique<io::Loop>()), client_(std::make_unique<AsyncClient>(std::move(options))) {}

Client::~Client() {
  client_.reset();  // its connections close before the loop they live on
}

Reply Client::request(std::string method, std::string url, RequestOptions options) {
  return loop_->run(client_->request(std::move(method), std::move(url), std::move(options)));
}

AsyncClient& Client::async() noexcept { return *client_; }

}  // namespace wire::http
