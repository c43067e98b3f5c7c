// SPDX-License-Identifier: MIT
// wire::mime: mail messages (RFC 5322 and MIME) built as pull sources and parsed as they
// arrive; no I/O. docs/mail.md.
#pragma once

#include "wire/mime/charset.hpp"
#include "wire/mime/content_disposition.hpp"
#include "wire/mime/content_type.hpp"
#include "wire/mime/encoded_word.hpp"
#include "wire/mime/error.hpp"
#include "wire/mime/mailbox.hpp"
#include "wire/mime/message.hpp"
#include "wire/mime/message_writer.hpp"
#include "wire/mime/parameters.hpp"
#include "wire/mime/parser.hpp"
#include "wire/mime/part.hpp"
#include "wire/mime/quoted_printable.hpp"

