// SPDX-License-Identifier: MIT
// Fuzzes the static files (Router::files over StaticRoot) the way the server reaches them, to
// get at their private parsers: Range (RFC 9110 §14), If-Range, If-None-Match and
// If-Modified-Since (the HTTP date formats), and the request path, percent-decoded by the
// router. The request is made and routed as the server's connection does (detail::ServerAccess,
// the server's own private door: handlers cannot build requests). The root is a temporary
// directory made once: a 100-byte file, an empty one, a directory with an index and one without,
// a symbolic link out, and a secret file beside the root. The input: a byte of flags, then one
// line each for the target, Range, If-Range, If-None-Match and If-Modified-Since (an empty line:
// no such field). Whatever comes, the file sent is one beneath the root, never the secret; a 206
// names the bytes it sends in Content-Range and they lie inside the file; a 416 says
// "bytes */size"; a redirect never leads off the site ("//host" or "/\host").
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cinttypes>
#include <cstddef>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "../../src/http/server_access.hpp"
#include "../../src/http/static_cache.hpp"
#include "fuzz_input.hpp"
#include "wire/http/server.hpp"
#include "wire/http/url.hpp"
#include "wire/net/address.hpp"

using namespace wire::http;
using wire::fuzz::violated;
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kSize = 100;

struct Tree {
  fs::path top;
  fs::path root;
  ino_t secret_inode = 0;
  std::string content;  // of f.txt
  Router* router = nullptr;

  Tree() {
    char name[] = "/tmp/wire-fuzz-range.XXXXXX";
    if (!::mkdtemp(name)) std::abort();
    top = name;
    root = top / "root";
    fs::create_directories(root / "dir");
    fs::create_directories(root / "plain");
    for (std::uint64_t i = 0; i < kSize; ++i) content += static_cast<char>('a' + i % 26);
    std::ofstream(root / "f.txt", std::ios::binary) << content;
    std::ofstream(root / "empty.txt", std::ios::binary);
    std::ofstream(root / "dir" / "index.html") << "<p>index</p>\n";
    std::ofstream(top / "secret.txt") << "SECRET";
    fs::create_symlink("../secret.txt", root / "link.txt");
    struct stat st {};
    if (::stat((top / "secret.txt").c_str(), &st) != 0) std::abort();
    secret_inode = st.st_ino;
    // A fixed modification time, so the dates in the corpus compare the same way every run.
    timespec times[2] = {{1577836800, 0}, {1577836800, 0}};
    ::utimensat(AT_FDCWD, (root / "f.txt").c_str(), times, 0);
    router = new Router;  // lives as long as the process
    router->files("/", root);
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(tree().top, ec);
    });
  }
  static Tree& tree();
};

Tree& Tree::tree() {
  static Tree* t = new Tree;
  return *t;
}

std::string_view header(const ServerResponse& res, std::string_view name) {
  return res.headers.get_or(name, "");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Tree& tree = Tree::tree();
  wire::fuzz::Input input(data, size);
  std::uint8_t flags = input.byte();
  std::string_view target = input.line();
  if (target.empty() || target.front() != '/') return 0;

  Request head((flags & 1) ? "HEAD" : "GET", std::string(target));
  for (std::string_view name : {"Range", "If-Range", "If-None-Match", "If-Modified-Since"}) {
    std::string_view value = input.line();
    if (!value.empty() && is_valid_field_value(value)) head.headers.add(name, value);
  }
  using detail::ServerAccess;
  static const auto peer = wire::net::Address::parse("127.0.0.1:40000");
  ServerRequest req = ServerAccess::request(head, peer, false);
  int status = 0;
  std::string allow;
  const Router::Route* route = nullptr;
  try {
    route = ServerAccess::match(*tree.router, req, status, allow);
  } catch (const UrlError&) {
    return 0;  // a malformed %-escape in the path: the server answers 400, as it catches this
  }
  if (!route) return 0;  // 404, 405: the router's answer, no file involved
  if (!ServerAccess::is_sync(*route)) violated("the files route is not synchronous");
  ServerResponse res = ServerAccess::call_sync(*route, req);
  // A file from the files' cache, as an after() hook would see it: headers, and the bytes
  // (a small file) or the descriptor (a large one).
  wire::http::detail::materialize(res);

  if (res.status == 301 || res.status == 302) {
    std::string_view location = header(res, "Location");
    if (location.size() < 1 || location[0] != '/' ||
        (location.size() > 1 && (location[1] == '/' || location[1] == '\\'))) {
      violated("a redirect that leaves the site");
    }
  }
  if (res.file) {
    struct stat st {};
    if (::fstat(res.file.fd(), &st) != 0) violated("a file body with a bad descriptor");
    if (st.st_ino == tree.secret_inode) violated("the file beside the root was served");
    if (!S_ISREG(st.st_mode)) violated("a file body that is not a regular file");
    auto file_size = static_cast<std::uint64_t>(st.st_size);
    if (res.file.offset() > file_size || res.file.length() > file_size - res.file.offset()) {
      violated("a file body beyond the end of the file");
    }
  }
  std::string_view content_range = header(res, "Content-Range");
  if (res.body.find("SECRET") != std::string::npos) violated("the file beside the root was served");
  if (res.status == 206) {
    // "bytes A-B/S": B - A + 1 bytes sent, inside the S bytes of the file.
    std::uint64_t first = 0, last = 0, total = 0;
    if (std::sscanf(std::string(content_range).c_str(), "bytes %" SCNu64 "-%" SCNu64 "/%" SCNu64, &first, &last,
                    &total) != 3 || last < first || last >= total) {
      violated("a 206 whose Content-Range is not a range inside the file");
    }
    if (res.file) {
      if (res.file.offset() != first || res.file.length() != last - first + 1) {
        violated("a 206 whose Content-Range is not the bytes sent");
      }
    } else if (res.body.size() != last - first + 1 || res.body.empty()) {
      violated("a 206 whose Content-Range is not the bytes sent");
    }
  } else if (res.status == 416) {
    if (content_range.substr(0, 8) != "bytes */") violated("a 416 without Content-Range: bytes */size");
  } else if (!content_range.empty()) {
    violated("Content-Range on a response that is neither 206 nor 416");
  }
  return 0;
}
