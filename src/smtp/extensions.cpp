// SPDX-License-Identifier: MIT
#include "wire/smtp/extensions.hpp"

#include <charconv>

#include "wire/text/chars.hpp"

namespace wire::smtp {

Extensions Extensions::parse(const dialogue::Reply& ehlo) {
  Extensions ext;
  if (ehlo.lines.empty()) return ext;
  std::string_view first = ehlo.lines.front();
  ext.domain_ = std::string(first.substr(0, first.find(' ')));
  // RFC 5321 §4.1.1.1: ehlo-line = ehlo-keyword *( SP ehlo-param ).
  for (std::size_t i = 1; i < ehlo.lines.size(); ++i) {
    std::string_view line = text::trim_ows(ehlo.lines[i]);
    std::size_t end = line.find_first_of(" =");  // "AUTH=LOGIN PLAIN": an old, common form
    std::string keyword = text::to_upper(line.substr(0, end));
    std::string params = end == std::string_view::npos ? std::string() : std::string(text::trim_ows(line.substr(end + 1)));
    if (!keyword.empty()) ext.items_.emplace_back(std::move(keyword), std::move(params));
  }
  return ext;
}

std::optional<std::string_view> Extensions::params(std::string_view keyword) const noexcept {
  for (const auto& [k, v] : items_) {
    if (text::iequals(k, keyword)) return std::string_view(v);
  }
  return std::nullopt;
}

bool Extensions::has(std::string_view keyword) const noexcept { return params(keyword).has_value(); }

std::optional<std::uint64_t> Extensions::size() const noexcept {
  auto p = params("SIZE");
  if (!p) return std::nullopt;
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(p->data(), p->data() + p->size(), n);
  if (ec != std::errc() || end != p->data() + p->size()) return 0;  // "SIZE" alone: no fixed limit
  return n;
}

std::vector<std::string> Extensions::auth_mechanisms() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : items_) {
    if (k != "AUTH") continue;
    std::string_view rest = v;
    while (!rest.empty()) {
      std::size_t sp = rest.find(' ');
      std::string name = text::to_upper(rest.substr(0, sp));
      bool known = false;
      for (const auto& m : out) known = known || m == name;
      if (!name.empty() && !known) out.push_back(std::move(name));
      rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
    }
  }
  return out;
}

bool Extensions::offers_auth(std::string_view mechanism) const {
  for (const auto& m : auth_mechanisms()) {
    if (text::iequals(m, mechanism)) return true;
  }
  return false;
}

}  // namespace wire::smtp
