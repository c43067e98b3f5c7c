// SPDX-License-Identifier: MIT
#include "usage.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace wire::cli {
namespace {

// Edits (insert, delete, replace) between a and b: Levenshtein's distance.
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The command the parse got to: the last subcommand of the last subcommand of `root`...
const CLI::App* deepest(const CLI::App& root) {
  const CLI::App* app = &root;
  for (auto subs = app->get_subcommands(); !subs.empty(); subs = app->get_subcommands()) app = subs.back();
  return app;
}

// "wire http get"
std::string command_path(const CLI::App* app) {
  std::string path = app->get_name();
  for (const CLI::App* p = app->get_parent(); p; p = p->get_parent()) path = p->get_name() + " " + path;
  return path;
}

std::vector<std::string> subcommand_names(const CLI::App* app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app->get_subcommands([](const CLI::App*) { return true; })) names.push_back(sub->get_name());
  return names;
}

std::vector<std::string> option_names(const CLI::App* app) {
  std::vector<std::string> names;
  for (const CLI::Option* opt : app->get_options()) {
    for (const auto& l : opt->get_lnames()) names.push_back("--" + l);
    for (const auto& s : opt->get_snames()) names.push_back("-" + s);
  }
  return names;
}

std::string suggestion(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best = closest(word, candidates);
  return best.empty() ? std::string() : " (did you mean '" + best + "'?)";
}

// What was left over: an unknown command, an unknown option or an argument too many.
std::string leftover_message(const CLI::App* app, const std::vector<std::string>& left, bool wants_command) {
  auto option = std::find_if(left.begin(), left.end(), [](const std::string& a) { return a.size() > 1 && a[0] == '-'; });
  if (option != left.end()) {
    std::string name = option->substr(0, option->find('='));
    return "unknown option '" + name + "'" + suggestion(name, option_names(app));
  }
  if (wants_command) return "unknown command '" + left.front() + "'" + suggestion(left.front(), subcommand_names(app));
  return "unexpected argument '" + left.front() + "'";
}

std::string parse_error_message(const CLI::App* app, const CLI::Error& e) {
  std::string what = e.what();
  bool wants_command = app->get_require_subcommand_min() > 0 && app->get_subcommands().empty();
  std::vector<std::string> left = app->remaining();
  if (dynamic_cast<const CLI::ExtrasError*>(&e) || (wants_command && !left.empty())) {
    if (!left.empty()) return leftover_message(app, left, wants_command);
  }
  if (wants_command && dynamic_cast<const CLI::RequiredError*>(&e)) {
    std::string names;
    for (const auto& n : subcommand_names(app)) names += (names.empty() ? "" : ", ") + n;
    return "missing command: one of " + names;
  }
  // "Could not convert: --port = 70000": what CLI11 says when a value does not fit the type.
  constexpr std::string_view kConvert = "Could not convert: ";
  if (what.starts_with(kConvert)) {
    auto eq = what.find(" = ");
    if (eq != std::string::npos) {
      return "'" + what.substr(eq + 3) + "' is not a valid value for " + what.substr(kConvert.size(), eq - kConvert.size());
    }
  }
  return what;
}

}  // namespace

std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = 3;
  for (const auto& c : candidates) {
    std::size_t d = c.starts_with(word) && word.size() >= 2 ? 1 : distance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string usage_message(const CLI::App& root, const CLI::Error& e) {
  const CLI::App* app = deepest(root);
  std::string path = command_path(app);
  std::string line = path + ": " + parse_error_message(app, e) + " (see " + path + " --help)";
  std::replace(line.begin(), line.end(), '\n', ' ');
  return line;
}

CLI::Validator whole_number(long long min, long long max) {
  std::string range = "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
  return CLI::Validator(
      [min, max, range](std::string& input) -> std::string {
        long long value = 0;
        auto [end, ec] = std::from_chars(input.data(), input.data() + input.size(), value);
        if (ec == std::errc() && end == input.data() + input.size() && value >= min && value <= max) return {};
        return "'" + input + "' is not " + range;
      },
      "INT in [" + std::to_string(min) + " - " + std::to_string(max) + "]");
}

CLI::Validator decimal(double min, double max) {
  char range[96];
  std::snprintf(range, sizeof range, "a number from %g to %g", min, max);
  return CLI::Validator(
      [min, max, text = std::string(range)](std::string& input) -> std::string {
        char* end = nullptr;
        double value = std::strtod(input.c_str(), &end);
        if (!input.empty() && end == input.c_str() + input.size() && value >= min && value <= max) return {};
        return "'" + input + "' is not " + text;
      },
      "NUMBER in [" + std::string(range + 14) + "]");
}

}  // namespace wire::cli
