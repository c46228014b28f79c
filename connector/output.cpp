// The event stream on stdout: buffered, flushed per page, errors reported.
// SPDX-License-Identifier: Apache-2.0
#include "output.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "error.h"

namespace connector {

void EventOutput::flush() {
  const char* data = buffer_.data();
  std::size_t left = buffer_.size();
  while (left > 0) {
    const ssize_t written = ::write(fd_, data, left);
    if (written < 0 && errno == EINTR) {
      continue;
    }
    if (written <= 0) {
      const int error = written < 0 ? errno : EIO;
      buffer_.erase(0, buffer_.size() - left);
      throw OutputError(std::string("cannot write events to the output: ") +
                        std::strerror(error));
    }
    data += written;
    left -= static_cast<std::size_t>(written);
  }
  buffer_.clear();
  events_written_ += pending_events_;
  pending_events_ = 0;
}

}  // namespace connector
