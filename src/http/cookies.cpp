// SPDX-License-Identifier: MIT
#include "wire/http/cookies.hpp"

#include <algorithm>

#include "wire/text/chars.hpp"
#include "wire/text/date.hpp"

namespace wire::http {
namespace {

using text::to_lower;

bool is_ip(const Url& url) {
  return url.host_kind() == HostKind::ipv4 || url.host_kind() == HostKind::ipv6;
}

// RFC 6265 5.1.3: host equals domain, or ends with "." + domain and is a name.
bool domain_matches(const std::string& host, bool host_is_ip, const std::string& domain) {
  if (host == domain) return true;
  return !host_is_ip && host.size() > domain.size() && host.ends_with(domain) &&
         host[host.size() - domain.size() - 1] == '.';
}

// RFC 6265 5.1.4.
bool path_matches(std::string_view request_path, std::string_view cookie_path) {
  if (request_path == cookie_path) return true;
  if (!request_path.starts_with(cookie_path)) return false;
  return cookie_path.ends_with('/') || request_path[cookie_path.size()] == '/';
}

std::string default_path(const std::string& path) {
  if (path.empty() || path[0] != '/') return "/";
  auto last = path.rfind('/');
  return last == 0 ? "/" : path.substr(0, last);
}

// An Expires date, read as RFC 6265 §5.1.1 says (what servers send is rarely one format).
std::optional<CookieJar::Clock::time_point> parse_date(std::string_view value) {
  auto seconds = text::parse_cookie_date(value);
  if (!seconds) return std::nullopt;
  return CookieJar::Clock::time_point(std::chrono::seconds(*seconds));
}

}  // namespace

void CookieJar::store(const Url& url, const Headers& headers, Clock::time_point now) {
  for (auto line : headers.get_all("Set-Cookie")) store_one(url, line, now);
}

void CookieJar::store_one(const Url& url, std::string_view line, Clock::time_point now) {
  auto semi = line.find(';');
  std::string_view pair = line.substr(0, semi);
  auto eq = pair.find('=');
  if (eq == std::string_view::npos) return;  // RFC 6265 5.2: ignore it
  Cookie c;
  c.name = std::string(trim_ows(pair.substr(0, eq)));
  c.value = std::string(trim_ows(pair.substr(eq + 1)));
  if (c.name.empty()) return;
  std::string host = to_lower(url.host());
  std::string domain_attr;
  std::string path_attr;
  std::optional<Clock::time_point> max_age;
  std::optional<Clock::time_point> expires;
  std::string_view rest = semi == std::string_view::npos ? std::string_view() : line.substr(semi + 1);
  while (!rest.empty()) {
    auto next = rest.find(';');
    std::string_view attr = trim_ows(rest.substr(0, next));
    rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
    auto aeq = attr.find('=');
    std::string key = to_lower(trim_ows(attr.substr(0, aeq)));
    std::string_view value = aeq == std::string_view::npos ? std::string_view() : trim_ows(attr.substr(aeq + 1));
    if (key == "domain") {
      domain_attr = to_lower(value);
      if (domain_attr.starts_with('.')) domain_attr.erase(0, 1);
    } else if (key == "path") {
      if (value.starts_with('/')) path_attr = std::string(value);
    } else if (key == "secure") {
      c.secure = true;
    } else if (key == "max-age") {
      try {
        long long seconds = std::stoll(std::string(value));
        max_age = seconds <= 0 ? Clock::time_point::min() : now + std::chrono::seconds(seconds);
      } catch (const std::exception&) {  // not a number: ignored, as the RFC says
      }
    } else if (key == "expires") {
      expires = parse_date(value);
    }
  }
  if (!domain_attr.empty()) {
    // A domain must cover the host, and be more than one label (no cookies for "com").
    if (!domain_matches(host, is_ip(url), domain_attr) || (domain_attr.find('.') == std::string::npos && domain_attr != host)) {
      return;
    }
    c.domain = domain_attr;
    c.host_only = domain_attr == host;
  } else {
    c.domain = host;
  }
  if (c.secure && url.scheme() != "https") return;  // RFC 6265bis: only a secure origin sets them
  c.path = path_attr.empty() ? default_path(url.path()) : path_attr;
  c.expires = max_age ? max_age : expires;

  std::lock_guard lock(mutex_);
  auto same = std::find_if(cookies_.begin(), cookies_.end(), [&](const Cookie& o) {
    return o.name == c.name && o.domain == c.domain && o.path == c.path;
  });
  if (same != cookies_.end()) {
    c.created = same->created;
    cookies_.erase(same);
  } else {
    c.created = ++sequence_;
  }
  if (c.expires && *c.expires <= now) return;  // an expiry in the past deletes it
  cookies_.push_back(std::move(c));
  if (cookies_.size() > kMaxCookies) {
    auto oldest = std::min_element(cookies_.begin(), cookies_.end(),
                                   [](const Cookie& a, const Cookie& b) { return a.created < b.created; });
    cookies_.erase(oldest);
  }
}

std::string CookieJar::header_for(const Url& url, Clock::time_point now) const {
  std::string host = to_lower(url.host());
  std::string path = url.path().empty() ? "/" : url.path();
  bool secure = url.scheme() == "https";
  std::vector<const Cookie*> chosen;
  std::lock_guard lock(mutex_);
  for (const auto& c : cookies_) {
    if (c.expires && *c.expires <= now) continue;
    if (c.host_only ? host != c.domain : !domain_matches(host, is_ip(url), c.domain)) continue;
    if (!path_matches(path, c.path)) continue;
    if (c.secure && !secure) continue;
    chosen.push_back(&c);
  }
  // Longer paths first, then older first (RFC 6265 5.4).
  std::sort(chosen.begin(), chosen.end(), [](const Cookie* a, const Cookie* b) {
    if (a->path.size() != b->path.size()) return a->path.size() > b->path.size();
    return a->created < b->created;
  });
  std::string out;
  for (const Cookie* c : chosen) {
    if (!out.empty()) out += "; ";
    out += c->name + "=" + c->value;
  }
  return out;
}

std::size_t CookieJar::size() const {
  std::lock_guard lock(mutex_);
  return cookies_.size();
}

void CookieJar::clear() {
  std::lock_guard lock(mutex_);
  cookies_.clear();
}

}  // namespace wire::http
