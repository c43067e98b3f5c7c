// SPDX-License-Identifier: MIT
// wire::text::Url: RFC 3986 URI references, parsed, serialised and resolved.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace wire::text {

/// A URL that could not be parsed (or a percent-encoding that could not be decoded).
/// what() names the input and the problem:
///   invalid URL "http://exa mple.com/": space at offset 10 (percent-encode it as %20)
class UrlError : public std::invalid_argument {
 public:
  UrlError(std::string_view input, std::string problem);
  /// The text that was refused, as given.
  const std::string& input() const noexcept { return input_; }
  /// What is wrong with it, without the input.
  const std::string& problem() const noexcept { return problem_; }

 private:
  std::string input_;
  std::string problem_;
};

/// What kind of host a URL names.
enum class HostKind : std::uint8_t {
  none,      ///< no authority, or an empty host ("file:///etc")
  name,      ///< a registered name ("example.com"), lowercased
  ipv4,      ///< a dotted-quad IPv4 address
  ipv6,      ///< an IPv6 literal; host() is without brackets, zone() holds any zone
};

/// A URI reference (RFC 3986): absolute ("https://user@example.com:8443/a/b?q#f") or relative
/// ("../c?d"). Components are kept as they appear, percent-encoded; the scheme and host are
/// lowercased, which is the only normalisation. Absent and empty differ ("http://a/?" has an
/// empty query, "http://a/" none), as RFC 3986 requires for resolution and serialisation.
///   auto url = Url::parse_http("https://example.com/search?q=wire");
///   url.host();    // "example.com"     url.port();   // 443 (the scheme's default)
///   url.target();  // "/search?q=wire"  resolve(url, "../x").str();  // "https://example.com/x"
class Url {
 public:
  Url() = default;

  /// Parses any URI reference (RFC 3986 §4.1); throws UrlError naming the problem. Besides
  /// the grammar it refuses: an all-numeric host that is not a dotted-quad IPv4 address
  /// ("127.1", "0x7f.1": resolvers read those as addresses), IPvFuture literals, ports above
  /// 65535.
  static Url parse(std::string_view text);
  /// Parses an absolute "http" or "https" URL with a non-empty host (RFC 9110 §4.2), the kind
  /// a client can request; throws UrlError otherwise.
  static Url parse_http(std::string_view text);

  /// The scheme, lowercased; empty for a relative reference.
  const std::string& scheme() const noexcept { return scheme_; }
  bool is_absolute() const noexcept { return !scheme_.empty(); }

  /// True if the reference has an authority ("//host..."), even an empty one.
  bool has_authority() const noexcept { return has_authority_; }
  /// The user information before '@', percent-encoded; has_userinfo() tells absent from empty.
  const std::string& userinfo() const noexcept { return userinfo_; }
  bool has_userinfo() const noexcept { return has_userinfo_; }
  /// userinfo() up to the first ':', percent-decoded.
  std::string username() const;
  /// userinfo() after the first ':', percent-decoded; nullopt if there is no ':'.
  std::optional<std::string> password() const;

  /// The host: a lowercased registered name, an IPv4 address, or an IPv6 address without
  /// brackets or zone. Empty if there is none.
  const std::string& host() const noexcept { return host_; }
  HostKind host_kind() const noexcept { return host_kind_; }
  /// The zone of a link-local IPv6 literal ("eth0" from "[fe80::1%25eth0]"), decoded; or "".
  const std::string& zone() const noexcept { return zone_; }

  /// The port given in the URL, if any ("http://a:/" gives none).
  std::optional<std::uint16_t> explicit_port() const noexcept { return port_; }
  /// The port given, or the scheme's default (default_port()); 0 if neither is known.
  std::uint16_t port() const noexcept { return port_ ? *port_ : default_port(scheme_); }

  /// The path, percent-encoded, exactly as given ("" is possible, even with a host).
  const std::string& path() const noexcept { return path_; }
  /// The query without '?', percent-encoded; has_query() tells absent from empty.
  const std::string& query() const noexcept { return query_; }
  bool has_query() const noexcept { return has_query_; }
  /// The fragment without '#', percent-encoded; has_fragment() tells absent from empty.
  const std::string& fragment() const noexcept { return fragment_; }
  bool has_fragment() const noexcept { return has_fragment_; }

  /// The authority as it is serialised: [userinfo "@"] host [":" port].
  std::string authority() const;
  /// What a Host header carries (RFC 9110 §7.2): the host, bracketed if IPv6 and without the
  /// zone, and ":port" only if a port was given that is not the scheme's default.
  std::string host_header() const;
  /// The origin-form request-target (RFC 9112 §3.2.1): the path ("/" if empty) and "?query".
  std::string target() const;
  /// The whole reference, recomposed as RFC 3986 §5.3 describes.
  std::string str() const;

  friend bool operator==(const Url&, const Url&) = default;

  /// The default port of `scheme`: http 80, https 443, ftp 21, ftps 990 (implicit TLS),
  /// smtp 25, smtps 465 (RFC 8314); 0 for any other.
  static std::uint16_t default_port(std::string_view scheme) noexcept;

 private:
  friend Url resolve(const Url& base, const Url& reference);

  std::string scheme_;
  bool has_authority_ = false;
  bool has_userinfo_ = false;
  std::string userinfo_;
  std::string host_;
  HostKind host_kind_ = HostKind::none;
  std::string zone_;
  std::optional<std::uint16_t> port_;
  std::string path_;
  bool has_query_ = false;
  std::string query_;
  bool has_fragment_ = false;
  std::string fragment_;
};

/// Resolves `reference` against the absolute URL `base`, as RFC 3986 §5.2 does (strictly:
/// a reference with a scheme keeps it, "http:g" stays "http:g"), removing "." and ".."
/// segments (§5.2.4). Throws UrlError if `base` is not absolute. This is how a client follows
/// a redirect's Location.
///   resolve(Url::parse("http://a/b/c/d;p?q"), Url::parse("../g")).str();  // "http://a/b/g"
Url resolve(const Url& base, const Url& reference);
/// resolve() with the reference parsed from text.
Url resolve(const Url& base, std::string_view reference);

/// RFC 3986 §5.2.4: `path` with its "." and ".." segments removed.
std::string remove_dot_segments(std::string_view path);

}  // namespace wire::text
