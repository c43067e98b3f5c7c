// SPDX-License-Identifier: MIT
// Fuzzes header fields as the request parser takes them and as Headers keeps them. The input
// is a header section ("Name: value\r\n"..., then the empty line) after a fixed request-line.
// What parses holds only valid names and values (RFC 9110 §5.1, §5.5); Headers' lookups agree
// with a plain list of the fields; set() and remove() change it as the list says; and the
// head, encoded again by the serializer, parses to the same fields.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_input.hpp"
#include "wire/http/parser.hpp"
#include "wire/http/serializer.hpp"

using namespace wire::http;
using wire::fuzz::violated;

namespace {

using List = std::vector<std::pair<std::string, std::string>>;

List list_of(const Headers& h) {
  List out;
  for (auto f : h) out.emplace_back(std::string(f.name), std::string(f.value));
  return out;
}

// The lookups of Headers, checked against a linear walk over `list`.
void check_lookups(const Headers& h, const List& list) {
  if (h.size() != list.size()) violated("size() differs from the fields");
  for (const auto& [name, value] : list) {
    std::vector<std::string_view> all;
    std::string joined;
    for (const auto& [n, v] : list) {
      if (!iequals(n, name)) continue;
      all.push_back(v);
      if (!joined.empty()) joined += ", ";
      joined += v;
    }
    if (h.get(name) != std::optional<std::string_view>(all.front())) violated("get() is not the first field");
    if (h.get_all(name) != all) violated("get_all() differs from the fields");
    if (h.count(name) != all.size()) violated("count() differs from the fields");
    if (h.combined(name) != joined) violated("combined() differs from the fields joined");
    if (!h.contains(name)) violated("contains() misses a field");
    // Every element of the comma-separated value is found by has_token().
    std::string_view rest = value;
    for (std::size_t guard = 0; guard <= value.size(); ++guard) {
      auto comma = rest.find(',');
      std::string_view element = trim_ows(rest.substr(0, comma));
      if (!element.empty() && !h.has_token(name, element)) violated("has_token() misses an element");
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  wire::fuzz::Input input(data, size);
  std::uint8_t choice = input.byte();
  std::string head = "GET / HTTP/1.1\r\n";
  head += input.rest();

  RequestParser parser;
  parser.feed(head);
  if (parser.next().kind != EventKind::head) return 0;
  Request request = parser.request();
  Headers& h = request.headers;
  List list = list_of(h);
  for (const auto& [name, value] : list) {
    if (!is_valid_field_name(name)) violated("the parser let through an invalid field name");
    if (!is_valid_field_value(value)) violated("the parser let through an invalid field value");
  }
  check_lookups(h, list);

  // Encoded again, the head parses to the same fields.
  std::string again;
  std::error_code ec;
  encode_head(request, again, ec);
  if (ec) violated("the serializer refused what the parser accepted");
  RequestParser reparse;
  if (reparse.feed(again) != again.size() || reparse.next().kind != EventKind::head) {
    violated("an encoded head does not parse whole");
  }
  if (!(reparse.request().headers == h)) violated("an encoded head parses to other fields");

  if (list.empty()) return 0;
  // set() and remove() on a field chosen by the input, against the list.
  std::string name = list[choice % list.size()].first;
  if (choice & 0x80) {
    std::size_t removed = h.remove(name);
    std::size_t expected = 0;
    List after;
    for (auto& f : list) {
      if (iequals(f.first, name)) {
        ++expected;
      } else {
        after.push_back(f);
      }
    }
    if (removed != expected) violated("remove() returned another count");
    list = std::move(after);
  } else {
    h.set(name, "set-by-fuzzer");
    List after;
    bool placed = false;
    for (auto& f : list) {
      if (!iequals(f.first, name)) {
        after.push_back(f);
      } else if (!placed) {
        after.emplace_back(f.first, "set-by-fuzzer");
        placed = true;
      }
    }
    list = std::move(after);
  }
  List now = list_of(h);
  if (now.size() != list.size()) violated("set()/remove() left another number of fields");
  for (std::size_t i = 0; i < now.size(); ++i) {
    if (!iequals(now[i].first, list[i].first) || now[i].second != list[i].second) {
      violated("set()/remove() left other fields than expected");
    }
  }
  check_lookups(h, list);
  return 0;
}
