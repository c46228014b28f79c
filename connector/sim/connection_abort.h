// The "reset" fault: drop a connection without sending any response.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <httplib.h>

namespace sim {

// cpp-httplib gives handlers no socket, so this finds the accepted socket
// whose local and peer ports match the request and shuts it down. The
// response httplib then tries to write fails (SIGPIPE must be ignored),
// and the client sees the connection end with no status line. Returns
// false if no matching socket was found.
bool abort_connection(const httplib::Request& req);

}  // namespace sim
