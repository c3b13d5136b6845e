#include "util/mask.hpp"

#include <algorithm>

namespace sink {

std::vector<std::string> mask_order(std::vector<std::string> secrets) {
  std::erase_if(secrets, [](const std::string& s) { return s.size() < 3; });
  std::sort(secrets.begin(), secrets.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  return secrets;
}

std::string mask_secrets(std::string text, const std::vector<std::string>& secrets) {
  static const std::string mask = "••••••";
  for (const std::string& secret : secrets)
    for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + mask.size()))
      text.replace(at, secret.size(), mask);
  return text;
}

std::string SecretMask::feed(std::string_view piece) {
  held_ += piece;
  // Held back: from the first place where the text ends in the start of a secret...
  std::size_t cut = held_.size();
  for (const std::string& secret : secrets_)
    for (std::size_t at = held_.size() - std::min(held_.size(), secret.size() - 1); at < cut; ++at)
      if (held_.compare(at, std::string::npos, secret, 0, held_.size() - at) == 0) cut = at;
  // ...or earlier, so that no whole secret is cut in two.
  for (bool moved = true; moved;) {
    moved = false;
    for (const std::string& secret : secrets_) {
      const std::size_t at = held_.find(secret, cut - std::min(cut, secret.size() - 1));
      if (at < cut) {
        cut = at;
        moved = true;
      }
    }
  }
  std::string shown = mask_secrets(held_.substr(0, cut), secrets_);
  held_.erase(0, cut);
  return shown;
}

}  // namespace sink
