// SPDX-License-Identifier: MIT
// wire::text::Headers: header fields of HTTP and mail messages: case-insensitive names, order
// kept, names may repeat.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wire::text {

/// The header (or trailer) fields of one message (HTTP, RFC 9110 §5; mail, RFC 5322 §2.2):
/// names compare case-insensitively, the order of fields is kept, and a name may appear more
/// than once. Values are stored as given; each protocol's serializer refuses invalid ones, its
/// parser never produces them.
///   Headers h{{"Host", "example.com"}, {"Accept", "*/*"}};
///   h.add("Set-Cookie", "a=1"); h.get("host");  // "example.com"
///
/// All fields live in one buffer, so clearing and refilling a Headers allocates nothing once it
/// has grown. Views returned by get(), get_all() and iteration stay valid until the next change.
class Headers {
 public:
  /// One field line, viewed.
  struct Field {
    std::string_view name;
    std::string_view value;
  };

  class const_iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = Field;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Field;

    const_iterator() = default;
    Field operator*() const { return (*owner_)[index_]; }
    const_iterator& operator++() { ++index_; return *this; }
    const_iterator operator++(int) { auto t = *this; ++index_; return t; }
    const_iterator& operator--() { --index_; return *this; }
    const_iterator operator--(int) { auto t = *this; --index_; return t; }
    const_iterator& operator+=(difference_type n) {
      index_ = static_cast<std::size_t>(static_cast<difference_type>(index_) + n);
      return *this;
    }
    const_iterator& operator-=(difference_type n) { return *this += -n; }
    friend const_iterator operator+(const_iterator it, difference_type n) { return it += n; }
    friend const_iterator operator+(difference_type n, const_iterator it) { return it += n; }
    friend const_iterator operator-(const_iterator it, difference_type n) { return it -= n; }
    friend difference_type operator-(const const_iterator& a, const const_iterator& b) {
      return static_cast<difference_type>(a.index_) - static_cast<difference_type>(b.index_);
    }
    Field operator[](difference_type n) const { return *(*this + n); }
    friend bool operator==(const const_iterator& a, const const_iterator& b) {
      return a.index_ == b.index_;
    }
    friend auto operator<=>(const const_iterator& a, const const_iterator& b) { return a.index_ <=> b.index_; }

   private:
    friend class Headers;
    const_iterator(const Headers* owner, std::size_t index) : owner_(owner), index_(index) {}
    const Headers* owner_ = nullptr;
    std::size_t index_ = 0;
  };
  using iterator = const_iterator;

  Headers() = default;
  Headers(std::initializer_list<std::pair<std::string_view, std::string_view>> fields);

  /// Appends a field, after any with the same name.
  void add(std::string_view name, std::string_view value);
  /// Replaces every field named `name` by one with `value`, where the first one was
  /// (or at the end if there was none).
  void set(std::string_view name, std::string_view value);
  /// Removes every field named `name`; returns how many there were.
  std::size_t remove(std::string_view name);
  /// Removes every field.
  void clear() noexcept;

  /// The value of the first field named `name`, if any.
  std::optional<std::string_view> get(std::string_view name) const noexcept;
  /// The value of the first field named `name`, or `fallback`.
  std::string_view get_or(std::string_view name, std::string_view fallback) const noexcept;
  /// The values of every field named `name`, in order.
  std::vector<std::string_view> get_all(std::string_view name) const;
  /// Every value of `name` joined with ", " (RFC 9110 §5.3); empty if there is none.
  /// Not meaningful for Set-Cookie, whose values may contain commas.
  std::string combined(std::string_view name) const;
  /// True if any `name` field, read as a comma-separated list (RFC 9110 §5.6.1), has the
  /// element `token` (case-insensitively): has_token("Connection", "close").
  bool has_token(std::string_view name, std::string_view token) const noexcept;

  bool contains(std::string_view name) const noexcept { return find(name) != npos; }
  std::size_t count(std::string_view name) const noexcept;
  std::size_t size() const noexcept { return entries_.size(); }
  bool empty() const noexcept { return entries_.empty(); }

  /// The i-th field line, in order.
  Field operator[](std::size_t i) const noexcept {
    const Entry& e = entries_[i];
    return {std::string_view(buf_).substr(e.name_off, e.name_len),
            std::string_view(buf_).substr(e.value_off, e.value_len)};
  }
  const_iterator begin() const noexcept { return {this, 0}; }
  const_iterator end() const noexcept { return {this, entries_.size()}; }

  /// Same fields in the same order, names compared case-insensitively, values exactly.
  friend bool operator==(const Headers& a, const Headers& b) noexcept;

 private:
  struct Entry {
    std::uint32_t name_off, name_len, value_off, value_len;
  };
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  std::size_t find(std::string_view name, std::size_t from = 0) const noexcept;
  std::uint32_t append(std::string_view s);
  bool views_buffer(std::string_view s) const noexcept;
  void compact();

  std::string buf_;
  std::vector<Entry> entries_;
  std::size_t garbage_ = 0;  // bytes of buf_ no entry refers to any more
};

}  // namespace wire::text
