// The modular-input modes splunkd runs: --scheme, --validate-arguments and
// the plain run that reads an <input> document from stdin.
// SPDX-License-Identifier: Apache-2.0
#include "connector/splunk_input.h"

#include <unistd.h>

#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "connector/app.h"
#include "connector/config.h"
#include "connector/error.h"
#include "connector/event_writer.h"
#include "connector/http_client.h"
#include "connector/log.h"
#include "connector/output.h"
#include "connector/splunk_definition.h"
#include "connector/splunk_events.h"
#include "connector/splunk_scheme.h"
#include "connector/splunk_secrets.h"
#include "connector/splunk_xml.h"
#include "connector/splunk_xml_writer.h"

namespace connector {
namespace {

constexpr std::string_view kStdin = "stdin";

/// Writes protocol output to stdout; throws OutputError.
void print(std::string text) {
  EventOutput out(STDOUT_FILENO);
  out.buffer() = std::move(text);
  out.flush();
}

/// Logs every line of `text` once, tagged with the input's name so that
/// its lines can be found in splunkd.log.
int report(LogLevel level, std::string_view component,
           const std::string& text, const std::string& input,
           ExitCode code) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    log_line(level, component,
             input.empty() ? line : line + kv("input", input));
  }
  return static_cast<int>(code);
}

void assign_secret(Config& config, const std::string& key, Secret value) {
  if (key == "api_key") {
    config.api_key = std::move(value);
  } else if (key == "api_secret") {
    config.api_secret = std::move(value);
  } else {
    throw std::logic_error("no Config field for secret setting " + key);
  }
}

/// Replaces the placeholders of `splunk:` settings with the passwords
/// fetched from splunkd's secret store.
void resolve_store_refs(Config& config, const SplunkStanza& stanza,
                        const SplunkDefinition& definition) {
  if (stanza.store_refs.empty()) {
    return;
  }
  const SourceLocation& where = stanza.raw.location;
  if (definition.server_uri.empty() || definition.session_key.empty()) {
    throw ConfigError(format_config_problem(
        where, stanza.store_refs.front().first,
        "splunk: needs splunkd's server_uri and session_key, which the "
        "document on stdin lacks"));
  }
  const SplunkdSession session{definition.server_uri,
                               definition.session_key, definition.app};
  HttpClient http(splunkd_http_settings(definition.server_uri));
  for (const auto& [key, ref] : stanza.store_refs) {
    try {
      assign_secret(config, key, fetch_splunk_secret(http, session, ref));
    } catch (const ConfigError& error) {
      throw ConfigError(format_config_problem(where, key, error.what()));
    } catch (const Error& error) {
      throw Error(where.file + ": " + key + ": " + error.what(),
                  error.exit_code());
    }
  }
}

/// Validates the stanza the document describes and resolves its secrets.
Config validated_config(const SplunkDefinition& definition) {
  const SplunkStanza stanza = build_splunk_stanza(definition);
  Config config = validate_stanza(stanza.raw, now_ms());
  resolve_store_refs(config, stanza, definition);
  return config;
}

/// Applies the stanza's log_level before validation, so that what
/// validation logs at DEBUG shows when the stanza asks for it.
void apply_early_log_level(const SplunkDefinition& definition) {
  for (const RawSetting& param : definition.params) {
    LogLevel level{};
    if (param.key == "log_level" && !param.is_list &&
        parse_log_level(param.scalar, level)) {
      set_log_level(level);
    }
  }
}

/// Pulls the stanza, writing one XML stream of events to stdout. The
/// stream is closed even when the run fails, so what was written stays a
/// well-formed document.
void stream_events(const Config& config, const Config& event_config,
                   const std::string& state_dir) {
  StreamEventWriter writer(event_config, STDOUT_FILENO, format_splunk_event,
                           now_ms());
  writer.write_raw(kSplunkStreamOpen);
  try {
    run_stanza(config, state_dir, writer);
  } catch (...) {
    try {
      writer.write_raw(kSplunkStreamClose);
      writer.flush();
    } catch (const OutputError&) {
      // stdout is gone; the run's own error is the one worth reporting.
    }
    throw;
  }
  writer.write_raw(kSplunkStreamClose);
  writer.flush();
}

