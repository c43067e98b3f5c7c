// SPDX-License-Identifier: MIT
// The `wire` tool's rules that need no server: the exit status for each kind of error (one
// mapping for every command), --retry's schedule, and the closest name for a typo.
#include <gtest/gtest.h>

#include <netdb.h>

#include <cerrno>

#include "exit_status.hpp"
#include "retry.hpp"
#include "usage.hpp"
#include "wire/dialogue/error.hpp"
#include "wire/error.hpp"
#include "wire/ftp/error.hpp"
#include "wire/http/error.hpp"
#include "wire/smtp/error.hpp"
#include "wire/text/url.hpp"
#include "wire/tls/error.hpp"

namespace {

using namespace std::chrono_literals;
using wire::cli::exit_status_for;

int status_of(std::error_code ec) { return exit_status_for(std::system_error(ec, "x")); }

TEST(ExitStatus, ByCauseAsCurlNumbersThem) {
  EXPECT_EQ(exit_status_for(wire::cli::UsageError("bad")), 2);
  EXPECT_EQ(exit_status_for(CLI::ExtrasError(std::vector<std::string>{"x"})), 2);
  EXPECT_EQ(exit_status_for(wire::text::UrlError("http://a b/", "space")), 3);
  EXPECT_EQ(status_of({EAI_NONAME, wire::resolver_category()}), 6);
  for (int e : {ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL}) {
    EXPECT_EQ(status_of({e, std::generic_category()}), 7) << e;
    EXPECT_EQ(status_of({e, std::system_category()}), 7) << e;
  }
  EXPECT_EQ(exit_status_for(wire::cli::HttpStatusError("404")), 22);
  EXPECT_EQ(exit_status_for(wire::cli::WriteError(ENOSPC, "writing f")), 23);
  EXPECT_EQ(exit_status_for(wire::TimeoutError("slow")), 28);
  EXPECT_EQ(status_of(std::make_error_code(std::errc::timed_out)), 28);
  EXPECT_EQ(exit_status_for(wire::tls::Error(wire::tls::Errc::handshake_failed, "h")), 35);
  EXPECT_EQ(exit_status_for(wire::tls::Error(wire::tls::Errc::unexpected_plaintext, "p")), 35);
  EXPECT_EQ(exit_status_for(wire::http::Error(wire::http::Errc::too_many_redirects, "r")), 47);
  EXPECT_EQ(exit_status_for(wire::tls::Error(wire::tls::Errc::verify_failed, "v")), 60);
  EXPECT_EQ(status_of(make_error_code(wire::Errc::limit_exceeded)), 63);
  // Everything else is 1: a reset mid-transfer, a malformed response, a TLS error after the
  // handshake, an error that is not a system_error at all.
  EXPECT_EQ(status_of(std::make_error_code(std::errc::connection_reset)), 1);
  EXPECT_EQ(exit_status_for(wire::http::Error(wire::http::Errc::bad_status_line, "s")), 1);
  EXPECT_EQ(exit_status_for(wire::tls::Error(wire::tls::Errc::truncated, "t")), 1);
  EXPECT_EQ(exit_status_for(std::runtime_error("?")), 1);
}

// FTP refusals by the command refused, as curl's lib/ftp.c numbers them. The common ones are
// also compared with curl itself, against the same server (WireFtpCli.ExitStatusesAreCurls).
TEST(ExitStatus, FtpByTheCommandRefused) {
  auto refused = [](const char* verb, int code) {
    return exit_status_for(wire::ftp::ReplyError(code, "no", verb, std::string(verb) + ": no"));
  };
  EXPECT_EQ(refused("greeting", 554), 8);
  EXPECT_EQ(refused("greeting", 421), 28);  // 421 anywhere: curl's "server response timeout"
  EXPECT_EQ(refused("RETR", 421), 28);
  for (const char* v : {"USER", "PASS", "ACCT"}) EXPECT_EQ(refused(v, 530), 67) << v;
  for (const char* v : {"AUTH", "PBSZ", "PROT"}) EXPECT_EQ(refused(v, 502), 64) << v;
  EXPECT_EQ(refused("CWD", 550), 9);
  EXPECT_EQ(refused("TYPE", 504), 17);
  EXPECT_EQ(refused("EPSV", 500), 13);
  EXPECT_EQ(refused("PASV", 425), 13);
  EXPECT_EQ(refused("EPRT", 500), 30);
  EXPECT_EQ(refused("REST", 502), 31);
  EXPECT_EQ(refused("RETR", 550), 78);
  EXPECT_EQ(refused("RETR", 451), 19);
  EXPECT_EQ(refused("MLSD", 550), 9);
  EXPECT_EQ(refused("LIST", 451), 19);
  for (const char* v : {"STOR", "APPE"}) EXPECT_EQ(refused(v, 553), 25) << v;
  for (const char* v : {"DELE", "MKD", "RMD", "RNFR", "RNTO", "SITE"}) EXPECT_EQ(refused(v, 550), 21) << v;
  EXPECT_EQ(exit_status_for(wire::ftp::ReplyError(550, "no", "550 no")), 1);  // no command named
  EXPECT_EQ(status_of(make_error_code(wire::ftp::Errc::resume_past_end)), 36);
  EXPECT_EQ(status_of(make_error_code(wire::ftp::Errc::bad_pasv_reply)), 13);
  EXPECT_EQ(status_of(make_error_code(wire::ftp::Errc::bad_size_reply)), 8);
  EXPECT_EQ(status_of(make_error_code(wire::ftp::Errc::unrepresentable_name)), 1);  // the caller's
  EXPECT_EQ(status_of(make_error_code(wire::dialogue::Errc::line_too_long)), 8);
}

// SMTP refusals by the step refused, as curl's lib/smtp.c numbers them (compared with curl
// itself in WireMailCli.ExitStatusesAreCurls).
TEST(ExitStatus, SmtpByTheStepRefused) {
  auto refused = [](const char* step, int code) {
    return exit_status_for(wire::smtp::ReplyError(step, wire::smtp::Reply{code, "", "no"}, "127.0.0.1:25"));
  };
  EXPECT_EQ(refused("the connection (greeting)", 554), 8);
  EXPECT_EQ(refused("EHLO", 550), 9);
  EXPECT_EQ(refused("HELO", 550), 9);
  EXPECT_EQ(refused("STARTTLS", 454), 64);
  EXPECT_EQ(refused("AUTH PLAIN", 535), 67);
  EXPECT_EQ(refused("MAIL FROM:<a@example.com>", 550), 55);
  EXPECT_EQ(refused("RCPT TO:<b@example.org>", 550), 55);
  EXPECT_EQ(refused("DATA", 554), 55);
  EXPECT_EQ(refused("the message (end of data)", 452), 8);
  EXPECT_EQ(exit_status_for(wire::smtp::RecipientsRefused({{"b@example.org", {550, "5.1.1", "no"}}}, "h:25")), 55);
  using E = wire::smtp::Errc;
  EXPECT_EQ(status_of(make_error_code(E::starttls_not_offered)), 64);
  EXPECT_EQ(status_of(make_error_code(E::auth_not_offered)), 67);
  EXPECT_EQ(status_of(make_error_code(E::cleartext_auth)), 67);
  EXPECT_EQ(status_of(make_error_code(E::message_too_large)), 55);
  EXPECT_EQ(status_of(make_error_code(E::refused)), 55);
  EXPECT_EQ(status_of(make_error_code(E::protocol_error)), 8);
}

TEST(ExitStatus, WriteErrorSaysWhatAndWhy) {
  EXPECT_STREQ(wire::cli::WriteError(ENOSPC, "writing f").what(), "writing f: No space left on device");
  EXPECT_STREQ(wire::cli::WriteError("binary output refused").what(), "binary output refused");
}

TEST(Retry, TransientStatusesAreCurls) {
  for (int s : {408, 429, 500, 502, 503, 504}) EXPECT_TRUE(wire::cli::transient_status(s)) << s;
  for (int s : {200, 301, 400, 401, 403, 404, 501, 505}) EXPECT_FALSE(wire::cli::transient_status(s)) << s;
}

TEST(Retry, WaitsOneSecondDoublingUpToTenMinutes) {
  using wire::cli::retry_wait;
  std::vector<long long> waits;
  for (int retry = 0; retry < 12; ++retry) waits.push_back(retry_wait(retry, {}, {}).count());
  EXPECT_EQ(waits, (std::vector<long long>{1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 512000,
                                           600000, 600000}));
  EXPECT_EQ(retry_wait(1000, {}, {}), 10min);
  // --retry-delay replaces the doubling; the server's Retry-After comes first; both capped.
  EXPECT_EQ(retry_wait(5, 250ms, {}), 250ms);
  EXPECT_EQ(retry_wait(5, 250ms, 3s), 3s);
  EXPECT_EQ(retry_wait(0, {}, 2h), 10min);
}

TEST(Retry, RetryAfterInSecondsOrAsADate) {
  using wire::cli::parse_retry_after;
  auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(parse_retry_after("120", now), 120s);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now), 30s);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now), 0ms);  // past: at once
  EXPECT_EQ(parse_retry_after("soon", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("-5", now), std::nullopt);
}

TEST(Usage, ClosestNameForATypo) {
  std::vector<std::string> commands{"get", "request", "serve"};
  EXPECT_EQ(wire::cli::closest("gett", commands), "get");
  EXPECT_EQ(wire::cli::closest("reqest", commands), "request");
  EXPECT_EQ(wire::cli::closest("req", commands), "request");  // a prefix
  EXPECT_EQ(wire::cli::closest("fetch", commands), "");       // nothing close
}

}  // namespace
