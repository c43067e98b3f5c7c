// SPDX-License-Identifier: MIT
// `wire http get|request`: the options, as curl names them and means them, and what they make
// of a request: the client's options, the request's headers and body, the URL and the method.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "options.hpp"
#include "wire/http/client.hpp"

namespace wire::cli {

/// Everything `wire http get|request` is told on its command line.
struct HttpOptions {
  std::string method = "GET";
  std::string url;
  // where the response goes
  std::string output;         // -o: "" or "-" for stdout
  bool remote_name = false;   // -O
  std::string continue_at;    // -C: only "-" (the size of the output file)
  bool resume = false;        // -C - or --continue
  bool include = false;       // -i
  bool head = false;          // -I
  bool verbose = false;       // -v
  bool silent = false;        // -s
  bool show_error = false;    // -S
  bool fail = false;          // -f
  std::string max_filesize;   // --max-filesize BYTES[k|M|G]
  // what is sent
  std::vector<std::string> headers;   // -H
  std::string user;                   // -u USER:PASSWORD
  std::vector<std::string> cookies;   // -b 'n=v; ...' or a cookie file
  std::string cookie_jar;             // -c FILE
  std::vector<std::string> data;      // -d
  std::vector<std::string> data_urlencode;
  std::vector<std::string> json;
  std::vector<std::string> form;      // -F
  std::string data_file;
  bool get = false;                   // -G
  // how it gets there
  std::string proxy;
  std::vector<std::string> resolve;   // --resolve HOST:PORT:ADDRESS
  TlsClientOptions tls;
  int max_redirects = 10;
  double timeout = 0;                 // -m: the whole request; 0: none
  double connect_timeout = 30;
  int retry = 0;
  double retry_delay = 0;             // 0: curl's backoff, 1 s doubling up to 10 min
};

/// Adds the options of `wire http get` (and of request) to `cmd`.
void add_transfer_options(CLI::App* cmd, HttpOptions& o);
/// Adds the body options of `wire http request`: -d, --data-urlencode, --json, -F, --data-file, -G.
void add_body_options(CLI::App* cmd, HttpOptions& o);

/// The URL as curl reads it: without "scheme://" it is http://; with -G, the data as its query.
/// @throws text::UrlError (malformed), std::runtime_error (a scheme other than http or https).
std::string effective_url(const HttpOptions& o);
/// The method, upper-cased (-I: HEAD); @throws UsageError unless it is a token.
std::string effective_method(const HttpOptions& o);
/// --max-filesize in bytes ("10M": 10 MiB), if given. @throws UsageError.
std::optional<std::uint64_t> max_filesize(const HttpOptions& o);

/// The -d and --data-urlencode data, joined with '&' (the body, or with -G the query).
std::string form_data(const HttpOptions& o);

/// The client's options: TLS, timeouts, redirects, the proxy, --resolve, cookie files (-b FILE,
/// -c), and `trace` for -v.
http::ClientOptions client_options(const HttpOptions& o,
                                   std::function<void(http::TraceEvent, std::string_view)> trace);
/// The request's options: headers (-H, -u, -b 'n=v', --json's), and the body.
http::RequestOptions request_options(const HttpOptions& o);
/// Saves the cookie jar to -c FILE (if given), through a temporary file renamed over it.
void save_cookies(const HttpOptions& o, const http::ClientOptions& client);

}  // namespace wire::cli
