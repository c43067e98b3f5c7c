// SPDX-License-Identifier: MIT
// The parameters of Content-Type and Content-Disposition (RFC 2045 §5.1, RFC 2183 §2), with
// RFC 2231's continuations and charsets (filename*=utf-8''R%C3%A9sum%C3%A9.pdf).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wire::mime {

/// One parameter, decoded.
struct Parameter {
  std::string name;   ///< lowercased
  std::string value;  ///< unquoted; UTF-8 where its charset is known
  friend bool operator==(const Parameter&, const Parameter&) = default;
};

/// The parameters of a MIME field, in order, each name once.
///   auto p = Parameters::parse("; charset=\"utf-8\"; format=flowed");
///   p.get("CHARSET");  // "utf-8"
class Parameters {
 public:
  /// Parses what follows the type in the field (";" parameter ...), leniently as readers do:
  /// comments skipped, parameters without a value dropped, the first of a repeated name kept.
  /// RFC 2231: sections ("name*0", "name*1*") are joined in order, extended values
  /// ("name*=charset'lang'%XX") percent-decoded and converted to UTF-8 (left as bytes if the
  /// charset is not known), and an RFC 2231 value wins over a plain one of the same name.
  /// A quoted value made of RFC 2047 encoded-words is decoded: RFC 2047 §5 forbids them
  /// there, but Outlook and Gmail write file names that way.
  static Parameters parse(std::string_view text);

  /// The value of `name` (case-insensitive), if present.
  std::optional<std::string_view> get(std::string_view name) const noexcept;
  /// Sets `name` (lowercased) to `value`, replacing it if present.
  void set(std::string_view name, std::string value);
  bool empty() const noexcept { return list_.empty(); }
  std::size_t size() const noexcept { return list_.size(); }
  std::vector<Parameter>::const_iterator begin() const noexcept { return list_.begin(); }
  std::vector<Parameter>::const_iterator end() const noexcept { return list_.end(); }

  /// The parameters as they follow a type in a field: "; " and format_parameter() for each.
  std::string str() const;

  friend bool operator==(const Parameters&, const Parameters&) = default;

 private:
  std::vector<Parameter> list_;
};

/// One parameter as it is written: `name="value"` for short printable ASCII; otherwise RFC
/// 2231's `name*=utf-8''%XX...`, cut into sections `name*0*=...; name*1*=...` of at most 76
/// characters so the field can be folded at 78 (never inside a %XX).
///   format_parameter("filename", "Résumé.pdf");  // "filename*=utf-8''R%C3%A9sum%C3%A9.pdf"
/// @throws std::invalid_argument if `name` is not a token, or `value` is not UTF-8 or holds
///   CR, LF or NUL.
std::string format_parameter(std::string_view name, std::string_view value);

}  // namespace wire::mime
