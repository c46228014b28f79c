// Validates a stanza against the stanza schema and fills in Config.
// SPDX-License-Identifier: Apache-2.0
#include "connector/config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <regex>
#include <stdexcept>
#include <utility>

#include "connector/error.h"
#include "connector/stanza_schema.h"

namespace connector {
namespace {

// Secret files hold one short credential; the cap keeps a mistaken
// file:/dev/zero or a huge file from being read into memory.
constexpr std::size_t kMaxSecretFileBytes = std::size_t{64} * 1024;

// Long enough to recognise a bad value, short enough for one log line.
constexpr std::size_t kMaxQuotedBytes = 40;

// Further than two edits away, a suggestion is more likely noise than help.
constexpr std::size_t kMaxSuggestionDistance = 2;

struct Problem {
  SourceLocation location;
  std::string key;
  std::string text;
};

/// Every problem found in one stanza, reported together.
class Problems {
 public:
  void add(const SourceLocation& where,
           const std::string& key,
           std::string text) {
    problems_.push_back({where, key, std::move(text)});
  }
  bool empty() const {
    return problems_.empty();
  }

  [[noreturn]] void raise() {
    std::stable_sort(
        problems_.begin(), problems_.end(),
        [](const Problem& a, const Problem& b) {
          return std::make_pair(a.location.line, a.location.column) <
                 std::make_pair(b.location.line, b.location.column);
        });
    std::string message;
    for (const Problem& problem : problems_) {
      message += message.empty() ? "" : "\n";
      message +=
          format_config_problem(problem.location, problem.key, problem.text);
    }
    throw ConfigError(message);
  }

 private:
  std::vector<Problem> problems_;
};

/// Escapes control characters as \xNN so that no value can start a new
/// line; inside quotes, `"` and `\` are escaped too.
void append_escaped(std::string& out, std::string_view text, bool quoted) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (quoted && (c == '\\' || c == '"')) {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      constexpr std::string_view kHex = "0123456789abcdef";
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
}

/// ` (got "value")`, shortened and escaped so that it stays on one line.
std::string got(std::string_view value) {
  std::size_t cut = std::min(value.size(), kMaxQuotedBytes);
  // Never cut a UTF-8 sequence in half: back up to a lead byte.
  while (cut < value.size() && cut > 0 &&
         (static_cast<unsigned char>(value[cut]) & 0xc0) == 0x80) {
    --cut;
  }
  std::string out = " (got \"";
  append_escaped(out, value.substr(0, cut), true);
  out += cut < value.size() ? "\"...)" : "\")";
  return out;
}

bool has_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return c >= '0' && c <= '9';
  });
}

std::size_t utf8_length(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(
      text.begin(), text.end(),
      [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
}

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
  }
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    out += out.empty() ? "" : ", ";
    out += item;
  }
  return out;
}

