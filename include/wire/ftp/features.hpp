// SPDX-License-Identifier: MIT
// The features an FTP server lists in its FEAT reply (RFC 2389), both sides.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "wire/dialogue/reply.hpp"
#include "wire/ftp/error.hpp"

namespace wire::ftp {

/// One feature line: its name in upper case and its parameters as sent (RFC 2389 §3.2).
struct Feature {
  std::string name;    ///< "MLST", "REST", "AUTH", "UTF8", ...
  std::string params;  ///< "type*;size*;modify*;", "STREAM", "TLS", or ""

  bool operator==(const Feature&) const = default;
};

/// A fact an MLST feature line offers, and whether the server sends it now (`*`, RFC 3659 §7.8).
struct MlstFact {
  std::string name;  ///< as the server spells it ("type", "Size", "UNIX.mode")
  bool enabled = false;

  bool operator==(const MlstFact&) const = default;
};

/// The features of a server, in the order listed. Names compare without regard to case.
///   Features f = parse_feat_reply(reply);
///   if (f.has("EPSV")) ...;  if (f.has_param("AUTH", "TLS")) ...;  f.params("REST") == "STREAM"
class Features {
 public:
  Features() = default;

  /// Adds a feature (a server building its FEAT reply). The name is upper-cased.
  void add(std::string_view name, std::string_view params = {});

  /// Whether a feature of this name is listed.
  bool has(std::string_view name) const noexcept;
  /// Whether a feature of this name lists `param` among its parameters (separated by SP,
  /// ";" or ","; compared without regard to case). vsftpd lists `AUTH SSL` and `AUTH TLS` as
  /// two lines, others `AUTH TLS;SSL`: both answer has_param("AUTH", "TLS").
  bool has_param(std::string_view name, std::string_view param) const noexcept;
  /// The parameters of the first feature of this name, or nullopt if it is not listed.
  std::optional<std::string_view> params(std::string_view name) const noexcept;
  /// The facts of the MLST feature line (`MLST type*;size*;modify*;perm;`), empty if none.
  std::vector<MlstFact> mlst_facts() const;

  std::span<const Feature> all() const noexcept { return features_; }
  bool empty() const noexcept { return features_.empty(); }

 private:
  std::vector<Feature> features_;
};

/// The features of a 211 FEAT reply: each line between the first and the last is a feature,
/// its leading space dropped (RFC 2389 §3.2); a one-line 211 lists none. A server that does
/// not know FEAT answers 500 or 502: the caller takes that as no features.
/// @throws Error (Errc::unexpected_code) for a code other than 211.
Features parse_feat_reply(const dialogue::Reply& reply);
Features parse_feat_reply(const dialogue::Reply& reply, std::error_code& ec);

/// Appends a server's FEAT reply: `211-Features:`, ` NAME params` a line, `211 End`.
/// @throws dialogue::LocalError if a name or parameter has CR, LF or NUL.
void encode_feat_reply(std::string& out, const Features& features);

}  // namespace wire::ftp
