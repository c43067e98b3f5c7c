// SPDX-License-Identifier: MIT
// The options of `wire http get|request`, and the URL, method and size limit they give.
#include <cctype>
#include <charconv>
#include <stdexcept>

#include "exit_status.hpp"
#include "http_options.hpp"
#include "usage.hpp"
#include "wire/http/headers.hpp"
#include "wire/http/url.hpp"
#include "wire/text/chars.hpp"

namespace wire::cli {
namespace {

void add_output_options(CLI::App* cmd, HttpOptions& o) {
  auto* out = cmd->add_option("-o,--output", o.output,
                              "Write the body to FILE (through a temporary file renamed over it on success; "
                              "'-': stdout, even binary data on a terminal)");
  cmd->add_flag("-O,--remote-name", o.remote_name, "Write the body to a file named as the URL's last segment")
      ->excludes(out);
  auto* at = cmd->add_option("-C,--continue-at", o.continue_at,
                             "'-': resume, asking for the rest of the output file (curl's -C -)");
  at->check(CLI::Validator(
      [](std::string& v) {
        return v == "-" ? std::string() : "'" + v + "': wire resumes from the output file's size, -C - only";
      },
      "-"));
  cmd->add_flag("--continue", o.resume, "Resume, the same as -C -")->excludes(at);
  cmd->add_flag("-i,--include", o.include, "Write the response head before the body");
  cmd->add_flag("-I,--head", o.head, "Send HEAD and write the response head only");
  cmd->add_flag("-v,--verbose", o.verbose,
                "On stderr: '> ' request lines, '< ' response lines, '* ' connection and TLS facts");
  cmd->add_flag("-s,--silent", o.silent, "No progress bar, and no error message (unless -S)");
  cmd->add_flag("-S,--show-error", o.show_error, "With -s: still print the error message");
  cmd->add_flag("-f,--fail", o.fail, "On a status of 400 or more write nothing and exit 22");
  cmd->add_option("--max-filesize", o.max_filesize,
                  "Refuse a body larger than BYTES (suffix k, M or G for KiB, MiB, GiB): exit 63");
}

void add_sending_options(CLI::App* cmd, HttpOptions& o) {
  cmd->add_option("-H,--header", o.headers, "Extra request header 'Name: value' (repeatable)");
  cmd->add_option("-u,--user", o.user, "USER:PASSWORD for basic authentication");
  cmd->add_option("-b,--cookie", o.cookies,
                  "Send cookies: 'name=value; ...', or read them from FILE (Netscape format, as curl -c writes)");
  cmd->add_option("-c,--cookie-jar", o.cookie_jar, "Write the cookies to FILE when done (Netscape format)");
  cmd->add_option("-x,--proxy", o.proxy, "Go through the HTTP proxy [http://][user:password@]host:port");
  cmd->add_option("--resolve", o.resolve, "HOST:PORT:ADDRESS: connect there for HOST:PORT (repeatable)");
}

void add_connection_options(CLI::App* cmd, HttpOptions& o) {
  o.tls.add_to(cmd);
  cmd->add_option("--max-redirects,--max-redirs", o.max_redirects, "Redirects to follow (0: none)")
      ->capture_default_str()
      ->check(whole_number(0, 100));
  cmd->add_option("-m,--max-time,--timeout", o.timeout,
                  "Seconds for the whole request, redirects included (0: none)")
      ->check(decimal(0, 1e9));
  add_seconds(cmd, "--connect-timeout", o.connect_timeout, "Seconds to connect (and handshake)");
  cmd->add_option("--retry", o.retry,
                  "Retry N times after a timeout or a 408, 429, 500, 502, 503, 504 answer, waiting 1 s, "
                  "then twice as long each time (at most 10 min), or as Retry-After says")
      ->check(whole_number(0, 1000));
  cmd->add_option("--retry-delay", o.retry_delay, "Seconds between retries instead (0: the doubling wait)")
      ->check(decimal(0, 600));
}

}  // namespace

void add_transfer_options(CLI::App* cmd, HttpOptions& o) {
  cmd->add_option("URL", o.url, "http:// or https:// URL (without a scheme: http://)")->required();
  add_output_options(cmd, o);
  add_sending_options(cmd, o);
  add_connection_options(cmd, o);
  cmd->footer(kExitStatusHelp);
}

void add_body_options(CLI::App* cmd, HttpOptions& o) {
  auto* d = cmd->add_option("-d,--data", o.data,
                            "Form data, sent as application/x-www-form-urlencoded ('@FILE': from FILE "
                            "without its line ends; repeatable, joined with '&')");
  auto* u = cmd->add_option("--data-urlencode", o.data_urlencode,
                            "Form data, percent-encoded: 'content', '=content', 'name=content', "
                            "'@FILE' or 'name@FILE' (repeatable)");
  auto* j = cmd->add_option("--json", o.json, "JSON body ('@FILE': from FILE), with its Content-Type and Accept");
  auto* f = cmd->add_option("-F,--form", o.form,
                            "multipart/form-data part: 'name=value' or 'name=@FILE' (streamed), with "
                            "';type=TYPE' and ';filename=NAME' (repeatable)");
  auto* file = cmd->add_option("--data-file", o.data_file, "Send FILE as it is ('-': stdin), streamed");
  auto* g = cmd->add_flag("-G,--get", o.get, "Put the -d and --data-urlencode data in the URL's query instead");
  for (auto* a : {d, u}) {
    for (auto* b : {j, f, file}) a->excludes(b);
  }
  j->excludes(f)->excludes(file);
  f->excludes(file);
  for (auto* b : {j, f, file}) g->excludes(b);
}

std::string effective_url(const HttpOptions& o) {
  // curl's habit: "localhost:8080/x" is an http URL, not one of the scheme "localhost".
  std::string url = o.url.find("://") == std::string::npos ? "http://" + o.url : o.url;
  if (o.get) {
    std::string query = form_data(o);
    auto hash = url.find('#');
    if (hash != std::string::npos) url.erase(hash);
    if (!query.empty()) url += (url.find('?') == std::string::npos ? "?" : "&") + query;
  }
  const std::string scheme = http::Url::parse(url).scheme();  // throws UrlError: exit 3
  if (scheme != "http" && scheme != "https") {
    throw std::runtime_error(o.url + ": wire http speaks http:// and https://, not " + scheme + "://");
  }
  (void)http::Url::parse_http(url);  // the rest of what an http URL must have (a host)
  return url;
}

std::string effective_method(const HttpOptions& o) {
  if (o.head) return "HEAD";
  std::string method = o.method;
  for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (!http::is_token(method)) throw UsageError("'" + o.method + "' is not an HTTP method (a token: letters, digits, !#$%&'*+-.^_`|~)");
  return method;
}

std::optional<std::uint64_t> max_filesize(const HttpOptions& o) {
  if (o.max_filesize.empty()) return std::nullopt;
  const std::string& s = o.max_filesize;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  std::string_view suffix(end, static_cast<std::size_t>(s.data() + s.size() - end));
  int shift = suffix.empty() ? 0 : suffix == "k" || suffix == "K" ? 10 : suffix == "m" || suffix == "M" ? 20
                              : suffix == "g" || suffix == "G"   ? 30 : -1;
  if (ec != std::errc() || shift < 0 || value > (std::uint64_t(1) << 62 >> shift)) {
    throw UsageError("--max-filesize: '" + s + "' is not a size (BYTES, or with k, M or G)");
  }
  return value << shift;
}

}  // namespace wire::cli
