// SPDX-License-Identifier: MIT
// The SMTP client benchmark's wire client (bench/smtp.sh): one wire::smtp::Client, COUNT small
// messages over one connection, then QUIT. Prints "msgs=N seconds=S user_us=U sys_us=Y" — the
// time and CPU from before connecting to after QUIT — or "error=..." and exits 1.
//   smtp_client HOST PORT COUNT [--no-pipelining | --batch N]
// --batch N: Client::send_all, N messages a call (each message's end in the same write as the
// next one's commands: one round trip a message with PIPELINING).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "wire/smtp/client.hpp"

namespace {

double cpu_us(const timeval& t) { return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_usec); }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: smtp_client HOST PORT COUNT [--no-pipelining | --batch N]\n");
    return 2;
  }
  auto port = static_cast<std::uint16_t>(std::atoi(argv[2]));
  long count = std::atol(argv[3]);
  wire::smtp::ClientOptions options;
  options.pipelining = !(argc > 4 && std::strcmp(argv[4], "--no-pipelining") == 0);
  long batch = argc > 5 && std::strcmp(argv[4], "--batch") == 0 ? std::atol(argv[5]) : 0;
  const std::string message =
      "From: anna@example.com\r\nTo: bob@example.org\r\nSubject: bench\r\n\r\nA small message.\r\n";
  const wire::smtp::Envelope envelope{.from = "anna@example.com", .to = {"bob@example.org"}};
  rusage r0{}, r1{};
  getrusage(RUSAGE_SELF, &r0);
  auto t0 = std::chrono::steady_clock::now();
  try {
    wire::smtp::Client client(argv[1], port, options);
    if (batch > 0) {
      std::vector<wire::smtp::Outgoing> messages(static_cast<std::size_t>(batch), {.envelope = envelope, .text = message});
      for (long sent = 0; sent < count; sent += batch) {
        auto n = static_cast<std::size_t>(std::min(batch, count - sent));
        for (const auto& r : client.send_all(std::span(messages.data(), n))) {
          if (r.reply.code != 250) throw std::runtime_error("not 250");
        }
      }
    } else {
      for (long i = 0; i < count; ++i) {
        if (client.send(envelope, message).reply.code != 250) throw std::runtime_error("not 250");
      }
    }
    client.quit();
  } catch (const std::exception& e) {
    std::printf("error=%s\n", e.what());
    return 1;
  }
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  getrusage(RUSAGE_SELF, &r1);
  std::printf("msgs=%ld seconds=%.4f user_us=%.0f sys_us=%.0f\n", count, seconds,
              cpu_us(r1.ru_utime) - cpu_us(r0.ru_utime), cpu_us(r1.ru_stime) - cpu_us(r0.ru_stime));
  return 0;
}
