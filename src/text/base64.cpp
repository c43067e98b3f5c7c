// SPDX-License-Identifier: MIT
// Base64 is written here rather than taken from OpenSSL: EVP_EncodeBlock has no line breaks
// and EVP_EncodeUpdate breaks lines at 64 (PEM), not MIME's 76; EVP_DecodeBlock counts the
// padding as decoded zero bytes. wire::text is the floor every protocol stands on and depends
// on nothing but the standard library.
#include "wire/text/base64.hpp"

#include <array>

namespace wire::text {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The value of each base64 character, -1 for the rest (and for '=').
struct DecodeTable {
  std::array<signed char, 256> value{};
  constexpr DecodeTable() {
    for (auto& v : value) v = -1;
    for (int i = 0; i < 64; ++i) value[static_cast<unsigned char>(kAlphabet[i])] = static_cast<signed char>(i);
  }
};
constexpr DecodeTable kDecode{};

int sextet(char c) noexcept { return kDecode.value[static_cast<unsigned char>(c)]; }

// One group of 1-3 input bytes as four characters, '=' for what is missing.
void encode_group(const unsigned char* in, std::size_t n, char* out) noexcept {
  std::uint32_t v = std::uint32_t{in[0]} << 16;
  if (n > 1) v |= std::uint32_t{in[1]} << 8;
  if (n > 2) v |= in[2];
  out[0] = kAlphabet[v >> 18 & 63];
  out[1] = kAlphabet[v >> 12 & 63];
  out[2] = n > 1 ? kAlphabet[v >> 6 & 63] : '=';
  out[3] = n > 2 ? kAlphabet[v & 63] : '=';
}

}  // namespace

std::string base64_encode(std::string_view data) {
  std::string out(base64_length(data.size()), '\0');
  const auto* in = reinterpret_cast<const unsigned char*>(data.data());
  char* p = out.data();
  for (std::size_t i = 0; i < data.size(); i += 3, p += 4) {
    encode_group(in + i, std::min<std::size_t>(3, data.size() - i), p);
  }
  return out;
}

std::string base64_encode(std::span<const std::byte> data) {
  return base64_encode(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    std::string_view g = text.substr(i, 4);
    bool last = i + 4 == text.size();
    int pad = last ? (g[3] == '=') + (g[2] == '=' && g[3] == '=') : 0;
    int a = sextet(g[0]), b = sextet(g[1]);
    int c = pad >= 2 ? 0 : sextet(g[2]);
    int d = pad >= 1 ? 0 : sextet(g[3]);
    if (a < 0 || b < 0 || c < 0 || d < 0) return std::nullopt;
    std::uint32_t v = std::uint32_t(a) << 18 | std::uint32_t(b) << 12 | std::uint32_t(c) << 6 | std::uint32_t(d);
    // RFC 4648 §3.5: the bits the padding leaves over must be zero, so one text decodes one way.
    if ((pad == 2 && (v & 0xffff) != 0) || (pad == 1 && (v & 0xff) != 0)) return std::nullopt;
    out += static_cast<char>(v >> 16);
    if (pad < 2) out += static_cast<char>(v >> 8 & 0xff);
    if (pad < 1) out += static_cast<char>(v & 0xff);
  }
  return out;
}

// --- streaming -------------------------------------------------------------------------------

Base64Encoder::Base64Encoder(std::size_t line_length) noexcept
    : line_length_(line_length < 4 ? 4 : line_length / 4 * 4) {}

void Base64Encoder::put_group(const unsigned char* in, std::size_t n, std::string& out) {
  char group[4];
  encode_group(in, n, group);
  out.append(group, 4);
  column_ += 4;
  if (column_ == line_length_) {
    out += "\r\n";
    column_ = 0;
  }
}

void Base64Encoder::update(std::string_view data, std::string& out) {
  const auto* in = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t n = data.size();
  while (held_count_ > 0 && n > 0) {  // complete the group the last call left open
    held_[held_count_++] = *in++;
    --n;
    if (held_count_ == 3) {
      put_group(held_, 3, out);
      held_count_ = 0;
    }
  }
  for (; n >= 3; in += 3, n -= 3) put_group(in, 3, out);
  for (std::size_t i = 0; i < n; ++i) held_[held_count_++] = in[i];
}

void Base64Encoder::update(std::span<const std::byte> data, std::string& out) {
  update(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()), out);
}

void Base64Encoder::finish(std::string& out) {
  if (held_count_ > 0) put_group(held_, held_count_, out);
  held_count_ = 0;
  if (column_ > 0) out += "\r\n";
  column_ = 0;
}

bool Base64Decoder::update(std::string_view text, std::string& out) {
  for (char c : text) {
    if (c == '=') {
      padded_ = true;
      continue;
    }
    int v = sextet(c);
    if (v < 0) continue;  // RFC 2045 §6.8: characters outside the alphabet are ignored
    if (padded_) return false;
    bits_ = bits_ << 6 | static_cast<std::uint32_t>(v);
    if (++count_ == 4) {
      out += static_cast<char>(bits_ >> 16 & 0xff);
      out += static_cast<char>(bits_ >> 8 & 0xff);
      out += static_cast<char>(bits_ & 0xff);
      bits_ = 0;
      count_ = 0;
    }
  }
  return true;
}

bool Base64Decoder::finish(std::string& out) {
  if (count_ == 1) return false;  // six bits make no byte
  if (count_ == 2) out += static_cast<char>(bits_ >> 4 & 0xff);
  if (count_ == 3) {
    out += static_cast<char>(bits_ >> 10 & 0xff);
    out += static_cast<char>(bits_ >> 2 & 0xff);
  }
  bits_ = 0;
  count_ = 0;
  return true;
}

}  // namespace wire::text
