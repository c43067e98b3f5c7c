// SPDX-License-Identifier: MIT
#include "http_output.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "exit_status.hpp"
#include "retry.hpp"
#include "wire/error.hpp"
#include "wire/http/serializer.hpp"
#include "wire/http/url.hpp"

namespace wire::cli {
namespace {

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// Each line of an HTTP head (CRLF-separated, up to the empty line) with `prefix`, on stderr.
void print_head(std::string_view prefix, std::string_view head) {
  std::string out;
  while (!head.empty()) {
    auto end = head.find("\r\n");
    out.append(prefix).append(head.substr(0, end)).append("\n");
    if (end == std::string_view::npos || end == 0) break;
    head.remove_prefix(end + 2);
  }
  std::cerr << out << std::flush;
}

// "bytes 100-199/200" -> 100.
std::optional<std::uint64_t> content_range_start(std::string_view value) {
  if (!value.starts_with("bytes ")) return std::nullopt;
  value.remove_prefix(6);
  std::uint64_t start = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), start);
  if (ec != std::errc() || end == value.data() + value.size() || *end != '-') return std::nullopt;
  return start;
}

}  // namespace

std::function<void(http::TraceEvent, std::string_view)> Verbose::tracer() {
  if (!on_) return {};
  return [this](http::TraceEvent event, std::string_view text) {
    switch (event) {
      case http::TraceEvent::connected:
        note("Connected to " + std::string(text));
        break;
      case http::TraceEvent::tls:
        note(text);
        break;
      case http::TraceEvent::request_head:
        print_head("> ", text);
        break;
    }
  };
}

void Verbose::response(const http::Response& head) const {
  if (on_) print_head("< ", http::encode_head(head));
}

void Verbose::note(std::string_view text) const {
  if (on_) std::cerr << "* " << text << std::endl;
}

std::string output_path(const HttpOptions& o, const std::string& url) {
  if (!o.remote_name) return o.output == "-" ? std::string() : o.output;
  std::string path = http::Url::parse_http(url).path();
  std::string name = path.substr(path.rfind('/') + 1);
  if (name.empty() || name == "." || name == "..") {
    throw WriteError(url + ": -O needs a file name at the end of the URL's path");
  }
  return name;
}

ResponseWriter::ResponseWriter(const HttpOptions& o, std::string url, std::string path,
                               std::optional<std::uint64_t> limit, bool may_retry)
    : o_(o), url_(std::move(url)), path_(std::move(path)), limit_(limit), may_retry_(may_retry),
      // The bar shows unless -s, or the body itself goes to the terminal (Progress also wants
      // stderr to be one).
      bar_(!o.silent && !(path_.empty() && ::isatty(STDOUT_FILENO) == 1)) {
  struct stat st {};
  if ((o.resume || o.continue_at == "-") && !path_.empty() && ::stat(path_.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    resume_from_ = static_cast<std::uint64_t>(st.st_size);
  }
}

void ResponseWriter::head(const http::Response& r) {
  bool show_head = o_.include || o_.head;
  if (is_redirect(r.status) && r.headers.contains("Location") && o_.max_redirects > 0) {
    if (show_head) heads_ += http::encode_head(r);  // followed: its head only, for -i
    return;
  }
  if (may_retry_ && transient_status(r.status)) {
    retry_status_ = r.status;
    if (auto value = r.headers.get("Retry-After")) retry_after_ = parse_retry_after(*value, std::chrono::system_clock::now());
    return;
  }
  if (resume_from_ > 0 && r.status == 416) {  // curl's reading: nothing is left to fetch
    complete_ = true;
    return;
  }
  if (o_.fail && r.status >= 400) {
    throw HttpStatusError(url_ + ": the server answered " + std::to_string(r.status) + " " +
                          std::string(http::reason_phrase(r.status)));
  }
  if (auto length = r.headers.get("Content-Length"); length && limit_) {
    std::uint64_t size = 0;
    if (std::from_chars(length->data(), length->data() + length->size(), size).ec == std::errc()) check_size(size);
  }
  open(r);
  if (show_head) heads_ += http::encode_head(r);
  write(std::as_bytes(std::span(heads_)));
  heads_.clear();
}

void ResponseWriter::open(const http::Response& r) {
  offset_body_ = resume_from_ > 0 && r.status == 206;
  if (offset_body_) {
    auto start = content_range_start(r.headers.get("Content-Range").value_or(""));
    if (start != resume_from_) {
      throw std::runtime_error(url_ + ": asked for the bytes from " + std::to_string(resume_from_) +
                               " on, the server sent " + std::string(r.headers.get("Content-Range").value_or("no Content-Range")));
    }
  }
  // -C - appends to the partial file; anything else writes a new one beside it (a server that
  // ignored the Range sends the whole body again: it replaces the partial file on success).
  out_ = std::make_unique<OutputFile>(path_, offset_body_ ? OutputFile::Mode::append : OutputFile::Mode::replace);
}

void ResponseWriter::check_size(std::uint64_t size) const {
  if (limit_ && size > *limit_) {
    throw std::system_error(make_error_code(wire::Errc::limit_exceeded),
                            url_ + ": the body is larger than --max-filesize " + std::to_string(*limit_) + " bytes");
  }
}

void ResponseWriter::data(std::span<const std::byte> bytes) {
  if (retry_status_ || complete_ || !out_) return;
  received_ += bytes.size();
  check_size(received_);
  // curl's rule: binary data (a NUL byte) is not written to a terminal unless asked (-o -).
  if (out_->is_stdout() && o_.output != "-" && out_->is_terminal() &&
      std::memchr(bytes.data(), 0, bytes.size()) != nullptr) {
    throw WriteError("binary output refused on a terminal: use -o FILE (or -o - to write it there anyway)");
  }
  write(bytes);
}

void ResponseWriter::write(std::span<const std::byte> bytes) {
  if (bytes.empty()) return;
  out_->write(bytes);
  written_ += bytes.size();
}

void ResponseWriter::progress(std::uint64_t received, std::optional<std::uint64_t> total) {
  if (retry_status_ || complete_) return;
  std::uint64_t offset = offset_body_ ? resume_from_ : 0;
  bar_.update(offset + received, total ? std::optional(offset + *total) : std::nullopt);
}

void ResponseWriter::finish() {
  bar_.finish();
  if (out_) out_->commit();
}

}  // namespace wire::cli
