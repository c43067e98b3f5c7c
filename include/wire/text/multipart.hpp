// SPDX-License-Identifier: MIT
// Multipart bodies (RFC 2046 §5.1), the machinery that mail (multipart/mixed, /alternative)
// and HTTP forms (multipart/form-data, RFC 7578) share: boundaries, a writer that streams the
// parts (files read in pieces, never whole), and a parser that reads a body as it arrives.
//
//   multipart-body := [preamble CRLF] dash-boundary transport-padding CRLF body-part
//                     *encapsulation close-delimiter transport-padding [CRLF epilogue]
//   encapsulation  := delimiter transport-padding CRLF body-part
//   delimiter      := CRLF dash-boundary          dash-boundary := "--" boundary
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "wire/text/fields.hpp"
#include "wire/text/headers.hpp"
#include "wire/text/source.hpp"

namespace wire::text {

/// A fresh boundary: `prefix` and 32 random base-36 characters from std::random_device (about 165
/// bits, so that no body will hold it by chance). The default "=_" cannot occur in base64 nor in
/// quoted-printable text (RFC 2045 §6.7 allows '=' only before two hex digits or a line break),
/// so parts in those encodings can never contain it.
std::string make_boundary(std::string_view prefix = "=_");

/// RFC 2046 §5.1.1: 1 to 70 characters of bchars (DIGIT ALPHA ' ( ) + _ , - . / : = ? and
/// space), not ending in a space.
bool is_valid_boundary(std::string_view boundary) noexcept;

/// Writes a multipart body as a pull source: parts are added first, then read() gives the
/// body in pieces. A part's body is in memory, or a Source read as the body goes out (a file,
/// a base64 encoder over a file, another MultipartWriter), so a 1 GiB file is never held.
///   MultipartWriter w("form-data");
///   w.add({{"Content-Disposition", "form-data; name=\"q\""}}, "hello");
///   w.add({{"Content-Disposition", "form-data; name=\"f\"; filename=\"a.bin\""}},
///         std::make_unique<FileSource>("a.bin"));
///   w.content_type();   // multipart/form-data; boundary="=_..."
///   while (std::size_t n = w.read(buffer)) send(buffer, n);
///
/// The boundary is checked against everything known before reading — part headers, bodies
/// in memory, nested writers — and a random boundary found there is replaced (a fixed one is an
/// error). Bodies read from a Source cannot be checked in advance: the randomness of the
/// boundary is what keeps them apart. Read boundary() or content_type() after the last add():
/// from then on the boundary is fixed.
class MultipartWriter final : public Source {
 public:
  /// A body of type multipart/`subtype` ("mixed", "alternative", "form-data", ...) with a
  /// random boundary; `fold_width` 78 folds the parts' header lines as mail should, 0 (the
  /// default, what HTTP form parsers expect) never folds.
  explicit MultipartWriter(std::string subtype = "mixed", std::size_t fold_width = 0);
  /// With the caller's boundary (reproducible output, tests).
  /// @throws std::invalid_argument if `boundary` is not valid (is_valid_boundary()).
  MultipartWriter(std::string subtype, std::string boundary, std::size_t fold_width);

  /// Adds a part whose body is in memory.
  /// @throws std::invalid_argument for a field append_field() refuses, or when the boundary
  ///   occurs in the part and cannot be replaced; std::logic_error once reading has begun.
  void add(const Headers& headers, std::string body);
  /// Adds a part whose body is read from `body` as the multipart body goes out.
  void add(const Headers& headers, std::unique_ptr<Source> body);
  /// Adds a nested multipart body as a part: its Content-Type (with its boundary, now fixed)
  /// is written first, then `headers`.
  void add(std::unique_ptr<MultipartWriter> nested, const Headers& headers = {});

  /// The boundary (fixed from this call on).
  const std::string& boundary();
  /// "multipart/<subtype>; boundary=\"...\"" (fixing the boundary).
  std::string content_type();
  const std::string& subtype() const noexcept { return subtype_; }
  std::size_t part_count() const noexcept { return parts_.size(); }
  /// True if `needle` occurs in what is known before reading: the delimiter lines, the part
  /// headers and in-memory bodies, and those of nested writers.
  bool contains(std::string_view needle) const;

  using Source::read;
  /// Gives the next bytes of the body (fixing the boundary).
  /// @throws std::logic_error if there is no part (RFC 2046 §5.1.1 asks for one at least), and
  ///   whatever a part's Source throws.
  std::size_t read(std::span<char> out) override;
  /// The body's length, if every part's Source knows its size.
  std::optional<std::uint64_t> size() const override;

 private:
  struct Part {
    std::string head;                   // the part's header lines and the empty line
    std::string body;                   // the body, when in memory
    std::unique_ptr<Source> source;     // or where it is read from
    const MultipartWriter* nested = nullptr;  // source, when it is a MultipartWriter
  };
  void add_part(Part part);
  bool part_contains(const Part& part, std::string_view needle) const;
  void freeze();
  std::string delimiter(std::size_t index) const;

