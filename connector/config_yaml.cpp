// Reads one stanza from a YAML file; the only user of yaml-cpp.
// SPDX-License-Identifier: Apache-2.0
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "connector/config.h"
#include "connector/error.h"

namespace connector {
namespace {

// A stanza file is a few dozen lines; the cap stops a mistaken path (a log
// file, /dev/zero) from being read whole.
constexpr std::size_t kMaxConfigBytes = std::size_t{1024} * 1024;

constexpr std::string_view kDefaults = "defaults";

/// Owns a file descriptor opened for reading.
class ReadOnlyFile {
 public:
  // O_NONBLOCK: opening a FIFO must not hang; fstat then refuses it.
  explicit ReadOnlyFile(const std::string& path)
      : fd_(::open(path.c_str(),
                   O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) {}
  ReadOnlyFile(const ReadOnlyFile&) = delete;
  ReadOnlyFile& operator=(const ReadOnlyFile&) = delete;
  ReadOnlyFile(ReadOnlyFile&&) = delete;
  ReadOnlyFile& operator=(ReadOnlyFile&&) = delete;
  ~ReadOnlyFile() {
    if (fd_ >= 0) {
      // Nothing was written, so a failing close loses nothing.
      static_cast<void>(::close(fd_));
    }
  }
  int get() const {
    return fd_;
  }

 private:
  int fd_;
};

/// Problems found while reading the file, thrown together.
class YamlProblems {
 public:
  explicit YamlProblems(std::string path) : path_(std::move(path)) {}

  SourceLocation at(const YAML::Mark& mark) const {
    // yaml-cpp counts from 0; editors and our messages count from 1.
    return mark.is_null()
               ? SourceLocation{path_, 1, 1}
               : SourceLocation{path_, mark.line + 1, mark.column + 1};
  }
  void add(const YAML::Mark& mark,
           const std::string& key,
           const std::string& text) {
    add(at(mark), key, text);
  }
  void add(const SourceLocation& where,
           const std::string& key,
           const std::string& text) {
    lines_.push_back(format_config_problem(where, key, text));
  }
  void throw_if_any() {
    if (!lines_.empty()) {
      fail_with_lines();
    }
  }
  [[noreturn]] void fail(const YAML::Mark& mark,
                         const std::string& key,
                         const std::string& text) {
    fail(at(mark), key, text);
  }
  [[noreturn]] void fail(const SourceLocation& where,
                         const std::string& key,
                         const std::string& text) {
    add(where, key, text);
    fail_with_lines();
  }

 private:
  [[noreturn]] void fail_with_lines() const {
    std::string message;
    for (const std::string& line : lines_) {
      message += message.empty() ? "" : "\n";
      message += line;
    }
    throw ConfigError(message);
  }

  std::string path_;
  std::vector<std::string> lines_;
};

/// The 0-based position of the first byte that is not valid UTF-8 (or is
/// NUL, which yaml-cpp would take as a sign of UTF-16), if any.
std::optional<std::size_t> find_bad_utf8(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto lead = static_cast<unsigned char>(text[pos]);
    std::size_t length = 0;
    unsigned min_code = 0;
    if (lead == 0) {
      return pos;
    }
    if (lead < 0x80) {
      ++pos;
      continue;
    }
    if ((lead & 0xe0) == 0xc0) {
      length = 2;
      min_code = 0x80;
    } else if ((lead & 0xf0) == 0xe0) {
      length = 3;
      min_code = 0x800;
    } else if ((lead & 0xf8) == 0xf0) {
      length = 4;
      min_code = 0x10000;
    } else {
      return pos;
    }
    if (pos + length > text.size()) {
      return pos;
    }
    unsigned code = lead & (0x7fu >> length);
    for (std::size_t i = 1; i < length; ++i) {
      const auto next = static_cast<unsigned char>(text[pos + i]);
      if ((next & 0xc0) != 0x80) {
        return pos;
      }
      code = (code << 6) | (next & 0x3fu);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF.
    if (code < min_code || (code >= 0xd800 && code <= 0xdfff) ||
        code > 0x10ffff) {
      return pos;
    }
    pos += length;
  }
  return std::nullopt;
}

/// The 1-based line of a "---" that starts a second document, if any: one
/// after the first document has content (a "---" before any content just
/// opens the first document).
std::optional<int> second_document_line(std::string_view text) {
  bool content = false;
  int line_number = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view line = text.substr(start, end - start);
    ++line_number;
    const bool marker =
        line.rfind("---", 0) == 0 &&
        (line.size() == 3 || line[3] == ' ' || line[3] == '\t' ||
         line[3] == '\r');
    if (marker && content) {
      return line_number;
    }
    const auto first = line.find_first_not_of(" \t\r");
    if (!marker && first != std::string_view::npos && line[first] != '#') {
      content = true;
    }
    if (end == text.size()) {
      break;
    }
    start = end + 1;
  }
  return std::nullopt;
}

YAML::Node parse_document(const std::string& path,
                          const std::string& text,
                          YamlProblems& problems) {
  if (const auto bad = find_bad_utf8(text)) {
    const std::string_view before(text.data(), *bad);
    const auto line_start = before.rfind('\n');
    const int line =
        1 + static_cast<int>(std::count(before.begin(), before.end(), '\n'));
    const auto column = static_cast<int>(
        *bad - (line_start == std::string_view::npos ? 0 : line_start + 1));
    problems.fail(SourceLocation{path, line, column + 1}, "",
                  "not valid UTF-8 (or holds a NUL byte)");
  }
  // yaml-cpp 0.7's LoadAll never returns on some inputs (a lone ","), so
  // a second document is found by its marker instead, and only the first
  // is parsed, with Load, which does return.
  if (const auto second = second_document_line(text)) {
    problems.fail(SourceLocation{path, *second, 1}, "",
                  "holds more than one YAML document; keep one");
  }
  YAML::Node document;
  try {
    document = YAML::Load(text);
  } catch (const YAML::Exception& error) {
    // A few yaml-cpp messages append the offending text ("unknown escape
    // character: q"), which may sit inside a secret: keep the fixed part.
    problems.fail(error.mark, "",
                  "invalid YAML: " + error.msg.substr(0, error.msg.find(": ")));
  }
  if (!document.IsDefined() || document.IsNull()) {
    problems.fail(YAML::Mark(), "",
                  "is empty; expected stanza names, each mapped to its "
                  "settings");
  }
  return document;
}

bool is_valid_stanza_name(std::string_view name) {
  const bool allowed_chars = std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  });
  // Names become state file names: no empty name, no "." or "..".
  return allowed_chars && !name.empty() &&
         name.find_first_not_of('.') != std::string_view::npos;
}

