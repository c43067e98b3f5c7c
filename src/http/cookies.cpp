// SPDX-License-Identifier: MIT
#include "wire/http/cookies.hpp"

#include <libpsl.h>

#include <algorithm>
#include <charconv>
#include <istream>
#include <memory>
#include <ostream>

#include "wire/text/chars.hpp"
#include "wire/text/date.hpp"

namespace wire::http {
namespace {

using text::to_lower;

bool is_ip(const Url& url) {
  return url.host_kind() == HostKind::ipv4 || url.host_kind() == HostKind::ipv6;
}

// The Public Suffix List, loaded once: the newer of libpsl's built-in list and the system's
// (Debian's publicsuffix package), as curl loads it. Read-only afterwards: safe from any thread.
const psl_ctx_t* public_suffixes() {
  static const std::unique_ptr<psl_ctx_t, void (*)(psl_ctx_t*)> latest(psl_latest(nullptr), psl_free);
  return latest ? latest.get() : psl_builtin();
}

// RFC 6265 5.1.3: host equals domain, or ends with "." + domain and is a name.
bool domain_matches(const std::string& host, bool host_is_ip, const std::string& domain) {
  if (host == domain) return true;
  return !host_is_ip && host.size() > domain.size() && host.ends_with(domain) &&
         host[host.size() - domain.size() - 1] == '.';
}

// RFC 6265 5.3 steps 5 and 6: a Domain attribute covers the host, and is not a public suffix
// ("com", "co.uk", "github.io") unless it is the host itself; without a list, at least not a
// single label.
bool domain_acceptable(const std::string& host, bool host_is_ip, const std::string& domain) {
  if (!domain_matches(host, host_is_ip, domain)) return false;
  if (domain == host) return true;
  if (const psl_ctx_t* psl = public_suffixes()) {
    return psl_is_cookie_domain_acceptable(psl, host.c_str(), domain.c_str()) == 1;
  }
  return domain.find('.') != std::string::npos;
}

bool is_public_suffix(const std::string& domain) {
  const psl_ctx_t* psl = public_suffixes();
  return psl ? psl_is_public_suffix(psl, domain.c_str()) == 1 : domain.find('.') == std::string::npos;
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

// The seconds either side of 1970 that the jar's clock holds: system_clock counts
// nanoseconds in 64 bits, from 1677-09-21 to 2262-04-11.
constexpr long long kClockSeconds =
    std::chrono::duration_cast<std::chrono::seconds>(CookieJar::Clock::duration::max()).count();

// Unix seconds as a time of the jar's clock, saturated at its ends: a cookie that expires in
// 9999 ("Fri, 31 Dec 9999 23:59:59 GMT" is common) is kept until the end of the clock, as a
// browser keeps it, rather than overflowing into the past.
CookieJar::Clock::time_point clock_time(long long seconds) {
  if (seconds >= kClockSeconds) return CookieJar::Clock::time_point::max();
  if (seconds <= -kClockSeconds) return CookieJar::Clock::time_point::min();
  return CookieJar::Clock::time_point(std::chrono::seconds(seconds));
}

// `now` plus a positive Max-Age, saturated the same way (Max-Age may be any 64-bit number).
CookieJar::Clock::time_point after(CookieJar::Clock::time_point now, long long seconds) {
  long long now_seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (seconds >= kClockSeconds - now_seconds) return CookieJar::Clock::time_point::max();  // no overflow: |now| <= kClockSeconds
  return now + std::chrono::seconds(seconds);
}

// An Expires date, read as RFC 6265 §5.1.1 says (what servers send is rarely one format).
std::optional<CookieJar::Clock::time_point> parse_date(std::string_view value) {
  auto seconds = text::parse_cookie_date(value);
  if (!seconds) return std::nullopt;
  return clock_time(*seconds);
}

// The attributes of a Set-Cookie line (RFC 6265 5.2), as given.
struct Attributes {
  std::string domain;  // lowercase, without a leading dot
  std::string path;
  bool secure = false;
  bool http_only = false;
  std::optional<CookieJar::Clock::time_point> expires;  // Max-Age wins over Expires
};

Attributes parse_attributes(std::string_view rest, CookieJar::Clock::time_point now) {
  Attributes a;
  std::optional<CookieJar::Clock::time_point> max_age;
  while (!rest.empty()) {
    auto next = rest.find(';');
    std::string_view attr = trim_ows(rest.substr(0, next));
    rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
    auto aeq = attr.find('=');
    std::string key = to_lower(trim_ows(attr.substr(0, aeq)));
    std::string_view value = aeq == std::string_view::npos ? std::string_view() : trim_ows(attr.substr(aeq + 1));
    if (key == "domain") {
      a.domain = to_lower(value);
      if (a.domain.starts_with('.')) a.domain.erase(0, 1);
    } else if (key == "path") {
      if (value.starts_with('/')) a.path = std::string(value);
    } else if (key == "secure") {
      a.secure = true;
    } else if (key == "httponly") {
      a.http_only = true;
    } else if (key == "max-age") {
      long long seconds = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
      if (ec == std::errc() && end == value.data() + value.size() && !value.empty()) {  // else ignored (5.2.2)
        max_age = seconds <= 0 ? CookieJar::Clock::time_point::min() : after(now, seconds);
      }
    } else if (key == "expires") {
      a.expires = parse_date(value);
    }
  }
  if (max_age) a.expires = max_age;
  return a;
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
  Attributes a = parse_attributes(semi == std::string_view::npos ? std::string_view() : line.substr(semi + 1), now);
  if (!a.domain.empty()) {
    if (!domain_acceptable(host, is_ip(url), a.domain)) return;
    c.domain = a.domain;
    // 5.3 step 6: a Domain attribute covers the subdomains, even when it names the host; but a
    // public suffix that is the host (step 5) and an IP address set a host-only cookie.
    c.host_only = a.domain == host && (is_ip(url) || is_public_suffix(a.domain));
  } else {
    c.domain = host;
  }
  c.secure = a.secure;
  c.http_only = a.http_only;
  if (c.secure && url.scheme() != "https") return;  // RFC 6265bis: only a secure origin sets them
  c.path = a.path.empty() ? default_path(url.path()) : a.path;
  c.expires = a.expires;
  add(std::move(c), now);
}

void CookieJar::add(Cookie c, Clock::time_point now) {
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

// --- the Netscape cookie file ----------------------------------------------------------------

void CookieJar::write_netscape(std::ostream& out, Clock::time_point now) const {
  // The first line is the format's magic (Python's MozillaCookieJar insists on it).
  out << "# Netscape HTTP Cookie File\n# Written by wire. Lines: domain, subdomains, path, secure, "
         "expiry (Unix seconds, 0: session), name, value.\n\n";
  std::lock_guard lock(mutex_);
  std::vector<const Cookie*> live;
  for (const auto& c : cookies_) {
    if (!c.expires || *c.expires > now) live.push_back(&c);
  }
  std::sort(live.begin(), live.end(), [](const Cookie* a, const Cookie* b) { return a->created < b->created; });
  for (const Cookie* c : live) {
    long long expiry = c->expires ? std::chrono::duration_cast<std::chrono::seconds>(c->expires->time_since_epoch()).count() : 0;
    out << (c->http_only ? "#HttpOnly_" : "") << (c->host_only ? "" : ".") << c->domain << '\t'
        << (c->host_only ? "FALSE" : "TRUE") << '\t' << c->path << '\t' << (c->secure ? "TRUE" : "FALSE") << '\t'
        << expiry << '\t' << c->name << '\t' << c->value << '\n';
  }
}

std::size_t CookieJar::read_netscape(std::istream& in, Clock::time_point now) {
  std::size_t added = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    Cookie c;
    std::string_view rest = line;
    if (rest.starts_with("#HttpOnly_")) {
      rest.remove_prefix(10);
      c.http_only = true;
    } else if (rest.empty() || rest.front() == '#') {
      continue;
    }
    std::vector<std::string_view> f;
    for (std::size_t tab; f.size() < 6 && (tab = rest.find('\t')) != std::string_view::npos; rest.remove_prefix(tab + 1)) {
      f.push_back(rest.substr(0, tab));
    }
    f.push_back(rest);  // the value, tabs and all; none when a line has six fields
    if (f.size() == 6) f.push_back({});
    long long expiry = 0;
    if (f.size() != 7 || f[0].empty() || f[5].empty() || !f[2].starts_with('/') ||
        std::from_chars(f[4].data(), f[4].data() + f[4].size(), expiry).ec != std::errc()) {
      continue;  // not a cookie line
    }
    c.domain = to_lower(f[0].starts_with('.') ? f[0].substr(1) : f[0]);
    c.host_only = f[1] != "TRUE" && !f[0].starts_with('.');
    if (!c.host_only && is_public_suffix(c.domain)) continue;  // the supercookie a list refuses
    c.path = std::string(f[2]);
    c.secure = f[3] == "TRUE";
    if (expiry != 0) c.expires = clock_time(expiry);
    c.name = std::string(f[5]);
    c.value = std::string(f[6]);
    if (c.expires && *c.expires <= now) continue;
    add(std::move(c), now);
    ++added;
  }
  return added;
}

}  // namespace wire::http
