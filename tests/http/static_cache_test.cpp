// SPDX-License-Identifier: MIT
// StaticRoot's file cache (src/http/static_cache.hpp) through Router::files: never stale.
//
// Two halves. With the cache's clocks stopped (StaticAccess::freeze_clock) an hour ahead of the
// disk, every file counts as settled and is kept, and time moves only when a test moves it: the
// bound is checked exactly: a change is not seen before cache_valid (the cache was used), and is
// seen at cache_valid (change in place, replace by rename, delete, grow, shrink, a same-size
// rewrite under the same mtime). A large file cut short while cached is never sent with a
// Content-Length its body does not reach: the connection is cut. With the real clocks, a file
// changed in the last 2 s is read afresh for every request. Then the bounds of the cache, the
// index file, pipelined requests answered in order from it, and after() hooks seeing the fields.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "server_access.hpp"
#include "server_helpers.hpp"
#include "static_cache.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"
#include "wire/http/server.hpp"

namespace {

namespace http = wire::http;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using http::detail::CacheTimes;
using http::detail::ServerAccess;
using http::detail::StaticAccess;
using wire::test::http::End;
using wire::test::http::get;
using wire::test::http::RawClient;
using wire::test::http::RawResponse;
using wire::test::http::TestServer;

std::int64_t ctime_ns(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_ctim.tv_sec * 1'000'000'000LL + st.st_ctim.tv_nsec;
}

class StaticCache : public testing::Test {
 protected:
  void write(const std::string& name, std::string_view contents) {
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    ASSERT_TRUE(out.good()) << name;
  }

  // Starts the server on `options`; `frozen`: the cache's clocks stopped an hour ahead.
  void start(http::StaticOptions options = {}, bool frozen = true) {
    http::Router r;
    r.get("/route", [](http::ServerRequest&) { return http::ServerResponse::text("route\n"); });
    r.files("/", dir.path(), options);
    root = ServerAccess::static_roots(r).front();
    now = CacheTimes::now();
    now.real_ns += std::chrono::nanoseconds(1h).count();
    if (frozen) StaticAccess::freeze_clock(*root, now);
    server = std::make_unique<TestServer>(std::move(r));
    client = std::make_unique<RawClient>(server->port());
  }
  // Moves the stopped clocks on by `d`.
  void advance(std::chrono::nanoseconds d) {
    now.steady += d;
    now.real_ns += d.count();
    StaticAccess::freeze_clock(*root, now);
  }
  // Waits (for the condition, not a time) until the filesystem's clock has moved past the
  // ctime of `name`, so that a change made now stamps another ctime, as it always does for a
  // file the cache keeps (unchanged for 2 s).
  void wait_for_tick(const std::string& name) {
    const std::int64_t before = ctime_ns(dir / name);
    ASSERT_TRUE(wire::test::wait_until(
        [&] {
          write(".tick", "x");
          return ctime_ns(dir / ".tick") > before;
        },
        5s, 1ms));
    fs::remove(dir / ".tick");
  }
  RawResponse fetch(const std::string& target, const std::string& fields = "") {
    RawResponse res = client->roundtrip(get(target, fields));
    if (res.status == 200) {
      EXPECT_EQ(res.header("Content-Length"), std::to_string(res.body.size())) << target;
    }
    return res;
  }