constexpr std::string_view kStanzaNameRule =
    "a stanza name must be letters, digits, '_', '.' or '-' and not only "
    "dots";

/// One "name: { settings }" entry of the top-level mapping.
struct TopEntry {
  std::string name;
  YAML::Mark mark;
  YAML::Node value;
};

std::vector<TopEntry> read_top_level(const YAML::Node& root,
                                     YamlProblems& problems) {
  if (!root.IsMap()) {
    problems.fail(root.Mark(), "",
                  "the top level must map stanza names to their settings");
  }
  std::vector<TopEntry> entries;
  for (const auto& pair : root) {
    const YAML::Node& key = pair.first;
    if (!key.IsScalar()) {
      problems.add(key.Mark(), "", "a stanza name must be a plain string");
      continue;
    }
    const std::string& name = key.Scalar();
    if (!is_valid_stanza_name(name)) {
      problems.add(key.Mark(), name, std::string(kStanzaNameRule));
      continue;
    }
    const auto earlier =
        std::find_if(entries.begin(), entries.end(),
                     [&](const TopEntry& e) { return e.name == name; });
    if (earlier != entries.end()) {
      problems.add(key.Mark(), name,
                   "duplicate stanza (first at line " +
                       std::to_string(earlier->mark.line + 1) + ")");
      continue;
    }
    entries.push_back({name, key.Mark(), pair.second});
  }
  problems.throw_if_any();
  return entries;
}

std::string list_names(const std::vector<const TopEntry*>& stanzas) {
  std::string names;
  for (const TopEntry* entry : stanzas) {
    names += names.empty() ? "" : ", ";
    names += entry->name;
  }
  return names;
}

const TopEntry& pick_stanza(const YAML::Node& root,
                            const std::vector<TopEntry>& entries,
                            const std::optional<std::string>& wanted,
                            YamlProblems& problems) {
  std::vector<const TopEntry*> stanzas;
  for (const TopEntry& entry : entries) {
    if (entry.name != kDefaults) {
      stanzas.push_back(&entry);
    }
  }
  if (wanted && !is_valid_stanza_name(*wanted)) {
    problems.fail(root.Mark(), *wanted, std::string(kStanzaNameRule));
  }
  if (wanted) {
    for (const TopEntry* entry : stanzas) {
      if (entry->name == *wanted) {
        return *entry;
      }
    }
    problems.fail(
        root.Mark(), *wanted,
        std::string(*wanted == kDefaults ? "holds shared settings, not a stanza"
                                         : "no such stanza") +
            "; stanzas in this file: " + list_names(stanzas));
  }
  if (stanzas.empty()) {
    problems.fail(root.Mark(), "", "holds no stanza, only defaults");
  }
  if (stanzas.size() > 1) {
    problems.fail(root.Mark(), "",
                  std::to_string(stanzas.size()) + " stanzas in this file (" +
                      list_names(stanzas) + "); choose one with --stanza");
  }
  return *stanzas.front();
}

