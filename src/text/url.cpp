// SPDX-License-Identifier: MIT
#include "wire/text/url.hpp"

#include "wire/text/chars.hpp"
#include "wire/text/percent.hpp"

namespace wire::text {
namespace {

// The input as it appears in a message: control and non-ASCII bytes escaped, so an error
// message cannot carry a line break or a terminal escape into a log.
std::string printable(std::string_view s) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else {
        out += "\\x";
        out += digits[u >> 4];
        out += digits[u & 0xf];
      }
    } else {
      out += c;
    }
  }
  return out;
}

[[noreturn]] void fail(std::string_view input, std::string problem) {
  throw UrlError(input, std::move(problem));
}

std::string describe(char c) {
  auto u = static_cast<unsigned char>(c);
  if (c == ' ') return "space";
  if (u < 0x20 || u == 0x7f || u >= 0x80) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string s = "byte 0x";
    s += digits[u >> 4];
    s += digits[u & 0xf];
    return s;
  }
  return std::string("'") + c + "'";
}

std::string hint_for(char c) {
  auto u = static_cast<unsigned char>(c);
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string escaped = "%";
  escaped += digits[u >> 4];
  escaped += digits[u & 0xf];
  return " (percent-encode it as " + escaped + ")";
}

bool is_gen_delim(char c) {
  return c == ':' || c == '/' || c == '?' || c == '#' || c == '[' || c == ']' || c == '@';
}

bool is_scheme(std::string_view s) {
  if (s.empty() || !is_alpha(s[0])) return false;
  for (char c : s) {
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return false;
  }
  return true;
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '%') {
      i += 2;  // leave the hex digits of an escape as they are
      continue;
    }
    out[i] = to_lower(out[i]);
  }
  return out;
}

// Checks that every character of `part` (which starts at `offset` in `input`) is allowed by
// `ok`, '%' escapes aside (already checked for the whole input).
template <typename Allowed>
void check_part(std::string_view input, std::string_view part, std::size_t offset, const char* where,
                Allowed ok) {
  for (std::size_t i = 0; i < part.size(); ++i) {
    char c = part[i];
    if (c == '%' || ok(c)) continue;
    std::string problem = describe(c) + " in the " + where + " at offset " + std::to_string(offset + i);
    if (c == '@') problem += hint_for(c);
    fail(input, problem);
  }
}

// RFC 3986 §3.2.2 dec-octet "." dec-octet "." dec-octet "." dec-octet, no leading zeros.
bool is_ipv4(std::string_view s) {
  int parts = 0;
  while (true) {
    std::size_t dot = s.find('.');
    std::string_view octet = s.substr(0, dot);
    if (octet.empty() || octet.size() > 3) return false;
    if (octet.size() > 1 && octet[0] == '0') return false;
    int value = 0;
    for (char c : octet) {
      if (!is_digit(c)) return false;
      value = value * 10 + (c - '0');
    }
    if (value > 255) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
  }
  return parts == 4;
}

// A host whose last label is a number (decimal or 0x-hex) is one that inet_aton-style parsers
// read as an address ("127.1", "0x7f.0.0.1", "2130706433"); such a host must be a proper
// dotted quad, or the name a user checked and the address connected to could differ.
bool looks_numeric(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  std::size_t dot = host.rfind('.');
  std::string_view last = dot == std::string_view::npos ? host : host.substr(dot + 1);
  if (last.empty()) return false;
  if (last.size() >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X')) {
    for (char c : last.substr(2)) {
      if (!is_hex(c)) return false;
    }
    return true;
  }
  for (char c : last) {
    if (!is_digit(c)) return false;
  }
  return true;
}

// RFC 3986 §3.2.2 IPv6address: eight 16-bit groups, "::" once for a run of zero groups, an
// IPv4 dotted quad allowed as the last 32 bits.
bool is_ipv6(std::string_view s) {
  if (s.empty()) return false;
  std::size_t gap = s.find("::");
  if (gap != std::string_view::npos && s.find("::", gap + 1) != std::string_view::npos) return false;

  // Counts the groups of a "::"-free run; -1 if malformed. `last` allows a trailing IPv4.
  auto groups = [](std::string_view run, bool last) -> int {
    if (run.empty()) return 0;
    int count = 0;
    while (true) {
      std::size_t colon = run.find(':');
      std::string_view group = run.substr(0, colon);
      if (colon == std::string_view::npos && last && group.find('.') != std::string_view::npos) {
        return is_ipv4(group) ? count + 2 : -1;
      }
      if (group.empty() || group.size() > 4) return -1;
      for (char c : group) {
        if (!is_hex(c)) return -1;
      }
      ++count;
      if (colon == std::string_view::npos) return count;
      run.remove_prefix(colon + 1);
    }
  };

  if (gap == std::string_view::npos) return groups(s, true) == 8;
  int head = groups(s.substr(0, gap), false);
  int tail = groups(s.substr(gap + 2), true);
  return head >= 0 && tail >= 0 && head + tail <= 7;
}

}  // namespace