/// The largest unit that states `duration` exactly ("365d", "90s").
std::string format_duration(Millis duration) {
  struct Unit {
    Millis size;
    const char* suffix;
  };
  constexpr std::array<Unit, 4> kUnits = {
      {{kDay, "d"}, {kHour, "h"}, {kMinute, "m"}, {kSecond, "s"}}};
  for (const Unit& unit : kUnits) {
    if (duration != 0 && duration % unit.size == 0) {
      return std::to_string(duration / unit.size) + unit.suffix;
    }
  }
  return std::to_string(duration) + (duration == 0 ? "s" : "ms");
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({above + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string unknown_setting_text(const std::string& key) {
  std::string text = "unknown setting";
  std::size_t best = kMaxSuggestionDistance + 1;
  std::string suggestion;
  for (const SettingSpec& spec : stanza_settings()) {
    const std::size_t distance = edit_distance(lower(key), spec.name);
    if (distance < best) {
      best = distance;
      suggestion = spec.name;
    }
  }
  if (!suggestion.empty()) {
    text += " (did you mean " + suggestion + "?)";
  }
  return text;
}

bool is_loopback(std::string_view host) {
  if (lower(host) == "localhost" || host == "[::1]") {
    return true;
  }
  // 127.0.0.0/8 written as a dotted quad.
  int octets = 0;
  std::size_t pos = 0;
  while (pos <= host.size()) {
    const std::size_t dot = std::min(host.find('.', pos), host.size());
    const std::string_view octet = host.substr(pos, dot - pos);
    if (!all_digits(octet) || octet.size() > 3 ||
        std::stoi(std::string(octet)) > 255 ||
        (octets == 0 && octet != "127")) {
      return false;
    }
    ++octets;
    pos = dot + 1;
  }
  return octets == 4;
}

bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

/// Checks "host[:port]" (IPv6 in brackets); an empty string when it is
/// fine, else what is wrong.
std::string host_port_problem(std::string_view authority) {
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return "has an invalid host";
    }
    host = authority.substr(0, close + 1);
    const std::string_view inside = host.substr(1, host.size() - 2);
    if (inside.empty() ||
        inside.find_first_not_of("0123456789abcdefABCDEF:.") !=
            std::string_view::npos) {
      return "has an invalid host";
    }
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') {
      return "has an invalid host";
    }
    port = after.empty() ? after : after.substr(1);
  } else if (const auto colon = authority.find(':');
             colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) {
    return "has no host";
  }
  if (!std::all_of(host.begin(), host.end(), is_host_char) &&
      host.front() != '[') {
    return "has an invalid host";
  }
  const bool port_given = authority.size() > host.size();
  if (port_given && (!all_digits(port) || port.size() > 5 ||
                     std::stoi(std::string(port)) < 1 ||
                     std::stoi(std::string(port)) > 65535)) {
    return "has an invalid port";
  }
  return {};
}

/// What is wrong with a URL setting, or an empty string. The text never
/// quotes any part of the URL, which may be a secret.
std::string url_problem(std::string_view text, const SettingSpec& spec) {
  const std::size_t separator = text.find("://");
  const std::string_view scheme_text =
      text.substr(0, separator == std::string_view::npos ? 0 : separator);
  const auto scheme_char = [](char c) { return is_host_char(c) || c == '+'; };
  if (scheme_text.empty() ||
      !std::all_of(scheme_text.begin(), scheme_text.end(), scheme_char)) {
    return "is not an absolute URL such as https://host/path";
  }
  const std::string scheme = lower(scheme_text);
  if (std::find(spec.url_schemes.begin(), spec.url_schemes.end(), scheme) ==
      spec.url_schemes.end()) {
    return "must use one of the schemes " + join(spec.url_schemes);
  }
  if (text.find(' ') != std::string_view::npos) {
    return "must not contain spaces";
  }
  const std::string_view rest = text.substr(separator + 3);
  const std::size_t end = std::min(rest.find_first_of("/?#"), rest.size());
  std::string_view authority = rest.substr(0, end);
  if (rest.find_first_of("?#", end) != std::string_view::npos) {
    return "must not have a query or fragment";
  }
  const std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos && !spec.url_userinfo) {
    return "must not contain user:password@; credentials belong in "
           "api_key and api_secret";
  }
  if (at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  std::string problem = host_port_problem(authority);
  if (!problem.empty()) {
    return problem;
  }
  const std::size_t port_colon = authority.rfind(':');
  const std::string_view host =
      authority.front() == '['
          ? authority.substr(0, authority.find(']') + 1)
          : authority.substr(0, std::min(port_colon, authority.size()));
  if (scheme == "http" && spec.http_loopback_only && !is_loopback(host)) {
    return "http:// is only allowed for loopback hosts";
  }
  return {};
}

/// A setting's converted value; only the member for its kind is used.
struct Value {
  std::string text;
  long long integer = 0;
  bool boolean = false;
  Millis millis = 0;
  std::vector<std::string> list;
  Secret secret;
};

/// Converts one setting, reporting what is wrong with it.
class Converter {
 public:
  Converter(const SettingSpec& spec,
            const SourceLocation& where,
            Millis now,
            Problems& problems)
      : spec_(spec), where_(where), now_(now), problems_(problems) {}

  bool scalar(const std::string& text, Value& value);
  bool list(std::vector<std::string> items, Value& value);

