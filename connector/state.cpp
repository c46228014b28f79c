// The per-stanza checkpoint: where the next window starts.
// SPDX-License-Identifier: Apache-2.0
#include "state.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rapidjson/document.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "error.h"
#include "json.h"
#include "log.h"

namespace connector {
namespace {

constexpr int kStateFormat = 1;

std::string errno_text() { return std::strerror(errno); }

/// Owns a file descriptor.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  /// Closes now, reporting failure (a close can report a failed write).
  bool close() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

void write_all(int fd, const std::string& text, const std::string& path) {
  const char* data = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    const ssize_t written = ::write(fd, data, left);
    if (written < 0 && errno == EINTR) {
      continue;
    }
    if (written <= 0) {
      throw StateError("cannot write state file " + path + ": " +
                       errno_text());
    }
    data += written;
    left -= static_cast<std::size_t>(written);
  }
}

std::int64_t read_int(const rapidjson::Value& object, const char* name,
                      const std::string& problem) {
  const auto member = object.FindMember(name);
  if (member == object.MemberEnd() || !member->value.IsInt64()) {
    throw StateError(problem + " (in_flight." + name + " missing)");
  }
  return member->value.GetInt64();
}

InFlightWindow read_in_flight(const rapidjson::Value& value,
                              const std::string& problem) {
  if (!value.IsObject()) {
    throw StateError(problem + " (in_flight is not an object)");
  }
  InFlightWindow window;
  window.from = read_int(value, "from", problem);
  window.to = read_int(value, "to", problem);
  window.upper = read_int(value, "upper", problem);
  window.boundary_unit = read_int(value, "boundary_unit", problem);
  const auto guids = value.FindMember("boundary_guids");
  if (guids == value.MemberEnd() || !guids->value.IsArray()) {
    throw StateError(problem + " (in_flight.boundary_guids missing)");
  }
  for (const auto& guid : guids->value.GetArray()) {
    if (!guid.IsString()) {
      throw StateError(problem + " (in_flight.boundary_guids not strings)");
    }
    window.boundary_guids.emplace_back(guid.GetString(),
                                       guid.GetStringLength());
  }
  if (window.from > window.to || window.upper > window.to ||
      window.upper < window.from - 1) {
    throw StateError(problem + " (in_flight bounds inconsistent)");
  }
  return window;
}

}  // namespace

void ensure_directory(const std::string& directory) {
  std::string partial;
  std::stringstream parts(directory);
  std::string part;
  if (!directory.empty() && directory.front() == '/') {
    partial = "/";
  }
  while (std::getline(parts, part, '/')) {
    if (part.empty()) {
      continue;
    }
    partial += part;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
      throw StateError("cannot create state directory " + partial + ": " +
                       errno_text());
    }
    partial += '/';
  }
  struct stat info {};
  if (::stat(directory.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    throw StateError("state directory " + directory + " is not a directory");
  }
}

