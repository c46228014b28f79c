// The per-stanza checkpoint: where the next window starts.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "time.h"

namespace connector {

/// A window that was being pulled when the state was saved, and how far
/// the pull had come (see KeysetPosition in pager.h).
struct InFlightWindow {
  Millis from = 0;
  Millis to = 0;
  Millis upper = 0;
  Millis boundary_unit = 0;
  std::vector<std::string> boundary_guids;
};

/// What a stanza's state file holds.
struct Checkpoint {
  /// The first millisecond not yet pulled: every window before it has been
  /// written and flushed.
  Millis next_from = 0;
  /// The window starting at next_from, partly written.
  std::optional<InFlightWindow> in_flight;
};

/// Reads and atomically replaces `<dir>/<name>.json`.
class StateStore {
 public:
  StateStore(std::string directory, std::string name);

  /// nullopt when no state exists yet. Throws StateError when the file is
  /// unreadable, torn or of the wrong shape: never "start over" silently.
  std::optional<Checkpoint> load() const;

  /// Writes a temporary file, fsyncs it, renames it over the state file
  /// and fsyncs the directory. Throws StateError on any failure.
  void save(const Checkpoint& checkpoint) const;

  const std::string& path() const { return path_; }

 private:
  std::string directory_;
  std::string name_;
  std::string path_;
};

/// An exclusive lock on `<dir>/<name>.lock`, held for the object's life.
/// Throws StateError when another process holds it.
class StateLock {
 public:
  StateLock(const std::string& directory, const std::string& name);
  ~StateLock();
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;

 private:
  int fd_ = -1;
};

/// Creates the directory (and parents) with mode 0700 if missing.
void ensure_directory(const std::string& directory);

/// Creates and removes a file in `directory`, so that `check` can prove a
/// run will be able to save its state. Throws StateError.
void probe_writable(const std::string& directory);

}  // namespace connector
