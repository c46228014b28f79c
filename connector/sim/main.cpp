// trustar-sim entry point: options, dataset, server life cycle, shutdown.
// SPDX-License-Identifier: Apache-2.0
#include <httplib.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "clock.h"
#include "data_file.h"
#include "generator.h"
#include "handlers.h"
#include "options.h"
#include "request_log.h"
#include "tls.h"

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitFailure = 1;
// Far above any legitimate request (1000 metadata entries of ~5 KB).
constexpr std::size_t kMaxBodyBytes = 32u << 20;

void log_line(const char* level, const std::string& message) {
  std::cerr << level << " trustar-sim: " << message << std::endl;
}

// Writes via a temporary file and rename(), so a reader never sees a
// half-written file.
bool write_atomically(const std::string& path,
                      const std::function<bool(std::FILE*)>& fill) {
  const std::string temp = path + ".tmp." + std::to_string(getpid());
  std::FILE* f = std::fopen(temp.c_str(), "wb");
  if (f == nullptr) return false;
  bool ok = fill(f);
  ok = std::fflush(f) == 0 && ok;
  ok = fsync(fileno(f)) == 0 && ok;
  ok = std::fclose(f) == 0 && ok;
  if (ok && std::rename(temp.c_str(), path.c_str()) == 0) return true;
  std::remove(temp.c_str());
  return false;
}

