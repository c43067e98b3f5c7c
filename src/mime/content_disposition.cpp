// SPDX-License-Identifier: MIT
// Content-Disposition, RFC 2183 §2: disposition-type *(";" disposition-parm).
#include "wire/mime/content_disposition.hpp"

#include "syntax.hpp"
#include "wire/text/chars.hpp"

namespace wire::mime {

std::optional<ContentDisposition> ContentDisposition::parse(std::string_view value) {
  std::size_t i = 0;
  std::string_view type = detail::read_token_cfws(value, i);
  if (type.empty() || (i < value.size() && value[i] != ';')) return std::nullopt;
  ContentDisposition cd;
  cd.type = text::to_lower(type);
  cd.params = Parameters::parse(value.substr(i));
  return cd;
}

}  // namespace wire::mime
