// SPDX-License-Identifier: MIT
// Content-Type, RFC 2045 §5.1: type "/" subtype *(";" parameter), CFWS allowed around tokens.
#include "wire/mime/content_type.hpp"

#include "syntax.hpp"
#include "wire/text/chars.hpp"

namespace wire::mime {

std::optional<ContentType> ContentType::parse(std::string_view value) {
  std::size_t i = 0;
  std::string_view type = detail::read_token_cfws(value, i);
  if (type.empty() || i >= value.size() || value[i] != '/') return std::nullopt;
  ++i;
  std::string_view subtype = detail::read_token_cfws(value, i);
  if (subtype.empty() || (i < value.size() && value[i] != ';')) return std::nullopt;
  ContentType ct;
  ct.type = text::to_lower(type);
  ct.subtype = text::to_lower(subtype);
  ct.params = Parameters::parse(value.substr(i));
  return ct;
}

std::string guess_content_type(std::string_view filename) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {"pdf", "application/pdf"},   {"zip", "application/zip"},     {"gz", "application/gzip"},
      {"json", "application/json"}, {"xml", "application/xml"},     {"txt", "text/plain"},
      {"csv", "text/csv"},          {"html", "text/html"},          {"htm", "text/html"},
      {"css", "text/css"},          {"md", "text/markdown"},        {"ics", "text/calendar"},
      {"eml", "message/rfc822"},    {"png", "image/png"},           {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},       {"gif", "image/gif"},           {"webp", "image/webp"},
      {"svg", "image/svg+xml"},     {"mp3", "audio/mpeg"},          {"mp4", "video/mp4"},
      {"doc", "application/msword"},
      {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
      {"odt", "application/vnd.oasis.opendocument.text"},
  };
  std::size_t dot = filename.rfind('.');
  if (dot != std::string_view::npos && filename.find('/', dot) == std::string_view::npos) {
    std::string_view ext = filename.substr(dot + 1);
    for (const auto& [e, type] : kTypes) {
      if (text::iequals(e, ext)) return std::string(type);
    }
  }
  return "application/octet-stream";
}

}  // namespace wire::mime
