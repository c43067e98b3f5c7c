// SPDX-License-Identifier: MIT
// wire::http's URLs are wire::text's (RFC 3986), under the names HTTP code has always used:
// http::Url, http::UrlError, http::resolve(), http::percent_encode() and the rest.
#pragma once

#include "wire/text/percent.hpp"
#include "wire/text/url.hpp"

namespace wire::http {

using text::HostKind;
using text::percent_decode;
using text::percent_encode;
using text::remove_dot_segments;
using text::resolve;
using text::Url;
using text::UrlError;

}  // namespace wire::http
