// SPDX-License-Identifier: MIT
// Where a `wire http get|request` response goes, and what its options say about it on the way:
// -o/-O (through OutputFile), -C - (appending), -i/-I, -v, -f, --max-filesize, the refusal of
// binary data on a terminal, the progress bar, and the statuses --retry waits out.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "http_options.hpp"
#include "output.hpp"
#include "wire/http/connection.hpp"
#include "wire/http/message.hpp"

namespace wire::cli {

/// -v's lines, on stderr: "* " connection and TLS facts, "> " request lines, "< " response lines.
///   Verbose v(true);  options.connection.trace = v.tracer();  ...  v.response(head);
class Verbose {
 public:
  explicit Verbose(bool on) : on_(on) {}
  /// The ConnectionOptions::trace that prints; empty when off.
  std::function<void(http::TraceEvent, std::string_view)> tracer();
  void response(const http::Response& head) const;
  /// A "* " line.
  void note(std::string_view text) const;

 private:
  bool on_;
};

/// The file -o or -O names for `url` ("" for stdout). -O takes the URL path's last segment,
/// as curl does; @throws WriteError when there is none ("http://host/").
std::string output_path(const HttpOptions& o, const std::string& url);

/// One attempt's response: its heads, body and progress, written where the options say.
///   ResponseWriter w(o, url, path, limit, retries_left > 0);
///   request.on_head = [&](auto& h) { w.head(h); };  request.sink = [&](auto d) { w.data(d); };
///   ...  if (!w.retry_status()) w.finish();
class ResponseWriter {
 public:
  ResponseWriter(const HttpOptions& o, std::string url, std::string path, std::optional<std::uint64_t> limit,
                 bool may_retry);
  ResponseWriter(const ResponseWriter&) = delete;
  ResponseWriter& operator=(const ResponseWriter&) = delete;

  /// The offset to ask for with Range (-C -: the output file's size), 0 for the whole body.
  std::uint64_t resume_from() const noexcept { return resume_from_; }
  /// Each response head, redirects included. @throws HttpStatusError (-f and a status of 400
  /// or more), std::system_error wire::Errc::limit_exceeded (over --max-filesize), WriteError.
  void head(const http::Response& response);
  /// Body bytes. @throws as head() does, and WriteError for binary data on a terminal.
  void data(std::span<const std::byte> bytes);
  void progress(std::uint64_t received, std::optional<std::uint64_t> total);
  /// After the whole response: ends the progress bar, renames the file into place.
  void finish();

  /// A transient status (408, 429, 500, 502, 503, 504) that --retry will wait out; nothing was written.
  std::optional<int> retry_status() const noexcept { return retry_status_; }
  /// What the answer's Retry-After asked for, if anything.
  std::optional<std::chrono::milliseconds> retry_after() const noexcept { return retry_after_; }
  /// Whether bytes went to stdout already (a retry could not take them back).
  bool wrote_to_stdout() const noexcept { return out_ && out_->is_stdout() && written_ > 0; }

 private:
  void open(const http::Response& response);
  void check_size(std::uint64_t size) const;
  void write(std::span<const std::byte> bytes);

  const HttpOptions& o_;
  std::string url_;
  std::string path_;
  std::optional<std::uint64_t> limit_;
  bool may_retry_;
  std::uint64_t resume_from_ = 0;
  std::string heads_;  // -i: the redirects' heads, until the output opens
  std::unique_ptr<OutputFile> out_;
  Progress bar_;
  std::uint64_t written_ = 0;
  std::uint64_t received_ = 0;
  bool offset_body_ = false;  // 206: the body continues the file
  bool complete_ = false;     // 416 to -C -: the file is whole already
  std::optional<int> retry_status_;
  std::optional<std::chrono::milliseconds> retry_after_;
};

}  // namespace wire::cli
