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
  // Held back, looking from the end back: from the start of a secret that may go on past the
  // text, or that goes past what is held so far (so that no whole secret is cut in two).
  // Secrets are longest first: once the longest cannot reach the cut, none can.
  std::size_t cut = held_.size();
  for (std::size_t at = held_.size(); at-- > 0 && !secrets_.empty() && at + secrets_.front().size() > cut;)
    for (const std::string& s : secrets_)
      if (at + s.size() > cut && held_.compare(at, s.size(), s, 0, std::min(s.size(), held_.size() - at)) == 0)
        cut = at;
  std::string shown = mask_secrets(held_.substr(0, cut), secrets_);
  held_.erase(0, cut);
  return shown;
}

}  // namespace sink