void probe_writable(const std::string& directory) {
  const std::string path =
      directory + "/.write-probe-" + std::to_string(::getpid());
  FileDescriptor fd(::open(path.c_str(),
                           O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    throw StateError("cannot write in state directory " + directory + ": " +
                     errno_text());
  }
  fd.close();
  ::unlink(path.c_str());
}

StateStore::StateStore(std::string directory, std::string name)
    : directory_(std::move(directory)),
      name_(std::move(name)),
      path_(directory_ + "/" + name_ + ".json") {}

std::optional<Checkpoint> StateStore::load() const {
  std::ifstream file(path_, std::ios::binary);
  if (!file) {
    if (errno == ENOENT) {
      return std::nullopt;
    }
    throw StateError("cannot read state file " + path_ + ": " +
                     errno_text());
  }
  std::stringstream content;
  content << file.rdbuf();
  const std::string text = content.str();
  const std::string problem =
      "state file " + path_ +
      " is corrupt; move it away to start over from `start`, or restore it";
  rapidjson::Document document;
  document.Parse(text.data(), text.size());
  if (document.HasParseError() || !document.IsObject()) {
    throw StateError(problem + " (not a JSON object)");
  }
  const auto format = document.FindMember("format");
  const auto next_from = document.FindMember("next_from");
  const auto stanza = document.FindMember("stanza");
  if (format == document.MemberEnd() || !format->value.IsInt() ||
      format->value.GetInt() != kStateFormat) {
    throw StateError(problem + " (unknown format)");
  }
  if (next_from == document.MemberEnd() || !next_from->value.IsInt64() ||
      next_from->value.GetInt64() < 0) {
    throw StateError(problem + " (no valid next_from)");
  }
  if (stanza == document.MemberEnd() || !stanza->value.IsString() ||
      name_ != stanza->value.GetString()) {
    throw StateError(problem + " (it belongs to another stanza)");
  }
  Checkpoint checkpoint{next_from->value.GetInt64(), std::nullopt};
  const auto in_flight = document.FindMember("in_flight");
  if (in_flight != document.MemberEnd()) {
    checkpoint.in_flight = read_in_flight(in_flight->value, problem);
    if (checkpoint.in_flight->from != checkpoint.next_from) {
      throw StateError(problem + " (in-flight window does not start at "
                                 "next_from)");
    }
  }
  return checkpoint;
}

void StateStore::save(const Checkpoint& checkpoint) const {
  // Stanza names are restricted to [A-Za-z0-9_.-] by config validation,
  // so they need no JSON escaping.
  std::string text =
      "{\"format\":" + std::to_string(kStateFormat) + ",\"stanza\":\"" +
      name_ + "\",\"next_from\":" + std::to_string(checkpoint.next_from) +
      ",\"next_from_time\":\"" + format_rfc3339_ms(checkpoint.next_from) +
      "\",\"saved_at\":\"" + format_rfc3339_ms(now_ms()) + "\"";
  if (checkpoint.in_flight) {
    const InFlightWindow& window = *checkpoint.in_flight;
    text += ",\"in_flight\":{\"from\":" + std::to_string(window.from) +
            ",\"to\":" + std::to_string(window.to) +
            ",\"upper\":" + std::to_string(window.upper) +
            ",\"boundary_unit\":" + std::to_string(window.boundary_unit) +
            ",\"boundary_guids\":[";
    for (std::size_t i = 0; i < window.boundary_guids.size(); ++i) {
      if (i > 0) {
        text += ',';
      }
      append_json_string(text, window.boundary_guids[i]);
    }
    text += "]}";
  }
  text += "}\n";
  const std::string temporary = path_ + ".tmp";
  FileDescriptor fd(::open(temporary.c_str(),
                           O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    throw StateError("cannot create " + temporary + ": " + errno_text());
  }
  write_all(fd.get(), text, temporary);
  if (::fsync(fd.get()) != 0 || !fd.close()) {
    throw StateError("cannot flush " + temporary + ": " + errno_text());
  }
  if (::rename(temporary.c_str(), path_.c_str()) != 0) {
    throw StateError("cannot replace " + path_ + ": " + errno_text());
  }
  // The rename is durable only once the directory entry is on disk.
  FileDescriptor dir(::open(directory_.c_str(), O_RDONLY | O_DIRECTORY));
  if (dir.get() < 0 || ::fsync(dir.get()) != 0) {
    throw StateError("cannot flush state directory " + directory_ + ": " +
                     errno_text());
  }
}

StateLock::StateLock(const std::string& directory, const std::string& name) {
  const std::string path = directory + "/" + name + ".lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    throw StateError("cannot open lock file " + path + ": " + errno_text());
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const bool busy = errno == EWOULDBLOCK;
    const std::string reason = errno_text();
    ::close(fd_);
    fd_ = -1;
    throw StateError(busy ? "another run of stanza '" + name +
                                "' is in progress (lock " + path + " held)"
                          : "cannot lock " + path + ": " + reason);
  }
}

StateLock::~StateLock() {
  if (fd_ >= 0) {
    ::close(fd_);  // Releases the flock.
  }
}

}  // namespace connector
