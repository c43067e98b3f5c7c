// SPDX-License-Identifier: MIT
// `wire http get` and `wire http request`: curl's everyday uses, verified by default.
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstring>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "commands.hpp"
#include "options.hpp"
#include "output.hpp"
#include "wire/error.hpp"
#include "wire/http.hpp"
#include "wire/io.hpp"
#include "wire/tls.hpp"
#include "wire/net.hpp"
#include "wire/version.hpp"

namespace wire::cli {
namespace {

using namespace std::chrono_literals;

struct HttpOptions {
  std::string method = "GET";
  std::string url;
  std::string output;  // "" or "-": stdout
  bool include = false;
  std::vector<std::string> headers;
  TlsClientOptions tls;
  int max_redirects = 10;
  double timeout = 0;  // whole request; 0: none
  double connect_timeout = 30;
  bool fail = false;
  std::string data;
  std::string data_file;
  bool has_data = false;
};

http::Headers parse_headers(const std::vector<std::string>& lines) {
  http::Headers headers;
  for (const auto& line : lines) {
    auto colon = line.find(':');
    if (colon == std::string::npos || colon == 0) {
      throw std::invalid_argument("header '" + line + "' is not 'Name: value'");
    }
    headers.add(line.substr(0, colon), std::string(http::trim_ows(std::string_view(line).substr(colon + 1))));
  }
  return headers;
}

std::size_t read_stdin(std::span<std::byte> out) {
  std::size_t n = std::fread(out.data(), 1, out.size(), stdin);
  if (n == 0 && std::ferror(stdin)) throw std::runtime_error("reading stdin");
  return n;
}

// A body from stdin. Up to 16 MiB is read first, so that a small body goes
// with a Content-Length (many servers refuse chunked requests, as curl's
// -d @- knows); a longer one is streamed on, chunked, never held whole.
void stdin_body(http::RequestOptions& request) {
  constexpr std::size_t kBuffered = 16 << 20;
  auto prefix = std::make_shared<std::string>();
  std::array<std::byte, 64 * 1024> chunk;
  while (prefix->size() < kBuffered) {
    std::size_t n = read_stdin(chunk);
    if (n == 0) {
      request.body = std::move(*prefix);
      return;
    }
    prefix->append(reinterpret_cast<const char*>(chunk.data()), n);
  }
  auto offset = std::make_shared<std::size_t>(0);
  request.body_source = [prefix, offset](std::span<std::byte> out) -> std::size_t {
    if (*offset < prefix->size()) {
      std::size_t n = std::min(out.size(), prefix->size() - *offset);
      std::memcpy(out.data(), prefix->data() + *offset, n);
      *offset += n;
      return n;
    }
    return read_stdin(out);
  };
}

// Where the body goes, and the progress bar (for a file, on a terminal).
struct Sink {
  explicit Sink(const std::string& path) : out(path), bar(!out.is_stdout()) {}
  OutputFile out;
  Progress bar;
};

io::Task<int> fetch(const HttpOptions& o, Sink& sink) {
  http::ClientOptions options;
  options.connection.connect_timeout = seconds_to_ms(o.connect_timeout, "--connect-timeout");
  if (o.tls.customised()) options.connection.tls = o.tls.context({"http/1.1"});
  options.max_redirects = o.max_redirects;
  http::AsyncClient client(options);

  http::RequestOptions request;
  request.headers = parse_headers(o.headers);
  if (!o.data_file.empty() && o.data_file != "-") {
    request.upload_file(o.data_file);  // streamed, with its size as Content-Length
  } else if (o.data_file == "-") {
    stdin_body(request);
  } else if (o.has_data) {
    request.body = o.data;
  }
  request.on_head = [&](const http::Response& head) {
    if (o.include) {
      std::string text = http::encode_head(head);
      sink.out.write(text.data(), text.size());
    }
  };
  request.sink = [&](std::span<const std::byte> data) { sink.out.write(data); };
  request.progress = [&](std::uint64_t received, std::optional<std::uint64_t> total) {
    sink.bar.update(received, total);
  };
  http::Reply reply = co_await client.request(o.method, o.url, std::move(request));
  sink.bar.finish();
  co_return reply.status;
}

void run_http(const HttpOptions& o) {
  if (o.timeout < 0 || o.timeout > 1e9) throw std::invalid_argument("--timeout must be 0 to 1e9 seconds");
  Sink sink(o.output);
  int status = 0;
  if (o.timeout > 0) {
    auto limit = std::chrono::milliseconds(static_cast<long long>(std::ceil(o.timeout * 1000)));
    try {
      status = io::run(io::with_timeout(fetch(o, sink), limit));
    } catch (const TimeoutError&) {
      char seconds[32];  // "0.5", not std::to_string's "0.500000"
      std::snprintf(seconds, sizeof seconds, "%g", o.timeout);
      throw TimeoutError(o.url + ": no complete response within " + seconds + " s");
    }
  } else {
    status = io::run(fetch(o, sink));
  }
  if (o.fail && status >= 400) {
    throw std::runtime_error(o.url + ": the server answered " + std::to_string(status) + " " +
                             std::string(http::reason_phrase(status)));
  }
  sink.out.commit();
}

void add_common(CLI::App* cmd, HttpOptions& o) {
  cmd->add_option("url", o.url, "http:// or https:// URL")->required();
  cmd->add_option("-o,--output", o.output, "Write the body to FILE instead of stdout");
  cmd->add_flag("-i,--include", o.include, "Print the response head before the body");
  cmd->add_option("-H,--header", o.headers, "Extra request header 'Name: value' (repeatable)");
  o.tls.add_to(cmd);
  cmd->add_option("--max-redirects", o.max_redirects, "Redirects to follow (0: none)")
      ->capture_default_str()
      ->check(CLI::Range(0, 100));
  cmd->add_option("--timeout,-m", o.timeout, "Seconds for the whole request, redirects included (0: none)");
  add_seconds(cmd, "--connect-timeout", o.connect_timeout, "Seconds to connect (and handshake)");
  cmd->add_flag("-f,--fail", o.fail, "Exit non-zero when the status is 400 or more");
}

}  // namespace

void add_http_commands(CLI::App& app) {
  auto* http_cmd = app.add_subcommand("http", "HTTP/1.1 client and server");
  http_cmd->require_subcommand(1);

  auto get = std::make_shared<HttpOptions>();
  auto* get_cmd = http_cmd->add_subcommand("get", "GET a URL; the body goes to stdout or -o FILE");
  add_common(get_cmd, *get);
  get_cmd->callback([get] { run_http(*get); });

  auto req = std::make_shared<HttpOptions>();
  auto* req_cmd = http_cmd->add_subcommand("request", "Send METHOD to a URL with an optional body");
  req_cmd->add_option("method", req->method, "GET, POST, PUT, PATCH, DELETE, HEAD, ...")->required();
  add_common(req_cmd, *req);
  auto* data = req_cmd->add_option("-d,--data", req->data, "Request body");
  auto* data_file = req_cmd->add_option("--data-file", req->data_file, "Request body from FILE ('-': stdin)");
  data->excludes(data_file);
  req_cmd->callback([req, data, data_file] {
    req->has_data = data->count() > 0 || data_file->count() > 0;
    run_http(*req);
  });

  add_http_serve_command(*http_cmd);
}

}  // namespace wire::cli