/// Reads a list value: scalars only (null items become empty strings,
/// which validation then refuses by position).
void read_list(const YAML::Node& value,
               RawSetting& setting,
               YamlProblems& problems) {
  setting.is_list = true;
  for (const auto& item : value) {
    if (item.IsMap() || item.IsSequence()) {
      problems.add(item.Mark(), setting.key,
                   "list items must be plain values, not lists or "
                   "mappings");
      continue;
    }
    setting.list.push_back(item.IsScalar() ? item.Scalar() : std::string());
  }
}

/// Reads a flat "setting: value" mapping. Values stay strings: yaml-cpp is
/// never asked to convert, so "0012" and "yes" arrive as written.
std::vector<RawSetting> read_settings(const TopEntry& entry,
                                      YamlProblems& problems) {
  std::vector<RawSetting> settings;
  if (entry.value.IsNull()) {
    return settings;
  }
  if (!entry.value.IsMap()) {
    problems.fail(entry.mark, entry.name,
                  "a stanza must map setting names to values");
  }
  for (const auto& pair : entry.value) {
    const YAML::Node& key = pair.first;
    const YAML::Node& value = pair.second;
    if (!key.IsScalar()) {
      problems.add(key.Mark(), "", "a setting name must be a plain string");
      continue;
    }
    RawSetting setting;
    setting.key = key.Scalar();
    // The key's mark, not the value's: an alias's mark is its anchor's.
    setting.location = problems.at(key.Mark());
    const auto earlier =
        std::find_if(settings.begin(), settings.end(),
                     [&](const RawSetting& s) { return s.key == setting.key; });
    if (earlier != settings.end()) {
      problems.add(key.Mark(), setting.key,
                   "duplicate key (first at line " +
                       std::to_string(earlier->location.line) + ")");
      continue;
    }
    if (setting.key == "<<") {
      problems.add(key.Mark(), setting.key,
                   "merge keys are not supported; put shared settings "
                   "under 'defaults'");
      continue;
    }
    if (value.IsMap()) {
      problems.add(key.Mark(), setting.key,
                   "expects a value or a list, not a mapping");
      continue;
    }
    if (value.IsSequence()) {
      read_list(value, setting, problems);
    } else if (value.IsScalar()) {
      setting.scalar = value.Scalar();
    }
    settings.push_back(std::move(setting));
  }
  return settings;
}

}  // namespace

FileContents read_small_file(const std::string& path, std::size_t max_bytes) {
  FileContents contents;
  const ReadOnlyFile file(path);
  struct stat info {};
  if (file.get() < 0 || ::fstat(file.get(), &info) != 0) {
    contents.error = errno;
    return contents;
  }
  if (!S_ISREG(info.st_mode)) {
    contents.error = S_ISDIR(info.st_mode) ? EISDIR : EINVAL;
    return contents;
  }
  std::array<char, 8192> buffer{};
  while (true) {
    const ssize_t count = ::read(file.get(), buffer.data(), buffer.size());
    if (count < 0 && errno == EINTR) {
      continue;
    }
    if (count < 0) {
      contents.error = errno;
      contents.text.clear();
      return contents;
    }
    if (count == 0) {
      return contents;
    }
    contents.text.append(buffer.data(), static_cast<std::size_t>(count));
    if (contents.text.size() > max_bytes) {
      contents.error = EFBIG;
      contents.text.clear();
      return contents;
    }
  }
}

RawStanza read_yaml_stanza(const std::string& path,
                           const std::optional<std::string>& stanza_name) {
  FileContents contents = read_small_file(path, kMaxConfigBytes);
  if (contents.error != 0) {
    throw ConfigError(format_config_problem(
        {path, 0, 0}, "",
        std::string("cannot read: ") + std::strerror(contents.error)));
  }
  YamlProblems problems(path);
  const YAML::Node root = parse_document(path, contents.text, problems);
  const std::vector<TopEntry> entries = read_top_level(root, problems);
  const TopEntry& chosen = pick_stanza(root, entries, stanza_name, problems);

  RawStanza stanza;
  stanza.name = chosen.name;
  stanza.location = problems.at(chosen.mark);
  stanza.settings = read_settings(chosen, problems);

  // Defaults go underneath: a key the stanza sets (even to nothing) wins.
  const auto defaults =
      std::find_if(entries.begin(), entries.end(),
                   [](const TopEntry& e) { return e.name == kDefaults; });
  if (defaults != entries.end()) {
    for (RawSetting& shared : read_settings(*defaults, problems)) {
      const bool overridden = std::any_of(
          stanza.settings.begin(), stanza.settings.end(),
          [&](const RawSetting& own) { return own.key == shared.key; });
      if (!overridden) {
        stanza.settings.push_back(std::move(shared));
      }
    }
  }
  problems.throw_if_any();
  return stanza;
}

}  // namespace connector