UrlError::UrlError(std::string_view input, std::string problem)
    : std::invalid_argument("invalid URL \"" + printable(input) + "\": " + problem),
      input_(input),
      problem_(std::move(problem)) {}

namespace {

// RFC 3986 §3.2: authority = [ userinfo "@" ] host [ ":" port ]. `offset` is where `auth`
// starts in `input`, for messages.
void parse_authority(std::string_view input, std::string_view auth, std::size_t offset,
                     std::string& userinfo, bool& has_userinfo, std::string& host, HostKind& kind,
                     std::string& zone, std::optional<std::uint16_t>& port) {
  std::size_t at = auth.find('@');
  if (at != std::string_view::npos) {
    std::string_view info = auth.substr(0, at);
    check_part(input, info, offset, "user information",
               [](char c) { return is_unreserved(c) || is_sub_delim(c) || c == ':'; });
    userinfo = std::string(info);
    has_userinfo = true;
    auth.remove_prefix(at + 1);
    offset += at + 1;
  }

  std::optional<std::string_view> port_text;
  if (!auth.empty() && auth[0] == '[') {
    std::size_t close = auth.find(']');
    if (close == std::string_view::npos) fail(input, "'[' without ']' in the host");
    std::string_view literal = auth.substr(1, close - 1);
    std::string_view after = auth.substr(close + 1);
    if (!after.empty() && after[0] != ':') {
      fail(input, describe(after[0]) + " after the IPv6 literal at offset " +
                      std::to_string(offset + close + 1));
    }
    if (!after.empty()) port_text = after.substr(1);
    if (!literal.empty() && (literal[0] == 'v' || literal[0] == 'V')) {
      fail(input, "IPvFuture literals are not supported");
    }
    std::string_view address = literal;
    std::size_t pct = literal.find('%');
    if (pct != std::string_view::npos) {
      // RFC 6874: a zone is introduced by "%25", the percent-encoded '%'.
      if (literal.substr(pct, 3) != "%25" || pct + 3 == literal.size()) {
        fail(input, "an IPv6 zone must be written as %25 followed by the zone, as in [fe80::1%25eth0]");
      }
      std::string_view zone_text = literal.substr(pct + 3);
      check_part(input, zone_text, offset + 1 + pct + 3, "IPv6 zone", [](char c) { return is_unreserved(c); });
      zone = percent_decode(zone_text);
      address = literal.substr(0, pct);
    }
    if (!is_ipv6(address)) fail(input, "\"" + printable(address) + "\" is not a valid IPv6 address");
    host = lowercase(address);
    kind = HostKind::ipv6;
  } else {
    std::size_t colon = auth.find(':');
    std::string_view name = auth.substr(0, colon);
    if (colon != std::string_view::npos) {
      port_text = auth.substr(colon + 1);
      if (port_text->find(':') != std::string_view::npos) {
        fail(input, "more than one ':' in the authority (an IPv6 address must be in brackets)");
      }
    }
    check_part(input, name, offset, "host", [](char c) { return is_unreserved(c) || is_sub_delim(c); });
    if (is_ipv4(name)) {
      kind = HostKind::ipv4;
    } else if (looks_numeric(name)) {
      fail(input, "\"" + printable(name) + "\" is not a valid IPv4 address (four decimal numbers 0-255)");
    } else {
      kind = name.empty() ? HostKind::none : HostKind::name;
    }
    host = lowercase(name);
  }

  if (port_text && !port_text->empty()) {
    unsigned long value = 0;
    for (char c : *port_text) {
      if (!is_digit(c)) fail(input, "port \"" + printable(*port_text) + "\" is not a number");
      value = value * 10 + static_cast<unsigned long>(c - '0');
      if (value > 65535) fail(input, "port " + std::string(*port_text) + " is out of range (0-65535)");
    }
    port = static_cast<std::uint16_t>(value);
  }
}

}  // namespace

