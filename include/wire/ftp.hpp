// SPDX-License-Identifier: MIT
// wire::ftp: the FTP codec (sans-I/O: data-connection addresses, SIZE, MDTM, REST, 257 path
// names, FEAT, MLSD/MLST entries and LIST lines), the client (AsyncClient, Client) and the
// server (Server), FTPS included.
#pragma once

#include "wire/ftp/async_client.hpp"
#include "wire/ftp/client.hpp"
#include "wire/ftp/client_options.hpp"
#include "wire/ftp/codec.hpp"
#include "wire/ftp/entry_type.hpp"
#include "wire/ftp/error.hpp"
#include "wire/ftp/features.hpp"
#include "wire/ftp/list_entry.hpp"
#include "wire/ftp/mlsx_entry.hpp"
#include "wire/ftp/server.hpp"