 private:
  bool bad(std::string text) {
    problems_.add(where_, spec_.name, std::move(text));
    return false;
  }
  /// The got(...) suffix, or nothing for a secret setting.
  std::string shown(std::string_view text) const {
    return spec_.secret ? std::string() : got(text);
  }

  bool string(const std::string& text);
  bool integer(const std::string& text, Value& value);
  bool boolean(const std::string& text, Value& value);
  bool duration(const std::string& text, Value& value);
  bool time(const std::string& text, Value& value);
  bool url(const std::string& text);
  bool path(const std::string& text);
  bool resolve_secret(const std::string& text, std::string& resolved);

  const SettingSpec& spec_;
  const SourceLocation& where_;
  Millis now_;
  Problems& problems_;
};

bool Converter::scalar(const std::string& text, Value& value) {
  if (spec_.kind == SettingKind::List) {
    return list({text}, value);
  }
  std::string resolved = text;
  if (spec_.secret && !resolve_secret(text, resolved)) {
    return false;
  }
  // Values end up in HTTP headers, file names and event metadata, where a
  // line break could forge content.
  if (has_control(resolved)) {
    return bad(spec_.secret
                   ? "must not contain control characters (a "
                     "file: secret must be a single line)"
                   : "must not contain control characters" + shown(resolved));
  }

  bool ok = true;
  switch (spec_.kind) {
    case SettingKind::String:
      ok = string(resolved);
      break;
    case SettingKind::Integer:
      ok = integer(resolved, value);
      break;
    case SettingKind::Boolean:
      ok = boolean(resolved, value);
      break;
    case SettingKind::Duration:
      ok = duration(resolved, value);
      break;
    case SettingKind::Time:
      ok = time(resolved, value);
      break;
    case SettingKind::Url:
      ok = url(resolved);
      break;
    case SettingKind::Enum:
      ok = std::find(spec_.enum_values.begin(), spec_.enum_values.end(),
                     resolved) != spec_.enum_values.end() ||
           bad("must be one of " + join(spec_.enum_values) + shown(resolved));
      break;
    case SettingKind::Path:
      ok = path(resolved);
      break;
    case SettingKind::Secret:
    case SettingKind::List:
      break;
  }
  if (!ok) {
    return false;
  }
  if (spec_.secret) {
    value.secret = Secret(std::move(resolved));
  } else {
    value.text = std::move(resolved);
  }
  return true;
}

bool Converter::list(std::vector<std::string> items, Value& value) {
  if (spec_.kind != SettingKind::List) {
    return bad("expects a single value, not a list");
  }
  // A single string is a comma-separated list.
  if (items.size() == 1) {
    std::vector<std::string> split;
    std::size_t start = 0;
    const std::string whole = std::move(items.front());
    while (true) {
      const std::size_t comma = whole.find(',', start);
      split.push_back(whole.substr(start, comma - start));
      if (comma == std::string::npos) {
        break;
      }
      start = comma + 1;
    }
    items = std::move(split);
  }

  const std::optional<std::regex> pattern =
      spec_.pattern ? std::optional<std::regex>(std::regex(*spec_.pattern))
                    : std::nullopt;
  bool ok = true;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string item = trim(items[i]);
    const std::string which = "item " + std::to_string(i + 1);
    if (item.empty()) {
      ok = bad(which + " is empty");
    } else if (has_control(item)) {
      ok = bad(which + " must not contain control characters" + got(item));
    } else if (pattern && !std::regex_match(item, *pattern)) {
      ok = bad(which + " " + spec_.pattern_message + got(item));
    } else {
      value.list.push_back(item);
    }
  }
  return ok;
}

bool Converter::string(const std::string& text) {
  const std::size_t length = utf8_length(text);
  if (spec_.min_length && length < *spec_.min_length) {
    return bad("must be at least " + std::to_string(*spec_.min_length) +
               " characters long" + shown(text));
  }
  if (spec_.max_length && length > *spec_.max_length) {
    return bad("must be at most " + std::to_string(*spec_.max_length) +
               " characters long, not " + std::to_string(length));
  }
  if (spec_.pattern && !std::regex_match(text, std::regex(*spec_.pattern))) {
    return bad(spec_.pattern_message + shown(text));
  }
  return true;
}

