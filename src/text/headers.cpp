// SPDX-License-Identifier: MIT
#include "wire/text/headers.hpp"

#include <functional>
#include <limits>
#include <stdexcept>

#include "wire/text/chars.hpp"

namespace wire::text {

Headers::Headers(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  entries_.reserve(fields.size());
  for (const auto& [name, value] : fields) add(name, value);
}

std::uint32_t Headers::append(std::string_view s) {
  if (buf_.size() + s.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw std::length_error("wire::text::Headers: more than 4 GiB of fields");
  }
  auto off = static_cast<std::uint32_t>(buf_.size());
  buf_.append(s);
  return off;
}

bool Headers::views_buffer(std::string_view s) const noexcept {
  std::less<const char*> before;
  return !s.empty() && !before(s.data(), buf_.data()) && before(s.data(), buf_.data() + buf_.size());
}

void Headers::add(std::string_view name, std::string_view value) {
  if (views_buffer(name) || views_buffer(value)) {
    // Appending may move the buffer these view: copy them first.
    add(std::string(name), std::string(value));
    return;
  }
  Entry e{};
  e.name_off = append(name);
  e.name_len = static_cast<std::uint32_t>(name.size());
  e.value_off = append(value);
  e.value_len = static_cast<std::uint32_t>(value.size());
  entries_.push_back(e);
}

void Headers::set(std::string_view name, std::string_view value) {
  if (views_buffer(name) || views_buffer(value)) {
    set(std::string(name), std::string(value));
    return;
  }
  std::size_t first = find(name);
  if (first == npos) {
    add(name, value);
    return;
  }
  garbage_ += entries_[first].value_len;
  std::uint32_t off = append(value);
  entries_[first].value_off = off;
  entries_[first].value_len = static_cast<std::uint32_t>(value.size());
  for (std::size_t i = find(name, first + 1); i != npos; i = find(name, i)) {
    garbage_ += entries_[i].name_len + entries_[i].value_len;
    entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(i));
  }
  if (garbage_ > buf_.size() / 2) compact();
}

std::size_t Headers::remove(std::string_view name) {
  std::size_t removed = 0;
  for (std::size_t i = find(name); i != npos; i = find(name, i)) {
    garbage_ += entries_[i].name_len + entries_[i].value_len;
    entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(i));
    ++removed;
  }
  if (garbage_ > buf_.size() / 2) compact();
  return removed;
}

void Headers::clear() noexcept {
  buf_.clear();
  entries_.clear();
  garbage_ = 0;
}

void Headers::compact() {
  std::string fresh;
  fresh.reserve(buf_.size() - garbage_);
  for (Entry& e : entries_) {
    auto name_off = static_cast<std::uint32_t>(fresh.size());
    fresh.append(buf_, e.name_off, e.name_len);
    auto value_off = static_cast<std::uint32_t>(fresh.size());
    fresh.append(buf_, e.value_off, e.value_len);
    e.name_off = name_off;
    e.value_off = value_off;
  }
  buf_ = std::move(fresh);
  garbage_ = 0;
}

std::size_t Headers::find(std::string_view name, std::size_t from) const noexcept {
  for (std::size_t i = from; i < entries_.size(); ++i) {
    if (iequals((*this)[i].name, name)) return i;
  }
  return npos;
}

std::optional<std::string_view> Headers::get(std::string_view name) const noexcept {
  std::size_t i = find(name);
  if (i == npos) return std::nullopt;
  return (*this)[i].value;
}

std::string_view Headers::get_or(std::string_view name, std::string_view fallback) const noexcept {
  std::size_t i = find(name);
  return i == npos ? fallback : (*this)[i].value;
}

std::vector<std::string_view> Headers::get_all(std::string_view name) const {
  std::vector<std::string_view> out;
  for (std::size_t i = find(name); i != npos; i = find(name, i + 1)) out.push_back((*this)[i].value);
  return out;
}

std::string Headers::combined(std::string_view name) const {
  std::string out;
  for (std::size_t i = find(name); i != npos; i = find(name, i + 1)) {
    if (!out.empty()) out += ", ";
    out += (*this)[i].value;
  }
  return out;
}

bool Headers::has_token(std::string_view name, std::string_view token) const noexcept {
  for (std::size_t i = find(name); i != npos; i = find(name, i + 1)) {
    std::string_view rest = (*this)[i].value;
    while (!rest.empty()) {
      std::size_t comma = rest.find(',');
      std::string_view element = trim_ows(rest.substr(0, comma));
      if (iequals(element, token)) return true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return false;
}

std::size_t Headers::count(std::string_view name) const noexcept {
  std::size_t n = 0;
  for (std::size_t i = find(name); i != npos; i = find(name, i + 1)) ++n;
  return n;
}

bool operator==(const Headers& a, const Headers& b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!iequals(a[i].name, b[i].name) || a[i].value != b[i].value) return false;
  }
  return true;
}

}  // namespace wire::text
