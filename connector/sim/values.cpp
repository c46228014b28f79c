// Realistic-looking indicator values per type, and hostile variants.
// SPDX-License-Identifier: Apache-2.0
#include "values.h"

#include <array>

#include "text.h"

// Every draw from `rng` is its own statement: the operands of one `+`
// chain are evaluated in an unspecified order, which would make the data
// depend on the compiler.

namespace sim {
namespace {

template <std::size_t N>
std::string pick(Rng& rng, const std::array<std::string_view, N>& a) {
  return std::string(a[rng.below(N)]);
}

constexpr std::array<std::string_view, 24> kSyllables = {
    "sec", "log", "in",  "pay", "mail", "cloud", "auth", "net",
    "dat", "upd", "ver", "ify", "acc",  "ount",  "srv",  "web",
    "cdn", "ho",  "st",  "ex",  "fin",  "tra",   "box",  "pro"};
constexpr std::array<std::string_view, 12> kTlds = {
    "com", "net", "org", "info", "ru", "cn",
    "xyz", "top", "io",  "biz",  "de", "co.uk"};
constexpr std::array<std::string_view, 10> kPathParts = {
    "wp-admin", "login",  "invoice", "download", "update",
    "files",    "secure", "api",     "gate.php", "doc"};
constexpr std::array<std::string_view, 10> kFirstNames = {
    "john", "maria", "admin", "support", "billing",
    "hr",   "alex",  "chen",  "olga",    "noreply"};
constexpr std::array<std::string_view, 16> kFamilies = {
    "Emotet",   "TrickBot", "Qakbot",  "AgentTesla",   "Dridex", "IcedID",
    "Formbook", "LokiBot",  "RedLine", "CobaltStrike", "Ryuk",   "Conti",
    "LockBit",  "NanoCore", "Remcos",  "AsyncRAT"};
constexpr std::array<std::string_view, 6> kMalwarePrefixes = {
    "Trojan:Win32/",     "Backdoor:Win32/", "Ransom:Win64/",
    "TrojanDownloader:", "PWS:MSIL/",       "HEUR:Trojan."};
constexpr std::array<std::string_view, 10> kFileStems = {
    "invoice", "svchost",          "update",   "setup",  "payload",
    "report",  "chrome_installer", "document", "loader", "scan"};
constexpr std::array<std::string_view, 8> kFileExts = {
    ".exe", ".dll", ".scr", ".js", ".vbs", ".docm", ".ps1", ".bat"};
constexpr std::array<std::string_view, 5> kRegistryRoots = {
    "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run",
    "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\RunOnce",
    "HKLM\\SYSTEM\\CurrentControlSet\\Services",
    "HKCU\\Software\\Classes\\mscfile\\shell\\open\\command",
    "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Defender"};

constexpr std::string_view kBase58 =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
constexpr std::string_view kBech32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr std::string_view kLowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kUpper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

std::string number(std::uint64_t n) { return std::to_string(n); }

std::string chars_from(Rng& rng, std::string_view alphabet,
                       std::uint64_t count) {
  std::string out;
  for (std::uint64_t i = 0; i < count; ++i) {
    out.push_back(alphabet[rng.below(alphabet.size())]);
  }
  return out;
}

std::string hex_string(Rng& rng, std::size_t digits) {
  std::string out;
  while (out.size() < digits) out += to_hex(rng.next(), 16);
  out.resize(digits);
  return out;
}

std::string domain(Rng& rng) {
  std::string d;
  const std::uint64_t parts = 2 + rng.below(3);
  for (std::uint64_t i = 0; i < parts; ++i) d += pick(rng, kSyllables);
  if (rng.chance(0.4)) {
    d += "-";
    d += pick(rng, kSyllables);
    d += number(rng.below(100));
  }
  if (rng.chance(0.3)) d = pick(rng, kSyllables) + "." + d;
  d += ".";
  d += pick(rng, kTlds);
  return d;
}

std::string ipv4(Rng& rng) {
  std::uint64_t first = 1 + rng.below(223);
  if (first == 10 || first == 127) first += 1;
  std::string out = number(first);
  out += "." + number(rng.below(256));
  out += "." + number(rng.below(256));
  out += "." + number(1 + rng.below(254));
  return out;
}

// One IPv6 group without leading zeros, as addresses are usually written.
std::string hex_group(Rng& rng) {
  const std::string g = to_hex(rng.below(0x10000), 4);
  const std::size_t nz = g.find_first_not_of('0');
  return nz == std::string::npos ? "0" : g.substr(nz);
}

std::string ipv6(Rng& rng) {
  std::string out = "2" + to_hex(rng.below(0x1000), 3);
  const std::uint64_t groups = 2 + rng.below(3);
  for (std::uint64_t i = 0; i < groups; ++i) out += ":" + hex_group(rng);
  out += "::" + hex_group(rng);
  return out;
}

std::string url(Rng& rng) {
  if (rng.chance(0.35)) return domain(rng);  // bare domain, typed URL
  std::string u = rng.chance(0.7) ? "https://" : "http://";
  u += rng.chance(0.15) ? ipv4(rng) : domain(rng);
  const std::uint64_t depth = rng.below(4);
  for (std::uint64_t i = 0; i < depth; ++i) u += "/" + pick(rng, kPathParts);
  if (rng.chance(0.5)) {
    const std::uint64_t len = 6 + rng.below(10);
    u += "/" + chars_from(rng, kLowerAlnum, len);
  }
  if (rng.chance(0.25)) u += "?id=" + number(rng.below(1000000)) + "&ref=m";
  return u;
}

std::string cidr(Rng& rng) {
  if (rng.chance(0.1)) {
    std::string v6 = "2" + to_hex(rng.below(0x1000), 3);
    v6 += ":" + hex_group(rng);
    return v6 + "::/48";
  }
  static constexpr std::array<int, 5> kPrefixes = {16, 20, 24, 28, 29};
  const int prefix = kPrefixes[rng.below(kPrefixes.size())];
  auto addr = static_cast<std::uint32_t>(rng.next() >> 32);
  addr &= ~((1u << (32 - prefix)) - 1);
  if ((addr >> 24) == 0 || (addr >> 24) == 127) addr |= 0x2D000000u;
  return number(addr >> 24) + "." + number((addr >> 16) & 255) + "." +
         number((addr >> 8) & 255) + "." + number(addr & 255) + "/" +
         std::to_string(prefix);
}

std::string email(Rng& rng) {
  std::string local = pick(rng, kFirstNames);
  if (rng.chance(0.6)) {
    local += "." + pick(rng, kSyllables);
    local += number(rng.below(1000));
  }
  return local + "@" + domain(rng);
}

std::string software(Rng& rng) {
  std::string name = pick(rng, kFileStems);
  name += "_" + number(rng.below(100000));
  name += pick(rng, kFileExts);
  if (rng.chance(0.3)) {
    name = "C:\\Users\\Public\\" + pick(rng, kSyllables) + "\\" + name;
  }
  return name;
}

std::string malware(Rng& rng) {
  const std::string family = pick(rng, kFamilies);
  if (rng.chance(0.2)) {
    std::string named = family + " v" + number(1 + rng.below(9));
    return named + "." + number(rng.below(100));
  }
  std::string out = pick(rng, kMalwarePrefixes) + family + ".";
  const std::uint64_t len = 1 + rng.below(3);
  out += chars_from(rng, kUpper, len);
  out += rng.chance(0.5) ? "!MTB" : "!rfn";
  return out;
}

std::string registry_key(Rng& rng) {
  std::string key = pick(rng, kRegistryRoots) + "\\";
  key += pick(rng, kSyllables);
  const std::uint64_t len = 4 + rng.below(8);
  return key + chars_from(rng, kLowerAlnum, len);
}

std::string cve(Rng& rng) {
  const std::uint64_t year = 2010 + rng.below(15);
  const std::uint64_t id =
      rng.chance(0.5) ? 1000 + rng.below(9000) : 10000 + rng.below(40000);
  return "CVE-" + number(year) + "-" + number(id);
}

std::string bitcoin(Rng& rng) {
  const std::uint64_t kind = rng.below(3);
  if (kind == 0) return "1" + chars_from(rng, kBase58, 33);
  if (kind == 1) return "3" + chars_from(rng, kBase58, 33);
  return "bc1q" + chars_from(rng, kBech32, 38);
}

std::string phone(Rng& rng) {
  std::string out = "+" + number(1 + rng.below(98));
  out += " " + number(200 + rng.below(800));
  out += " " + number(1000000 + rng.below(9000000));
  return out;
}

// Weighted type mix in tenths of a percent; sums to 1000.
struct TypeWeight {
  std::string_view type;
  std::uint64_t weight;
};
constexpr TypeWeight kTypeMix[] = {
    {"IP", 200},          {"URL", 200},       {"SHA256", 120},
    {"MD5", 100},         {"SHA1", 80},       {"EMAIL_ADDRESS", 80},
    {"SOFTWARE", 60},     {"CIDR_BLOCK", 30}, {"MALWARE", 30},
    {"REGISTRY_KEY", 30}, {"CVE", 30},        {"BITCOIN_ADDRESS", 35},
    {"PHONE_NUMBER", 5}};

}  // namespace

std::string random_value_of(std::string_view type, Rng& rng) {
  if (type == "IP") return rng.chance(0.1) ? ipv6(rng) : ipv4(rng);
  if (type == "CIDR_BLOCK") return cidr(rng);
  if (type == "URL") return url(rng);
  if (type == "EMAIL_ADDRESS") return email(rng);
  if (type == "MD5") return hex_string(rng, 32);
  if (type == "SHA1") return hex_string(rng, 40);
  if (type == "SHA256") return hex_string(rng, 64);
  if (type == "SOFTWARE") return software(rng);
  if (type == "MALWARE") return malware(rng);
  if (type == "REGISTRY_KEY") return registry_key(rng);
  if (type == "CVE") return cve(rng);
  if (type == "BITCOIN_ADDRESS") return bitcoin(rng);
  return phone(rng);
}

GeneratedValue random_value(Rng& rng) {
  std::uint64_t roll = rng.below(1000);
  for (const TypeWeight& tw : kTypeMix) {
    if (roll < tw.weight) return {tw.type, random_value_of(tw.type, rng)};
    roll -= tw.weight;
  }
  return {"IP", ipv4(rng)};
}

GeneratedValue hostile_value(Rng& rng) {
  const std::string n = number(rng.below(1000000000));
  switch (rng.below(12)) {
    case 0:  // IDN host, not punycoded
      return {"URL", "https://bücher-sicherheit-" + n + ".de/anmeldung"};
    case 1:  // Cyrillic file name
      return {"SOFTWARE", "счёт_на_оплату_" + n + ".pdf.exe"};
    case 2:  // CJK file name
      return {"SOFTWARE", "請求書_" + n + "_報告.docm"};
    case 3:  // emoji (4-byte UTF-8)
      return {"MALWARE", "Ransom😈Locker🔥" + n};
    case 4:  // quotes and backslashes in a path
      return {"SOFTWARE", "C:\\Users\\\"Public\"\\o'neil_" + n + ".exe"};
    case 5:  // markup and quotes in a query string
      return {"URL", "http://evil-" + n +
                         ".example/?q=\"><script>alert('x')</script>"};
    case 6:  // doubled and trailing backslashes
      return {"REGISTRY_KEY", "HKCU\\Software\\\\Classes\\" + n + "\\"};
    case 7:  // newline, tab, carriage return
      return {"SOFTWARE", "line1\nline2\t" + n + "\r.exe"};
    case 8:  // other C0 controls, DEL and an embedded NUL
      return {"MALWARE",
              std::string("ctl\x01\x1f\x7f", 6) + n + std::string("\0end", 4)};
    case 9:  // right-to-left override: displays as "...exe.pdf"
      return {"SOFTWARE", "invoice_" + n + "\u202Efdp.exe"};
    case 10:  // internationalised e-mail address
      return {"EMAIL_ADDRESS", "пользователь" + n + "@пример.рф"};
    default: {  // about 5 KB
      std::string long_url = "https://long-" + n + ".example/";
      while (long_url.size() < 5000) {
        long_url += "segment-" + to_hex(rng.next(), 16) + "/";
      }
      return {"URL", long_url};
    }
  }
}

}  // namespace sim
