// SPDX-License-Identifier: MIT
// wire::ftp: the FTP codec (sans-I/O): data-connection addresses, SIZE, MDTM, REST, 257 path
// names, FEAT, MLSD/MLST entries and LIST lines.
#pragma once

#include "wire/ftp/codec.hpp"
#include "wire/ftp/entry_type.hpp"
#include "wire/ftp/error.hpp"
#include "wire/ftp/features.hpp"
#include "wire/ftp/list_entry.hpp"
#include "wire/ftp/mlsx_entry.hpp"