int run_scheme(std::string text) {
  try {
    print(std::move(text));
    return static_cast<int>(ExitCode::Ok);
  } catch (const Error& error) {
    return report(LogLevel::Error, "splunk", error.what(), {},
                  error.exit_code());
  }
}

int run_validation() {
  std::string message;
  int status = static_cast<int>(ExitCode::Runtime);
  try {
    const SplunkDefinition definition =
        parse_validation_definition(read_xml(STDIN_FILENO, kStdin));
    const CurlGlobal curl;
    static_cast<void>(validated_config(definition));
    return static_cast<int>(ExitCode::Ok);
  } catch (const Error& error) {
    message = error.what();
    status = static_cast<int>(error.exit_code());
  } catch (const std::exception& error) {
    message = std::string("internal error: ") + error.what();
  }
  // splunkd shows the message to the admin and refuses to save.
  std::string document = "<error><message>";
  append_xml_text(document, message);
  document += "</message></error>\n";
  try {
    print(std::move(document));
  } catch (const Error& error) {
    report(LogLevel::Error, "splunk", error.what(), {}, error.exit_code());
  }
  return status == 0 ? static_cast<int>(ExitCode::Runtime) : status;
}

int run_input() {
  std::string input;
  try {
    const SplunkDefinition definition =
        parse_input_definition(read_xml(STDIN_FILENO, kStdin));
    input = std::string(kSplunkScheme) + "://" + definition.name;
    apply_early_log_level(definition);
    const CurlGlobal curl;
    const Config config = validated_config(definition);
    set_log_level(config.log_level);
    const std::optional<std::string> checkpoint_dir =
        definition.checkpoint_dir.empty()
            ? std::nullopt
            : std::optional<std::string>(definition.checkpoint_dir);
    const std::string state_dir = resolve_state_dir(config, checkpoint_dir);
    // The state file needs the sanitized name; events and their stanza
    // attribute carry the name Splunk knows.
    Config event_config = config;
    event_config.stanza = definition.name;
    stream_events(config, event_config, state_dir);
    return static_cast<int>(ExitCode::Ok);
  } catch (const ConfigError& error) {
    return report(LogLevel::Error, "config", error.what(), input,
                  error.exit_code());
  } catch (const Interrupted& error) {
    return report(LogLevel::Warn, "run", error.what(), input,
                  error.exit_code());
  } catch (const Error& error) {
    return report(LogLevel::Error, "run", error.what(), input,
                  error.exit_code());
  } catch (const std::exception& error) {
    return report(LogLevel::Fatal, "run",
                  std::string("internal error: ") + error.what(), input,
                  ExitCode::Runtime);
  }
}

bool invoked_as_scheme(const char* argv0) {
  const std::string_view path = argv0 != nullptr ? argv0 : "";
  const std::size_t slash = path.rfind('/');
  const std::string_view base =
      slash == std::string_view::npos ? path : path.substr(slash + 1);
  return base == kSplunkScheme;
}

}  // namespace

std::optional<int> run_splunk_mode_if_requested(int argc,
                                                const char* const* argv) {
  if (argc == 2) {
    const std::string_view argument = argv[1];
    if (argument == "--scheme") {
      return run_scheme(splunk_scheme_xml());
    }
    if (argument == "--splunk-spec") {
      return run_scheme(splunk_inputs_conf_spec());
    }
    if (argument == "--validate-arguments") {
      return run_validation();
    }
  }
  if (argc == 1 &&
      (invoked_as_scheme(argv[0]) || ::isatty(STDIN_FILENO) == 0)) {
    return run_input();
  }
  return std::nullopt;
}

}  // namespace connector
