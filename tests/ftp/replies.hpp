// SPDX-License-Identifier: MIT
// Builds the dialogue::Reply a client would get from the bytes a server sends, so the FTP
// codec's tests start from the wire.
#pragma once

#include <string_view>

#include "wire/dialogue/reply_parser.hpp"

namespace wire::ftp::test {

/// The one reply in `bytes` (which must be exactly one complete FTP reply).
dialogue::Reply reply_from(std::string_view bytes);

}  // namespace wire::ftp::test