bool Converter::integer(const std::string& text, Value& value) {
  std::string range;
  if (spec_.minimum && spec_.maximum) {
    range = " from " + std::to_string(*spec_.minimum) + " to " +
            std::to_string(*spec_.maximum);
  } else if (spec_.minimum || spec_.maximum) {
    range = spec_.minimum ? " of at least " + std::to_string(*spec_.minimum)
                          : " of at most " + std::to_string(*spec_.maximum);
  }
  const bool negative = !text.empty() && text.front() == '-';
  const std::string digits = negative ? text.substr(1) : text;
  // Nineteen digits may already overflow long long; no setting needs them.
  if (!all_digits(digits) || digits.size() > 18) {
    return bad("must be a whole number" + range + shown(text));
  }
  const long long number = std::stoll(text);
  if ((spec_.minimum && number < *spec_.minimum) ||
      (spec_.maximum && number > *spec_.maximum)) {
    return bad("must be a whole number" + range + shown(text));
  }
  value.integer = number;
  return true;
}

bool Converter::boolean(const std::string& text, Value& value) {
  // YAML 1.2's spellings only: yes/no/on/off/1/0 are too easy to misread.
  if (text == "true" || text == "True" || text == "TRUE") {
    value.boolean = true;
    return true;
  }
  if (text == "false" || text == "False" || text == "FALSE") {
    value.boolean = false;
    return true;
  }
  return bad("must be true or false" + shown(text));
}

/// POSIX shell variable names: what `env:` may name.
bool is_env_name(std::string_view name) {
  const auto word_char = [](char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
  };
  return !name.empty() && !(name.front() >= '0' && name.front() <= '9') &&
         std::all_of(name.begin(), name.end(), word_char);
}

/// parse_duration multiplies without an overflow check, so more than ten
/// digits could overflow before a range check sees the value. Ten digits
/// of weeks still fit in Millis, and no setting needs more.
bool fits_duration(std::string_view text) {
  return std::count_if(text.begin(), text.end(),
                       [](char c) { return c >= '0' && c <= '9'; }) <= 10;
}

bool Converter::duration(const std::string& text, Value& value) {
  if (all_digits(text)) {
    const std::string example = text.size() <= 6 ? text + "s" : "30s";
    return bad("needs a unit, such as " + example + " or 1h" + shown(text));
  }
  if (!text.empty() && text.front() == '-') {
    return bad("must not be negative" + shown(text));
  }
  if (!fits_duration(text)) {
    return bad("is too long a duration" + shown(text));
  }
  const auto parsed = parse_duration(text);
  if (!parsed) {
    return bad("is not a duration such as 30s, 5m, 1h30m or 14d" + shown(text));
  }
  if (spec_.min_duration && *parsed < *spec_.min_duration) {
    return bad(
        (*spec_.min_duration == 1
             ? std::string("must be greater than zero")
             : "must be at least " + format_duration(*spec_.min_duration)) +
        shown(text));
  }
  if (spec_.max_duration && *parsed > *spec_.max_duration) {
    return bad("must be at most " + format_duration(*spec_.max_duration) +
               shown(text));
  }
  value.millis = *parsed;
  return true;
}

bool Converter::time(const std::string& text, Value& value) {
  if (all_digits(text)) {
    return bad(
        "a bare number is not a time; write an RFC 3339 time such "
        "as 2024-05-01T00:00:00Z or a relative time such as -14d" +
        shown(text));
  }
  if (!text.empty() && text.front() == '-' && !fits_duration(text)) {
    return bad("is too far in the past" + shown(text));
  }
  const auto parsed = parse_time_spec(text, now_);
  if (!parsed && parse_rfc3339(text + "Z")) {
    return bad("has no time zone; add Z or an offset such as +02:00" +
               shown(text));
  }
  if (!parsed) {
    return bad(
        "is not an RFC 3339 time such as 2024-05-01T00:00:00Z, "
        "now, or a relative time such as -14d" +
        shown(text));
  }
  if (*parsed > now_) {
    return bad("lies in the future" + shown(text));
  }
  value.millis = *parsed;
  return true;
}

