// SPDX-License-Identifier: MIT
// What a directory entry is, as an MLSD/MLST `type` fact or a LIST line says.
#pragma once

#include <cstdint>

namespace wire::ftp {

/// The kind of a directory entry (RFC 3659 §7.5.1 for MLSx; the mode letter of `ls -l`).
///   if (entry.type == EntryType::dir) descend(entry.name);
enum class EntryType : std::uint8_t {
  unknown,  ///< not said (no type fact, or a LIST line that did not parse)
  file,     ///< a regular file
  dir,      ///< a directory
  cdir,     ///< the listed directory itself (MLSx only)
  pdir,     ///< its parent (MLSx only)
  symlink,  ///< a symbolic link (`OS.unix=slink:...`/`OS.unix=symlink` in MLSx, `l` in LIST)
  other,    ///< anything else: devices, pipes, sockets, other OS-specific types
};

}  // namespace wire::ftp