std::optional<sim::Dataset> build_dataset(const sim::Options& options) {
  const auto start = std::chrono::steady_clock::now();
  std::optional<sim::Dataset> data;
  if (!options.data_file.empty()) {
    std::string error;
    data = sim::load_data_file(options.data_file, error);
    if (!data) {
      log_line("ERROR", error);
      return std::nullopt;
    }
  } else {
    const sim::GeneratorConfig& g = options.generator;
    if (g.cluster_size > 0 && g.clusters * g.cluster_size > g.count) {
      log_line("WARN", "clusters do not fit in --count; using " +
                           std::to_string(g.count / g.cluster_size) +
                           " cluster(s)");
    }
    data = sim::generate_dataset(g);
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  log_line("INFO", "dataset ready: " + std::to_string(data->size()) +
                       " indicators in " + std::to_string(ms) + " ms");
  return data;
}

std::string format_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

int main(int argc, char** argv) {
  sim::Options options;
  std::string error;
  switch (sim::parse_options(argc, argv, options, error)) {
    case sim::ParseOutcome::kHelp:
      std::cout << sim::help_text();
      return 0;
    case sim::ParseOutcome::kError:
      log_line("ERROR", error);
      return kExitUsage;
    case sim::ParseOutcome::kRun:
      break;
  }

  // A client that hangs up mid-response must not kill the server, and
  // the "reset" fault writes to a socket it has shut down on purpose.
  signal(SIGPIPE, SIG_IGN);
  // SIGTERM/SIGINT are taken by one thread with sigwait(); blocking them
  // here, before any thread starts, keeps them off the worker threads.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::optional<sim::Dataset> data = build_dataset(options);
  if (!data) return kExitFailure;

  sim::RequestLog request_log;
  if (!options.request_log.empty() && !request_log.open(options.request_log)) {
    log_line("ERROR", "cannot open request log " + options.request_log + ": " +
                          std::strerror(errno));
    return kExitFailure;
  }
  auto simulator = std::make_unique<sim::Simulator>(
      options, std::move(*data),
      request_log.is_open() ? &request_log : nullptr);

  // HTTPS with a certificate minted here; its PEM is written before the
  // port file, so a test that sees the port can already trust it.
  std::unique_ptr<httplib::Server> server_owner;
  if (options.tls_cert_file.empty()) {
    server_owner = std::make_unique<httplib::Server>();
  } else {
    sim::TlsIdentity identity;
    if (!sim::make_tls_identity(identity, error)) {
      log_line("ERROR", error);
      return kExitFailure;
    }
    if (!write_atomically(options.tls_cert_file, [&identity](std::FILE* f) {
          return std::fwrite(identity.cert_pem.data(), 1,
                             identity.cert_pem.size(),
                             f) == identity.cert_pem.size();
        })) {
      log_line("ERROR", "cannot write certificate " + options.tls_cert_file);
      return kExitFailure;
    }
    // SSLServer takes its own references to the certificate and key.
    server_owner = std::make_unique<httplib::SSLServer>(identity.cert.get(),
                                                        identity.key.get());
    if (!server_owner->is_valid()) {
      log_line("ERROR", "cannot set up TLS");
      return kExitFailure;
    }
  }
  httplib::Server& server = *server_owner;
  const auto handler = [&simulator](const httplib::Request& req,
                                    httplib::Response& res) {
    simulator->handle(req, req.body, res);
  };
  // Methods with a body read it here rather than letting httplib do it:
  // httplib treats a body with neither Content-Length nor chunked
  // encoding as running to EOF and answers 400 after its read timeout,
  // while HTTP/1.1 (RFC 9112 6.3) says such a request has no body, as
  // `curl -X POST` without data sends it.
  const auto body_handler = [&simulator](const httplib::Request& req,
                                         httplib::Response& res,
                                         const httplib::ContentReader& reader) {
    std::string body;
    bool too_large = false;
    if (req.has_header("Content-Length") ||
        req.has_header("Transfer-Encoding")) {
      reader([&](const char* chunk, std::size_t size) {
        too_large = body.size() + size > kMaxBodyBytes;
        if (!too_large) body.append(chunk, size);
        return !too_large;
      });
    }
    if (too_large) {
      simulator->reject_oversized(req, res);
    } else {
      simulator->handle(req, body, res);
    }
  };
  // httplib writes headers and body separately; without TCP_NODELAY a
  // small body waits for the client's delayed ACK (about 40 ms).
  server.set_tcp_nodelay(true);
  // Errors httplib answers itself (bad request line, unknown method, URI
  // too long) get a Trace-Id, a Spring body and a log line like the rest.
  // The handler also sees the simulator's own errors; those already
  // carry a Trace-Id and are left alone.
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [&simulator](const httplib::Request& req, httplib::Response& res) {
        if (res.has_header("Trace-Id")) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        simulator->reject_protocol_error(req, res);
        return httplib::Server::HandlerResponse::Handled;
      }));
  server.Get(".*", handler);
  server.Options(".*", handler);
  server.Post(".*", body_handler);
  server.Put(".*", body_handler);
  server.Patch(".*", body_handler);
  server.Delete(".*", body_handler);

  int port = options.port;
  if (port == 0) {
    port = server.bind_to_any_port(options.host);
  } else if (!server.bind_to_port(options.host, port)) {
    port = -1;
  }
  if (port <= 0) {
    log_line("ERROR", "cannot bind " + format_host(options.host) + ":" +
                          std::to_string(options.port));
    return kExitFailure;
  }
  // The port file is in place before the stdout line, so a caller that
  // waits for either one finds both.
  if (!options.port_file.empty() &&
      !write_atomically(options.port_file, [port](std::FILE* f) {
        return std::fprintf(f, "%d\n", port) > 0;
      })) {
    log_line("ERROR", "cannot write port file " + options.port_file);
    return kExitFailure;
  }

  std::cout << "listening " << format_host(options.host) << ":" << port
            << std::endl;
  // /_sim/shutdown raises SIGTERM so that every way of stopping takes the
  // same path through the signal thread.
  simulator->set_shutdown_hook([] { kill(getpid(), SIGTERM); });
  std::thread signal_thread([&server, &stop_signals] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    log_line("INFO", std::string("stopping on ") +
                         (signal_number == SIGINT ? "SIGINT" : "SIGTERM"));
    server.stop();
  });

  const bool listened = server.listen_after_bind();
  if (signal_thread.joinable()) {
    // If the server stopped on its own, wake the signal thread.
    if (server.is_running() || !listened) kill(getpid(), SIGTERM);
    signal_thread.join();
  }

  int status = 0;
  if (!options.truth_file.empty()) {
    const bool ok = write_atomically(options.truth_file, [&](std::FILE* f) {
      bool good = true;
      simulator->write_truth([&](std::string_view chunk) {
        good = std::fwrite(chunk.data(), 1, chunk.size(), f) == chunk.size() &&
               good;
      });
      return good;
    });
    if (ok) {
      log_line("INFO", "truth written to " + options.truth_file);
    } else {
      log_line("ERROR", "cannot write truth file " + options.truth_file);
      status = kExitFailure;
    }
  }
  const sim::Stats stats = simulator->stats();
  log_line("INFO", "served " + std::to_string(stats.requests) + " requests, " +
                       std::to_string(stats.searches) + " searches, " +
                       std::to_string(stats.resightings) + " re-sightings, " +
                       std::to_string(stats.faults_injected) + " faults");
  request_log.close();
  return status;
}
