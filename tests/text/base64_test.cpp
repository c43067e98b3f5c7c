// SPDX-License-Identifier: MIT
// wire::text base64: RFC 4648's vectors, strict decoding, and the MIME stream forms checked
// against OpenSSL's encoder on random data cut at random points.
#include "wire/text/base64.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <random>
#include <string>

namespace wire::text {
namespace {

std::string openssl_base64(std::string_view data) {
  std::string out(base64_length(data.size()) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string random_bytes(std::mt19937& rng, std::size_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

// `text` cut into lines of `width` characters, each ended by CRLF.
std::string wrapped(std::string_view text, std::size_t width) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += width) {
    out.append(text.substr(i, width));
    out += "\r\n";
  }
  return out;
}

TEST(Base64, Rfc4648Vectors) {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    EXPECT_EQ(base64_decode(encoded), std::string(plain));
  }
  EXPECT_EQ(base64_encode(std::as_bytes(std::span("\xff\xfe", 2))), "//4=");
}

TEST(Base64, AgreesWithOpenSslAndRoundTrips) {
  std::mt19937 rng(42);
  for (std::size_t n = 0; n < 400; ++n) {
    std::string data = random_bytes(rng, n);
    std::string encoded = base64_encode(data);
    ASSERT_EQ(encoded, openssl_base64(data)) << n;
    ASSERT_EQ(base64_decode(encoded), data) << n;
  }
}

TEST(Base64, StrictDecodingRefusesEverythingElse) {
  for (std::string_view bad : {"Zg=", "Zg", "Z", "Zg==Zg==", "Zh==", "Zm9=", "Zm9v\n", " Zm9v", "Zm9v====",
                               "Z===", "====", "Zm=v", "Zm9*"}) {
    EXPECT_FALSE(base64_decode(bad)) << bad;
  }
  EXPECT_FALSE(base64_decode(std::string_view("Zm9\0", 4)));
}

TEST(Base64Encoder, MimeLinesWhateverTheCuts) {
  std::mt19937 rng(1);
  for (std::size_t n : {0u, 1u, 2u, 3u, 56u, 57u, 58u, 114u, 1000u, 4096u}) {
    std::string data = random_bytes(rng, n);
    std::string expected = wrapped(openssl_base64(data), 76);
    for (int run = 0; run < 20; ++run) {
      Base64Encoder enc;
      std::string out;
      std::size_t at = 0;
      while (at < data.size()) {
        std::size_t piece = std::min<std::size_t>(data.size() - at, rng() % 80);
        enc.update(std::string_view(data).substr(at, piece), out);
        at += piece;
      }
      enc.finish(out);
      ASSERT_EQ(out, expected) << n << " bytes, run " << run;
    }
  }
}

TEST(Base64Encoder, LineLengthRoundedToWholeGroups) {
  Base64Encoder enc(10);  // 8 characters a line
  std::string out;
  enc.update("foobarfoobar", out);
  enc.finish(out);
  EXPECT_EQ(out, "Zm9vYmFy\r\nZm9vYmFy\r\n");
}

TEST(Base64Decoder, MimeBodiesInPieces) {
  std::mt19937 rng(3);
  std::string data = random_bytes(rng, 5000);
  std::string body = wrapped(openssl_base64(data), 76);
  for (int run = 0; run < 20; ++run) {
    Base64Decoder dec;
    std::string out;
    std::size_t at = 0;
    while (at < body.size()) {
      std::size_t piece = std::min<std::size_t>(body.size() - at, rng() % 100);
      ASSERT_TRUE(dec.update(std::string_view(body).substr(at, piece), out));
      at += piece;
    }
    ASSERT_TRUE(dec.finish(out));
    ASSERT_EQ(out, data) << "run " << run;
  }
}

TEST(Base64Decoder, SkipsNoiseRefusesDataAfterPaddingAndLoneSextets) {
  Base64Decoder a;
  std::string out;
  EXPECT_TRUE(a.update("Zm9v\r\n Ym Fy\t!", out));
  EXPECT_TRUE(a.finish(out));
  EXPECT_EQ(out, "foobar");

  Base64Decoder b;
  out.clear();
  EXPECT_TRUE(b.update("Zm8=\r\n", out));
  EXPECT_FALSE(b.update("Zm9v", out));  // data after the end

  Base64Decoder c;
  out.clear();
  EXPECT_TRUE(c.update("Zm9vY", out));
  EXPECT_FALSE(c.finish(out));  // one sextet is no byte

  Base64Decoder d;  // unpadded tails decode
  out.clear();
  EXPECT_TRUE(d.update("Zm8", out));
  EXPECT_TRUE(d.finish(out));
  EXPECT_EQ(out, "fo");
}

}  // namespace
}  // namespace wire::text
