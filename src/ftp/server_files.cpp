// SPDX-License-Identifier: MIT
// The server's paths and file commands: PWD, CWD, CDUP, MKD, RMD, DELE, RNFR/RNTO, SIZE, MDTM,
// MLST (RFC 959 §4.1.3, RFC 3659), and the bytes of LIST, NLST and MLSD listings.
//
// Rules: a path is taken from the current directory (or the root when it begins with "/");
// "." and ".." are resolved by hand, and ".." at the root stays there, as in a chroot. What
// the path then names is opened by io::FileRoot beneath the root's descriptor: no symbolic link
// leads out, devices and FIFOs are refused. Every failure is 550 with a reason that reveals
// nothing outside the root (a link leading out reads as "No such file or directory").
#include <array>
#include <ctime>
#include <vector>

#include "server_session.hpp"
#include "wire/ftp/codec.hpp"
#include "wire/ftp/list_entry.hpp"
#include "wire/ftp/mlsx_entry.hpp"
#include "wire/text/chars.hpp"
#include "wire/text/date.hpp"

namespace wire::ftp::detail {
namespace {

// `cwd` (clean) and `arg` joined, "." and ".." resolved; ".." at the root stays at the root.
std::string join_path(std::string_view cwd, std::string_view arg) {
  std::vector<std::string_view> parts;
  auto add = [&parts](std::string_view path) {
    while (!path.empty()) {
      std::size_t slash = path.find('/');
      std::string_view part = path.substr(0, slash);
      path.remove_prefix(slash == std::string_view::npos ? path.size() : slash + 1);
      if (part.empty() || part == ".") continue;
      if (part == "..") {
        if (!parts.empty()) parts.pop_back();
        continue;
      }
      parts.push_back(part);
    }
  };
  if (arg.empty() || arg.front() != '/') add(cwd);
  add(arg);
  std::string out;
  for (std::string_view p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

std::string_view reason(std::error_code ec) {
  switch (ec.value()) {
    case EEXIST:
      return "File exists.";
    case ENOTEMPTY:
      return "Directory not empty.";
    case EACCES:
    case EPERM:
      return "Permission denied.";
    case ENOTDIR:
      return "Not a directory.";
    case EISDIR:
      return "Is a directory.";
    case ENOSPC:
    case EDQUOT:
      return "No space left.";
    default:  // ENOENT, and EXDEV or ELOOP for a link leading out: said the same way
      return "No such file or directory.";
  }
}

// The nine permission letters of `ls -l` for a mode.
std::string permission_letters(std::uint32_t mode) {
  std::string p(9, '-');
  const char letters[] = "rwxrwxrwx";
  for (int i = 0; i < 9; ++i) {
    if (mode & (0400u >> i)) p[static_cast<std::size_t>(i)] = letters[i];
  }
  return p;
}

}  // namespace

io::Task<std::optional<std::string>> Session::resolve(std::string_view arg) {
  std::string path = join_path(cwd_, arg);
  if (!io::FileRoot::clean(path)) {
    co_await reply(553, "File name not allowed.");
    co_return std::nullopt;
  }
  co_return path;
}

io::Task<void> Session::refuse_path(std::error_code ec, std::string_view what) {
  bool server_side = ec.value() == ENOSPC || ec.value() == EDQUOT || ec.value() == EIO;
  co_await reply(server_side ? 452 : 550, std::string(what) + ": " + std::string(reason(ec)));
}

io::Task<void> Session::cmd_pwd(std::string_view) {
  co_await reply(257, quote_path("/" + cwd_) + " is the current directory.");
}

io::Task<void> Session::cmd_cwd(std::string_view arg) {
  auto path = co_await resolve(arg.empty() ? "/" : arg);
  if (!path) co_return;
  std::error_code ec;
  io::FileInfo info = server_.root.info(*path, ec);
  if (!ec && !info.is_directory()) ec = std::make_error_code(std::errc::not_a_directory);
  if (ec) co_return co_await refuse_path(ec, "CWD");
  cwd_ = *path;
  co_await reply(250, "Directory changed to " + quote_path("/" + cwd_) + ".");
}

io::Task<void> Session::cmd_cdup(std::string_view) { co_await cmd_cwd(".."); }

io::Task<void> Session::change_path(std::string_view verb, std::string_view arg, PathChange change, int code,
                                    std::string_view done) {
  auto path = co_await resolve(arg);
  if (!path) co_return;
  std::error_code ec;
  (server_.root.*change)(*path, ec);
  if (ec) co_return co_await refuse_path(ec, verb);
  if (code == 257) co_return co_await reply(257, quote_path("/" + *path) + " created.");  // RFC 959 Appendix II
  co_await reply(code, done);
}

io::Task<void> Session::cmd_mkd(std::string_view arg) { co_await change_path("MKD", arg, &io::FileRoot::make_directory, 257, {}); }
io::Task<void> Session::cmd_rmd(std::string_view arg) {
  co_await change_path("RMD", arg, &io::FileRoot::remove_directory, 250, "Directory removed.");
}
io::Task<void> Session::cmd_dele(std::string_view arg) { co_await change_path("DELE", arg, &io::FileRoot::remove_file, 250, "File removed."); }

io::Task<void> Session::cmd_rnfr(std::string_view arg) {
  auto path = co_await resolve(arg);
  if (!path) co_return;
  std::error_code ec;
  io::FileInfo info = server_.root.info(*path, ec);
  if (!ec && !info.is_file() && !info.is_directory()) ec = std::make_error_code(std::errc::permission_denied);
  if (ec) co_return co_await refuse_path(ec, "RNFR");
  rename_from_ = *path;
  co_await reply(350, "Ready for RNTO.");
}

io::Task<void> Session::cmd_rnto(std::string_view arg) {
  if (!rename_from_) co_return co_await reply(503, "RNFR first.");
  std::string from = std::move(*rename_from_);
  rename_from_.reset();
  auto path = co_await resolve(arg);
  if (!path) co_return;
  std::error_code ec;
  server_.root.rename(from, *path, ec);
  if (ec) co_return co_await refuse_path(ec, "RNTO");
  co_await reply(250, "Renamed.");
}

io::Task<std::optional<io::FileInfo>> Session::file_info(std::string_view verb, std::string_view arg) {
  auto path = co_await resolve(arg);
  if (!path) co_return std::nullopt;
  std::error_code ec;
  io::FileInfo info = server_.root.info(*path, ec);
  if (!ec && !info.is_file()) ec = std::make_error_code(std::errc::is_a_directory);
  if (!ec) co_return info;
  co_await refuse_path(ec, verb);
  co_return std::nullopt;
}

io::Task<void> Session::cmd_size(std::string_view arg) {
  auto info = co_await file_info("SIZE", arg);
  if (info) co_await reply(213, std::to_string(info->size));  // RFC 3659 §4.2
}

io::Task<void> Session::cmd_mdtm(std::string_view arg) {
  auto info = co_await file_info("MDTM", arg);
  if (info) co_await reply(213, mdtm_reply_text(info->mtime));  // RFC 3659 §3.2
}

namespace {

// The MLSx entry of a file or directory (RFC 3659 §7.5): type, size, modify, perm, UNIX.mode.
MlsxEntry mlsx_of(std::string name, const io::FileInfo& info, bool may_write) {
  MlsxEntry e;
  e.name = std::move(name);
  e.type = info.is_directory() ? EntryType::dir : EntryType::file;
  if (info.is_file()) e.size = info.size;
  e.modify = info.mtime;
  // RFC 3659 §7.5.5: files a(ppend) d(elete) f(rename) r(etrieve) w(rite); directories
  // c(reate) d(elete) e(nter) f(rename) l(ist) m(kdir) p(urge).
  if (info.is_directory()) {
    e.perm = may_write ? "cdeflmp" : "el";
  } else {
    e.perm = may_write ? "adfrw" : "r";
  }
  e.unix_mode = info.mode & 07777;
  return e;
}

ListEntry list_entry_of(std::string name, const io::FileInfo& info) {
  ListEntry e;
  e.format = ListEntry::Format::unix;
  e.type = info.is_directory() ? EntryType::dir : EntryType::file;
  e.name = std::move(name);
  e.size = info.size;
  e.modify = text::to_civil(info.mtime);
  e.permissions = permission_letters(info.mode);
  e.links = info.links;
  e.owner = "ftp";
  e.group = "ftp";
  return e;
}

}  // namespace

io::Task<void> Session::cmd_mlst(std::string_view arg) {
  auto path = co_await resolve(arg);
  if (!path) co_return;
  std::error_code ec;
  io::FileInfo info = server_.root.info(*path, ec);
  if (!ec && !info.is_file() && !info.is_directory()) ec = std::make_error_code(std::errc::no_such_file_or_directory);
  if (ec) co_return co_await refuse_path(ec, "MLST");
  std::string line = " " + format_mlsx_entry(mlsx_of("/" + *path, info, may_write_), ec);
  if (ec) co_return co_await reply(550, "MLST: a name that cannot be sent.");
  std::string head = "Listing " + quote_path("/" + *path);
  std::array<std::string_view, 3> lines = {head, line, "End"};
  co_await reply(250, lines);  // RFC 3659 §7.2: the entry on its own line, after a space
}

// LIST, NLST and MLSD: the entries of a directory (or the one of a file), one CRLF line each.
// Entries that are neither files nor directories (devices, FIFOs, links leading out of the
// root) and names that cannot be written on a line (CR, LF) are left out.
io::Task<std::optional<std::string>> Session::listing(std::string_view verb, std::string_view arg) {
  bool all = false;
  while (!arg.empty() && arg.front() == '-') {  // "LIST -la": ls options some clients send
    std::size_t end = arg.find(' ');
    all = all || arg.substr(0, end).find('a') != std::string_view::npos;
    arg.remove_prefix(end == std::string_view::npos ? arg.size() : end + 1);
  }
  auto path = co_await resolve(arg);
  if (!path) co_return std::nullopt;
  std::error_code ec;
  io::FileInfo info = server_.root.info(*path, ec);
  std::vector<io::DirEntry> entries;
  if (!ec && info.is_directory()) {
    entries = server_.root.list(*path, ec);
  } else if (!ec && info.is_file() && verb != "MLSD") {
    std::string_view name = *path;
    entries.push_back({std::string(name.substr(name.rfind('/') + 1)), info});
  } else if (!ec) {
    ec = std::make_error_code(verb == "MLSD" ? std::errc::not_a_directory : std::errc::no_such_file_or_directory);
  }
  if (ec) {
    co_await refuse_path(ec, verb);
    co_return std::nullopt;
  }
  text::CivilTime now = text::to_civil(std::time(nullptr));
  std::string out;
  for (io::DirEntry& d : entries) {
    if (!d.info.is_file() && !d.info.is_directory()) continue;
    if (verb != "MLSD" && !all && !d.name.empty() && d.name.front() == '.') continue;  // as ls does
    std::error_code bad;
    std::string line = verb == "NLST"   ? d.name
                       : verb == "MLSD" ? format_mlsx_entry(mlsx_of(d.name, d.info, may_write_), bad)
                                        : format_list_line(list_entry_of(d.name, d.info), now, bad);
    if (bad || text::has_line_break(line)) continue;
    out += line;
    out += "\r\n";
  }
  co_return out;
}

}  // namespace wire::ftp::detail
