// SPDX-License-Identifier: MIT
// A directory entry as MLSD and MLST give it: facts, then the name (RFC 3659 §7), both sides.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "wire/dialogue/reply.hpp"
#include "wire/ftp/entry_type.hpp"
#include "wire/ftp/error.hpp"

namespace wire::ftp {

/// One MLSD line or MLST entry, `fact=value;fact=value; name`, with the common facts typed.
///   MlsxEntry e = parse_mlsx_entry("type=file;size=1024;modify=20240116141900; my file.txt");
///   e.name == "my file.txt";  e.size == 1024;  e.type == EntryType::file
struct MlsxEntry {
  /// Everything after the first SP that follows the facts, byte for byte: spaces, ";" and
  /// UTF-8 included (RFC 3659 §7.2).
  std::string name;
  EntryType type = EntryType::unknown;
  /// The type fact as sent ("file", "OS.unix=slink:/etc/x"), "" without one. A server may
  /// send types no RFC names; they are EntryType::other with the value kept here.
  std::string type_fact;
  std::optional<std::uint64_t> size;  ///< size (bytes)
  std::optional<std::int64_t> modify;  ///< modify: UTC, seconds since the Unix epoch
  std::optional<std::string> perm;    ///< perm: letters of "acdeflmprw" (RFC 3659 §7.5.5)
  std::optional<std::string> unique;  ///< unique: an identifier of the file
  std::optional<std::uint32_t> unix_mode;   ///< UNIX.mode, octal (a common OS fact)
  std::optional<std::string> unix_owner;    ///< UNIX.owner (or UNIX.uid)
  std::optional<std::string> unix_group;    ///< UNIX.group (or UNIX.gid)
  /// Every fact in the order sent, names as spelled (fact names are case-insensitive).
  std::vector<std::pair<std::string, std::string>> facts;

  /// The value of a fact, by name without regard to case.
  std::optional<std::string_view> fact(std::string_view fact_name) const noexcept;
};

/// Parses one entry (an MLSD line without its line end, or MLST's entry without its leading
/// space). Facts (`name=value;` each, no SP) are followed by one SP and the name; a line that
/// starts with SP has no facts. The typed facts must be well-formed: size digits, modify a
/// time-val, UNIX.mode octal. @throws Error (Errc::bad_facts, Errc::bad_time_val)
MlsxEntry parse_mlsx_entry(std::string_view line);
MlsxEntry parse_mlsx_entry(std::string_view line, std::error_code& ec);

/// The entries of an MLSD listing as read from the data connection: lines ended by CRLF (or
/// LF); empty lines are skipped. Stops at the first line that does not parse, with `ec` set.
std::vector<MlsxEntry> parse_mlsd(std::string_view listing, std::error_code& ec);

/// The entry of a 250 reply to MLST: the line after the first that begins with SP (RFC 3659
/// §7.2). @throws Error (Errc::unexpected_code, Errc::bad_facts, Errc::bad_time_val)
MlsxEntry parse_mlst_reply(const dialogue::Reply& reply);
MlsxEntry parse_mlst_reply(const dialogue::Reply& reply, std::error_code& ec);

/// A server's line for an entry, without the line end: the typed facts that are set, in the
/// order type, size, modify, perm, unique, UNIX.mode, UNIX.owner, UNIX.group, then SP and
/// the name. (`facts` is not written: it is what a parser found.) A name or value with CR, LF
/// or NUL cannot be written: Errc::unrepresentable_name, and nothing is returned.
///   out += format_mlsx_entry(e, ec) + "\r\n";
std::string format_mlsx_entry(const MlsxEntry& entry, std::error_code& ec);

}  // namespace wire::ftp
