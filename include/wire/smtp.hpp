// SPDX-License-Identifier: MIT
// wire::smtp: sending and receiving mail over SMTP (RFC 5321 and its extensions).
#pragma once

#include "wire/smtp/client.hpp"
#include "wire/smtp/data_encoder.hpp"
#include "wire/smtp/data_parser.hpp"
#include "wire/smtp/enhanced_status.hpp"
#include "wire/smtp/envelope.hpp"
#include "wire/smtp/error.hpp"
#include "wire/smtp/extensions.hpp"
#include "wire/smtp/sasl.hpp"
#include "wire/smtp/maildir.hpp"
#include "wire/smtp/server.hpp"
