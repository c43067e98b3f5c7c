// SPDX-License-Identifier: MIT
// MIME types for static files: the system's table (/etc/mime.types, Debian's media-types, the
// one Python's mimetypes and mailcap read), with a built-in table for what it lacks.
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <unordered_map>

#include "wire/http/static_root.hpp"
#include "wire/text/chars.hpp"

namespace wire::http {
namespace {

// The types a browser needs to get right, for a system without /etc/mime.types.
std::string_view builtin_type(std::string_view ext) noexcept {
  struct Entry {
    std::string_view ext;
    std::string_view type;
  };
  static constexpr Entry kTypes[] = {
      {"html", "text/html; charset=utf-8"}, {"htm", "text/html; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},   {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"}, {"json", "application/json"},
      {"map", "application/json"},          {"txt", "text/plain; charset=utf-8"},
      {"md", "text/markdown; charset=utf-8"}, {"csv", "text/csv; charset=utf-8"},
      {"xml", "application/xml"},           {"svg", "image/svg+xml"},
      {"png", "image/png"},                 {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},               {"gif", "image/gif"},
      {"webp", "image/webp"},               {"avif", "image/avif"},
      {"ico", "image/vnd.microsoft.icon"},  {"bmp", "image/bmp"},
      {"woff", "font/woff"},                {"woff2", "font/woff2"},
      {"ttf", "font/ttf"},                  {"otf", "font/otf"},
      {"wasm", "application/wasm"},         {"pdf", "application/pdf"},
      {"zip", "application/zip"},           {"gz", "application/gzip"},
      {"tar", "application/x-tar"},         {"mp4", "video/mp4"},
      {"webm", "video/webm"},               {"mp3", "audio/mpeg"},
      {"ogg", "audio/ogg"},                 {"wav", "audio/wav"},
  };
  for (const auto& e : kTypes) {
    if (iequals(e.ext, ext)) return e.type;
  }
  return {};
}

// Looked up by string_view without a temporary string (C++20 heterogeneous lookup).
struct Hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
using Table = std::unordered_map<std::string, std::string, Hash, std::equal_to<>>;

// mime.types(5): "type/subtype ext ext ...", '#' comments. A later line wins, as in Python's
// mimetypes. Text types are sent as UTF-8, as the built-in table's are.
Table read_mime_types(std::istream& in) {
  Table table;
  std::string line;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    std::istringstream words(line);
    std::string type;
    if (!(words >> type) || type.find('/') == std::string::npos) continue;
    if (type.starts_with("text/")) type += "; charset=utf-8";
    for (std::string ext; words >> ext;) table[text::to_lower(ext)] = type;
  }
  return table;
}

// Read once, on first use (a function-local static: thread-safe), and never changed after.
const Table& system_table() noexcept {
  static const Table table = []() noexcept {
    try {
      std::ifstream in("/etc/mime.types");
      return in ? read_mime_types(in) : Table{};
    } catch (...) {  // out of memory while reading: the built-in table serves alone
      return Table{};
    }
  }();
  return table;
}

}  // namespace

std::string_view mime_type(std::string_view name) noexcept {
  constexpr std::string_view kUnknown = "application/octet-stream";
  auto dot = name.rfind('.');
  auto slash = name.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return kUnknown;
  std::string_view ext = name.substr(dot + 1);
  if (ext.empty() || ext.size() > 32) return kUnknown;
  char lower[32];
  for (std::size_t i = 0; i < ext.size(); ++i) lower[i] = text::to_lower(ext[i]);
  const Table& system = system_table();
  if (auto it = system.find(std::string_view(lower, ext.size())); it != system.end()) return it->second;
  std::string_view builtin = builtin_type(ext);
  return builtin.empty() ? kUnknown : builtin;
}

}  // namespace wire::http
