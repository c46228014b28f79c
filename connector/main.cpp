// trustar-connector: TruSTAR indicators to SIEM events. Errors end here.
// SPDX-License-Identifier: Apache-2.0
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include <CLI/CLI.hpp>

#include "connector/app.h"
#include "connector/backfill.h"
#include "connector/config.h"
#include "connector/error.h"
#include "connector/event_writer.h"
#include "connector/http_client.h"
#include "connector/log.h"
#include "connector/settings_reference.h"
#include "connector/splunk_input.h"
#include "connector/stop_signal.h"

namespace {

using connector::ExitCode;
using connector::LogLevel;

struct Options {
  std::string config_path;
  std::optional<std::string> stanza;
  std::optional<std::string> state_dir;
  std::optional<std::string> log_level;
  std::string from;
  std::string to = "now";
  bool dry_run = false;
};

/// A time from the command line: RFC 3339 with a zone, or relative.
connector::Millis parse_cli_time(const std::string& text, const char* flag,
                                 connector::Millis now) {
  const auto time = connector::parse_time_spec(text, now);
  if (!time) {
    throw connector::UsageError(
        std::string(flag) + ": expected an RFC 3339 time with a zone or "
        "a relative time such as -30d, not '" + text + "'");
  }
  return *time;
}

/// Reports an error once, one stderr line per line of its message.
int report(LogLevel level, const char* component, const std::string& text,
           ExitCode code) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    connector::log_line(level, component, line);
  }
  return static_cast<int>(code);
}

void add_common(CLI::App& command, Options& options) {
  command.add_option("--config", options.config_path, "YAML stanza file")
      ->required();
  command.add_option("--stanza", options.stanza,
                     "Stanza to use; optional when the file holds one");
  command.add_option("--log-level", options.log_level,
                     "debug, info, warn or error (default: info)");
}

/// Loads the stanza; the command line's --log-level wins over the
/// stanza's log_level.
connector::Config load(const Options& options) {
  std::optional<LogLevel> cli_level;
  if (options.log_level) {
    LogLevel level{};
    if (!connector::parse_log_level(*options.log_level, level)) {
      throw connector::UsageError("--log-level: expected debug, info, warn "
                                  "or error");
    }
    cli_level = level;
    connector::set_log_level(level);
  }
  connector::Config config = connector::load_config(
      options.config_path, options.stanza, connector::now_ms());
  connector::set_log_level(cli_level.value_or(config.log_level));
  return config;
}

}  // namespace

int main(int argc, char** argv) {
  connector::install_signal_handlers();
  // splunkd's command lines (--scheme, --validate-arguments, or none
  // with a document on stdin) never reach CLI11.
  if (const auto status =
          connector::run_splunk_mode_if_requested(argc, argv)) {
    return *status;
  }

  CLI::App app{"trustar-connector " CONNECTOR_VERSION
               ": pulls TruSTAR indicators and writes one JSON event per "
               "indicator to stdout.",
               "trustar-connector"};
  app.set_version_flag("--version", "trustar-connector " CONNECTOR_VERSION);
  app.require_subcommand(1);
  Options options;
  CLI::App* run = app.add_subcommand(
      "run", "Pull [checkpoint, now - lag] and save the checkpoint");
  add_common(*run, options);
  run->add_option("--state-dir", options.state_dir,
                  "Directory for checkpoints (overrides state_dir)");
  CLI::App* check = app.add_subcommand(
      "check", "Validate a stanza, get a token and make one API call");
  add_common(*check, options);
  check->add_option("--state-dir", options.state_dir,
                    "Directory for checkpoints (overrides state_dir)");

  CLI::App* backfill = app.add_subcommand(
      "backfill",
      "Pull [--from, --to] on its own resumable state, leaving the "
      "scheduled checkpoint alone");
  add_common(*backfill, options);
  backfill->add_option("--state-dir", options.state_dir,
                       "Directory for checkpoints (overrides state_dir)");
  backfill->add_option("--from", options.from,
                       "Start of the range: RFC 3339 or relative (-90d)")
      ->required();
  backfill->add_option("--to", options.to,
                       "End of the range, inclusive (default: now)");
  backfill->add_flag("--dry-run", options.dry_run,
                     "Print the planned windows and estimated calls only");

  CLI::App* settings = app.add_subcommand(
      "settings", "Print the reference of every stanza setting (Markdown)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForVersion& version) {
    return app.exit(version);
  } catch (const CLI::ParseError& error) {
    return report(LogLevel::Error, "usage",
                  std::string(error.what()) + " (see --help)",
                  ExitCode::Usage);
  }

  // Errors are labelled with the command that met them.
  const char* command = check->parsed()      ? "check"
                        : backfill->parsed() ? "backfill"
                                             : "run";
  try {
    if (settings->parsed()) {
      std::cout << connector::settings_reference_markdown();
      return static_cast<int>(ExitCode::Ok);
    }
    const connector::CurlGlobal curl;
    const connector::Config config = load(options);
    const std::string state_dir =
        connector::resolve_state_dir(config, options.state_dir);
    if (run->parsed()) {
      connector::StreamEventWriter writer(config, STDOUT_FILENO,
                                          connector::format_json_line,
                                          connector::now_ms());
      connector::run_stanza(config, state_dir, writer);
    } else if (backfill->parsed()) {
      const connector::Millis now = connector::now_ms();
      const connector::BackfillRange range = connector::make_backfill_range(
          config, parse_cli_time(options.from, "--from", now),
          parse_cli_time(options.to, "--to", now), now);
      if (options.dry_run) {
        connector::plan_backfill(config, range, std::cout);
      } else {
        connector::StreamEventWriter writer(
            config, STDOUT_FILENO, connector::format_json_line, now);
        connector::backfill_stanza(config, state_dir, range, writer);
      }
    } else {
      connector::check_stanza(config, options.config_path, state_dir);
    }
    return static_cast<int>(ExitCode::Ok);
  } catch (const connector::ConfigError& error) {
    return report(LogLevel::Error, "config", error.what(),
                  error.exit_code());
  } catch (const connector::UsageError& error) {
    return report(LogLevel::Error, "usage", error.what(), error.exit_code());
  } catch (const connector::Interrupted& error) {
    return report(LogLevel::Warn, command, error.what(), error.exit_code());
  } catch (const connector::Error& error) {
    return report(LogLevel::Error, command, error.what(), error.exit_code());
  } catch (const std::exception& error) {
    return report(LogLevel::Fatal, command,
                  std::string("internal error: ") + error.what(),
                  ExitCode::Runtime);
  }
}
