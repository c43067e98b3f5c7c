// SPDX-License-Identifier: MIT
// MLSD/MLST entries (RFC 3659 §7): entry = [ facts ] SP pathname; facts = 1*( fact ";" );
// fact = factname "=" value. Fact names are case-insensitive (§7.1); values hold no ";" and
// no SP, so the first SP after the facts is where the name begins.
#include "wire/ftp/mlsx_entry.hpp"

#include <cstdio>

#include "lines.hpp"
#include "reply_check.hpp"
#include "number.hpp"
#include "wire/text/chars.hpp"
#include "wire/text/date.hpp"

namespace wire::ftp {
namespace {

// RFC 3659 §7.5.1 type values, and the OS.unix forms servers use for links.
EntryType type_of(std::string_view v) noexcept {
  if (v.empty()) return EntryType::unknown;  // "type=;" says nothing (and is not written back)
  if (text::iequals(v, "file")) return EntryType::file;
  if (text::iequals(v, "dir")) return EntryType::dir;
  if (text::iequals(v, "cdir")) return EntryType::cdir;
  if (text::iequals(v, "pdir")) return EntryType::pdir;
  constexpr std::string_view os_unix = "OS.unix=";
  if (v.size() > os_unix.size() && text::iequals(v.substr(0, os_unix.size()), os_unix)) {
    std::string_view t = v.substr(os_unix.size());
    if (text::iequals(t.substr(0, 5), "slink") || text::iequals(t, "symlink")) return EntryType::symlink;
  }
  return EntryType::other;
}

std::string_view type_name(EntryType t) noexcept {
  switch (t) {
    case EntryType::file:
      return "file";
    case EntryType::dir:
      return "dir";
    case EntryType::cdir:
      return "cdir";
    case EntryType::pdir:
      return "pdir";
    case EntryType::symlink:
      return "OS.unix=symlink";
    case EntryType::unknown:
    case EntryType::other:
      break;
  }
  return {};
}

// Sets the typed member a fact fills; false if its value is malformed.
bool apply(MlsxEntry& e, std::string_view name, std::string_view value, std::error_code& ec) {
  if (text::iequals(name, "type")) {
    e.type_fact = value;
    e.type = type_of(value);
  } else if (text::iequals(name, "size")) {
    e.size = detail::decimal(value, UINT64_MAX);
    if (!e.size) return false;
  } else if (text::iequals(name, "modify")) {
    e.modify = text::parse_time_val(value);
    if (!e.modify) {
      ec = Errc::bad_time_val;
      return false;
    }
  } else if (text::iequals(name, "perm")) {
    e.perm = value;
  } else if (text::iequals(name, "unique")) {
    e.unique = value;
  } else if (text::iequals(name, "UNIX.mode")) {
    // Octal digits, as "0755" or "755".
    if (value.empty() || value.size() > 7 || value.find_first_not_of("01234567") != std::string_view::npos) return false;
    std::uint32_t mode = 0;
    for (char c : value) mode = mode * 8 + static_cast<std::uint32_t>(c - '0');
    e.unix_mode = mode;
  } else if (text::iequals(name, "UNIX.owner") || (text::iequals(name, "UNIX.uid") && !e.unix_owner)) {
    e.unix_owner = value;
  } else if (text::iequals(name, "UNIX.group") || (text::iequals(name, "UNIX.gid") && !e.unix_group)) {
    e.unix_group = value;
  }
  return true;
}

}  // namespace

std::optional<std::string_view> MlsxEntry::fact(std::string_view fact_name) const noexcept {
  for (const auto& [n, v] : facts) {
    if (text::iequals(n, fact_name)) return std::string_view(v);
  }
  return std::nullopt;
}

MlsxEntry parse_mlsx_entry(std::string_view line, std::error_code& ec) {
  ec.clear();
  MlsxEntry e;
  std::size_t sp = line.find(' ');
  if (sp == std::string_view::npos || sp + 1 >= line.size()) {
    ec = Errc::bad_facts;  // no name
    return {};
  }
  std::string_view facts = line.substr(0, sp);
  while (!facts.empty()) {
    std::size_t semi = facts.find(';');
    if (semi == std::string_view::npos) {
      ec = Errc::bad_facts;  // each fact ends with ";"
      return {};
    }
    std::string_view fact = facts.substr(0, semi);
    std::size_t eq = fact.find('=');
    if (eq == 0 || eq == std::string_view::npos) {
      ec = Errc::bad_facts;
      return {};
    }
    std::string_view name = fact.substr(0, eq), value = fact.substr(eq + 1);
    e.facts.emplace_back(name, value);
    if (!apply(e, name, value, ec)) {
      if (!ec) ec = Errc::bad_facts;
      return {};
    }
    facts.remove_prefix(semi + 1);
  }
  e.name = line.substr(sp + 1);
  return e;
}

MlsxEntry parse_mlsx_entry(std::string_view line) {
  std::error_code ec;
  MlsxEntry e = parse_mlsx_entry(line, ec);
  if (ec) throw Error(ec, "MLSD entry: " + ec.message());
  return e;
}

std::vector<MlsxEntry> parse_mlsd(std::string_view listing, std::error_code& ec) {
  ec.clear();
  std::vector<MlsxEntry> entries;
  detail::for_each_line(listing, [&](std::string_view line) {
    MlsxEntry e = parse_mlsx_entry(line, ec);
    if (!ec) entries.push_back(std::move(e));
    return !ec;
  });
  return entries;
}

MlsxEntry parse_mlst_reply(const dialogue::Reply& reply, std::error_code& ec) {
  if ((ec = detail::check_code(reply, 250))) return {};
  // RFC 3659 §7.2: 250- text, then SP and the entry, then 250 text.
  for (std::size_t i = 1; i + 1 < reply.lines.size(); ++i) {
    std::string_view line = reply.lines[i];
    if (!line.empty() && line.front() == ' ') return parse_mlsx_entry(line.substr(1), ec);
  }
  ec = Errc::bad_facts;
  return {};
}

MlsxEntry parse_mlst_reply(const dialogue::Reply& reply) {
  return detail::parse_or_throw<MlsxEntry>(parse_mlst_reply, reply, "MLST");
}

std::string format_mlsx_entry(const MlsxEntry& e, std::error_code& ec) {
  ec.clear();
  std::string out;
  auto fact = [&](std::string_view name, std::string_view value) {
    // RFC 3659 §7.2: a value holds no ";", SP, CR or LF.
    if (value.find_first_of(std::string_view("; \r\n\0", 5)) != std::string_view::npos) {
      ec = Errc::unrepresentable_name;
      return;
    }
    out += name;
    out += '=';
    out += value;
    out += ';';
  };
  if (!e.type_fact.empty()) {
    fact("type", e.type_fact);
  } else if (!type_name(e.type).empty()) {
    fact("type", type_name(e.type));
  }
  if (e.size) fact("size", std::to_string(*e.size));
  if (e.modify) fact("modify", text::format_time_val(*e.modify));
  if (e.perm) fact("perm", *e.perm);
  if (e.unique) fact("unique", *e.unique);
  if (e.unix_mode) {
    char mode[16];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(*e.unix_mode));
    fact("UNIX.mode", mode);
  }
  if (e.unix_owner) fact("UNIX.owner", *e.unix_owner);
  if (e.unix_group) fact("UNIX.group", *e.unix_group);
  if (e.name.empty() || text::has_line_break(e.name)) ec = Errc::unrepresentable_name;
  if (ec) return {};
  out += ' ';
  out += e.name;
  return out;
}

}  // namespace wire::ftp
