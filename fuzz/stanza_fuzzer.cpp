// libFuzzer target: a YAML config file in, a validated stanza or one
// ConfigError out. Every line of the error names the file (no value can
// start a line of its own), and a literal api_key, api_secret or proxy
// with credentials is never quoted.
// SPDX-License-Identifier: Apache-2.0
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "connector/config.h"
#include "connector/error.h"
#include "connector/log.h"
#include "fuzz_support.h"

namespace {

constexpr connector::Millis kNow = 1700000000000;

/// The config "file": a memfd rewritten for every input, named through
/// /proc so the reader opens it like any path.
class MemFile {
 public:
  MemFile() : fd_(::memfd_create("stanza.yaml", MFD_CLOEXEC)) {
    fuzz::require(fd_ >= 0, "memfd_create works");
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  void fill(const std::uint8_t* data, std::size_t size) {
    fuzz::require(::ftruncate(fd_, 0) == 0, "ftruncate works");
    std::size_t done = 0;
    while (done < size) {
      const ssize_t n = ::pwrite(fd_, data + done, size - done,
                                 static_cast<off_t>(done));
      fuzz::require(n > 0, "pwrite works");
      done += static_cast<std::size_t>(n);
    }
  }
  const std::string& path() const { return path_; }

 private:
  int fd_;
  std::string path_;
};

/// Marks every literal secret (api_key, api_secret, the password part of
/// a proxy URL) with a canary no message could contain by chance;
/// returns whether any was marked.
constexpr const char* kCanary = "Zq9CANARYx7";

bool mark_secrets(connector::RawStanza& raw) {
  bool marked = false;
  for (connector::RawSetting& setting : raw.settings) {
    if (setting.is_list || setting.scalar.rfind("env:", 0) == 0 ||
        setting.scalar.rfind("file:", 0) == 0) {
      continue;
    }
    if (setting.key == "api_key" || setting.key == "api_secret") {
      setting.scalar += kCanary;
      marked = true;
    } else if (setting.key == "proxy") {
      const std::size_t at = setting.scalar.rfind('@');
      if (at != std::string::npos) {
        setting.scalar.insert(at, kCanary);
        marked = true;
      }
    }
  }
  return marked;
}

void check_message(const std::string& message, const std::string& path,
                   bool marked) {
  std::istringstream lines(message);
  std::string line;
  while (std::getline(lines, line)) {
    // Other control characters are escaped when the line is logged; a
    // newline would start a line that does not name the file.
    fuzz::require(line.rfind(path + ":", 0) == 0,
                  "every error line starts with the file name");
  }
  fuzz::require(!marked || message.find(kCanary) == std::string::npos,
                "a secret's value is never quoted");
}

/// Validates `raw`, checking whatever error comes out.
void validate(const connector::RawStanza& raw, const std::string& path,
              bool marked) {
  try {
    const connector::Config config = connector::validate_stanza(raw, kNow);
    fuzz::require(!config.stanza.empty(), "a valid stanza has a name");
    fuzz::require(config.page_size >= 1 && config.page_size <= 1000,
                  "page_size stays in range");
    fuzz::require(config.window >= 1, "a window is at least 1 ms");
  } catch (const connector::ConfigError& error) {
    check_message(error.what(), path, marked);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  static MemFile file;
  static const bool quiet = [] {
    connector::set_log_level(connector::LogLevel::Error);
    return true;
  }();
  static_cast<void>(quiet);
  // The first byte decides whether a stanza is named, so both ways of
  // picking one are fuzzed.
  const std::optional<std::string> name =
      size > 0 && (data[0] & 1) != 0 ? std::optional<std::string>("itest")
                                     : std::nullopt;
  file.fill(data, size);
  connector::RawStanza raw;
  try {
    raw = connector::read_yaml_stanza(file.path(), name);
  } catch (const connector::ConfigError& error) {
    check_message(error.what(), file.path(), false);
    return 0;
  }
  validate(raw, file.path(), false);
  // The fuzzer learns constants it sees compared; when the input already
  // holds the canary, a quoted non-secret could carry it.
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (input.find(kCanary) == std::string_view::npos && mark_secrets(raw)) {
    validate(raw, file.path(), true);
  }
  return 0;
}
