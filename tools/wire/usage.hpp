// SPDX-License-Identifier: MIT
// Command-line mistakes in one line that names the real one: CLI11's failures rewritten, and
// the validators the commands share.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace wire::cli {

/// The one line (without "\n") reporting CLI11's failure `e` to parse `root`'s command line,
/// naming the command it happened in and the real mistake: an unknown command (with the
/// closest one, if any is close), an unknown option, a value out of range.
///   "wire http: unknown command 'gett' (did you mean 'get'?)"
std::string usage_message(const CLI::App& root, const CLI::Error& e);

/// The closest of `candidates` to `word` (at most two edits away, or a prefix of it), or "".
std::string closest(std::string_view word, const std::vector<std::string>& candidates);

/// A validator: a whole number from `min` to `max` ("'70000' is not a whole number from 0 to
/// 65535").
CLI::Validator whole_number(long long min, long long max);
/// A validator: a decimal number from `min` to `max` ("'-1' is not a number from 0 to 1e+09").
CLI::Validator decimal(double min, double max);

}  // namespace wire::cli