  wire::test::TempDir dir{"wire-cache-"};
  std::shared_ptr<http::StaticRoot> root;
  CacheTimes now;
  std::unique_ptr<TestServer> server;
  std::unique_ptr<RawClient> client;
};

TEST_F(StaticCache, AChangeInPlaceIsServedAtTheBoundAndNotBefore) {
  write("a.txt", "one\n");
  start();
  RawResponse first = fetch("/a.txt");
  ASSERT_EQ(first.body, "one\n");
  const std::string etag = first.header("ETag").value_or("");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(StaticAccess::cached_entries(*root), 1u);
  wait_for_tick("a.txt");
  write("a.txt", "two, longer\n");
  advance(999ms);
  EXPECT_EQ(fetch("/a.txt").body, "one\n") << "the cache was not used";
  advance(1ms);  // cache_valid (1 s) since the entry was checked
  RawResponse now_res = fetch("/a.txt");
  EXPECT_EQ(now_res.body, "two, longer\n");
  EXPECT_NE(now_res.header("ETag"), etag);
  // The old tag no longer matches: the new bytes, not 304.
  RawResponse conditional = fetch("/a.txt", "If-None-Match: " + etag + "\r\n");
  EXPECT_EQ(conditional.status, 200);
  EXPECT_EQ(conditional.body, "two, longer\n");
}

// The case seconds-resolution mtime + size (nginx's and h2o's ETag) misses: the same size, and
// the mtime put back to what it was. The tag is a digest of the bytes: it changes.
TEST_F(StaticCache, ASameSizeRewriteUnderTheSameMtimeChangesTheETag) {
  write("s.txt", "aaaa");
  struct stat st {};
  ASSERT_EQ(::stat((dir / "s.txt").c_str(), &st), 0);
  start();
  RawResponse first = fetch("/s.txt");
  const std::string etag = first.header("ETag").value_or("");
  ASSERT_FALSE(etag.empty());
  wait_for_tick("s.txt");
  write("s.txt", "bbbb");
  timespec times[2] = {st.st_atim, st.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, (dir / "s.txt").c_str(), times, 0), 0);
  advance(1s);
  RawResponse second = fetch("/s.txt", "If-None-Match: " + etag + "\r\n");
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.body, "bbbb");
  EXPECT_NE(second.header("ETag"), etag);
  EXPECT_EQ(second.header("Last-Modified"), first.header("Last-Modified"));
}

TEST_F(StaticCache, AFileReplacedByRenameIsServedAtTheBound) {
  write("r.txt", "before");
  start();
  ASSERT_EQ(fetch("/r.txt").body, "before");
  write("r.tmp", "after, by rename");
  fs::rename(dir / "r.tmp", dir / "r.txt");
  advance(500ms);
  EXPECT_EQ(fetch("/r.txt").body, "before");  // the open file, still whole
  advance(500ms);
  EXPECT_EQ(fetch("/r.txt").body, "after, by rename");
}

TEST_F(StaticCache, ADeletedFileIs404AtTheBound) {
  write("d.txt", "doomed");
  start();
  ASSERT_EQ(fetch("/d.txt").body, "doomed");
  fs::remove(dir / "d.txt");
  advance(1s);
  EXPECT_EQ(fetch("/d.txt").status, 404);
  EXPECT_EQ(StaticAccess::cached_entries(*root), 0u);
  write("d.txt", "back");
  EXPECT_EQ(fetch("/d.txt").body, "back");  // a miss: no wait
}

// Small files are held in memory (here up to 16 bytes), larger ones open: a file that grows past
// the threshold, and shrinks back under it, is served whole each time.
TEST_F(StaticCache, GrowingAndShrinkingAcrossTheSmallFileThreshold) {
  http::StaticOptions options;
  options.small_file = 16;
  write("g.txt", "small");
  start(options);
  ASSERT_EQ(fetch("/g.txt").body, "small");
  const std::string big(5000, 'g');
  wait_for_tick("g.txt");
  write("g.txt", big);
  advance(1s);
  EXPECT_EQ(fetch("/g.txt").body, big);
  wait_for_tick("g.txt");
  write("g.txt", "tiny");
  advance(1s);
  EXPECT_EQ(fetch("/g.txt").body, "tiny");
}

// A large file cached open and cut short in place: the cache still says its old size, and the
// body cannot reach it: the connection is cut, never a response shorter than its length. A
// large file grown in place goes out at its cached length, exactly.
TEST_F(StaticCache, ALargeFileCutShortWhileCachedCutsTheConnection) {
  http::StaticOptions options;
  options.small_file = 16;
  const std::string big(200'000, 'x');
  write("big.bin", big);
  start(options);
  ASSERT_EQ(fetch("/big.bin").body, big);
  ASSERT_EQ(::truncate((dir / "big.bin").c_str(), 1000), 0);
  client->send(get("/big.bin"));
  auto tail = client->tail(10s);
  EXPECT_EQ(tail.end, End::eof);
  auto head_end = tail.data.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos) << tail.data.substr(0, 200);
  EXPECT_NE(tail.data.find("Content-Length: 200000\r\n"), std::string::npos);
  EXPECT_EQ(tail.data.size() - head_end - 4, 1000u) << "the body is what the file still holds, then the close";

  client = std::make_unique<RawClient>(server->port());
  advance(1s);
  EXPECT_EQ(fetch("/big.bin").body, std::string(1000, 'x'));
  // Grown in place while cached: the cached length, exactly; the rest at the bound.
  { std::ofstream(dir / "big.bin", std::ios::binary | std::ios::app) << std::string(500, 'y'); }
  EXPECT_EQ(fetch("/big.bin").body, std::string(1000, 'x'));
  advance(1s);
  EXPECT_EQ(fetch("/big.bin").body, std::string(1000, 'x') + std::string(500, 'y'));
}

