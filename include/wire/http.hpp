// SPDX-License-Identifier: MIT
// wire::http: the HTTP/1.1 core (URLs, headers, messages, the sans-I/O parsers and the
// serializer), the client and the server.
#pragma once

#include "wire/http/client.hpp"
#include "wire/http/connection.hpp"
#include "wire/http/cookies.hpp"
#include "wire/http/error.hpp"
#include "wire/http/headers.hpp"
#include "wire/http/message.hpp"
#include "wire/http/parser.hpp"
#include "wire/http/serializer.hpp"
#include "wire/http/server.hpp"
#include "wire/http/url.hpp"
