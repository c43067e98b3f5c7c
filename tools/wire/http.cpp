// SPDX-License-Identifier: MIT
// `wire http get` and `wire http request`: curl's everyday uses, verified by default. The options
// and what they send are in http_options.cpp and http_request.cpp, where the response goes in
// http_output.cpp; here, one attempt and --retry around it.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>

#include "commands.hpp"
#include "exit_status.hpp"
#include "http_options.hpp"
#include "http_output.hpp"
#include "retry.hpp"
#include "wire/error.hpp"
#include "wire/http.hpp"
#include "wire/io.hpp"

namespace wire::cli {
namespace {

// What a gzip or deflate body may decode to without --max-filesize: a compression bomb (2 MiB
// on the wire, gigabytes out) stops here with exit 63, whatever the output.
constexpr std::uint64_t kMaxDecoded = std::uint64_t(1) << 30;

// The parts of one command run that stay the same from attempt to attempt.
struct Transfer {
  const HttpOptions& o;
  std::string url;
  std::string method;
  std::string path;  // -o or -O; "" for stdout
  std::optional<std::uint64_t> limit;
  Verbose verbose;
  http::ClientOptions client;
  http::RequestOptions request;  // copied for each attempt
};

io::Task<void> fetch(Transfer& t, ResponseWriter& writer) {
  http::AsyncClient client(t.client);
  http::RequestOptions request = t.request;
  if (writer.resume_from() > 0) request.headers.set("Range", "bytes=" + std::to_string(writer.resume_from()) + "-");
  request.on_head = [&](const http::Response& head) {
    t.verbose.response(head);
    writer.head(head);
  };
  request.sink = [&](std::span<const std::byte> data) { writer.data(data); };
  request.progress = [&](std::uint64_t received, std::optional<std::uint64_t> total) {
    writer.progress(received, total);
  };
  co_await client.request(t.method, t.url, std::move(request));
}

// One attempt, within -m's limit for the whole of it.
void attempt(Transfer& t, ResponseWriter& writer) {
  if (t.o.timeout <= 0) {
    io::run(fetch(t, writer));
    return;
  }
  auto limit = std::chrono::milliseconds(static_cast<long long>(std::ceil(t.o.timeout * 1000)));
  try {
    io::run(io::with_timeout(fetch(t, writer), limit));
  } catch (const TimeoutError&) {
    char seconds[32];  // "0.5", not std::to_string's "0.500000"
    std::snprintf(seconds, sizeof seconds, "%g", t.o.timeout);
    throw TimeoutError(t.url + ": no complete response within " + seconds + " s");
  }
}

// Waits before retry number `retry`, saying why unless -s.
void wait_to_retry(const HttpOptions& o, int retry, const std::string& why,
                   std::optional<std::chrono::milliseconds> retry_after) {
  std::optional<std::chrono::milliseconds> fixed;
  if (o.retry_delay > 0) fixed = std::chrono::milliseconds(static_cast<long long>(std::ceil(o.retry_delay * 1000)));
  auto wait = retry_wait(retry, fixed, retry_after);
  if (!o.silent) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%g", static_cast<double>(wait.count()) / 1000);
    std::cerr << "wire: " << why << "; retrying in " << seconds << " s (" << o.retry - retry << " "
              << (o.retry - retry == 1 ? "retry" : "retries") << " left)" << std::endl;
  }
  std::this_thread::sleep_for(wait);
}

void transfer(const HttpOptions& o) {
  Transfer t{o, effective_url(o), effective_method(o), {}, max_filesize(o), Verbose(o.verbose), {}, {}};
  t.path = output_path(o, t.url);
  t.client = client_options(o, t.verbose.tracer());
  t.client.max_body = static_cast<std::size_t>(t.limit.value_or(kMaxDecoded));
  t.request = request_options(o);
  // A streamed body (--data-file) cannot be read again: it is sent once.
  const int retries = o.data_file.empty() ? o.retry : 0;
  for (int n = 0;; ++n) {
    ResponseWriter writer(o, t.url, t.path, t.limit, n < retries);
    try {
      attempt(t, writer);
    } catch (const TimeoutError& e) {
      if (n >= retries || writer.wrote_to_stdout()) {
        save_cookies(o, t.client);  // what was set before the failure, as curl keeps it
        throw;
      }
      wait_to_retry(o, n, e.what(), std::nullopt);
      continue;
    } catch (...) {
      save_cookies(o, t.client);
      throw;
    }
    if (auto status = writer.retry_status()) {
      wait_to_retry(o, n, "the server answered " + std::to_string(*status) + " " + std::string(http::reason_phrase(*status)),
                    writer.retry_after());
      continue;
    }
    writer.finish();
    save_cookies(o, t.client);
    return;
  }
}

// Every failure: one line on stderr (none with -s, unless -S), and the exit status of its cause.
void run_http(const HttpOptions& o) {
  try {
    transfer(o);
  } catch (const std::exception& e) {
    if (!o.silent || o.show_error) std::cerr << "wire: " << e.what() << std::endl;
    throw ReportedFailure{exit_status_for(e)};
  }
}

}  // namespace

void add_http_commands(CLI::App& app) {
  auto* http_cmd = app.add_subcommand("http", "HTTP/1.1 client and server");
  http_cmd->require_subcommand(1);

  auto get = std::make_shared<HttpOptions>();
  auto* get_cmd = http_cmd->add_subcommand("get", "GET a URL, as curl does; the body goes to stdout or -o FILE");
  add_transfer_options(get_cmd, *get);
  get_cmd->callback([get] { run_http(*get); });

  auto req = std::make_shared<HttpOptions>();
  auto* req_cmd = http_cmd->add_subcommand("request", "Send METHOD to a URL, with a body from -d, --json, -F, ...");
  req_cmd->add_option("METHOD", req->method, "GET, POST, PUT, PATCH, DELETE, HEAD, ... (upper-cased)")->required();
  add_transfer_options(req_cmd, *req);
  add_body_options(req_cmd, *req);
  req_cmd->callback([req] { run_http(*req); });

  add_http_serve_command(*http_cmd);
}

}  // namespace wire::cli
