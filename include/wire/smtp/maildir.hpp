// SPDX-License-Identifier: MIT
// wire::smtp::Maildir: delivery into a Maildir (tmp/ → fsync → new/), the way a mail server
// that says 250 must store a message: on disk before the reply.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

namespace wire::smtp {

/// A Maildir (the format of qmail, Dovecot, Postfix's and OpenSMTPD's maildir delivery): each
/// message one file, written under tmp/, flushed to disk with fsync, then renamed into new/
/// and the directory fsynced, so that a reader never sees half a message and a crash after
/// the server's 250 loses nothing. Names are unique by the Maildir rule
/// "seconds.M<microseconds>P<pid>Q<count>R<random>.host". One object serves every thread.
///   Maildir box("/var/mail/sink");               // makes tmp/, new/, cur/ if missing
///   auto d = box.begin();  d.write(bytes, ec);  std::string name = d.commit(ec);
class Maildir {
 public:
  /// @throws std::system_error if `root` or its tmp/, new/ and cur/ cannot be made.
  explicit Maildir(std::filesystem::path root);

  /// One message being written. Destroying it before commit() removes the temporary file.
  class Delivery {
   public:
    Delivery(Delivery&&) noexcept;
    Delivery& operator=(Delivery&&) = delete;
    ~Delivery();
    /// Appends bytes (buffered; written with write(2) past 64 KiB). A failure (ENOSPC, EACCES,
    /// ...) is kept in `ec` and every later call fails with it.
    void write(std::string_view bytes, std::error_code& ec);
    /// Writes what is buffered, fsyncs the file, renames it into new/ and fsyncs new/. Returns
    /// the file's name in new/ ("" on failure, with `ec` set; the temporary file is removed).
    std::string commit(std::error_code& ec);

   private:
    friend class Maildir;
    Delivery(const Maildir& box, std::string name) : box_(&box), name_(std::move(name)) {}
    void spill(std::error_code& ec);
    void abort() noexcept;
    const Maildir* box_;
    std::string name_;
    std::string pending_;
    int fd_ = -1;
    std::error_code error_;
    bool done_ = false;
  };

  /// A new message, with a name no other delivery has.
  Delivery begin() const;
  /// A whole message at once. @throws std::system_error; returns its name in new/.
  std::string deliver(std::string_view message) const;

  const std::filesystem::path& root() const noexcept { return root_; }

 private:
  std::string unique_name() const;
  std::filesystem::path root_;
  std::string host_;  // the host part of names, with "/" and ":" escaped
  mutable std::atomic<std::uint64_t> count_{0};
};

}  // namespace wire::smtp
