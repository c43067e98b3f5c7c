// SPDX-License-Identifier: MIT
#include "support/certs.hpp"

#include <chrono>
#include <utility>
#include <vector>

namespace wire::test {
namespace {

using namespace std::chrono_literals;
using wire::tls::CertificateOptions;
using wire::tls::Identity;

Identity make(std::vector<std::string> names, const Identity* issuer, bool client_auth = false) {
  CertificateOptions o;
  o.names = std::move(names);
  if (issuer) o.issuer = *issuer;
  o.client_auth = client_auth;
  return wire::tls::make_certificate(o);
}

Identity make_ca(std::string name) {
  CertificateOptions o;
  o.names = {std::move(name)};
  o.ca = true;
  return wire::tls::make_certificate(o);
}

}  // namespace

TestPki::TestPki() : dir_("wire-pki-") {
  ca = make_ca("wire test CA");
  leaf = make({"localhost", "127.0.0.1", "::1"}, &ca);
  localhost_only = make({"localhost"}, &ca);
  {
    CertificateOptions o;
    o.names = {"localhost", "127.0.0.1"};
    o.issuer = ca;
    o.not_before = -std::chrono::hours(48);
    o.not_after = -std::chrono::hours(24);
    expired = wire::tls::make_certificate(o);
  }
  wrong_host = make({"wrong.example"}, &ca);
  other = make({"other.test"}, &ca);
  client = make({std::string(kClientName)}, &ca, true);
  self_signed = make({"localhost", "127.0.0.1"}, nullptr);
  rogue_ca = make_ca("rogue test CA");
  rogue_leaf = make({"localhost", "127.0.0.1"}, &rogue_ca);
  rogue_client = make({std::string(kClientName)}, &rogue_ca, true);

  const std::pair<std::string_view, const Identity*> all[] = {
      {"ca", &ca},
      {"leaf", &leaf},
      {"localhost_only", &localhost_only},
      {"expired", &expired},
      {"wrong_host", &wrong_host},
      {"other", &other},
      {"client", &client},
      {"self_signed", &self_signed},
      {"rogue_ca", &rogue_ca},
      {"rogue_leaf", &rogue_leaf},
      {"rogue_client", &rogue_client},
  };
  for (const auto& [name, identity] : all) write(name, *identity);
}

void TestPki::write(std::string_view name, const Identity& identity) const {
  dir_.write_file(std::string(name) + ".pem", identity.certificate_pem);
  dir_.write_file(std::string(name) + ".key", identity.key_pem);
}

std::filesystem::path TestPki::cert_file(std::string_view name) const {
  return dir_ / (std::string(name) + ".pem");
}

std::filesystem::path TestPki::key_file(std::string_view name) const {
  return dir_ / (std::string(name) + ".key");
}

wire::tls::Context TestPki::client_context() const {
  auto ctx = wire::tls::Context::client(wire::tls::Trust::added_only);
  ctx.add_ca_pem(ca.certificate_pem);
  return ctx;
}

wire::tls::Context TestPki::server_context() const { return wire::tls::Context::server(leaf); }

}  // namespace wire::test