// With the real clocks: a file changed in the last 2 s is not kept, so each change is served at
// once, a same-size one included, and its Last-Modified waits until its second is over.
TEST_F(StaticCache, AFileChangedJustNowIsReadForEveryRequest) {
  write("fresh.txt", "1111");
  start({}, false);
  RawResponse first = fetch("/fresh.txt");
  ASSERT_EQ(first.body, "1111");
  EXPECT_FALSE(first.header("Last-Modified")) << "its second is not over: a later change could share it";
  EXPECT_EQ(StaticAccess::cached_entries(*root), 0u);
  write("fresh.txt", "2222");
  RawResponse second = fetch("/fresh.txt", "If-None-Match: " + first.header("ETag").value_or("") + "\r\n");
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.body, "2222");
  // An mtime long past gives Last-Modified at once.
  timespec times[2] = {{1577836800, 0}, {1577836800, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (dir / "fresh.txt").c_str(), times, 0), 0);
  EXPECT_EQ(fetch("/fresh.txt").header("Last-Modified"), "Wed, 01 Jan 2020 00:00:00 GMT");
}

// A large file (not in memory) changed just now has no ETag yet: its size and times could stay
// the same through another rewrite in the same clock tick.
TEST_F(StaticCache, ALargeFileChangedJustNowHasNoETagYet) {
  http::StaticOptions options;
  options.small_file = 16;
  write("l.bin", std::string(100, 'l'));
  start(options, false);
  RawResponse res = fetch("/l.bin");
  EXPECT_EQ(res.body, std::string(100, 'l'));
  EXPECT_FALSE(res.header("ETag"));
  // Settled (the clocks an hour on): it has one.
  StaticAccess::freeze_clock(*root, now);
  EXPECT_TRUE(fetch("/l.bin").header("ETag"));
}

TEST_F(StaticCache, EntriesMemoryAndDescriptorsAreBounded) {
  http::StaticOptions options;
  options.cache_entries = 2;
  options.cache_memory = 400;  // two small entries with their fields (~175 bytes each), not more
  options.cache_descriptors = 1;
  options.small_file = 64;
  write("1.txt", "one");
  write("2.txt", "two");
  write("3.txt", "three");
  write("big1.bin", std::string(1000, '1'));
  write("big2.bin", std::string(1000, '2'));
  write("mem.txt", std::string(60, 'm'));
  start(options);
  for (const char* name : {"/1.txt", "/2.txt", "/3.txt"}) ASSERT_EQ(fetch(name).status, 200);
  EXPECT_EQ(StaticAccess::cached_entries(*root), 2u);
  // Two large files, one descriptor: the second pushes the first out (and what was before it).
  ASSERT_EQ(fetch("/big1.bin").body, std::string(1000, '1'));
  ASSERT_EQ(fetch("/big2.bin").body, std::string(1000, '2'));
  EXPECT_EQ(StaticAccess::cached_entries(*root), 1u);
  // 60 bytes of contents and their fields pass 400 bytes with another small file beside them.
  ASSERT_EQ(fetch("/mem.txt").status, 200);
  ASSERT_EQ(fetch("/1.txt").status, 200);
  EXPECT_LE(StaticAccess::cached_entries(*root), 2u);
  // Everything is still served whole.
  EXPECT_EQ(fetch("/big1.bin").body, std::string(1000, '1'));
  EXPECT_EQ(fetch("/mem.txt").body, std::string(60, 'm'));
}

