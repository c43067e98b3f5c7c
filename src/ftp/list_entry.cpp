// SPDX-License-Identifier: MIT
// LIST lines, best-effort. No RFC defines them (RFC 959 §4.1.3: "the format ... is
// system-dependent"); servers send one of two shapes:
//
//   Unix ls -l:  perms links owner [group] size month day (hh:mm | year) name[ -> target]
//   DOS / IIS:   MM-DD-YY[YY]  hh:mm[AM|PM]  (<DIR> | size)  name
//
// Rule: a line is read field by field from the left until the date is found; everything after
// the date and one SP is the name, so names keep their spaces. What does not fit is unparsed,
// never an error: a listing of a thousand lines is not lost to one odd line.
#include "wire/ftp/list_entry.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "lines.hpp"
#include "number.hpp"
#include "wire/text/chars.hpp"

namespace wire::ftp {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::int64_t kDay = 86'400;

// A field of the line and where it ends.
struct Field {
  std::string_view text;
  std::size_t end;
};

// Up to `max` space-separated fields from the start of `line`.
std::vector<Field> fields(std::string_view line, std::size_t max) {
  std::vector<Field> out;
  std::size_t i = 0;
  while (out.size() < max) {
    while (i < line.size() && line[i] == ' ') ++i;
    if (i == line.size()) break;
    std::size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    out.push_back({line.substr(start, i - start), i});
  }
  return out;
}

int month_of(std::string_view s) {
  for (std::size_t m = 0; m < kMonths.size(); ++m) {
    if (text::iequals(s, kMonths[m])) return static_cast<int>(m + 1);
  }
  return 0;
}

int number(std::string_view s, std::uint64_t max, std::size_t digits) {
  auto v = detail::decimal(s, max, digits);
  return v ? static_cast<int>(*v) : -1;
}

// "hh:mm" into t, 00-23 and 00-59.
bool clock_time(std::string_view s, text::CivilTime& t) {
  std::size_t colon = s.find(':');
  if (colon == std::string_view::npos || s.size() - colon - 1 != 2) return false;
  t.hour = number(s.substr(0, colon), 23, 2);
  t.minute = number(s.substr(colon + 1), 59, 2);
  return t.hour >= 0 && t.minute >= 0;
}

// The day `t` falls on, as seconds since the epoch (for comparing calendar dates only).
std::int64_t day_of(text::CivilTime t) {
  t.hour = t.minute = t.second = 0;
  return text::to_unix_seconds(t);
}

// "Mon dd hh:mm" (within six months: the year that puts it at most a day after now's date)
// or "Mon dd yyyy".
std::optional<text::CivilTime> unix_date(std::string_view mon, std::string_view dd, std::string_view last,
                                         const text::CivilTime& now) {
  text::CivilTime t;
  t.month = month_of(mon);
  t.day = number(dd, 31, 2);
  if (t.month == 0 || t.day < 1) return std::nullopt;
  if (clock_time(last, t)) {
    t.year = now.year;
    if (!text::is_valid(t) || day_of(t) > day_of(now) + kDay) --t.year;  // Feb 29, or ahead of now
  } else {
    t.year = last.size() == 4 ? number(last, 9999, 4) : -1;
  }
  if (t.year < 0 || !text::is_valid(t)) return std::nullopt;
  return t;
}

// "yyyy-mm-dd" "hh:mm" (ls --time-style=long-iso).
std::optional<text::CivilTime> iso_date(std::string_view ymd, std::string_view hm) {
  if (ymd.size() != 10 || ymd[4] != '-' || ymd[7] != '-') return std::nullopt;
  text::CivilTime t;
  t.year = number(ymd.substr(0, 4), 9999, 4);
  t.month = number(ymd.substr(5, 2), 12, 2);
  t.day = number(ymd.substr(8, 2), 31, 2);
  if (t.year < 0 || !clock_time(hm, t) || !text::is_valid(t)) return std::nullopt;
  return t;
}

bool is_permissions(std::string_view s) {
  // The type letter, nine permission letters, and maybe an ACL/xattr mark.
  if (s.size() < 10 || s.size() > 11) return false;
  if (std::string_view("-dlcbpsDn?").find(s[0]) == std::string_view::npos) return false;
  for (std::size_t i = 1; i < 10; ++i) {
    if (std::string_view("-rwxsStTlL").find(s[i]) == std::string_view::npos) return false;
  }
  return s.size() == 10 || s[10] == '+' || s[10] == '@' || s[10] == '.';
}

bool parse_unix(std::string_view line, const text::CivilTime& now, ListEntry& e) {
  auto f = fields(line, 12);
  if (f.size() < 6 || !is_permissions(f[0].text)) return false;
  // Find the date (month day time-or-year, or an ISO date and time) after a size. First where
  // `ls -l` puts it, after links, owner, group and size (field 5) or without the group (4):
  // an owner "Jan" with a group "14" and a size 1234 must not read as a date. Then anywhere
  // from field 2, for servers that leave out the links or print devices.
  std::size_t date_at = 0, name_from = 0;
  std::optional<text::CivilTime> when;
  auto try_at = [&](std::size_t k) {
    if (k < 2 || k + 1 >= f.size() || !detail::decimal(f[k - 1].text, UINT64_MAX)) return;
    if (k + 2 < f.size()) {
      when = unix_date(f[k].text, f[k + 1].text, f[k + 2].text, now);
      name_from = f[k + 2].end;
    }
    if (!when) {
      when = iso_date(f[k].text, f[k + 1].text);
      name_from = f[k + 1].end;
    }
    date_at = k;
  };
  try_at(5);
  if (!when) try_at(4);
  for (std::size_t k = 2; k < f.size() && !when; ++k) try_at(k);
  // The name follows the date after one SP.
  if (!when || name_from + 1 >= line.size()) return false;
  e.format = ListEntry::Format::unix;
  e.modify = when;
  e.size = detail::decimal(f[date_at - 1].text, UINT64_MAX);
  switch (f[0].text[0]) {
    case '-':
      e.type = EntryType::file;
      break;
    case 'd':
      e.type = EntryType::dir;
      break;
    case 'l':
      e.type = EntryType::symlink;
      break;
    default:
      e.type = EntryType::other;
  }
  e.permissions = f[0].text.substr(1, 9);
  // Between the permissions and the size: links, owner and group, some of them missing.
  std::size_t first = 1, last = date_at - 1;  // [first, last)
  // A device has "major, minor" where a file has its size.
  if (last > first && f[last - 1].text.size() > 1 && f[last - 1].text.back() == ',') {
    e.size.reset();
    --last;
  }
  if (first < last && detail::decimal(f[first].text, UINT64_MAX)) e.links = detail::decimal(f[first++].text, UINT64_MAX);
  if (first < last) e.owner = f[first++].text;
  if (first < last) e.group = f[last - 1].text;
  e.name = line.substr(name_from + 1);
  if (e.type == EntryType::symlink) {
    // The first arrow after at least one byte of name: a name is never empty.
    std::size_t arrow = e.name.find(" -> ", 1);
    if (arrow != std::string::npos) {
      e.link_target = e.name.substr(arrow + 4);
      e.name.resize(arrow);
    }
  }
  return true;
}

bool parse_dos(std::string_view line, ListEntry& e) {
  auto f = fields(line, 3);
  if (f.size() < 3) return false;
  // MM-DD-YY or MM-DD-YYYY
  std::string_view d = f[0].text;
  if ((d.size() != 8 && d.size() != 10) || d[2] != '-' || d[5] != '-') return false;
  text::CivilTime t;
  t.month = number(d.substr(0, 2), 12, 2);
  t.day = number(d.substr(3, 2), 31, 2);
  t.year = number(d.substr(6), 9999, 4);
  if (t.year < 0) return false;
  if (d.size() == 8) t.year += t.year < 70 ? 2000 : 1900;
  // hh:mm with AM/PM (12-hour) or without (24-hour).
  std::string_view hm = f[1].text;
  std::string_view half = hm.size() > 2 ? hm.substr(hm.size() - 2) : std::string_view();
  if (text::iequals(half, "AM") || text::iequals(half, "PM")) {
    if (!clock_time(hm.substr(0, hm.size() - 2), t) || t.hour < 1 || t.hour > 12) return false;
    t.hour %= 12;  // 12:05AM is five past midnight, 12:30PM half past noon
    if (text::iequals(half, "PM")) t.hour += 12;
  } else if (!clock_time(hm, t)) {
    return false;
  }
  if (!text::is_valid(t)) return false;
  // Then <DIR> or the size, and the name after the spaces that align the columns.
  std::string_view what = f[2].text;
  std::size_t name_at = f[2].end;
  while (name_at < line.size() && line[name_at] == ' ') ++name_at;
  if (name_at >= line.size()) return false;
  if (text::iequals(what, "<DIR>")) {
    e.type = EntryType::dir;
  } else if (auto size = detail::decimal(what, UINT64_MAX)) {
    e.type = EntryType::file;
    e.size = size;
  } else {
    return false;
  }
  e.format = ListEntry::Format::dos;
  e.modify = t;
  e.name = line.substr(name_at);
  return true;
}

}  // namespace