Url Url::parse(std::string_view text) {
  // Characters a URI may contain at all (RFC 3986 §2), and well-formed escapes.
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size() || !is_hex(text[i + 1]) || !is_hex(text[i + 2])) {
        fail(text, "'%' at offset " + std::to_string(i) + " is not followed by two hex digits" + hint_for('%'));
      }
      continue;
    }
    if (is_unreserved(c) || is_sub_delim(c) || is_gen_delim(c)) continue;
    std::string problem = describe(c) + " at offset " + std::to_string(i);
    if (static_cast<unsigned char>(c) >= 0x80) {
      problem += " (percent-encode non-ASCII bytes)";
    } else if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) {
      problem += hint_for(c);
    }
    fail(text, problem);
  }

  Url url;
  std::string_view rest = text;
  std::size_t hash = rest.find('#');
  if (hash != std::string_view::npos) {
    std::string_view fragment = rest.substr(hash + 1);
    check_part(text, fragment, hash + 1, "fragment",
               [](char c) { return is_pchar(c) || c == '/' || c == '?'; });
    url.has_fragment_ = true;
    url.fragment_ = std::string(fragment);
    rest = rest.substr(0, hash);
  }
  std::size_t question = rest.find('?');
  if (question != std::string_view::npos) {
    std::string_view query = rest.substr(question + 1);
    check_part(text, query, question + 1, "query", [](char c) { return is_pchar(c) || c == '/' || c == '?'; });
    url.has_query_ = true;
    url.query_ = std::string(query);
    rest = rest.substr(0, question);
  }

  std::size_t offset = 0;
  std::size_t colon = rest.find(':');
  std::size_t slash = rest.find('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon < slash)) {
    std::string_view scheme = rest.substr(0, colon);
    if (scheme.empty()) fail(text, "empty scheme before ':'");
    if (!is_scheme(scheme)) {
      // A relative reference cannot have ':' in its first segment (RFC 3986 §4.2).
      fail(text, "\"" + printable(scheme) +
                     "\" is not a scheme (a letter, then letters, digits, '+', '-' or '.')");
    }
    url.scheme_ = lowercase(scheme);
    rest.remove_prefix(colon + 1);
    offset = colon + 1;
  }

  if (rest.substr(0, 2) == "//") {
    rest.remove_prefix(2);
    offset += 2;
    std::size_t end = rest.find('/');
    std::string_view authority = rest.substr(0, end);
    url.has_authority_ = true;
    parse_authority(text, authority, offset, url.userinfo_, url.has_userinfo_, url.host_, url.host_kind_,
                    url.zone_, url.port_);
    rest.remove_prefix(authority.size());
    offset += authority.size();
  }

  check_part(text, rest, offset, "path", [](char c) { return is_pchar(c) || c == '/'; });
  url.path_ = std::string(rest);
  return url;
}

Url Url::parse_http(std::string_view text) {
  Url url = parse(text);
  if (url.scheme_.empty()) fail(text, "no scheme (expected http:// or https://)");
  if (url.scheme_ != "http" && url.scheme_ != "https") {
    fail(text, "scheme \"" + url.scheme_ + "\" is not http or https");
  }
  // RFC 9110 §4.2.1: an "http" URI with an empty host is invalid.
  if (!url.has_authority_ || url.host_.empty()) fail(text, "no host");
  return url;
}

std::uint16_t Url::default_port(std::string_view scheme) noexcept {
  if (iequals(scheme, "http")) return 80;
  if (iequals(scheme, "https")) return 443;
  if (iequals(scheme, "ftp")) return 21;
  if (iequals(scheme, "ftps")) return 990;    // FTP over implicit TLS
  if (iequals(scheme, "smtp")) return 25;
  if (iequals(scheme, "smtps")) return 465;  // RFC 8314 §7.3: submission over implicit TLS
  return 0;
}

std::string Url::username() const {
  return percent_decode(std::string_view(userinfo_).substr(0, userinfo_.find(':')));
}

std::optional<std::string> Url::password() const {
  std::size_t colon = userinfo_.find(':');
  if (colon == std::string::npos) return std::nullopt;
  return percent_decode(std::string_view(userinfo_).substr(colon + 1));
}

