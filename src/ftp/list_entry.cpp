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

#include <array>
#include <cstdio>

#include "text.hpp"

namespace wire::ftp {
namespace {

using namespace std::chrono;

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

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

std::optional<unsigned> month_of(std::string_view s) {
  for (std::size_t m = 0; m < kMonths.size(); ++m) {
    if (detail::iequals(s, kMonths[m])) return static_cast<unsigned>(m + 1);
  }
  return std::nullopt;
}

// "hh:mm", 00-23 and 00-59.
std::optional<minutes> clock_time(std::string_view s) {
  std::size_t colon = s.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto h = detail::decimal(s.substr(0, colon), 23, 2);
  auto m = detail::decimal(s.substr(colon + 1), 59, 2);
  if (!h || !m || s.size() - colon - 1 != 2) return std::nullopt;
  return hours(*h) + minutes(*m);
}

std::optional<local_days> date_of(int y, unsigned m, unsigned d) {
  year_month_day ymd{year(y), month(m), day(d)};
  if (!ymd.ok()) return std::nullopt;
  return local_days(ymd);
}

// "Mon dd hh:mm" (within six months: the year that puts it at most a day after today) or
// "Mon dd yyyy".
std::optional<local_seconds> unix_date(std::string_view mon, std::string_view dd, std::string_view last,
                                       sys_days today) {
  auto m = month_of(mon);
  auto d = detail::decimal(dd, 31, 2);
  if (!m || !d) return std::nullopt;
  if (auto t = clock_time(last)) {
    const local_days now{today.time_since_epoch()};
    int y = static_cast<int>(year_month_day(today).year());
    auto date = date_of(y, *m, static_cast<unsigned>(*d));
    if (date && *date > now + days(1)) date = date_of(y - 1, *m, static_cast<unsigned>(*d));
    if (!date) date = date_of(y - 1, *m, static_cast<unsigned>(*d));  // Feb 29
    if (!date) return std::nullopt;
    return *date + *t;
  }
  auto y = detail::decimal(last, 9999, 4);
  if (!y || last.size() != 4) return std::nullopt;
  auto date = date_of(static_cast<int>(*y), *m, static_cast<unsigned>(*d));
  if (!date) return std::nullopt;
  return local_seconds(*date);
}

// "yyyy-mm-dd" "hh:mm" (ls --time-style=long-iso).
std::optional<local_seconds> iso_date(std::string_view ymd, std::string_view hm) {
  if (ymd.size() != 10 || ymd[4] != '-' || ymd[7] != '-') return std::nullopt;
  auto y = detail::decimal(ymd.substr(0, 4), 9999, 4);
  auto m = detail::decimal(ymd.substr(5, 2), 12, 2);
  auto d = detail::decimal(ymd.substr(8, 2), 31, 2);
  auto t = clock_time(hm);
  if (!y || !m || !d || !t) return std::nullopt;
  auto date = date_of(static_cast<int>(*y), static_cast<unsigned>(*m), static_cast<unsigned>(*d));
  if (!date) return std::nullopt;
  return *date + *t;
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

bool parse_unix(std::string_view line, sys_days today, ListEntry& e) {
  auto f = fields(line, 12);
  if (f.size() < 6 || !is_permissions(f[0].text)) return false;
  // Find the date: month day time-or-year (or ISO date and time), after a size.
  std::size_t date_at = 0, name_from = 0;
  std::optional<local_seconds> when;
  for (std::size_t k = 2; k + 1 < f.size() && !when; ++k) {
    if (!detail::decimal(f[k - 1].text, UINT64_MAX)) continue;
    if (k + 2 < f.size()) {
      when = unix_date(f[k].text, f[k + 1].text, f[k + 2].text, today);
      name_from = f[k + 2].end;
    }
    if (!when) {
      when = iso_date(f[k].text, f[k + 1].text);
      name_from = f[k + 1].end;
    }
    date_at = k;
  }
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
    std::size_t arrow = e.name.find(" -> ");
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
  auto mo = detail::decimal(d.substr(0, 2), 12, 2);
  auto dd = detail::decimal(d.substr(3, 2), 31, 2);
  auto yy = detail::decimal(d.substr(6), 9999, 4);
  if (!mo || !dd || !yy) return false;
  int y = static_cast<int>(*yy);
  if (d.size() == 8) y += y < 70 ? 2000 : 1900;
  // hh:mm with AM/PM (12-hour) or without (24-hour).
  std::string_view t = f[1].text;
  std::optional<minutes> time;
  if (t.size() > 2 && (detail::iequals(t.substr(t.size() - 2), "AM") || detail::iequals(t.substr(t.size() - 2), "PM"))) {
    bool pm = detail::iequals(t.substr(t.size() - 2), "PM");
    time = clock_time(t.substr(0, t.size() - 2));
    if (!time || *time < hours(1) || *time >= hours(13)) return false;
    if (*time >= hours(12)) *time -= hours(12);  // 12:xxAM is just after midnight
    if (pm) *time += hours(12);
  } else {
    time = clock_time(t);
  }
  auto date = date_of(y, static_cast<unsigned>(*mo), static_cast<unsigned>(*dd));
  if (!time || !date) return false;
  // Then <DIR> or the size, and the name after the spaces that align the columns.
  std::string_view what = f[2].text;
  std::size_t name_at = f[2].end;
  while (name_at < line.size() && line[name_at] == ' ') ++name_at;
  if (name_at >= line.size()) return false;
  if (detail::iequals(what, "<DIR>")) {
    e.type = EntryType::dir;
  } else if (auto size = detail::decimal(what, UINT64_MAX)) {
    e.type = EntryType::file;
    e.size = size;
  } else {
    return false;
  }
  e.format = ListEntry::Format::dos;
  e.modify = *date + *time;
  e.name = line.substr(name_at);
  return true;
}

}  // namespace

ListEntry parse_list_line(std::string_view line, sys_days today) {
  ListEntry e;
  e.line = line;
  if (parse_unix(line, today, e) || parse_dos(line, e)) return e;
  ListEntry unparsed;
  unparsed.line = line;
  return unparsed;
}

std::vector<ListEntry> parse_list(std::string_view listing, sys_days today) {
  std::vector<ListEntry> entries;
  while (!listing.empty()) {
    std::size_t lf = listing.find('\n');
    std::string_view line = listing.substr(0, lf);
    listing.remove_prefix(lf == std::string_view::npos ? listing.size() : lf + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    // "total 42": the block count ls prints first.
    if (line.size() > 6 && line.substr(0, 6) == "total " && detail::decimal(line.substr(6), UINT64_MAX)) continue;
    entries.push_back(parse_list_line(line, today));
  }
  return entries;
}

std::string format_list_line(const ListEntry& e, local_seconds now, std::error_code& ec) {
  ec.clear();
  auto bad = [](std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos; };
  if (e.name.empty() || bad(e.name) || bad(e.link_target) || bad(e.owner) || bad(e.group)) {
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
  const local_seconds when = e.modify.value_or(local_seconds{});
  const local_days day = floor<days>(when);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> hms{when - day};
  // ls: the time for the last six months, the year otherwise (and for the future).
  const bool recent = when <= now && now - when < days(183);
  char date[32];
  if (recent) {
    std::snprintf(date, sizeof date, "%s %2u %02d:%02d", kMonths[static_cast<unsigned>(ymd.month()) - 1].data(),
                  static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()));
  } else {
    std::snprintf(date, sizeof date, "%s %2u  %4d", kMonths[static_cast<unsigned>(ymd.month()) - 1].data(),
                  static_cast<unsigned>(ymd.day()), static_cast<int>(ymd.year()));
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
