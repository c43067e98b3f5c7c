// SPDX-License-Identifier: MIT
// FEAT (RFC 2389 §3): the reply's lines between the first and the last are ` name [params]`.
#include "wire/ftp/features.hpp"

#include <string>

#include "reply_check.hpp"
#include "number.hpp"
#include "wire/text/chars.hpp"
#include "wire/dialogue/error.hpp"

namespace wire::ftp {

void Features::add(std::string_view name, std::string_view params) {
  Feature f{std::string(name), std::string(params)};
  for (char& c : f.name) c = text::to_upper(c);
  features_.push_back(std::move(f));
}

bool Features::has(std::string_view name) const noexcept { return params(name).has_value(); }

std::optional<std::string_view> Features::params(std::string_view name) const noexcept {
  for (const Feature& f : features_) {
    if (text::iequals(f.name, name)) return std::string_view(f.params);
  }
  return std::nullopt;
}

bool Features::has_param(std::string_view name, std::string_view param) const noexcept {
  for (const Feature& f : features_) {
    if (!text::iequals(f.name, name)) continue;
    std::string_view rest = f.params;
    while (!rest.empty()) {
      std::size_t end = rest.find_first_of(" ;,");
      if (text::iequals(rest.substr(0, end), param)) return true;
      if (end == std::string_view::npos) break;
      rest.remove_prefix(end + 1);
    }
  }
  return false;
}

std::vector<MlstFact> Features::mlst_facts() const {
  std::vector<MlstFact> facts;
  auto list = params("MLST");
  if (!list) return facts;
  // RFC 3659 §7.8: MLST 1*( factname ["*"] ";" )
  std::string_view rest = *list;
  while (!rest.empty()) {
    std::size_t end = rest.find(';');
    std::string_view fact = rest.substr(0, end);
    bool enabled = !fact.empty() && fact.back() == '*';
    if (enabled) fact.remove_suffix(1);
    if (!fact.empty()) facts.push_back({std::string(fact), enabled});
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return facts;
}

Features parse_feat_reply(const dialogue::Reply& reply, std::error_code& ec) {
  Features features;
  if ((ec = detail::check_code(reply, 211))) return features;
  for (std::size_t i = 1; i + 1 < reply.lines.size(); ++i) {
    std::string_view line = reply.lines[i];
    // RFC 2389 §3.2: each feature line begins with one SP; be lenient with more, or none.
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    while (!line.empty() && line.back() == ' ') line.remove_suffix(1);
    if (line.empty()) continue;
    std::size_t sp = line.find(' ');
    features.add(line.substr(0, sp), sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1));
  }
  return features;
}

Features parse_feat_reply(const dialogue::Reply& reply) {
  return detail::parse_or_throw<Features>(parse_feat_reply, reply, "FEAT");
}

void encode_feat_reply(std::string& out, const Features& features) {
  // RFC 2389 §3.2: a listing has at least one feature; without, the reply is one line.
  if (features.empty()) {
    dialogue::encode_reply(out, 211, "No features");
    return;
  }
  std::vector<std::string> lines;
  lines.reserve(features.all().size());
  for (const Feature& f : features.all()) lines.push_back(" " + f.name + (f.params.empty() ? "" : " " + f.params));
  std::vector<std::string_view> views{"Features:"};
  for (const std::string& l : lines) views.push_back(l);
  views.push_back("End");
  dialogue::encode_reply(out, dialogue::Syntax::ftp, 211, std::span<const std::string_view>(views));
}

}  // namespace wire::ftp
