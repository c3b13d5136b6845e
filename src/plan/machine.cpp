#include "plan/machine.hpp"

#include <pwd.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "syntax/lexicon.hpp"
#include "util/files.hpp"
#include "util/utf8.hpp"

extern char** environ;

namespace sink {

std::optional<std::string> Machine::env(const std::string& name) const {
  const auto it = std::ranges::find(environment, name, &std::pair<std::string, std::string>::first);
  return it == environment.end() ? std::nullopt : std::optional(it->second);
}

std::string Machine::describe() const {
  std::string d = distro.empty() || distro == os ? os : distro;
  if (!distro_version.empty()) d += " " + distro_version;
  return d + " (" + os + (arch.empty() ? "" : ", " + arch) + ")";
}

bool Machine::matches(const std::string& name) const {
  const lex::Platform* p = lex::find_platform(name);
  return p && (p->is_os ? os : distro) == p->name;
}

namespace {

std::string normalise_arch(const std::string& arch) {
  if (arch == "aarch64" || arch == "arm64e") return "arm64";
  if (arch == "amd64" || arch == "x64") return "x86_64";
  return arch;
}

// ID and VERSION_ID from /etc/os-release.
void read_os_release(const std::string& content, Machine& m) {
  std::istringstream in(content);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && (value[0] == '"' || value[0] == '\'') && value.back() == value[0])
      value = value.substr(1, value.size() - 2);
    if (line.compare(0, eq, "ID") == 0) m.distro = utf8::ascii_lower(value);
    else if (line.compare(0, eq, "VERSION_ID") == 0) m.distro_version = value;
  }
}

}  // namespace

Machine detect_machine() {
  Machine m;
  utsname u{};
  if (uname(&u) == 0) {
    m.os = utf8::ascii_lower(u.sysname);
    m.arch = normalise_arch(u.machine);
  }
  if (m.os == "darwin") {
    m.distro = "darwin";
    const std::string plist = read_whole_file("/System/Library/CoreServices/SystemVersion.plist").value_or("");
    // Not found: npos, and every find after it npos too.
    const auto open = plist.find("<string>", plist.find("<key>ProductVersion</key>"));
    const auto close = plist.find("</string>", open);
    if (close != std::string::npos) m.distro_version = plist.substr(open + 8, close - open - 8);
  } else {
    std::string release = read_whole_file("/etc/os-release").value_or("");
    if (release.empty()) release = read_whole_file("/usr/lib/os-release").value_or("");
    read_os_release(release, m);
  }
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) m.hostname = host;
  for (char** e = environ; e && *e; ++e) {
    const std::string kv = *e;
    const auto eq = kv.find('=');
    if (eq != std::string::npos) m.environment.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  const passwd* pw = getpwuid(getuid());
  m.user = m.env("USER").value_or(pw ? pw->pw_name : "");
  m.home = m.env("HOME").value_or(pw ? pw->pw_dir : "");
  m.cpus = std::to_string(std::max(sysconf(_SC_NPROCESSORS_ONLN), 1L));
  return m;
}

std::string override_platform(Machine& m, const std::string& spec) {
  const auto slash = spec.find('/');
  const std::string name = spec.substr(0, slash), arch = slash == std::string::npos ? "" : spec.substr(slash + 1);
  if (slash != std::string::npos && arch.empty())
    return "`--platform " + spec + "`: the architecture after `/` is missing (e.g. ubuntu/arm64)";
  const lex::Platform* p = lex::find_platform(name);
  if (!p) {
    const auto near = lex::platform_meant(name);
    return "unknown platform `" + name + "`" +
           (near ? "; did you mean `" + std::string(*near) + "`?" : "; the platforms are " + lex::platform_list(false));
  }
  const Machine here = m;
  m.os = std::string(p->os);
  m.distro = p->is_os ? (p->name == "darwin" ? "darwin" : "") : std::string(p->name);
  m.distro_version.clear();
  if (!arch.empty()) m.arch = normalise_arch(arch);
  m.foreign = m.os != here.os || (!m.distro.empty() && m.distro != here.distro) || m.arch != here.arch;
  return "";
}

}  // namespace sink