ListEntry parse_list_line(std::string_view line, const text::CivilTime& now) {
  ListEntry e;
  e.line = line;
  if (parse_unix(line, now, e) || parse_dos(line, e)) return e;
  ListEntry unparsed;
  unparsed.line = line;
  return unparsed;
}

std::vector<ListEntry> parse_list(std::string_view listing, const text::CivilTime& now) {
  std::vector<ListEntry> entries;
  detail::for_each_line(listing, [&](std::string_view line) {
    // "total 42": the block count ls prints first.
    if (line.substr(0, 6) != "total " || !detail::decimal(line.substr(6), UINT64_MAX)) {
      entries.push_back(parse_list_line(line, now));
    }
    return true;
  });
  return entries;
}

std::string format_list_line(const ListEntry& e, const text::CivilTime& now, std::error_code& ec) {
  ec.clear();
  if (e.name.empty() || text::has_line_break(e.name) || text::has_line_break(e.link_target) ||
      text::has_line_break(e.owner) || text::has_line_break(e.group)) {
    ec = Errc::unrepresentable_name;
    return {};
  }
  char type = '-';
  switch (e.type) {
    case EntryType::dir:
    case EntryType::cdir:
    case EntryType::pdir:
      type = 'd';
      break;
    case EntryType::symlink:
      type = 'l';
      break;
    case EntryType::other:
      type = '?';
      break;
    case EntryType::file:
    case EntryType::unknown:
      break;
  }
  std::string perms = e.permissions.size() == 9 ? e.permissions : "---------";
  const text::CivilTime when = e.modify.value_or(text::CivilTime{});
  // ls: the time for the last six months, the year otherwise (and for the future).
  const std::int64_t age = text::to_unix_seconds(now) - text::to_unix_seconds(when);
  const bool recent = age >= 0 && age < 183 * kDay;
  const char* month = kMonths[static_cast<std::size_t>(std::clamp(when.month, 1, 12) - 1)].data();
  char date[32];
  if (recent) {
    std::snprintf(date, sizeof date, "%s %2d %02d:%02d", month, when.day, when.hour, when.minute);
  } else {
    std::snprintf(date, sizeof date, "%s %2d  %4d", month, when.day, when.year);
  }
  const std::string owner = e.owner.empty() ? "ftp" : e.owner;
  const std::string group = e.group.empty() ? "ftp" : e.group;
  char head[64];
  std::snprintf(head, sizeof head, "%c%s %3llu ", type, perms.c_str(),
                static_cast<unsigned long long>(e.links.value_or(1)));
  char size[32];
  std::snprintf(size, sizeof size, " %12llu ", static_cast<unsigned long long>(e.size.value_or(0)));
  std::string out = head;
  out += owner;
  if (owner.size() < 8) out.append(8 - owner.size(), ' ');
  out += ' ';
  out += group;
  if (group.size() < 8) out.append(8 - group.size(), ' ');
  out += size;
  out += date;
  out += ' ';
  out += e.name;
  if (e.type == EntryType::symlink && !e.link_target.empty()) {
    out += " -> ";
    out += e.link_target;
  }
  return out;
}

}  // namespace wire::ftp
