// SPDX-License-Identifier: MIT
// A temporary directory removed with everything in it when the object dies.
#pragma once

#include <filesystem>
#include <string_view>

namespace wire::test {

/// Creates a fresh, private (0700) directory under $TMPDIR (or /tmp) and removes it
/// recursively in the destructor. Move-only.
///   wire::test::TempDir dir;
///   auto sock = dir / "server.sock";
class TempDir {
 public:
  /// Makes the directory; `prefix` starts its name. @throws std::system_error.
  explicit TempDir(std::string_view prefix = "wire-test-");
  /// Removes the directory tree; errors are ignored.
  ~TempDir();
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  /// The directory's absolute path.
  const std::filesystem::path& path() const noexcept { return path_; }
  /// path() / name: a path inside the directory (nothing is created).
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

  /// Writes `contents` to path() / name (creating or truncating it) and returns that path.
  std::filesystem::path write_file(std::string_view name, std::string_view contents) const;

 private:
  std::filesystem::path path_;
};

}  // namespace wire::test
