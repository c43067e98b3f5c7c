// SPDX-License-Identifier: MIT
// What Python's email package reads in a message, as tests/mime/mime_interop.py reports it
// ("parse FILE..."), and what it should read in one wire built: shared by the mime tests and
// the smtp tests, which read back with Python what went through a mail server.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wire/mime/mailbox.hpp"
#include "wire/mime/message.hpp"

namespace wire::test::mime {

/// Debian's Python, whose email package the tests compare with.
inline constexpr char kPython[] = "/usr/bin/python3";

/// The SHA-256 of `data`, in lower-case hex.
std::string sha256_hex(std::string_view data);

/// What one side reads in a message, in the terms of mime_interop.py's records.
struct Summary {
  std::vector<std::pair<std::string, wire::mime::Mailbox>> addresses;  // (field, mailbox) in order
  std::optional<std::string> subject, text, html;
  std::vector<std::vector<std::string>> attachments;  // file name, content type, sha256
  std::string defects = "0";
  friend bool operator==(const Summary&, const Summary&) = default;
};
std::ostream& operator<<(std::ostream& os, const Summary& s);

/// The records mime_interop.py printed, one Summary per message (with its file name).
std::vector<std::pair<std::string, Summary>> read_summaries(const std::string& out);

/// What Python should read in a message wire built from `m`.
Summary expected_summary(const wire::mime::Message& m);

}  // namespace wire::test::mime