bool Converter::url(const std::string& text) {
  const std::string problem = url_problem(text, spec_);
  // A URL that may hold user:password@ is never quoted, whatever the
  // setting.
  const bool has_userinfo = text.find('@') != std::string::npos;
  return problem.empty() ||
         bad(problem + (has_userinfo ? std::string() : shown(text)));
}

bool Converter::path(const std::string& text) {
  if (!spec_.readable_file) {
    return true;
  }
  struct stat info {};
  if (::stat(text.c_str(), &info) != 0 || ::access(text.c_str(), R_OK) != 0) {
    return bad("cannot read " + text + ": " + std::strerror(errno));
  }
  if (!S_ISREG(info.st_mode)) {
    return bad(text + " is not a regular file");
  }
  return true;
}

bool Converter::resolve_secret(const std::string& text, std::string& resolved) {
  if (text.rfind("env:", 0) == 0) {
    const std::string name = text.substr(4);
    if (!is_env_name(name)) {
      return bad("env: needs an environment variable name");
    }
    const char* env = std::getenv(name.c_str());
    if (env == nullptr || *env == '\0') {
      return bad("environment variable " + name +
                 (env == nullptr ? " is not set" : " is empty"));
    }
    resolved = env;
    return true;
  }
  if (text.rfind("file:", 0) == 0) {
    const std::string file = text.substr(5);
    if (file.empty()) {
      return bad("file: needs a path");
    }
    FileContents contents = read_small_file(file, kMaxSecretFileBytes);
    if (contents.error != 0) {
      return bad("cannot read " + file + ": " + std::strerror(contents.error));
    }
    std::string& secret = contents.text;
    // Editors end files with a newline; it is not part of the secret.
    if (!secret.empty() && secret.back() == '\n') {
      secret.pop_back();
      if (!secret.empty() && secret.back() == '\r') {
        secret.pop_back();
      }
    }
    if (secret.empty()) {
      return bad(file + " is empty");
    }
    resolved = std::move(secret);
    return true;
  }
  resolved = text;
  return true;
}

struct Binding {
  std::string_view name;
  SettingKind kind;
  void (*assign)(Config& config, Value& value);
};

