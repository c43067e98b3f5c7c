// SPDX-License-Identifier: MIT
// Fuzzes the FTP codec's reply and argument parsers: any reply text and any argument must be
// parsed or refused with an error code, never crash; what parses must be consistent (ports not
// 0, PASV hosts dotted quads, 257 names quoting back to themselves, EPRT arguments rebuilt).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "wire/dialogue/reply.hpp"
#include "wire/ftp.hpp"

using namespace wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // A reply of each code the parsers read, its lines the input's.
  dialogue::Reply reply;
  for (std::size_t start = 0; start <= input.size();) {
    std::size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    reply.lines.emplace_back(input.substr(start, end - start));
    start = end + 1;
  }
  std::error_code ec;
  for (int code : {227, 229, 213, 257, 211, 250, 200}) {
    reply.code = code;
    ftp::HostPort hp = ftp::parse_pasv_reply(reply, ec);
    if (!ec && (hp.port == 0 || code != 227 || ftp::port_argument(hp.host, hp.port).empty())) std::abort();
    std::uint16_t port = ftp::parse_epsv_reply(reply, ec);
    if (!ec && (port == 0 || code != 229)) std::abort();
    ftp::parse_size_reply(reply, ec);
    std::int64_t t = ftp::parse_mdtm_reply(reply, ec);
    if (!ec && ftp::parse_mdtm_reply(dialogue::Reply{213, {ftp::mdtm_reply_text(t)}}) != t) std::abort();
    std::string path = ftp::parse_path_reply(reply, ec);
    if (!ec && ftp::parse_path_reply(dialogue::Reply{257, {ftp::quote_path(path) + " x"}}) != path) std::abort();
    ftp::Features f = ftp::parse_feat_reply(reply, ec);
    if (!ec) {
      for (const auto& feature : f.all()) {
        if (!f.has(feature.name)) std::abort();
      }
      f.mlst_facts();
    }
    ftp::parse_mlst_reply(reply, ec);
  }
  // The server's argument parsers.
  ftp::HostPort hp = ftp::parse_port_argument(input, ec);
  if (!ec && ftp::port_argument(hp.host, hp.port).empty()) std::abort();
  hp = ftp::parse_eprt_argument(input, ec);
  if (!ec && ftp::parse_eprt_argument(ftp::eprt_argument(hp.host, hp.port), ec) != hp) std::abort();
  std::uint64_t offset = ftp::parse_rest_argument(input, ec);
  if (!ec && std::to_string(offset).size() > input.size()) std::abort();
  return 0;
}
