// SPDX-License-Identifier: MIT
// wire::dialogue: the line-dialogue engine FTP and SMTP share (3-digit replies, command
// lines, and a client core that pairs replies with pipelined commands). Sans-I/O.
#pragma once

#include "wire/dialogue/client_dialogue.hpp"
#include "wire/dialogue/command.hpp"
#include "wire/dialogue/command_parser.hpp"
#include "wire/dialogue/error.hpp"
#include "wire/dialogue/reply.hpp"
#include "wire/dialogue/reply_parser.hpp"
#include "wire/dialogue/syntax.hpp"