// The one place that maps schema settings onto Config fields. Names,
// defaults and checks all come from the schema; a schema setting without a
// binding here is a build defect, reported on first use.
constexpr std::array<Binding, 30> kBindings = {{
    {"integration", SettingKind::String,
     [](Config& c, Value& v) { c.integration = std::move(v.text); }},
    {"api_url", SettingKind::Url,
     [](Config& c, Value& v) {
       // Endpoint paths are appended with their own leading slash.
       while (!v.text.empty() && v.text.back() == '/') {
         v.text.pop_back();
       }
       c.api_url = std::move(v.text);
     }},
    {"token_url", SettingKind::Url,
     [](Config& c, Value& v) { c.token_url = std::move(v.text); }},
    {"api_version", SettingKind::Enum,
     [](Config& c, Value& v) {
       c.api_version = v.text == "1.2" ? ApiVersion::V1_2 : ApiVersion::V1_3;
     }},
    {"api_key", SettingKind::Secret,
     [](Config& c, Value& v) { c.api_key = std::move(v.secret); }},
    {"api_secret", SettingKind::Secret,
     [](Config& c, Value& v) { c.api_secret = std::move(v.secret); }},
    {"enclave_ids", SettingKind::List,
     [](Config& c, Value& v) { c.enclave_ids = std::move(v.list); }},
    {"indicator_types", SettingKind::List,
     [](Config& c, Value& v) { c.indicator_types = std::move(v.list); }},
    {"tags", SettingKind::List,
     [](Config& c, Value& v) { c.tags = std::move(v.list); }},
    {"excluded_tags", SettingKind::List,
     [](Config& c, Value& v) { c.excluded_tags = std::move(v.list); }},
    {"search_term", SettingKind::String,
     [](Config& c, Value& v) { c.search_term = std::move(v.text); }},
    {"page_size", SettingKind::Integer,
     [](Config& c, Value& v) { c.page_size = static_cast<int>(v.integer); }},
    {"window", SettingKind::Duration,
     [](Config& c, Value& v) { c.window = v.millis; }},
    {"lag", SettingKind::Duration,
     [](Config& c, Value& v) { c.lag = v.millis; }},
    {"start", SettingKind::Time,
     [](Config& c, Value& v) { c.start = v.millis; }},
    {"max_wait", SettingKind::Duration,
     [](Config& c, Value& v) { c.max_wait = v.millis; }},
    {"timeout", SettingKind::Duration,
     [](Config& c, Value& v) { c.timeout = v.millis; }},
    {"retries", SettingKind::Integer,
     [](Config& c, Value& v) { c.retries = static_cast<int>(v.integer); }},
    {"requests_per_minute", SettingKind::Integer,
     [](Config& c, Value& v) {
       c.requests_per_minute = static_cast<int>(v.integer);
     }},
    {"verify_tls", SettingKind::Boolean,
     [](Config& c, Value& v) { c.verify_tls = v.boolean; }},
    {"enrich", SettingKind::Boolean,
     [](Config& c, Value& v) { c.enrich = v.boolean; }},
    {"ca_file", SettingKind::Path,
     [](Config& c, Value& v) { c.ca_file = std::move(v.text); }},
    {"proxy", SettingKind::Url,
     [](Config& c, Value& v) { c.proxy = std::move(v.secret); }},
    {"output", SettingKind::Enum,
     [](Config& c, Value& v) { c.output = std::move(v.text); }},
    {"index", SettingKind::String,
     [](Config& c, Value& v) { c.index = std::move(v.text); }},
    {"sourcetype", SettingKind::String,
     [](Config& c, Value& v) { c.sourcetype = std::move(v.text); }},
    {"source", SettingKind::String,
     [](Config& c, Value& v) { c.source = std::move(v.text); }},
    {"host", SettingKind::String,
     [](Config& c, Value& v) { c.host = std::move(v.text); }},
    {"state_dir", SettingKind::Path,
     [](Config& c, Value& v) { c.state_dir = std::move(v.text); }},
    {"log_level", SettingKind::Enum,
     [](Config& c, Value& v) {
       // The schema's enum admits only words parse_log_level knows.
       static_cast<void>(parse_log_level(v.text, c.log_level));
     }},
}};

const Binding& binding_for(const SettingSpec& spec) {
  for (const Binding& binding : kBindings) {
    if (binding.name == spec.name && binding.kind == spec.kind) {
      return binding;
    }
  }
  throw std::logic_error("stanza.schema.json: setting " + spec.name +
                         " of kind " + std::string(kind_name(spec.kind)) +
                         " has no Config field");
}

bool is_empty(const RawSetting& setting) {
  return setting.is_list ? setting.list.empty() : setting.scalar.empty();
}

bool is_indirect(const std::string& text) {
  return text.rfind("env:", 0) == 0 || text.rfind("file:", 0) == 0;
}

/// Warns once when credentials are written literally into a config file
/// that group or others can read. Never mentions the values.
void warn_about_literal_secrets(const RawStanza& raw,
                                const std::vector<const RawSetting*>& given) {
  std::vector<std::string> names;
  const auto& specs = stanza_settings();
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const RawSetting* setting = given[i];
    if (!specs[i].secret || setting == nullptr || setting->is_list ||
        setting->scalar.empty() || is_indirect(setting->scalar)) {
      continue;
    }
    // A proxy URL is only a credential when it carries user:password@.
    if (specs[i].kind == SettingKind::Secret ||
        setting->scalar.find('@') != std::string::npos) {
      names.push_back(specs[i].name);
    }
  }
  struct stat info {};
  if (names.empty() || raw.location.file.empty() ||
      ::stat(raw.location.file.c_str(), &info) != 0 ||
      (info.st_mode & (S_IRGRP | S_IROTH)) == 0) {
    return;
  }
  std::string subject = names.front();
  for (std::size_t i = 1; i < names.size(); ++i) {
    subject += (i + 1 == names.size() ? " and " : ", ") + names[i];
  }
  subject += names.size() == 1 ? " is a literal" : " are literals";
  log_line(LogLevel::Warn, "config",
           raw.location.file + ": " + subject +
               " in a file others can read; use env: or file:");
}

}  // namespace