  std::string subtype_;
  std::string boundary_;
  std::size_t fold_width_;
  bool fixed_ = false;    // the caller chose the boundary
  bool frozen_ = false;   // the boundary has been given out
  std::vector<Part> parts_;
  // Reading: parts_[index_], in phase 0 (delimiter and head), 1 (body), then the close.
  std::size_t index_ = 0;
  int phase_ = 0;
  std::string pending_;
  std::size_t pending_off_ = 0;
  std::size_t body_off_ = 0;
  bool closed_ = false;
};

/// Why a MultipartParser stopped (a part's header section may also fail with a FieldErrc).
enum class MultipartErrc {
  bad_delimiter = 1,  ///< transport padding after a boundary longer than the parser holds (1000)
  too_many_parts,     ///< more parts than MultipartLimits::max_parts
  truncated,          ///< the body ended before its close delimiter
};

/// The category of MultipartErrc; its name() is "multipart".
const std::error_category& multipart_category() noexcept;
inline std::error_code make_error_code(MultipartErrc e) noexcept { return {static_cast<int>(e), multipart_category()}; }

/// The limits a MultipartParser enforces. A value at the limit passes.
struct MultipartLimits {
  std::size_t max_header_bytes = 16 * 1024;  ///< each part's header section (FieldLimits::max_bytes)
  std::size_t max_headers = 100;             ///< fields in each part's header section
  std::size_t max_parts = 1000;              ///< parts in this body (nested bodies count their own)
};

/// What MultipartParser::next() reports.
enum class MultipartEventKind : std::uint8_t {
  need_more,  ///< nothing more until feed() (or feed_eof())
  part,       ///< a part's header section is complete: headers() holds it
  data,       ///< a piece of the current part's body, in MultipartEvent::data
  part_end,   ///< the current part's body is complete
  end,        ///< the close delimiter: the body is complete (an epilogue is skipped)
  error,      ///< the body is malformed; error() says why. Sticky.
};

struct MultipartEvent {
  MultipartEventKind kind = MultipartEventKind::need_more;
  std::string_view data;  ///< for `data`: valid until the next feed()
};

/// Reads a multipart body as it arrives (RFC 2046 §5.1): the preamble is skipped, each part
/// gives its header fields, its body in pieces and its end, then the close delimiter ends the
/// body and the epilogue is skipped. A delimiter is a line that is "--" boundary, with "--"
/// after it for the close one, then optional transport padding (spaces and tabs); lines may
/// end in CRLF or LF alone, and the line break before a delimiter belongs to it, not to the
/// part. A line that merely begins with the boundary ("--boundaryX") is part of the body, as
/// in Python's email. A nested multipart body is a part's data fed to a second parser.
///
/// feed() takes every byte it is given (it keeps what it has not looked at yet, never more
/// than was fed since next() last returned need_more plus a delimiter's length).
///   MultipartParser p(boundary); p.feed(bytes);
///   for (auto ev = p.next(); ev.kind != MultipartEventKind::need_more; ev = p.next()) {...}
class MultipartParser {
 public:
  /// @throws std::invalid_argument if `boundary` is empty or longer than 998 characters
  ///   (the parser reads what senders send, not only RFC 2046's 70 bchars).
  explicit MultipartParser(std::string_view boundary, const MultipartLimits& limits = {});

  /// Appends bytes. Views given out by next() are invalid from here on.
  void feed(std::string_view bytes);
  /// The body ended (the end of the enclosing part or message): without the close delimiter
  /// that is MultipartErrc::truncated, after it nothing changes.
  void feed_eof();
  /// The next event; need_more when there is none until more bytes arrive.
  MultipartEvent next();

  /// The current part's header fields, from its `part` event until the next part.
  const Headers& headers() const noexcept { return fields_.fields(); }
  /// The error that stopped the parser: a MultipartErrc, or a FieldErrc from a part's header
  /// section; {} if none.
  std::error_code error() const noexcept { return error_; }
  /// Parts begun so far.
  std::size_t part_count() const noexcept { return parts_; }

 private:
  enum class State : std::uint8_t { preamble, headers, body, epilogue, failed };
  // Where a delimiter candidate starts ("--boundary" at `dash`, its line break at `start`).
  struct Match {
    enum Kind : std::uint8_t { none, need_more, not_delimiter, open, close } kind = none;
    std::size_t end = 0;  // just after the delimiter line
  };
  struct Candidate {
    std::size_t start = std::string::npos, dash = std::string::npos;
    bool wait = false;
  };
  Match classify(std::size_t after_boundary) const;
  Candidate find_candidate() const;
  std::optional<MultipartEvent> scan();
  MultipartEvent read_headers();
  MultipartEvent fail(std::error_code ec);
  std::size_t hold_from(std::size_t from) const;

  std::string dash_boundary_;     // "--" boundary
  std::string lf_dash_boundary_;  // "\n--" boundary
  MultipartLimits limits_;
  FieldParser fields_;
  State state_ = State::preamble;
  std::string buf_;
  std::size_t pos_ = 0;          // bytes of buf_ already dealt with
  bool line_start_ = true;       // pos_ is at the start of a line (a delimiter needs no line break)
  bool eof_ = false;
  std::size_t parts_ = 0;
  // Events decided but not yet given out: a part's last data, then part_end, then the next.
  MultipartEventKind queue_[3] = {};
  std::size_t queued_ = 0;
  std::size_t queue_head_ = 0;
  std::error_code error_;
};

}  // namespace wire::text

template <>
struct std::is_error_code_enum<wire::text::MultipartErrc> : std::true_type {};
