// SPDX-License-Identifier: MIT
// What `wire http get|request` sends, built from its options: the client's settings, the
// headers, credentials, cookies and body, each flag meaning what it means in curl.
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include "exit_status.hpp"
#include "http_options.hpp"
#include "output.hpp"
#include "wire/http/url.hpp"
#include "wire/text/chars.hpp"

namespace wire::cli {
namespace {

http::Headers parse_headers(const std::vector<std::string>& lines) {
  http::Headers headers;
  for (const auto& line : lines) {
    auto colon = line.find(':');
    if (colon == std::string::npos || colon == 0) {
      throw UsageError("header '" + line + "' is not 'Name: value'");
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

// A file's bytes ("-": stdin), for the options that take '@FILE'.
std::string read_all(const std::string& path) {
  if (path == "-") {
    std::string all;
    std::array<std::byte, 64 * 1024> chunk;
    while (std::size_t n = read_stdin(chunk)) all.append(reinterpret_cast<const char*>(chunk.data()), n);
    return all;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::system_error(errno, std::generic_category(), "cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
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

// -d: as given, or '@FILE' without its CRs and LFs (curl's rule for -d @FILE).
std::string data_item(const std::string& item) {
  if (!item.starts_with('@')) return item;
  std::string content = read_all(item.substr(1));
  std::erase_if(content, [](char c) { return c == '\r' || c == '\n'; });
  return content;
}

// Form encoding (application/x-www-form-urlencoded): all but the unreserved characters
// percent-encoded, a space as '+', as curl's --data-urlencode writes it.
std::string form_encode(std::string_view text) {
  std::string out;
  std::size_t start = 0;
  for (std::size_t space; (space = text.find(' ', start)) != std::string_view::npos; start = space + 1) {
    out += http::percent_encode(text.substr(start, space - start)) + "+";
  }
  return out + http::percent_encode(text.substr(start));
}

// --data-urlencode: 'content', '=content', 'name=content', '@FILE', 'name@FILE'; a '=' anywhere
// splits off the name before an '@' is looked for, as curl does.
std::string urlencode_item(const std::string& item) {
  auto split = item.find('=');
  bool file = false;
  if (split == std::string::npos) {
    split = item.find('@');
    file = split != std::string::npos;
  }
  if (split == std::string::npos) return form_encode(item);
  std::string name = item.substr(0, split);
  std::string content = item.substr(split + 1);
  if (file) content = read_all(content);
  return name.empty() ? form_encode(content) : name + "=" + form_encode(content);
}

// -F: 'name=value' or 'name=@FILE', then ';type=TYPE' and ';filename=NAME' in any order.
http::FormPart form_part(const std::string& spec) {
  auto eq = spec.find('=');
  if (eq == std::string::npos || eq == 0) throw UsageError("-F '" + spec + "' is not 'name=value' or 'name=@FILE'");
  std::string value = spec.substr(eq + 1);
  std::string type;
  std::string filename;
  for (std::size_t at; (at = value.rfind(';')) != std::string::npos;) {
    std::string param = value.substr(at + 1);
    if (param.starts_with("type=")) {
      type = param.substr(5);
    } else if (param.starts_with("filename=")) {
      filename = param.substr(9);
    } else {
      break;  // part of the value
    }
    value.erase(at);
  }
  http::FormPart part;
  if (value.starts_with('@')) {
    part = http::FormPart::upload(spec.substr(0, eq), value.substr(1), type.empty() ? "application/octet-stream" : type);
    part.filename = filename;
  } else {
    part = http::FormPart::field(spec.substr(0, eq), value);
    part.content_type = type;
  }
  return part;
}

void set_default(http::Headers& headers, std::string_view name, std::string_view value) {
  if (!headers.contains(name)) headers.add(std::string(name), std::string(value));
}

void add_body(const HttpOptions& o, http::RequestOptions& request) {
  if (!o.data_file.empty()) {
    if (o.data_file == "-") {
      stdin_body(request);
    } else {
      request.upload_file(o.data_file);  // streamed, with its size as Content-Length
    }
  } else if (!o.json.empty()) {
    for (const auto& j : o.json) request.body += j.starts_with('@') ? read_all(j.substr(1)) : j;
    set_default(request.headers, "Content-Type", "application/json");
    set_default(request.headers, "Accept", "application/json");
  } else if (!o.form.empty()) {
    for (const auto& spec : o.form) request.form.push_back(form_part(spec));
  } else if (!o.get && (!o.data.empty() || !o.data_urlencode.empty())) {
    request.body = form_data(o);
    set_default(request.headers, "Content-Type", "application/x-www-form-urlencoded");
  }
}

// --resolve HOST:PORT:ADDRESS ("[::1]" or "::1" for IPv6).
std::pair<std::string, std::string> resolve_entry(const std::string& spec) {
  auto first = spec.find(':');
  auto second = first == std::string::npos ? first : spec.find(':', first + 1);
  std::string port = first == std::string::npos ? "" : spec.substr(first + 1, second - first - 1);
  bool digits = !port.empty() && port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos;
  if (second == std::string::npos || first == 0 || !digits || std::stoul(port) > 65535 || second + 1 == spec.size()) {
    throw UsageError("--resolve wants HOST:PORT:ADDRESS, not '" + spec + "'");
  }
  return {text::to_lower(spec.substr(0, first)) + ":" + port, spec.substr(second + 1)};
}

bool is_cookie_text(const std::string& arg) { return arg.find('=') != std::string::npos; }

}  // namespace

std::string form_data(const HttpOptions& o) {
  std::string out;
  for (const auto& d : o.data) out += (out.empty() ? "" : "&") + data_item(d);
  for (const auto& d : o.data_urlencode) out += (out.empty() ? "" : "&") + urlencode_item(d);
  return out;
}

http::ClientOptions client_options(const HttpOptions& o,
                                   std::function<void(http::TraceEvent, std::string_view)> trace) {
  http::ClientOptions options;
  options.connection.connect_timeout = seconds_to_ms(o.connect_timeout, "--connect-timeout");
  if (o.tls.customised()) options.connection.tls = o.tls.context({"http/1.1"});
  options.max_redirects = o.max_redirects;
  if (!o.proxy.empty()) options.connection.proxy = o.proxy.find("://") == std::string::npos ? "http://" + o.proxy : o.proxy;
  for (const auto& spec : o.resolve) options.connection.resolve.insert(resolve_entry(spec));
  options.connection.trace = std::move(trace);
  bool files = std::any_of(o.cookies.begin(), o.cookies.end(), [](const auto& c) { return !is_cookie_text(c); });
  if (files || !o.cookie_jar.empty()) {
    options.cookies = std::make_shared<http::CookieJar>();
    for (const auto& c : o.cookies) {
      if (is_cookie_text(c)) continue;
      std::ifstream in(c);
      if (in) options.cookies->read_netscape(in);  // none yet is no error: `-b jar -c jar` starts so
    }
  }
  return options;
}

http::RequestOptions request_options(const HttpOptions& o) {
  http::RequestOptions request;
  request.headers = parse_headers(o.headers);
  if (!o.user.empty()) {
    auto colon = o.user.find(':');
    if (colon == std::string::npos) throw UsageError("-u wants USER:PASSWORD (wire does not prompt for it)");
    request.basic_auth.emplace(o.user.substr(0, colon), o.user.substr(colon + 1));
  }
  std::string cookie;
  for (const auto& c : o.cookies) {
    if (is_cookie_text(c)) cookie += (cookie.empty() ? "" : "; ") + c;
  }
  if (!cookie.empty()) set_default(request.headers, "Cookie", cookie);
  add_body(o, request);
  return request;
}

void save_cookies(const HttpOptions& o, const http::ClientOptions& client) {
  if (o.cookie_jar.empty() || !client.cookies) return;
  OutputFile out(o.cookie_jar);
  std::ostringstream text;
  client.cookies->write_netscape(text);
  out.write(text.str().data(), text.str().size());
  out.commit();
}

}  // namespace wire::cli