std::string Url::authority() const {
  std::string out;
  if (has_userinfo_) {
    out += userinfo_;
    out += '@';
  }
  if (host_kind_ == HostKind::ipv6) {
    out += '[';
    out += host_;
    if (!zone_.empty()) {
      out += "%25";
      out += percent_encode(zone_);
    }
    out += ']';
  } else {
    out += host_;
  }
  if (port_) {
    out += ':';
    out += std::to_string(*port_);
  }
  return out;
}

std::string Url::host_header() const {
  std::string out;
  if (host_kind_ == HostKind::ipv6) {
    out += '[';
    out += host_;
    out += ']';  // RFC 6874 §4: the zone is not sent in Host
  } else {
    out += host_;
  }
  if (port_ && *port_ != default_port(scheme_)) {
    out += ':';
    out += std::to_string(*port_);
  }
  return out;
}

std::string Url::target() const {
  std::string out = path_.empty() ? std::string("/") : path_;
  if (has_query_) {
    out += '?';
    out += query_;
  }
  return out;
}

// RFC 3986 §5.3 component recomposition.
std::string Url::str() const {
  std::string out;
  if (!scheme_.empty()) {
    out += scheme_;
    out += ':';
  }
  if (has_authority_) {
    out += "//";
    out += authority();
  }
  out += path_;
  if (has_query_) {
    out += '?';
    out += query_;
  }
  if (has_fragment_) {
    out += '#';
    out += fragment_;
  }
  return out;
}

// RFC 3986 §5.2.4.
std::string remove_dot_segments(std::string_view path) {
  std::string_view in = path;
  std::string out;
  auto drop_last_segment = [&out] {
    std::size_t slash = out.rfind('/');
    out.erase(slash == std::string::npos ? 0 : slash);
  };
  while (!in.empty()) {
    if (in.substr(0, 3) == "../") {  // A
      in.remove_prefix(3);
    } else if (in.substr(0, 2) == "./") {
      in.remove_prefix(2);
    } else if (in.substr(0, 3) == "/./") {  // B
      in.remove_prefix(2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.substr(0, 4) == "/../") {  // C
      in.remove_prefix(3);
      drop_last_segment();
    } else if (in == "/..") {
      in = "/";
      drop_last_segment();
    } else if (in == "." || in == "..") {  // D
      in = {};
    } else {  // E: move the first segment, with its leading '/', to the output
      std::size_t next = in.find('/', 1);
      std::string_view segment = in.substr(0, next);
      out += segment;
      in.remove_prefix(segment.size());
    }
  }
  return out;
}

// RFC 3986 §5.2.2 (strict) with §5.2.3 merge.
Url resolve(const Url& base, const Url& ref) {
  if (!base.is_absolute()) throw UrlError(base.str(), "a base URL must be absolute");
  Url t;
  auto copy_authority = [&t](const Url& from) {
    t.has_authority_ = from.has_authority_;
    t.has_userinfo_ = from.has_userinfo_;
    t.userinfo_ = from.userinfo_;
    t.host_ = from.host_;
    t.host_kind_ = from.host_kind_;
    t.zone_ = from.zone_;
    t.port_ = from.port_;
  };
  auto copy_query = [&t](const Url& from) {
    t.has_query_ = from.has_query_;
    t.query_ = from.query_;
  };

  if (!ref.scheme_.empty()) {
    t.scheme_ = ref.scheme_;
    copy_authority(ref);
    t.path_ = remove_dot_segments(ref.path_);
    copy_query(ref);
  } else {
    if (ref.has_authority_) {
      copy_authority(ref);
      t.path_ = remove_dot_segments(ref.path_);
      copy_query(ref);
    } else {
      if (ref.path_.empty()) {
        t.path_ = base.path_;
        copy_query(ref.has_query_ ? ref : base);
      } else {
        if (ref.path_[0] == '/') {
          t.path_ = remove_dot_segments(ref.path_);
        } else {
          std::string merged;
          if (base.has_authority_ && base.path_.empty()) {
            merged = "/" + ref.path_;
          } else {
            std::size_t slash = base.path_.rfind('/');
            merged = (slash == std::string::npos ? std::string() : base.path_.substr(0, slash + 1)) + ref.path_;
          }
          t.path_ = remove_dot_segments(merged);
        }
        copy_query(ref);
      }
      copy_authority(base);
    }
    t.scheme_ = base.scheme_;
  }
  t.has_fragment_ = ref.has_fragment_;
  t.fragment_ = ref.fragment_;
  return t;
}

Url resolve(const Url& base, std::string_view reference) { return resolve(base, Url::parse(reference)); }

}  // namespace wire::text
