// SPDX-License-Identifier: MIT
// A directory entry as a LIST line gives it, parsed best-effort, and the server's LIST line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "wire/ftp/entry_type.hpp"
#include "wire/ftp/error.hpp"
#include "wire/text/date.hpp"

namespace wire::ftp {

/// One line of a LIST reply. LIST has no standard format (RFC 959 §4.1.3 leaves it to the
/// system); this reads the two that servers use: Unix `ls -l` and DOS/IIS. A line neither
/// fits is Format::unparsed, with only `line` set.
///   for (auto& e : parse_list(data, text::to_civil(std::time(nullptr))))
///     if (e.format != ListEntry::Format::unparsed) ...
struct ListEntry {
  enum class Format : std::uint8_t { unparsed, unix, dos };

  Format format = Format::unparsed;
  EntryType type = EntryType::unknown;
  std::string name;         ///< everything after the date, spaces and UTF-8 kept
  std::string link_target;  ///< for a symbolic link `name -> target` (Unix)
  std::optional<std::uint64_t> size;
  /// The time as the server printed it, to the minute: a calendar time in the server's own
  /// (unknown) time zone, not a moment. A Unix line within the last six months shows no year:
  /// the year is the one that puts the date at most a day after `now`'s.
  std::optional<text::CivilTime> modify;
  std::string permissions;  ///< the nine letters after the type letter, e.g. "rwxr-xr-x" (Unix)
  std::optional<std::uint64_t> links;  ///< Unix
  std::string owner;        ///< Unix
  std::string group;        ///< Unix; "" when the server lists no group column
  std::string line;         ///< the line as received, without its line end
};

/// Parses one LIST line (without its line end). Never fails: what does not fit is unparsed.
ListEntry parse_list_line(std::string_view line, const text::CivilTime& now);

/// The entries of a LIST reply as read from the data connection: lines ended by CRLF or LF,
/// without empty lines and `total N` lines.
std::vector<ListEntry> parse_list(std::string_view listing, const text::CivilTime& now);

/// A server's LIST line (without its line end), in the `ls -l` form clients parse:
/// `drwxr-xr-x   2 owner    group        4096 Jan 16 14:19 name` (the year instead of the time
/// when `modify` is more than six months before `now` or after it, both in the zone the
/// server shows); `name -> link_target` for a link. Uses type, permissions (or `---------`),
/// links (1), owner and group ("ftp"), size (0), modify (1970-01-01), name.
/// Errc::unrepresentable_name if the name, target, owner or group has CR, LF or NUL.
std::string format_list_line(const ListEntry& entry, const text::CivilTime& now, std::error_code& ec);

}  // namespace wire::ftp