TEST_F(StaticCache, CacheOffServesEveryChangeAtOnce) {
  http::StaticOptions options;
  options.cache_entries = 0;
  write("o.txt", "first");
  start(options);
  ASSERT_EQ(fetch("/o.txt").body, "first");
  write("o.txt", "second!");
  EXPECT_EQ(fetch("/o.txt").body, "second!");
  EXPECT_EQ(StaticAccess::cached_entries(*root), 0u);
}

// A directory's index file is kept under the directory's URL; removed, the listing comes back
// at the bound; the URL without its slash is still redirected.
TEST_F(StaticCache, IndexFileOfADirectory) {
  fs::create_directories(dir / "sub");
  write("sub/index.html", "<p>index</p>");
  write("sub/other.txt", "other");
  start();
  ASSERT_EQ(fetch("/sub/").body, "<p>index</p>");
  EXPECT_EQ(fetch("/sub").status, 301);
  EXPECT_EQ(fetch("/sub/").body, "<p>index</p>");
  fs::remove(dir / "sub/index.html");
  advance(1s);
  RawResponse listing = fetch("/sub/");
  EXPECT_EQ(listing.status, 200);
  EXPECT_NE(listing.body.find("other.txt"), std::string::npos);
  // A trailing slash after a cached file's name is still 404.
  ASSERT_EQ(fetch("/sub/other.txt").status, 200);
  EXPECT_EQ(fetch("/sub/other.txt/").status, 404);
}

// Pipelined requests for cached files, large and small, a route and a 404, in one write: the
// answers in order, whole, conditional ones included.
TEST_F(StaticCache, PipelinedRequestsAreAnsweredInOrder) {
  http::StaticOptions options;
  options.small_file = 64;
  write("p1.txt", "first file");
  write("p2.txt", "second file");
  write("large.bin", std::string(70'000, 'L'));
  start(options);
  const std::string etag = fetch("/p1.txt").header("ETag").value_or("");
  ASSERT_EQ(fetch("/large.bin").status, 200);  // cached too
  struct Expected {
    std::string request;
    int status;
    std::string body;
    bool head = false;
  };
  std::vector<Expected> expected;
  for (int round = 0; round < 3; ++round) {
    expected.push_back({get("/p1.txt"), 200, "first file"});
    expected.push_back({get("/large.bin"), 200, std::string(70'000, 'L')});
    expected.push_back({get("/route"), 200, "route\n"});
    expected.push_back({get("/p1.txt", "If-None-Match: " + etag + "\r\n"), 304, ""});
    expected.push_back({get("/missing"), 404, ""});
    expected.push_back({"HEAD /p2.txt HTTP/1.1\r\nHost: t\r\n\r\n", 200, "", true});
    expected.push_back({get("/p2.txt"), 200, "second file"});
  }
  std::string batch;
  for (const auto& e : expected) batch += e.request;
  client->send(batch);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    RawResponse res = client->read_response(expected[i].head);
    ASSERT_EQ(res.status, expected[i].status) << i;
    if (expected[i].status == 200) {
      EXPECT_EQ(res.body, expected[i].body) << i;
    }
    if (expected[i].head) {
      EXPECT_EQ(res.header("Content-Length"), "11");
    }
  }
  EXPECT_TRUE(client->still_open());
}

// An after() hook sees a cached file's fields as headers, and what it adds goes out.
TEST_F(StaticCache, AfterHooksSeeTheFields) {
  write("h.css", "body{}");
  http::Router r;
  r.files("/", dir.path());
  r.after([](const http::ServerRequest&, http::ServerResponse& res) {
    res.headers.set("X-Type-Seen", std::string(res.headers.get("Content-Type").value_or("none")));
  });
  root = ServerAccess::static_roots(r).front();
  now = CacheTimes::now();
  now.real_ns += std::chrono::nanoseconds(1h).count();
  StaticAccess::freeze_clock(*root, now);
  TestServer s(std::move(r));
  RawClient c(s.port());
  for (int i = 0; i < 2; ++i) {  // a miss, then a hit
    RawResponse res = c.roundtrip(get("/h.css"));
    EXPECT_EQ(res.body, "body{}");
    EXPECT_EQ(res.header("X-Type-Seen"), "text/css; charset=utf-8");
    EXPECT_EQ(res.count("Content-Type"), 1u);
    EXPECT_EQ(res.count("ETag"), 1u);
  }
}

}  // namespace
