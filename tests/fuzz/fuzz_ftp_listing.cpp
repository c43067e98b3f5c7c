// SPDX-License-Identifier: MIT
// Fuzzes the listing parsers: LIST and MLSD data of any bytes parse or are refused, never
// crash; an entry that parses formats (the server's side) back to a line that parses to the
// same entry.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "wire/ftp.hpp"

using namespace wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const text::CivilTime now{2024, 3, 10, 12, 0, 0};

  for (const ftp::ListEntry& e : ftp::parse_list(input, now)) {
    if (e.format == ftp::ListEntry::Format::unparsed) {
      if (!e.name.empty() || e.type != ftp::EntryType::unknown) std::abort();
      continue;
    }
    if (e.name.empty()) std::abort();
    std::error_code ec;
    std::string line = ftp::format_list_line(e, now, ec);
    if (ec || (e.modify && e.modify->year < 1000)) continue;
    ftp::ListEntry back = ftp::parse_list_line(line, now);
    if (back.format != ftp::ListEntry::Format::unix || back.name != e.name || back.link_target != e.link_target) {
      std::abort();
    }
    // Files and directories keep their type and size (a DOS directory has none: 0 is written).
    if ((e.type == ftp::EntryType::file || e.type == ftp::EntryType::dir) &&
        (back.type != e.type || (e.size && back.size != e.size))) {
      std::abort();
    }
  }

  std::error_code ec;
  for (const ftp::MlsxEntry& e : ftp::parse_mlsd(input, ec)) {
    std::error_code fec;
    std::string line = ftp::format_mlsx_entry(e, fec);
    if (fec) continue;
    ftp::MlsxEntry back = ftp::parse_mlsx_entry(line, fec);
    if (fec || back.name != e.name || back.type != e.type || back.type_fact != e.type_fact || back.size != e.size ||
        back.modify != e.modify || back.perm != e.perm || back.unique != e.unique || back.unix_mode != e.unix_mode ||
        back.unix_owner != e.unix_owner || back.unix_group != e.unix_group) {
      std::abort();
    }
  }
  return 0;
}
