// The "reset" fault: drop a connection without sending any response.
// SPDX-License-Identifier: Apache-2.0
#include "connection_abort.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdlib>
#include <string>

namespace sim {
namespace {

int port_of(const sockaddr_storage& addr) {
  if (addr.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in&>(addr).sin_port);
  }
  if (addr.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6&>(addr).sin6_port);
  }
  return -1;
}

bool is_connection_of(int fd, const httplib::Request& req) {
  sockaddr_storage local{};
  sockaddr_storage peer{};
  socklen_t local_len = sizeof(local);
  socklen_t peer_len = sizeof(peer);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
      getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) {
    return false;  // not a connected socket
  }
  // A live TCP connection is unique by its two ports on one loopback
  // address pair, and this one stays open while its handler runs.
  return port_of(local) == req.local_port && port_of(peer) == req.remote_port;
}

}  // namespace

bool abort_connection(const httplib::Request& req) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return false;
  bool found = false;
  while (dirent* entry = readdir(dir)) {
    char* end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0') continue;
    if (fd == dirfd(dir) || !is_connection_of(static_cast<int>(fd), req)) {
      continue;
    }
    // Linger 0 turns httplib's later close() into a TCP RST; shutdown()
    // stops the response from being sent at all.
    const linger hard{1, 0};
    setsockopt(static_cast<int>(fd), SOL_SOCKET, SO_LINGER, &hard,
               sizeof(hard));
    shutdown(static_cast<int>(fd), SHUT_RDWR);
    found = true;
    break;
  }
  closedir(dir);
  return found;
}

}  // namespace sim