/// An api_url ending in /api/1.2 read as 1.3 (or the reverse) sends times
/// in the wrong unit: every window comes back empty and the checkpoint
/// moves on, a silent loss. The two must agree when the URL names one.
void check_version_matches_url(const Config& config, const RawStanza& raw,
                               const std::vector<const RawSetting*>& given,
                               Problems& problems) {
  const std::string& url = config.api_url;
  std::string named;
  for (const char* version : {"1.2", "1.3"}) {
    const std::string suffix = std::string("/api/") + version;
    if (url.size() >= suffix.size() &&
        url.compare(url.size() - suffix.size(), suffix.size(), suffix) == 0) {
      named = version;
    }
  }
  const std::string configured =
      config.api_version == ApiVersion::V1_2 ? "1.2" : "1.3";
  if (named.empty() || named == configured) {
    return;
  }
  const SettingSpec* spec = find_setting("api_version");
  const auto index =
      static_cast<std::size_t>(spec - stanza_settings().data());
  const RawSetting* setting = given[index];
  problems.add(setting != nullptr ? setting->location : raw.location,
               "api_version",
               "is " + configured + " but api_url ends in /api/" + named +
                   "; set api_version: " + named);
}

Config validate_stanza(const RawStanza& raw, Millis now) {
  const auto& specs = stanza_settings();
  Problems problems;

  // Every written setting must be known to the schema, and written once.
  std::vector<const RawSetting*> given(specs.size(), nullptr);
  for (const RawSetting& setting : raw.settings) {
    const SettingSpec* spec = find_setting(setting.key);
    if (spec == nullptr) {
      problems.add(setting.location, setting.key,
                   unknown_setting_text(setting.key));
      continue;
    }
    const auto index = static_cast<std::size_t>(spec - specs.data());
    if (given[index] != nullptr) {
      problems.add(setting.location, setting.key,
                   "given more than once (first at line " +
                       std::to_string(given[index]->location.line) + ")");
      continue;
    }
    given[index] = &setting;
  }

  // Convert each setting, or its default when it is absent or empty.
  Config config;
  config.stanza = raw.name;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const SettingSpec& spec = specs[i];
    const Binding& binding = binding_for(spec);
    const RawSetting* setting = given[i];
    const bool absent = setting == nullptr || is_empty(*setting);
    if (absent && (spec.required || spec.required_to_run)) {
      problems.add(setting != nullptr ? setting->location : raw.location,
                   spec.name,
                   setting != nullptr ? "must not be empty"
                                      : "missing required setting");
      continue;
    }
    if (absent && !spec.default_value) {
      continue;
    }
    const SourceLocation& where = absent ? raw.location : setting->location;
    Converter converter(spec, where, now, problems);
    Value value;
    const bool ok = absent ? converter.scalar(*spec.default_value, value)
                    : setting->is_list
                        ? converter.list(setting->list, value)
                        : converter.scalar(setting->scalar, value);
    if (ok) {
      binding.assign(config, value);
    }
  }
  check_version_matches_url(config, raw, given, problems);

  if (!problems.empty()) {
    problems.raise();
  }
  warn_about_literal_secrets(raw, given);
  return config;
}

Config load_config(const std::string& path,
                   const std::optional<std::string>& stanza_name,
                   Millis now) {
  return validate_stanza(read_yaml_stanza(path, stanza_name), now);
}

std::vector<std::string> config_field_names() {
  std::vector<std::string> names;
  names.reserve(kBindings.size());
  for (const Binding& binding : kBindings) {
    names.emplace_back(binding.name);
  }
  return names;
}

std::string format_config_problem(const SourceLocation& where,
                                  const std::string& key,
                                  const std::string& text) {
  std::string line;
  append_escaped(line, where.file, false);
  if (where.line > 0) {
    line +=
        ":" + std::to_string(where.line) + ":" + std::to_string(where.column);
  }
  line += ": ";
  if (!key.empty()) {
    append_escaped(line, key, false);
    line += ": ";
  }
  // The text may carry a value from the config (a file: path, say): a
  // newline in it must not start a line of its own.
  append_escaped(line, text, false);
  return line;
}

}  // namespace connector
